//! Interop with MDN's plain-JavaScript pattern (`mdn_pattern.js`) in the same page: the
//! negotiator polite and then impolite, both sides adding a track at once (glare).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use rtc_peer::{PeerConnection, Role, TrackEvent};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    frames_grow, seed, sleep, wait_until_with, NegotiatedSide, SeededRng, SignalChannel,
    SignalDelay, TestFailure,
};

use crate::glare::first_description_type;
use crate::{camera, WAIT_MS};

#[wasm_bindgen(module = "/tests/negotiation/mdn_pattern.js")]
extern "C" {
    type MdnPeer;

    #[wasm_bindgen(js_name = mdnPeer)]
    fn mdn_peer(pc: &rtc_peer::RtcPeerConnection, polite: bool, send: &Function) -> MdnPeer;

    #[wasm_bindgen(method)]
    fn receive(this: &MdnPeer, text: &str) -> Promise;

    #[wasm_bindgen(method)]
    fn errors(this: &MdnPeer) -> String;
}

const ROUNDS: u32 = 5;

async fn glare_against_mdn(role: Role) -> Result<(), TestFailure> {
    let name = if role == Role::Polite {
        "interop (rtc-peer polite)"
    } else {
        "interop (rtc-peer impolite)"
    };
    let mut rng = SeededRng::new(seed(name));
    let ours_camera = camera()?;
    let theirs_camera = camera()?;
    for round in 1..=ROUNDS {
        let to_ours = SignalChannel::new(rng.next_u64(), SignalDelay::default());
        let to_theirs = SignalChannel::new(rng.next_u64(), SignalDelay::default());
        let ours = NegotiatedSide::new(
            "rtc-peer",
            PeerConnection::new().expect("a PeerConnection"),
            role,
            &to_theirs,
        );
        to_ours.connect(ours.deliverer());
        let theirs = PeerConnection::new().expect("a PeerConnection");
        let theirs_tracks: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
        let _theirs_track = {
            let tracks = Rc::clone(&theirs_tracks);
            theirs.on_track(move |event| tracks.borrow_mut().push(event))
        };
        let send = {
            let to_ours = to_ours.clone();
            Closure::<dyn Fn(String)>::new(move |text: String| to_ours.send(text))
        };
        let mdn = Rc::new(mdn_peer(
            theirs.as_raw(),
            role == Role::Impolite,
            send.as_ref().unchecked_ref(),
        ));
        {
            let mdn = Rc::clone(&mdn);
            to_theirs.connect(move |text| {
                let _ = mdn.receive(&text);
            });
        }
        ours.pc()
            .add_track(ours_camera.track(), &[ours_camera.stream()])
            .expect("addTrack (rtc-peer)");
        theirs
            .add_track(theirs_camera.track(), &[theirs_camera.stream()])
            .expect("addTrack (MDN)");
        let stable = |pc: &PeerConnection| pc.signaling_state() == rtc_peer::SignalingState::Stable;
        wait_until_with(
            WAIT_MS,
            &format!("{name}, round {round}: both stable with a track event each"),
            || {
                stable(ours.pc())
                    && stable(&theirs)
                    && to_ours.in_flight() == 0
                    && to_theirs.in_flight() == 0
                    && ours.track_events().len() == 1
                    && theirs_tracks.borrow().len() == 1
            },
            || {
                format!(
                    "rtc-peer {:?}, {} events, errors {:?}; MDN {:?}, {} events, errors {}",
                    ours.pc().signaling_state(),
                    ours.track_events().len(),
                    ours.errors(),
                    theirs.signaling_state(),
                    theirs_tracks.borrow().len(),
                    mdn.errors()
                )
            },
        )
        .await?;
        assert_eq!(
            (
                first_description_type(&to_theirs.log()).as_deref(),
                first_description_type(&to_ours.log()).as_deref()
            ),
            (Some("offer"), Some("offer")),
            "{name}, round {round}: both sides offered first (a real glare)"
        );
        frames_grow(
            ours.pc(),
            0,
            WAIT_MS,
            &format!("{name}, round {round}: video to rtc-peer"),
        )
        .await?;
        frames_grow(
            &theirs,
            0,
            WAIT_MS,
            &format!("{name}, round {round}: video to MDN"),
        )
        .await?;
        sleep(50).await;
        assert_eq!(
            ours.track_events().len(),
            1,
            "{name}, round {round}: one event on rtc-peer"
        );
        assert_eq!(
            theirs_tracks.borrow().len(),
            1,
            "{name}, round {round}: one event on MDN"
        );
        assert_eq!(
            ours.track_events()[0].first_stream().map(|s| s.id()),
            Some(theirs_camera.stream().id()),
            "{name}, round {round}: rtc-peer got MDN's stream"
        );
        assert_eq!(
            theirs_tracks.borrow()[0].first_stream().map(|s| s.id()),
            Some(ours_camera.stream().id()),
            "{name}, round {round}: MDN got rtc-peer's stream"
        );
        assert!(
            ours.errors().is_empty(),
            "{name}: rtc-peer errors {:?}",
            ours.errors()
        );
        assert_eq!(
            mdn.errors(),
            "",
            "{name}, round {round}: MDN's pattern logged errors; to MDN: {:?}",
            to_theirs
                .log()
                .iter()
                .map(|m| m.chars().take(90).collect::<String>())
                .collect::<Vec<_>>()
        );
        theirs.close();
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn negotiator_polite_against_mdn_impolite() -> Result<(), TestFailure> {
    glare_against_mdn(Role::Polite).await?;
    Ok(())
}

#[wasm_bindgen_test]
async fn negotiator_impolite_against_mdn_polite() -> Result<(), TestFailure> {
    glare_against_mdn(Role::Impolite).await?;
    Ok(())
}
