//! Hostile signalling input: hundreds of deterministic mutations of real offers and answers
//! (truncated, bytes flipped, lines dropped / duplicated / shuffled, 100,000-character lines,
//! escapes and lone surrogates, the wrong `type` for the state) fed to
//! `set_remote_description` / `set_local_description`. Every call must return `Ok` or an
//! `Err` with the browser's name and message; nothing may panic or trap; afterwards a normal
//! call on the same page must still connect and show video.
//!
//! The seed is printed in a `NOTE:` line; rebuild with `RTC_PEER_HOSTILE_SEED=<seed>` to
//! replay a run.

use std::collections::BTreeMap;

use rtc_peer::{
    MediaKind, PeerConnection, SdpType, SessionDescription, SignalingState, TransceiverDirection,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::hostile::{mutate_sdp, Rng, Tally};
use support::{call_delivers_track, now_ms, within};

/// Hostile cases per browser.
const CASES: usize = 700;
use support::hostile::CALL_LIMIT_MS;

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
        .unwrap()
    } else {
        within(
            CALL_LIMIT_MS,
            "rollback",
            pc.set_remote_description(&rollback),
        )
        .await
        .unwrap()
    };
    if undone.is_err() || pc.signaling_state() != SignalingState::Stable {
        pc.close();
        *pc = PeerConnection::new().unwrap();
        tally.fresh_connections += 1;
    }
}

/// Logs (with `RTC_PEER_HOSTILE_VERBOSE`) which case left which connection unusable.
fn unusable(case: usize, which: &str) {
    if option_env!("RTC_PEER_HOSTILE_VERBOSE").is_some() {
        console_log!("case {case} left the {which} unusable");
    }
}

/// A stable callee still applies the real offer (then rolls it back).
async fn callee_still_works(pc: &PeerConnection, offer: &SessionDescription) -> bool {
    within(CALL_LIMIT_MS, "probe", pc.set_remote_description(offer))
        .await
        .unwrap()
        .is_ok()
        && within(
            CALL_LIMIT_MS,
            "probe rollback",
            pc.set_remote_description(&SessionDescription::rollback()),
        )
        .await
        .unwrap()
        .is_ok()
        && pc.signaling_state() == SignalingState::Stable
}

/// An offerer still rolls back its offer and applies a new one.
async fn offerer_still_works(pc: &PeerConnection) -> bool {
    let rollback = SessionDescription::rollback();
    if within(
        CALL_LIMIT_MS,
        "probe rollback",
        pc.set_local_description(&rollback),
    )
    .await
    .unwrap()
    .is_err()
    {
        return false;
    }
    let Ok(offer) = within(CALL_LIMIT_MS, "probe offer", pc.create_offer())
        .await
        .unwrap()
    else {
        return false;
    };
    within(CALL_LIMIT_MS, "probe SLD", pc.set_local_description(&offer))
        .await
        .unwrap()
        .is_ok()
        && pc.signaling_state() == SignalingState::HaveLocalOffer
}

/// A stable connection still applies its own offer locally (then rolls it back).
async fn munger_still_works(pc: &PeerConnection, own_offer: &SessionDescription) -> bool {
    within(
        CALL_LIMIT_MS,
        "probe SLD",
        pc.set_local_description(own_offer),
    )
    .await
    .unwrap()
    .is_ok()
        && within(
            CALL_LIMIT_MS,
            "probe rollback",
            pc.set_local_description(&SessionDescription::rollback()),
        )
        .await
        .unwrap()
        .is_ok()
        && pc.signaling_state() == SignalingState::Stable
}

#[wasm_bindgen_test]
async fn hostile_descriptions_get_ok_or_a_typed_error() {
    support::take_page_errors();
    let seed = support::hostile::seed();
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
        // Which connections saw a failed call in this case (they are health-checked below).
        let (mut callee_failed, mut offerer_failed, mut munger_failed) = (false, false, false);
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
                callee_failed = !tally
                    .call(case, &what, callee.set_remote_description(&description))
                    .await;
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
                offerer_failed = !tally
                    .call(case, &what, offerer.set_remote_description(&description))
                    .await;
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
                munger_failed = !tally
                    .call(case, &what, munger.set_local_description(&description))
                    .await;
            }
            "wrong-type" => {
                let choice = rng.below(9);
                let what = format!("{category} #{choice}");
                let answer_as = |kind| SessionDescription {
                    kind,
                    sdp: answer.sdp.clone(),
                };
                match choice {
                    0 => {
                        let d = answer_as(SdpType::Answer);
                        callee_failed = !tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    1 => {
                        let d = answer_as(SdpType::Pranswer);
                        callee_failed = !tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    2 => {
                        let d = answer_as(SdpType::Answer);
                        callee_failed = !tally
                            .call(case, &what, callee.set_local_description(&d))
                            .await;
                    }
                    3 => {
                        let d = SessionDescription::rollback();
                        callee_failed = !tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    4 => {
                        let d = answer_as(SdpType::Answer);
                        offerer_failed = !tally
                            .call(case, &what, offerer.set_local_description(&d))
                            .await;
                    }
                    5 => {
                        // An offer as the answer.
                        let d = SessionDescription::answer(offer.sdp.clone());
                        offerer_failed = !tally
                            .call(case, &what, offerer.set_remote_description(&d))
                            .await;
                    }
                    6 => {
                        // An answer as an offer.
                        let d = answer_as(SdpType::Offer);
                        callee_failed = !tally
                            .call(case, &what, callee.set_remote_description(&d))
                            .await;
                    }
                    7 => {
                        callee_failed = !tally.call(case, &what, callee.create_answer()).await;
                    }
                    _ => {
                        // Another connection's offer set as our local offer.
                        let d = SessionDescription::offer(offer.sdp.clone());
                        munger_failed = !tally
                            .call(case, &what, munger.set_local_description(&d))
                            .await;
                    }
                }
            }
            _ => {
                // A description read from an arbitrary JS value (as a JS signalling layer
                // would hand it over), lone surrogates included, then applied.
                let index = rng.below(support::hostile::exotic_count() as usize) as u32;
                let value = support::hostile::exotic_value(index, &offer.sdp);
                let what = format!("{category} {}", support::hostile::exotic_label(index));
                match SessionDescription::from_js(&value) {
                    Err(e) => tally.record(case, &what, Err(e)),
                    Ok(description) => {
                        callee_failed = !tally
                            .call(case, &what, callee.set_remote_description(&description))
                            .await;
                    }
                }
            }
        }

        // Back to the starting states; a connection that failed a call must still apply a
        // valid description, or it is counted as left unusable and replaced.
        back_to_stable(&mut callee, false, &mut tally).await;
        if callee_failed && !callee_still_works(&callee, &offer).await {
            unusable(case, "callee");
            tally.left_unusable += 1;
            callee.close();
            callee = PeerConnection::new().unwrap();
            tally.fresh_connections += 1;
        }
        let offerer_in_place = offerer.signaling_state() == SignalingState::HaveLocalOffer;
        let offerer_usable =
            offerer_in_place && (!offerer_failed || offerer_still_works(&offerer).await);
        if !offerer_usable {
            // Counted only when the state was right and a valid call still failed (a failed
            // glare offer may have rolled the local offer back: that is not "unusable").
            if offerer_failed && offerer_in_place {
                unusable(case, "offerer");
                tally.left_unusable += 1;
            }
            offerer.close();
            offerer = caller(true).await.0;
            tally.fresh_connections += 1;
        }
        let munger_in_place = munger.signaling_state() == SignalingState::Stable;
        let munger_usable =
            munger_in_place && (!munger_failed || munger_still_works(&munger, &munger_offer).await);
        if !munger_usable {
            if munger_failed && munger_in_place {
                unusable(case, "munger");
                tally.left_unusable += 1;
            }
            munger.close();
            (munger, munger_offer) = caller(false).await;
            tally.fresh_connections += 1;
        }
    }

    let hostile_seconds = (now_ms() - started) / 1000.0;
    for pc in [&offerer, &munger, &callee] {
        pc.close();
    }
    support::no_page_errors("hostile descriptions").unwrap();

    // The page still works: a normal call connects and delivers a track.
    call_delivers_track("normal call after the hostile run").await;
    support::no_page_errors("the normal call after the hostile run").unwrap();

    console_log!(
        "{}",
        tally.note("hostile-sdp", &by_category, hostile_seconds)
    );
    assert_eq!(tally.cases, CASES);
    assert!(tally.cases >= 500);
}

/// What a description that parses but cannot be applied does to the connection (the
/// `set_remote_description` docs say it): Chromium keeps the connection unusable afterwards,
/// Firefox does not.
#[wasm_bindgen_test]
async fn an_inapplicable_description_and_the_connection_after_it() {
    let (offerer, offer) = caller(false).await;
    offerer.close();
    let long_ufrag = offer
        .sdp
        .split("\r\n")
        .map(|line| {
            if line.starts_with("a=ice-ufrag:") {
                format!("a=ice-ufrag:{}", "u".repeat(300))
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    let pc = PeerConnection::new().unwrap();
    let bad = within(
        CALL_LIMIT_MS,
        "bad offer",
        pc.set_remote_description(&SessionDescription::offer(long_ufrag)),
    )
    .await
    .unwrap();
    let after = within(
        CALL_LIMIT_MS,
        "valid offer",
        pc.set_remote_description(&offer),
    )
    .await
    .unwrap();
    let show = |r: &Result<(), rtc_peer::Error>| match r {
        Ok(()) => "Ok".to_owned(),
        Err(e) => e.name().to_owned(),
    };
    console_log!(
        "NOTE: inapplicable offer (300-char ICE ufrag) [{}]: {} then a valid offer: {} ({:?})",
        support::browser(),
        show(&bad),
        show(&after),
        after.as_ref().err().map(rtc_peer::Error::message)
    );
    pc.close();
    if support::browser() == "chromium" {
        assert_eq!(show(&bad), "InvalidAccessError");
        assert!(after.is_err(), "Chromium: the connection stays unusable");
    } else {
        assert!(
            after.is_ok(),
            "Firefox: the connection still works: {after:?}"
        );
    }
}

/// Hostile re-offers per browser against a connected call.
const REOFFERS: usize = 150;

/// A malicious peer renegotiating with garbage mid-call: mutated re-offers applied to the
/// connected callee (rolled back when accepted). Every call gives `Ok` or a typed `Err`, the
/// video keeps flowing, and the NOTE line says whether signalling still works afterwards.
#[wasm_bindgen_test]
async fn hostile_reoffers_against_a_live_call() {
    support::take_page_errors();
    let seed = support::hostile::seed();
    let mut rng = Rng::new(seed ^ 0x4E0F_FE45);
    let started = now_ms();
    let call = support::LiveCall::start("live call under hostile re-offers").await;
    // The caller's real re-offer (same session, next version) is what gets mutated.
    let reoffer = within(CALL_LIMIT_MS, "re-offer", call.caller.create_offer())
        .await
        .unwrap()
        .unwrap();
    let mut tally = Tally::new(seed);
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
    for case in 0..REOFFERS {
        let (sdp, label) = mutate_sdp(&mut rng, &reoffer.sdp);
        *by_category.entry("re-offer").or_default() += 1;
        let description = SessionDescription::offer(sdp);
        tally
            .call(
                case,
                &label,
                call.callee.set_remote_description(&description),
            )
            .await;
        if call.callee.signaling_state() != SignalingState::Stable {
            let rollback = SessionDescription::rollback();
            let undone = within(
                CALL_LIMIT_MS,
                "rollback",
                call.callee.set_remote_description(&rollback),
            )
            .await
            .unwrap();
            assert!(
                undone.is_ok(),
                "seed {seed:#x} case {case} ({label}): an accepted re-offer could not be rolled back: {undone:?}"
            );
        }
    }
    let seconds = (now_ms() - started) / 1000.0;
    call.assert_frames_flow("after the hostile re-offers").await;

    // Signalling after the storm: one valid renegotiation round.
    let round = async {
        let offer = call.caller.create_offer().await?;
        call.caller.set_local_description(&offer).await?;
        call.callee.set_remote_description(&offer).await?;
        let answer = call.callee.create_answer().await?;
        call.callee.set_local_description(&answer).await?;
        call.caller.set_remote_description(&answer).await
    };
    let renegotiation = match within(CALL_LIMIT_MS, "renegotiation", round).await.unwrap() {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("failed with {}", e.name()),
    };
    call.assert_frames_flow("after the renegotiation attempt")
        .await;
    call.end();
    support::no_page_errors("hostile re-offers").unwrap();
    console_log!(
        "{} renegotiation-afterwards={renegotiation}",
        tally.note("hostile-reoffers-live-call", &by_category, seconds)
    );
    assert_eq!(tally.cases, REOFFERS);
    // Firefox keeps signalling usable. Chromium does not after a re-offer that parses but
    // cannot be applied (with the default seed: a 100,000-character ICE ufrag): every later
    // description call fails, so the NOTE line reports it rather than asserting it.
    if support::browser() == "firefox" {
        assert_eq!(
            renegotiation, "ok",
            "Firefox renegotiates after the hostile re-offers"
        );
    }
}
