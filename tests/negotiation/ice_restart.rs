//! ICE restart in the middle of a call: new credentials, frames keep coming, and the ICE
//! state events arrive in order.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{IceConnectionState, IceGatheringState, PeerConnection};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{frames_decoded, frames_grow, seeded_call, wait_until_with, TestFailure};

use crate::{call_is_up, camera, WAIT_MS};

/// The `a=ice-ufrag:` of a connection's current local description.
fn local_ufrag(pc: &PeerConnection) -> Option<String> {
    ufrag(&pc.local_description()?.sdp)
}

fn remote_ufrag(pc: &PeerConnection) -> Option<String> {
    ufrag(&pc.remote_description()?.sdp)
}

fn ufrag(sdp: &str) -> Option<String> {
    sdp.lines()
        .find_map(|line| line.strip_prefix("a=ice-ufrag:"))
        .map(|u| u.trim().to_owned())
}

/// Whether `to` may follow `from` in `iceConnectionState` while a call goes on.
fn may_follow(from: IceConnectionState, to: IceConnectionState) -> bool {
    use IceConnectionState::*;
    matches!(
        (from, to),
        (New, Checking)
            | (Checking, Connected)
            | (Connected, Completed)
            | (Completed, Connected)
            | (Connected, Checking)
            | (Completed, Checking)
    )
}

#[wasm_bindgen_test]
async fn ice_restart_mid_call_changes_the_ufrag_and_frames_keep_growing() -> Result<(), TestFailure>
{
    let call = seeded_call("ice restart");
    let ice_states: Rc<RefCell<Vec<IceConnectionState>>> = Rc::default();
    let gathering: Rc<RefCell<Vec<IceGatheringState>>> = Rc::default();
    let _ice = {
        let ice_states = Rc::clone(&ice_states);
        call.polite
            .pc()
            .on_ice_connection_state_change(move |state| ice_states.borrow_mut().push(state))
    };
    let _gathering = {
        let gathering = Rc::clone(&gathering);
        call.polite
            .pc()
            .on_ice_gathering_state_change(move |state| gathering.borrow_mut().push(state))
    };
    let camera = camera()?;
    call_is_up(&call, &camera).await?;
    // The impolite side offers the liveness channel's `m=application` once the first
    // negotiation is done. Restart only after it is applied too: a restart offer that meets it
    // in glare is rolled back and made again, gathering twice, as it should.
    call.settle(WAIT_MS, "the liveness channel is negotiated", |call| {
        [call.polite.pc(), call.impolite.pc()].iter().all(|pc| {
            pc.local_description()
                .is_some_and(|d| d.sdp.contains("m=application"))
                && pc
                    .remote_description()
                    .is_some_and(|d| d.sdp.contains("m=application"))
        })
    })
    .await?;
    let before = frames_grow(call.impolite.pc(), 0, WAIT_MS, "video before the restart").await?;
    wait_until_with(
        WAIT_MS,
        "first gathering complete",
        || call.polite.pc().ice_gathering_state() == IceGatheringState::Complete,
        || format!("{:?}", gathering.borrow()),
    )
    .await?;
    let old_ufrag = local_ufrag(call.polite.pc()).expect("a local ufrag");
    // What gathering did before the restart: at least one round (more where setting the call
    // up took more than one offer, as Firefox's may under load).
    let gathered_before = gathering.borrow().len();

    call.polite.negotiator().restart_ice();
    let frames_at_restart = frames_decoded(call.impolite.pc()).await;
    wait_until_with(
        WAIT_MS,
        "the restart offer and its answer are applied",
        || {
            call.settled()
                && local_ufrag(call.polite.pc()).is_some_and(|u| u != old_ufrag)
                && remote_ufrag(call.impolite.pc()) == local_ufrag(call.polite.pc())
                && call.polite.pc().ice_gathering_state() == IceGatheringState::Complete
        },
        || {
            format!(
                "{}; ufrag {old_ufrag} -> {:?} (remote side has {:?}); gathering {:?}",
                call.describe(),
                local_ufrag(call.polite.pc()),
                remote_ufrag(call.impolite.pc()),
                gathering.borrow()
            )
        },
    )
    .await?;
    let during = frames_grow(
        call.impolite.pc(),
        frames_at_restart.max(before),
        WAIT_MS,
        "video across the restart",
    )
    .await?;
    frames_grow(
        call.impolite.pc(),
        during,
        WAIT_MS,
        "video after the restart",
    )
    .await?;
    wait_until_with(
        WAIT_MS,
        "ICE connected again",
        || {
            matches!(
                call.polite.pc().ice_connection_state(),
                IceConnectionState::Connected | IceConnectionState::Completed
            )
        },
        || format!("{:?}", ice_states.borrow()),
    )
    .await?;

    let states = ice_states.borrow().clone();
    assert_eq!(
        states.first(),
        Some(&IceConnectionState::Checking),
        "ICE states {states:?}"
    );
    assert!(
        states.contains(&IceConnectionState::Connected),
        "ICE states {states:?}"
    );
    for pair in states.windows(2) {
        assert!(
            may_follow(pair[0], pair[1]),
            "ICE state {:?} followed {:?}: {states:?}",
            pair[1],
            pair[0]
        );
    }
    let gathered = gathering.borrow().clone();
    web_sys::console::log_1(
        &format!("ice restart: gathering {gathered:?}, of which {gathered_before} before it")
            .into(),
    );
    let (before_restart, for_restart) = gathered.split_at(gathered_before);
    assert!(
        before_restart.ends_with(&[IceGatheringState::Gathering, IceGatheringState::Complete]),
        "gathering before the restart: {gathered:?}"
    );
    let mut for_restart = for_restart.to_vec();
    for_restart.dedup();
    assert_eq!(
        for_restart,
        [IceGatheringState::Gathering, IceGatheringState::Complete],
        "gathering ran once more for the restart (all of it: {gathered:?})"
    );
    assert_eq!(
        call.impolite.track_events().len(),
        1,
        "a restart adds no track"
    );
    call.no_errors("ice restart")?;
    Ok(())
}
