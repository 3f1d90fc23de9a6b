//! Hostile signalling input: hundreds of deterministic mutations of real offers and answers
//! (truncated, bytes flipped, lines dropped / duplicated / shuffled, 100,000-character lines,
//! escapes and lone surrogates, the wrong `type` for the state) fed to
//! `set_remote_description` / `set_local_description`. Every call must return `Ok` or an
//! `Err` with the browser's name and message; nothing may panic or trap; afterwards a normal
//! call on the same page must still connect and show video.
//!
//! The seed is printed in a `NOTE:` line; rebuild with `RTC_PEER_HOSTILE_SEED=<seed>` to
//! replay a run.

#[path = "common/hostile.rs"]
mod hostile;
#[path = "common/listener_count.rs"]
mod listener_count;
#[path = "common/robust_call.rs"]
mod robust_call;

use std::collections::BTreeMap;

use rtc_peer::{
    MediaKind, PeerConnection, SdpType, SessionDescription, SignalingState, TransceiverDirection,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

use hostile::{mutate_sdp, Rng, Tally};
use robust_call::{browser, call_delivers_track, now_ms, within};

wasm_bindgen_test_configure!(run_in_browser);

/// Hostile cases per browser.
const CASES: usize = 1_000;
use hostile::CALL_LIMIT_MS;

/// A caller with a video and an audio transceiver; `with_local_offer` also applies its offer.
async fn caller(with_local_offer: bool) -> (PeerConnection, SessionDescription) {
    let pc = PeerConnection::new().unwrap();
    pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pc.add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = pc.create_offer().await.unwrap();
    if with_local_offer {
        pc.set_local_description(&offer).await.unwrap();
    }
    (pc, offer)
}

fn random_kind(rng: &mut Rng) -> SdpType {
    *rng.pick(&[
        SdpType::Offer,
        SdpType::Answer,
        SdpType::Pranswer,
        SdpType::Rollback,
    ])
}

/// Brings `pc` back to `stable` with a rollback, or replaces it with a fresh connection.
async fn back_to_stable(pc: &mut PeerConnection, local: bool, tally: &mut Tally) {
    if pc.signaling_state() == SignalingState::Stable {
        return;
    }
    let rollback = SessionDescription::rollback();
    let undone = if local {
        within(
            CALL_LIMIT_MS,
            "rollback",
            pc.set_local_description(&rollback),
        )
        .await
    } else {
        within(
            CALL_LIMIT_MS,
            "rollback",
            pc.set_remote_description(&rollback),
        )
        .await
    };
    if undone.is_err() || pc.signaling_state() != SignalingState::Stable {
        pc.close();
        *pc = PeerConnection::new().unwrap();
        tally.fresh_connections += 1;
    }
}

#[wasm_bindgen_test]
async fn hostile_descriptions_get_ok_or_a_typed_error() {
    listener_count::install();
    listener_count::take_errors();
    let seed = hostile::seed();
    let mut rng = Rng::new(seed);
    let started = now_ms();

    // Real descriptions to mutate: the caller's offer, and a callee's answer to it.
    let (mut offerer, offer) = caller(true).await;
    let answerer = PeerConnection::new().unwrap();
    answerer.set_remote_description(&offer).await.unwrap();
    let answer = answerer.create_answer().await.unwrap();
    answerer.close();
    // The connection whose own (created, unapplied) offer is munged and set locally.
    let (mut munger, mut munger_offer) = caller(false).await;
    // A connection in `stable` that receives mutated offers.
    let mut callee = PeerConnection::new().unwrap();

    let mut tally = Tally::new(seed);
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();

    for case in 0..CASES {
        let roll = rng.below(100);
        let category = match roll {
            0..=44 => "remote-offer",
            45..=74 => "remote-answer",
            75..=84 => "local-offer",
            85..=91 => "wrong-type",
            _ => "js-value",
        };
        *by_category.entry(category).or_default() += 1;
        match category {
            "remote-offer" => {
                let (sdp, label) = mutate_sdp(&mut rng, &offer.sdp);
                let kind = if rng.percent(90) {
                    SdpType::Offer
                } else {
                    random_kind(&mut rng)
                };
                let what = format!("{category} {kind:?} {label}");
                let description = SessionDescription { kind, sdp };
                tally
                    .call(case, &what, callee.set_remote_description(&description))
                    .await;
                back_to_stable(&mut callee, false, &mut tally).await;
            }
            "remote-answer" => {
                let (sdp, label) = mutate_sdp(&mut rng, &answer.sdp);
                let kind = if rng.percent(85) {
                    SdpType::Answer
                } else {
                    random_kind(&mut rng)
                };
                let what = format!("{category} {kind:?} {label}");
                let description = SessionDescription { kind, sdp };
                tally
                    .call(case, &what, offerer.set_remote_description(&description))
                    .await;
                if offerer.signaling_state() != SignalingState::HaveLocalOffer {
                    offerer.close();
                    offerer = caller(true).await.0;
                    tally.fresh_connections += 1;
                }
            }
            "local-offer" => {
                let (sdp, label) = mutate_sdp(&mut rng, &munger_offer.sdp);
                let kind = if rng.percent(85) {
                    SdpType::Offer
                } else {
                    random_kind(&mut rng)
                };
                let what = format!("{category} {kind:?} {label}");
                let description = SessionDescription { kind, sdp };
                tally
                    .call(case, &what, munger.set_local_description(&description))
                    .await;
                if munger.signaling_state() != SignalingState::Stable {
                    munger.close();
                    (munger, munger_offer) = caller(false).await;
                    tally.fresh_connections += 1;
                }
            }
            "wrong-type" => {
                let choice = rng.below(9);
                let what = format!("{category} #{choice}");
                match choice {
                    0 => {
                        let d = SessionDescription::answer(answer.sdp.clone());
                        tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    1 => {
                        let d = SessionDescription {
                            kind: SdpType::Pranswer,
                            sdp: answer.sdp.clone(),
                        };
                        tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    2 => {
                        let d = SessionDescription::answer(answer.sdp.clone());
                        tally
                            .call(case, &what, callee.set_local_description(&d))
                            .await;
                    }
                    3 => {
                        let d = SessionDescription::rollback();
                        tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    4 => {
                        let d = SessionDescription::answer(answer.sdp.clone());
                        tally
                            .call(case, &what, offerer.set_local_description(&d))
                            .await;
                    }
                    5 => {
                        // An offer as the answer.
                        let d = SessionDescription::answer(offer.sdp.clone());
                        tally
                            .call(case, &what, offerer.set_remote_description(&d))
                            .await;
                    }
                    6 => {
                        // An answer as an offer.
                        let d = SessionDescription::offer(answer.sdp.clone());
                        tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    7 => {
                        tally.call(case, &what, callee.create_answer()).await;
                    }
                    _ => {
                        // Another connection's offer set as our local offer.
                        let d = SessionDescription::offer(offer.sdp.clone());
                        tally
                            .call(case, &what, munger.set_local_description(&d))
                            .await;
                    }
                }
                back_to_stable(&mut callee, false, &mut tally).await;
                if offerer.signaling_state() != SignalingState::HaveLocalOffer {
                    offerer.close();
                    offerer = caller(true).await.0;
                    tally.fresh_connections += 1;
                }
                if munger.signaling_state() != SignalingState::Stable {
                    munger.close();
                    (munger, munger_offer) = caller(false).await;
                    tally.fresh_connections += 1;
                }
            }
            _ => {
                // A description read from an arbitrary JS value (as a JS signalling layer
                // would hand it over), lone surrogates included, then applied.
                let index = rng.below(hostile::exotic_count() as usize) as u32;
                let value = hostile::exotic_value(index, &offer.sdp);
                let what = format!("{category} {}", hostile::exotic_label(index));
                match SessionDescription::from_js(&value) {
                    Err(e) => tally.record(case, &what, Err(e)),
                    Ok(description) => {
                        tally
                            .call(case, &what, callee.set_remote_description(&description))
                            .await;
                        back_to_stable(&mut callee, false, &mut tally).await;
                    }
                }
            }
        }
    }

    let hostile_seconds = (now_ms() - started) / 1000.0;
    for pc in [&offerer, &munger, &callee] {
        pc.close();
    }
    listener_count::assert_no_errors("hostile descriptions");

    // The page still works: a normal call connects and delivers a track.
    call_delivers_track("normal call after the hostile run").await;
    listener_count::assert_no_errors("the normal call after the hostile run");

    let names: Vec<String> = tally
        .names
        .iter()
        .map(|(n, c)| format!("{n}={c}"))
        .collect();
    let categories: Vec<String> = by_category
        .iter()
        .map(|(n, c)| format!("{n}={c}"))
        .collect();
    console_log!(
        "NOTE: hostile-sdp [{}] seed={:#x} cases={} ok={} err={} ({}) categories: {} fresh-connections={} time={:.1}s",
        browser(),
        seed,
        tally.cases,
        tally.ok,
        tally.err,
        names.join(", "),
        categories.join(", "),
        tally.fresh_connections,
        hostile_seconds
    );
    assert_eq!(tally.cases, CASES);
    assert!(tally.cases >= 500);
}
