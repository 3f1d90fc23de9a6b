//! A renegotiation storm: 30 random add/remove-track operations per side, both sides at
//! once, converge.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use futures_util::future::join;
use rtc_peer::{PeerConnection, Sender};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    seed, sleep, wait_until_with, CanvasSource, LoopbackPair, NegotiatedSide, SeededRng,
    TestFailure,
};

use crate::{camera, WAIT_MS};

const OPERATIONS: u32 = 30;

/// The mids on which `pc` sends a track.
fn sending_mids(pc: &PeerConnection) -> BTreeSet<String> {
    pc.transceivers()
        .iter()
        .filter(|t| t.sender().track().is_some())
        .filter_map(|t| t.mid())
        .collect()
}

/// The mids on which `pc` receives, as negotiated (`currentDirection`).
fn receiving_mids(pc: &PeerConnection) -> BTreeSet<String> {
    pc.transceivers()
        .iter()
        .filter(|t| {
            matches!(
                current_direction(t).as_deref(),
                Some("sendrecv") | Some("recvonly")
            )
        })
        .filter_map(|t| t.mid())
        .collect()
}

fn current_direction(transceiver: &rtc_peer::RtcRtpTransceiver) -> Option<String> {
    js_sys::Reflect::get(transceiver, &"currentDirection".into())
        .ok()
        .and_then(|v| v.as_string())
}

fn event_mids(side: &NegotiatedSide) -> Vec<Option<String>> {
    side.track_events()
        .iter()
        .map(|e| e.transceiver().mid())
        .collect()
}

/// Runs `OPERATIONS` random operations on `side`: add a clone of the camera track, or remove
/// a sender whose track is negotiated both ways (so each add gives exactly one remote `track`
/// event); returns how many tracks were added.
async fn operate(
    side: &NegotiatedSide,
    other: &NegotiatedSide,
    camera: &CanvasSource,
    rng: &RefCell<SeededRng>,
) -> u32 {
    let added = Cell::new(0);
    let mut senders: Vec<Sender> = Vec::new();
    for _ in 0..OPERATIONS {
        let seen_by_other: BTreeSet<String> = other
            .track_events()
            .iter()
            .filter_map(|event| event.transceiver().mid())
            .collect();
        let removable: Vec<usize> = senders
            .iter()
            .enumerate()
            .filter(|(_, sender)| {
                // Negotiated both ways: the other side saw the track, and this side applied
                // the answer (a sender whose `currentDirection` never included sending counts
                // as never used, and `addTrack` may take it again, which makes no new event).
                side.pc().transceivers().iter().any(|t| {
                    &t.sender() == sender.as_raw()
                        && t.mid().is_some_and(|mid| seen_by_other.contains(&mid))
                        && matches!(
                            current_direction(t).as_deref(),
                            Some("sendrecv") | Some("sendonly")
                        )
                })
            })
            .map(|(i, _)| i)
            .collect();
        let remove = !removable.is_empty() && rng.borrow_mut().upto(2) == 0;
        if remove {
            let pick = removable[rng.borrow_mut().upto(removable.len() as u32 - 1) as usize];
            let sender = senders.remove(pick);
            side.pc().remove_track(&sender).expect("removeTrack");
        } else {
            let track = camera.track().clone(); // the JS clone(): a new track
            let sender = side
                .pc()
                .add_track(&track, &[camera.stream()])
                .expect("addTrack");
            senders.push(sender);
            added.set(added.get() + 1);
        }
        let pause = rng.borrow_mut().upto(30);
        sleep(pause).await;
    }
    added.get()
}

#[wasm_bindgen_test]
async fn thirty_random_operations_per_side_converge() -> Result<(), TestFailure> {
    let rng = RefCell::new(SeededRng::new(seed("storm")));
    let call = LoopbackPair::negotiated(rng.borrow_mut().next_u64())?;
    let polite_camera = camera()?;
    let impolite_camera = camera()?;
    let (polite_adds, impolite_adds) = join(
        operate(&call.polite, &call.impolite, &polite_camera, &rng),
        operate(&call.impolite, &call.polite, &impolite_camera, &rng),
    )
    .await;
    let converged = || {
        call.settled()
            && sending_mids(call.polite.pc()) == receiving_mids(call.impolite.pc())
            && sending_mids(call.impolite.pc()) == receiving_mids(call.polite.pc())
            && call.impolite.track_events().len() == polite_adds as usize
            && call.polite.track_events().len() == impolite_adds as usize
    };
    wait_until_with(WAIT_MS, "the storm converges", converged, || {
        format!(
            "{}; polite sends {:?}, impolite receives {:?}; impolite sends {:?}, polite \
             receives {:?}; adds {polite_adds}/{impolite_adds}; track events on polite for \
             {:?}, on impolite for {:?}",
            call.describe(),
            sending_mids(call.polite.pc()),
            receiving_mids(call.impolite.pc()),
            sending_mids(call.impolite.pc()),
            receiving_mids(call.polite.pc()),
            event_mids(&call.polite),
            event_mids(&call.impolite),
        )
    })
    .await?;
    // Still converged a moment later (no negotiation left running).
    sleep(200).await;
    assert!(
        converged(),
        "the storm stays converged: {}",
        call.describe()
    );
    call.no_errors("storm")?;
    web_sys::console::log_1(
        &format!(
            "storm: {polite_adds} + {impolite_adds} adds, {} + {} signals",
            call.to_impolite.log().len(),
            call.to_polite.log().len()
        )
        .into(),
    );
    Ok(())
}
