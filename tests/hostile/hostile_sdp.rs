//! Hostile signalling input: hundreds of deterministic mutations of real offers and answers
//! (truncated, bytes flipped, lines dropped / duplicated / shuffled, 100,000-character lines,
//! escapes and lone surrogates, the wrong `type` for the state) fed to
//! `set_remote_description` / `set_local_description`. Every call must return `Ok` or an
//! `Err` with the browser's name and message; nothing may panic or trap; afterwards a normal
//! call on the same page must still connect and show video.
//!
//! The seed is printed in a `NOTE:` line; rebuild with `RTC_PEER_HOSTILE_SEED=<seed>` to
//! replay a run.

use rtc_peer::{
    MediaKind, PeerConnection, SdpType, SessionDescription, SignalingState, TransceiverDirection,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::hostile::{mutate_sdp, Rng, Tally};
use support::{browser, call_delivers_track, now_ms, within};

/// Hostile cases per browser.
const CASES: usize = 700;
use support::hostile::{pinned, Expected, CALL_LIMIT_MS};

/// Outcomes of the hostile descriptions per category, as measured in Chromium 156 (counts for
/// the default seed; the same in every run, since the mutations are drawn on the canonical
/// form of each description).
const DESCRIPTIONS_CHROMIUM: Expected = &[
    (
        "js-value",
        &[
            ("InvalidStateError", 3),
            ("Ok", 9),
            ("OperationError", 10),
            ("TypeError", 26),
        ],
    ),
    (
        "local-offer",
        &[
            ("InvalidAccessError", 3),
            ("InvalidModificationError", 5),
            ("InvalidStateError", 1),
            ("Ok", 10),
            ("OperationError", 51),
        ],
    ),
    (
        "remote-answer",
        &[
            ("InvalidAccessError", 58),
            ("Ok", 16),
            ("OperationError", 158),
        ],
    ),
    (
        "remote-offer",
        &[
            ("InvalidAccessError", 19),
            ("InvalidStateError", 11),
            ("Ok", 81),
            ("OperationError", 185),
        ],
    ),
    ("wrong-type #0", &[("InvalidStateError", 8)]),
    ("wrong-type #1", &[("InvalidStateError", 5)]),
    ("wrong-type #2", &[("InvalidModificationError", 10)]),
    ("wrong-type #3", &[("InvalidStateError", 9)]),
    ("wrong-type #4", &[("InvalidModificationError", 2)]),
    ("wrong-type #5", &[("InvalidAccessError", 5)]),
    ("wrong-type #6", &[("Ok", 4)]),
    ("wrong-type #7", &[("InvalidStateError", 2)]),
    ("wrong-type #8", &[("InvalidModificationError", 9)]),
];
/// The same, as measured in Firefox ESR.
const DESCRIPTIONS_FIREFOX: Expected = &[
    (
        "js-value",
        &[
            ("InvalidParameterError", 6),
            ("InvalidStateError", 1),
            ("Ok", 3),
            ("OperationError", 11),
            ("TypeError", 23),
        ],
    ),
    (
        "local-offer",
        &[
            ("InvalidAccessError", 1),
            ("InvalidModificationError", 10),
            ("InvalidParameterError", 26),
            ("InvalidStateError", 1),
            ("NotSupportedError", 3),
            ("Ok", 19),
            ("OperationError", 10),
        ],
    ),
    (
        "remote-answer",
        &[
            ("InvalidAccessError", 79),
            ("InvalidParameterError", 50),
            ("InvalidStateError", 9),
            ("NotSupportedError", 11),
            ("Ok", 4),
            ("OperationError", 48),
        ],
    ),
    (
        "remote-offer",
        &[
            ("InvalidAccessError", 32),
            ("InvalidParameterError", 88),
            ("InvalidStateError", 13),
            ("NotSupportedError", 8),
            ("Ok", 107),
            ("OperationError", 75),
        ],
    ),
    ("wrong-type #0", &[("InvalidStateError", 6)]),
    ("wrong-type #1", &[("NotSupportedError", 6)]),
    ("wrong-type #2", &[("InvalidModificationError", 8)]),
    ("wrong-type #3", &[("InvalidStateError", 5)]),
    ("wrong-type #4", &[("InvalidModificationError", 3)]),
    ("wrong-type #5", &[("InvalidAccessError", 4)]),
    ("wrong-type #6", &[("Ok", 12)]),
    ("wrong-type #7", &[("InvalidStateError", 10)]),
    ("wrong-type #8", &[("Ok", 8)]),
];
/// (Connections a failed call left unusable, fresh connections made) with the default seed.
const UNUSABLE_CHROMIUM: (usize, usize) = (9, 35);
const UNUSABLE_FIREFOX: (usize, usize) = (0, 35);
/// Outcomes the hostile re-offers against a live call may give. Only the names are pinned:
/// the re-offer is made mid-call and carries the candidates gathered so far, so its text (and
/// with it each mutation's target) changes from run to run; the counts are one run's, for
/// reference.
const REOFFERS_CHROMIUM: Expected = &[(
    "re-offer",
    &[
        ("InvalidAccessError", 1),
        ("Ok", 1),
        ("OperationError", 148),
    ],
)];
const REOFFERS_FIREFOX: Expected = &[(
    "re-offer",
    &[
        ("InvalidAccessError", 16),
        ("InvalidParameterError", 45),
        ("Ok", 59),
        ("OperationError", 30),
    ],
)];
/// How Chromium's valid renegotiation after the hostile re-offers ends.
const RENEGOTIATION_CHROMIUM: &str = "failed at callee set_remote_description OperationError";

/// A caller with a video and an audio transceiver; `with_local_offer` also applies its offer.
async fn caller(with_local_offer: bool) -> (PeerConnection, SessionDescription) {
    let pc = PeerConnection::new().unwrap();
    pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pc.add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = within(10_000, "pc.create_offer", pc.create_offer())
        .await
        .expect("the wait is bounded")
        .unwrap();
    if with_local_offer {
        within(
            10_000,
            "pc.set_local_description",
            pc.set_local_description(&offer),
        )
        .await
        .expect("the wait is bounded")
        .unwrap();
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

/// A mutation of `sdp`, typed `kind` in `keep_percent` of the cases (any type otherwise), and
/// its label for `category`.
fn mutated(
    rng: &mut Rng,
    category: &str,
    sdp: &str,
    kind: SdpType,
    keep_percent: u64,
) -> (SessionDescription, String) {
    let (sdp, label) = mutate_sdp(rng, sdp);
    let kind = if rng.percent(keep_percent) {
        kind
    } else {
        random_kind(rng)
    };
    let what = format!("{category} {kind:?} {label}");
    (SessionDescription { kind, sdp }, what)
}

/// Which description a call sets.
#[derive(Clone, Copy)]
enum Side {
    Local,
    Remote,
}
use Side::{Local, Remote};

/// `description` set on `pc` as its `side` description.
async fn set(
    pc: &PeerConnection,
    side: Side,
    description: &SessionDescription,
) -> Result<(), rtc_peer::Error> {
    match side {
        Side::Local => pc.set_local_description(description).await,
        Side::Remote => pc.set_remote_description(description).await,
    }
}

/// [`set`] as one hostile case (bounded, its outcome recorded); true when it failed.
async fn fails(
    tally: &mut Tally,
    case: usize,
    category: &str,
    what: &str,
    pc: &PeerConnection,
    side: Side,
    description: &SessionDescription,
) -> bool {
    !tally
        .call(case, category, what, set(pc, side, description))
        .await
}

/// [`set`] bounded by [`CALL_LIMIT_MS`] (a hang fails the test, named `what`).
async fn set_within(
    what: &str,
    pc: &PeerConnection,
    side: Side,
    description: &SessionDescription,
) -> Result<(), rtc_peer::Error> {
    within(CALL_LIMIT_MS, what, set(pc, side, description))
        .await
        .expect("the wait is bounded")
}

/// Brings `pc` back to `stable` with a rollback of its `side` description, or replaces it with
/// a fresh connection.
async fn back_to_stable(pc: &mut PeerConnection, side: Side, tally: &mut Tally) {
    if pc.signaling_state() == SignalingState::Stable {
        return;
    }
    let undone = set_within("rollback", pc, side, &SessionDescription::rollback()).await;
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

/// A stable connection still sets `description` as its `side` description, then rolls it back.
async fn stable_still_works(
    pc: &PeerConnection,
    side: Side,
    description: &SessionDescription,
) -> bool {
    set_within("probe", pc, side, description).await.is_ok()
        && set_within("probe rollback", pc, side, &SessionDescription::rollback())
            .await
            .is_ok()
        && pc.signaling_state() == SignalingState::Stable
}

/// An offerer still rolls back its offer and applies a new one.
async fn offerer_still_works(pc: &PeerConnection) -> bool {
    let rollback = SessionDescription::rollback();
    if set_within("probe rollback", pc, Side::Local, &rollback)
        .await
        .is_err()
    {
        return false;
    }
    let Ok(offer) = within(CALL_LIMIT_MS, "probe offer", pc.create_offer())
        .await
        .expect("the wait is bounded")
    else {
        return false;
    };
    set_within("probe SLD", pc, Side::Local, &offer)
        .await
        .is_ok()
        && pc.signaling_state() == SignalingState::HaveLocalOffer
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
    within(
        10_000,
        "answerer.set_remote_description",
        answerer.set_remote_description(&offer),
    )
    .await
    .expect("the wait is bounded")
    .unwrap();
    let answer = within(10_000, "answerer.create_answer", answerer.create_answer())
        .await
        .expect("the wait is bounded")
        .unwrap();
    answerer.close();
    // The connection whose own (created, unapplied) offer is munged and set locally.
    let (mut munger, mut munger_offer) = caller(false).await;
    // A connection in `stable` that receives mutated offers.
    let mut callee = PeerConnection::new().unwrap();

    let mut tally = Tally::new(seed, pinned(DESCRIPTIONS_CHROMIUM, DESCRIPTIONS_FIREFOX));

    for case in 0..CASES {
        let roll = rng.below(100);
        let category = match roll {
            0..=44 => "remote-offer",
            45..=74 => "remote-answer",
            75..=84 => "local-offer",
            85..=91 => "wrong-type",
            _ => "js-value",
        };
        // Which connections saw a failed call in this case (they are health-checked below).
        let (mut callee_failed, mut offerer_failed, mut munger_failed) = (false, false, false);
        match category {
            "remote-offer" => {
                let (d, what) = mutated(&mut rng, category, &offer.sdp, SdpType::Offer, 90);
                callee_failed = fails(&mut tally, case, category, &what, &callee, Remote, &d).await;
            }
            "remote-answer" => {
                let (d, what) = mutated(&mut rng, category, &answer.sdp, SdpType::Answer, 85);
                offerer_failed =
                    fails(&mut tally, case, category, &what, &offerer, Remote, &d).await;
            }
            "local-offer" => {
                let (d, what) = mutated(&mut rng, category, &munger_offer.sdp, SdpType::Offer, 85);
                munger_failed = fails(&mut tally, case, category, &what, &munger, Local, &d).await;
            }
            "wrong-type" => {
                let choice = rng.below(9);
                let what = format!("{category} #{choice}");
                let category = what.as_str();
                let answer_as = |kind| SessionDescription {
                    kind,
                    sdp: answer.sdp.clone(),
                };
                let offer_as = |kind| SessionDescription {
                    kind,
                    sdp: offer.sdp.clone(),
                };
                if choice == 7 {
                    callee_failed = !tally
                        .call(case, category, &what, callee.create_answer())
                        .await;
                } else {
                    // The connection, the side, its failure flag and the description.
                    #[rustfmt::skip]
                    let (pc, side, failed, d) = match choice {
                        0 => (&callee, Remote, &mut callee_failed, answer_as(SdpType::Answer)),
                        1 => (&callee, Remote, &mut callee_failed, answer_as(SdpType::Pranswer)),
                        2 => (&callee, Local, &mut callee_failed, answer_as(SdpType::Answer)),
                        3 => (&callee, Remote, &mut callee_failed, SessionDescription::rollback()),
                        4 => (&offerer, Local, &mut offerer_failed, answer_as(SdpType::Answer)),
                        // An offer as the answer.
                        5 => (&offerer, Remote, &mut offerer_failed, offer_as(SdpType::Answer)),
                        // An answer as an offer.
                        6 => (&callee, Remote, &mut callee_failed, answer_as(SdpType::Offer)),
                        // 8: another connection's offer set as our local offer.
                        _ => (&munger, Local, &mut munger_failed, offer_as(SdpType::Offer)),
                    };
                    *failed = fails(&mut tally, case, category, &what, pc, side, &d).await;
                }
            }
            _ => {
                // A description read from an arbitrary JS value (as a JS signalling layer
                // would hand it over), lone surrogates included, then applied.
                let index = rng.below(support::hostile::exotic_count() as usize) as u32;
                let value = support::hostile::exotic_value(index, &offer.sdp);
                let what = format!("{category} {}", support::hostile::exotic_label(index));
                match SessionDescription::from_js(&value) {
                    Err(e) => tally.record(case, category, &what, Err(e)),
                    Ok(d) => {
                        callee_failed =
                            fails(&mut tally, case, category, &what, &callee, Remote, &d).await;
                    }
                }
            }
        }

        // Back to the starting states; a connection that failed a call must still apply a
        // valid description, or it is counted as left unusable and replaced.
        back_to_stable(&mut callee, Remote, &mut tally).await;
        if callee_failed && !stable_still_works(&callee, Remote, &offer).await {
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
        let munger_usable = munger_in_place
            && (!munger_failed || stable_still_works(&munger, Local, &munger_offer).await);
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

    console_log!("{}", tally.note("hostile-sdp", hostile_seconds));
    tally.assert_pinned("hostile-sdp");
    // A failed call that leaves a connection unable to apply even a valid description is a
    // browser trait (Chromium, after a description that parses but cannot be applied); the
    // number of such cases is pinned for the default seed.
    if tally.default_seed() {
        let (unusable, fresh) = match browser() {
            "chromium" => UNUSABLE_CHROMIUM,
            _ => UNUSABLE_FIREFOX,
        };
        assert_eq!(
            (tally.left_unusable, tally.fresh_connections),
            (unusable, fresh),
            "hostile-sdp [{}]: (connections left unusable by an error, fresh connections)",
            browser()
        );
    } else if browser() == "firefox" {
        assert_eq!(
            tally.left_unusable, 0,
            "Firefox: no failed call leaves a connection unusable"
        );
    }
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
    .expect("the wait is bounded");
    let after = within(
        CALL_LIMIT_MS,
        "valid offer",
        pc.set_remote_description(&offer),
    )
    .await
    .expect("the wait is bounded");
    let show = |r: &Result<(), rtc_peer::Error>| match r {
        Ok(()) => "Ok".to_owned(),
        Err(e) => e.name().to_owned(),
    };
    console_log!(
        "NOTE: inapplicable offer (300-char ICE ufrag) [{}]: {} then a valid offer: {} ({:?})",
        browser(),
        show(&bad),
        show(&after),
        after.as_ref().err().map(rtc_peer::Error::message)
    );
    pc.close();
    // (the inapplicable offer, the valid offer after it), as each browser answers them.
    let expected = match browser() {
        "chromium" => ("InvalidAccessError", "OperationError"),
        _ => ("Ok", "Ok"),
    };
    assert_eq!(
        (show(&bad).as_str(), show(&after).as_str()),
        expected,
        "{}: the inapplicable offer, then a valid offer (Chromium keeps the connection \
         unusable, Firefox does not)",
        browser()
    );
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
        .expect("the wait is bounded")
        .unwrap();
    let mut tally = Tally::new(seed, pinned(REOFFERS_CHROMIUM, REOFFERS_FIREFOX));
    for case in 0..REOFFERS {
        let (sdp, label) = mutate_sdp(&mut rng, &reoffer.sdp);
        let description = SessionDescription::offer(sdp);
        tally
            .call(
                case,
                "re-offer",
                &label,
                call.callee.set_remote_description(&description),
            )
            .await;
        if call.callee.signaling_state() != SignalingState::Stable {
            let rollback = SessionDescription::rollback();
            let undone = set_within("rollback", &call.callee, Remote, &rollback).await;
            assert!(
                undone.is_ok(),
                "seed {seed:#x} case {case} ({label}): an accepted re-offer could not be rolled back: {undone:?}"
            );
        }
    }
    let seconds = (now_ms() - started) / 1000.0;
    call.assert_frames_flow("after the hostile re-offers").await;

    // Signalling after the storm: one valid renegotiation round, each step named.
    let round = async {
        let step = |name: &'static str| move |e: rtc_peer::Error| format!("{name} {}", e.name());
        let offer = call
            .caller
            .create_offer()
            .await
            .map_err(step("create_offer"))?;
        call.caller
            .set_local_description(&offer)
            .await
            .map_err(step("caller set_local_description"))?;
        call.callee
            .set_remote_description(&offer)
            .await
            .map_err(step("callee set_remote_description"))?;
        let answer = call
            .callee
            .create_answer()
            .await
            .map_err(step("create_answer"))?;
        call.callee
            .set_local_description(&answer)
            .await
            .map_err(step("callee set_local_description"))?;
        call.caller
            .set_remote_description(&answer)
            .await
            .map_err(step("caller set_remote_description"))
    };
    let renegotiation = match within(CALL_LIMIT_MS, "renegotiation", round)
        .await
        .expect("the wait is bounded")
    {
        Ok(()) => "ok".to_owned(),
        Err(failed) => format!("failed at {failed}"),
    };
    call.assert_frames_flow("after the renegotiation attempt")
        .await;
    call.end();
    support::no_page_errors("hostile re-offers").unwrap();
    console_log!(
        "{} renegotiation-afterwards={renegotiation}",
        tally.note("hostile-reoffers-live-call", seconds)
    );
    // Each outcome was checked against the allowed names as it came (see REOFFERS_*).
    // Firefox keeps signalling usable. Chromium does not after a re-offer that parses but
    // cannot be applied (with the default seed: a 100,000-character ICE ufrag): every later
    // description call fails, at the step pinned here.
    let expected = match browser() {
        "chromium" => RENEGOTIATION_CHROMIUM,
        _ => "ok",
    };
    if tally.default_seed() || browser() == "firefox" {
        assert_eq!(
            renegotiation,
            expected,
            "{}: a valid renegotiation after the hostile re-offers",
            browser()
        );
    } else {
        assert!(
            renegotiation == "ok" || renegotiation == expected,
            "chromium: a valid renegotiation after the hostile re-offers: {renegotiation}"
        );
    }
}
