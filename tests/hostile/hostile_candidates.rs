//! Hostile ICE candidates: garbage, structurally wrong and oversize candidate strings, wrong
//! `sdpMid` / `sdpMLineIndex`, JS-built candidates with lone surrogates and unknown username
//! fragments, fed to `ice_candidate` and `add_ice_candidate` on connections in every relevant
//! state. Every call returns `Ok` or an `Err` with the browser's name and message; afterwards
//! a normal call on the same page still connects and shows video.
//!
//! Every candidate that could parse names only a loopback or unspecified IP literal, and the
//! connection receiving them never sets a local description, so no connectivity check (and no
//! name resolution) is ever attempted. The seed is printed in a `NOTE:` line; rebuild with
//! `RTC_PEER_HOSTILE_SEED=<seed>` to replay.

use js_sys::Reflect;
use rtc_peer::{
    ice_candidate, Error, MediaKind, PeerConnection, SessionDescription, SignalingState,
    TransceiverDirection,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::hostile::{hostile_candidate, pinned, Expected, Rng, Tally};
use support::{call_delivers_track, now_ms, within};

/// Hostile candidate cases per browser.
const CASES: usize = 600;

/// Outcomes per category ("kind -> target connection"), as measured in Chromium 156 (counts
/// for the default seed).
const CANDIDATES_CHROMIUM: Expected = &[
    (
        "garbage -> closed",
        &[("InvalidStateError", 4), ("TypeError", 1)],
    ),
    (
        "garbage -> have-remote-offer",
        &[("OperationError", 78), ("TypeError", 12)],
    ),
    (
        "garbage -> no-remote-description",
        &[("InvalidStateError", 9)],
    ),
    (
        "good-candidate -> closed",
        &[("InvalidStateError", 6), ("TypeError", 2)],
    ),
    (
        "good-candidate -> have-remote-offer",
        &[("Ok", 76), ("OperationError", 58), ("TypeError", 21)],
    ),
    (
        "good-candidate -> no-remote-description",
        &[("InvalidStateError", 18), ("TypeError", 2)],
    ),
    ("js-built -> closed", &[("InvalidStateError", 3)]),
    (
        "js-built -> have-remote-offer",
        &[("Ok", 22), ("OperationError", 15)],
    ),
    (
        "js-built -> no-remote-description",
        &[("InvalidStateError", 6), ("Ok", 1)],
    ),
    ("oversize -> closed", &[("InvalidStateError", 2)]),
    (
        "oversize -> have-remote-offer",
        &[("Ok", 12), ("OperationError", 21), ("TypeError", 5)],
    ),
    (
        "oversize -> no-remote-description",
        &[("InvalidStateError", 4)],
    ),
    ("structured -> closed", &[("InvalidStateError", 7)]),
    (
        "structured -> have-remote-offer",
        &[("Ok", 7), ("OperationError", 161), ("TypeError", 31)],
    ),
    (
        "structured -> no-remote-description",
        &[("InvalidStateError", 16)],
    ),
];
/// The same, as measured in Firefox ESR.
const CANDIDATES_FIREFOX: Expected = &[
    (
        "garbage -> closed",
        &[("InvalidStateError", 4), ("TypeError", 1)],
    ),
    (
        "garbage -> have-remote-offer",
        &[("Ok", 19), ("OperationError", 59), ("TypeError", 12)],
    ),
    (
        "garbage -> no-remote-description",
        &[("InvalidStateError", 9)],
    ),
    (
        "good-candidate -> closed",
        &[("InvalidStateError", 6), ("TypeError", 2)],
    ),
    (
        "good-candidate -> have-remote-offer",
        &[("Ok", 73), ("OperationError", 61), ("TypeError", 21)],
    ),
    (
        "good-candidate -> no-remote-description",
        &[("InvalidStateError", 18), ("TypeError", 2)],
    ),
    ("js-built -> closed", &[("InvalidStateError", 3)]),
    (
        "js-built -> have-remote-offer",
        &[("Ok", 14), ("OperationError", 23)],
    ),
    (
        "js-built -> no-remote-description",
        &[("InvalidStateError", 7)],
    ),
    ("oversize -> closed", &[("InvalidStateError", 2)]),
    (
        "oversize -> have-remote-offer",
        &[("Ok", 12), ("OperationError", 21), ("TypeError", 5)],
    ),
    (
        "oversize -> no-remote-description",
        &[("InvalidStateError", 4)],
    ),
    ("structured -> closed", &[("InvalidStateError", 7)]),
    (
        "structured -> have-remote-offer",
        &[("Ok", 69), ("OperationError", 99), ("TypeError", 31)],
    ),
    (
        "structured -> no-remote-description",
        &[("InvalidStateError", 16)],
    ),
];

/// A connection holding a real two-section offer as its remote description, and no local
/// description (so it never starts connectivity checks).
async fn receiver_of(offer: &SessionDescription) -> PeerConnection {
    let pc = PeerConnection::new().unwrap();
    within(
        10_000,
        "pc.set_remote_description",
        pc.set_remote_description(offer),
    )
    .await
    .expect("the wait is bounded")
    .unwrap();
    pc
}

#[wasm_bindgen_test]
async fn hostile_candidates_get_ok_or_a_typed_error() {
    support::take_page_errors();
    // The printed seed is the run's; this suite draws from its own stream of it.
    let seed = support::hostile::seed();
    let mut rng = Rng::new(seed ^ 0xCA9D_1DA7E);
    let started = now_ms();

    let offerer = PeerConnection::new().unwrap();
    offerer
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    offerer
        .add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = within(10_000, "offerer.create_offer", offerer.create_offer())
        .await
        .expect("the wait is bounded")
        .unwrap();
    offerer.close();

    let mut receiver = receiver_of(&offer).await;
    let fresh = PeerConnection::new().unwrap(); // no remote description
    let closed = PeerConnection::new().unwrap();
    closed.close();

    let mut tally = Tally::new(seed, pinned(CANDIDATES_CHROMIUM, CANDIDATES_FIREFOX));
    for case in 0..CASES {
        let (target, target_name) = match rng.below(100) {
            0..=84 => (&receiver, "have-remote-offer"),
            85..=94 => (&fresh, "no-remote-description"),
            _ => (&closed, "closed"),
        };
        if rng.percent(8) {
            // A candidate built by JS from an odd init (lone surrogates, unknown ufrag...).
            let index = rng.below(support::hostile::exotic_candidate_count() as usize) as u32;
            let built = support::hostile::exotic_candidate(index);
            let what = format!(
                "js {} -> {target_name}",
                support::hostile::exotic_candidate_label(index)
            );
            let category = format!("js-built -> {target_name}");
            let ok = Reflect::get(&built, &"ok".into()).unwrap();
            if ok.is_undefined() {
                // The constructor itself threw: our Error must still carry name and message.
                let err = Error::from(Reflect::get(&built, &"err".into()).unwrap());
                tally.record(case, &category, &what, Err(err));
            } else {
                let candidate: rtc_peer::RtcIceCandidate = ok.unchecked_into();
                tally
                    .call(case, &category, &what, target.add_ice_candidate(&candidate))
                    .await;
            }
        } else {
            let input = hostile_candidate(&mut rng);
            let category = format!("{} -> {target_name}", input.label);
            let what = format!(
                "{} mid={:?} index={:?} -> {target_name}: {:?}",
                input.label,
                input
                    .sdp_mid
                    .as_ref()
                    .map(|m| m.chars().take(20).collect::<String>()),
                input.sdp_m_line_index,
                input.candidate.chars().take(80).collect::<String>()
            );
            match ice_candidate(
                &input.candidate,
                input.sdp_mid.as_deref(),
                input.sdp_m_line_index,
            ) {
                Err(e) => tally.record(case, &category, &what, Err(e)),
                Ok(candidate) => {
                    tally
                        .call(case, &category, &what, target.add_ice_candidate(&candidate))
                        .await;
                }
            }
        }
        if receiver.signaling_state() != SignalingState::HaveRemoteOffer {
            receiver.close();
            receiver = receiver_of(&offer).await;
            tally.fresh_connections += 1;
        }
    }
    let seconds = (now_ms() - started) / 1000.0;
    assert_eq!(
        receiver.signaling_state(),
        SignalingState::HaveRemoteOffer,
        "candidates never change the signalling state"
    );
    receiver.close();
    fresh.close();
    support::no_page_errors("hostile candidates").unwrap();

    call_delivers_track("normal call after the hostile candidates").await;
    support::no_page_errors("the normal call after the hostile candidates").unwrap();

    console_log!("{}", tally.note("hostile-candidates", seconds));
    tally.assert_pinned("hostile-candidates");
    assert_eq!(tally.cases, CASES);
}
