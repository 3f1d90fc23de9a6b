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

use std::collections::BTreeMap;

use js_sys::Reflect;
use rtc_peer::{
    ice_candidate, Error, MediaKind, PeerConnection, SessionDescription, SignalingState,
    TransceiverDirection,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::hostile::{hostile_candidate, Rng, Tally};
use support::{call_delivers_track, now_ms};

/// Hostile candidate cases per browser.
const CASES: usize = 600;

/// A connection holding a real two-section offer as its remote description, and no local
/// description (so it never starts connectivity checks).
async fn receiver_of(offer: &SessionDescription) -> PeerConnection {
    let pc = PeerConnection::new().unwrap();
    pc.set_remote_description(offer).await.unwrap();
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
    let offer = offerer.create_offer().await.unwrap();
    offerer.close();

    let mut receiver = receiver_of(&offer).await;
    let fresh = PeerConnection::new().unwrap(); // no remote description
    let closed = PeerConnection::new().unwrap();
    closed.close();

    let mut tally = Tally::new(seed);
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
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
            *by_category.entry("js-built").or_default() += 1;
            let ok = Reflect::get(&built, &"ok".into()).unwrap();
            if ok.is_undefined() {
                // The constructor itself threw: our Error must still carry name and message.
                let err = Error::from(Reflect::get(&built, &"err".into()).unwrap());
                tally.record(case, &what, Err(err));
            } else {
                let candidate: rtc_peer::RtcIceCandidate = ok.unchecked_into();
                tally
                    .call(case, &what, target.add_ice_candidate(&candidate))
                    .await;
            }
        } else {
            let input = hostile_candidate(&mut rng);
            *by_category.entry(input.label).or_default() += 1;
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
                Err(e) => tally.record(case, &what, Err(e)),
                Ok(candidate) => {
                    tally
                        .call(case, &what, target.add_ice_candidate(&candidate))
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

    console_log!(
        "{}",
        tally.note("hostile-candidates", &by_category, seconds)
    );
    assert_eq!(tally.cases, CASES);
}
