//! 300 hostile signals against a live call, then the same negotiator still adds a track and
//! renegotiates; repeated `Bye` at the end.

use rtc_peer::{CallEnd, SessionDescription, Signal};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{frames_grow, seed, seeded_call, wait_until_with, within, SeededRng, TestFailure};

use crate::{call_is_up, camera, WAIT_MS};

const SIGNALS: u32 = 300;
const BYES: u32 = 10;

/// A hostile text: garbage, wrong shapes, oversize, an answer in `stable`, candidates for
/// unknown mids. Returns the text and what must come of it: `Some(name)` for an error of that
/// name, `None` for "an error or ignored".
fn hostile(rng: &mut SeededRng, answer_sdp: &str) -> (String, Option<&'static str>) {
    let garbage = [
        "",
        "{",
        "nul",
        "[1,2",
        "\"unterminated",
        "{\"v\":1,}",
        "\u{0}",
        "{'v':1}",
    ];
    match rng.upto(11) {
        0 => (
            garbage[rng.upto(garbage.len() as u32 - 1) as usize].to_owned(),
            Some("SyntaxError"),
        ),
        1 => ("[]".to_owned(), Some("TypeError")),
        2 => (format!("{}", rng.next_u64()), Some("TypeError")),
        3 => (r#"{"v":2,"bye":true}"#.to_owned(), Some("TypeError")),
        4 => (
            r#"{"v":1,"bye":true,"description":{}}"#.to_owned(),
            Some("TypeError"),
        ),
        5 => (
            r#"{"v":1,"description":{"type":"hello","sdp":""}}"#.to_owned(),
            Some("TypeError"),
        ),
        6 => (
            r#"{"v":1,"candidate":{"candidate":"x"}}"#.to_owned(),
            Some("TypeError"),
        ),
        7 => (
            r#"{"v":1,"candidate":{"candidate":1,"sdpMid":"0"}}"#.to_owned(),
            Some("TypeError"),
        ),
        8 => {
            let size = rtc_peer::Signal::MAX_JSON_LEN + 1 + rng.upto(1000) as usize;
            (
                format!("{{\"v\":1,\"x\":\"{}\"}}", "a".repeat(size)),
                Some("RangeError"),
            )
        }
        9 => (
            Signal::Description(SessionDescription::answer(answer_sdp)).to_json(),
            Some("InvalidStateError"),
        ),
        10 => {
            let mid = 50 + rng.upto(1000);
            (
                format!(
                    r#"{{"v":1,"candidate":{{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 {} typ host","sdpMid":"{mid}","sdpMLineIndex":null}}}}"#,
                    1024 + rng.upto(60000)
                ),
                None,
            )
        }
        _ => (r#"{"v":1,"endOfCandidates":true}"#.to_owned(), None),
    }
}

#[wasm_bindgen_test]
async fn three_hundred_hostile_signals_then_the_negotiator_still_renegotiates(
) -> Result<(), TestFailure> {
    let mut rng = SeededRng::new(seed("hostile"));
    let call = seeded_call("hostile call");
    let first = camera()?;
    call_is_up(&call, &first).await?;
    let answer_sdp = call
        .impolite
        .pc()
        .local_description()
        .expect("an answer")
        .sdp;
    let negotiator = call.impolite.negotiator();
    let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
    for i in 0..SIGNALS - BYES {
        let (text, expected) = hostile(&mut rng, &answer_sdp);
        let result = match Signal::from_json(&text) {
            Ok(signal) => within(WAIT_MS, "receive settles", negotiator.receive(signal)).await?,
            Err(err) => Err(err),
        };
        let got = result.as_ref().err().map(|e| e.name().to_owned());
        if let Some(expected) = expected {
            assert_eq!(
                got.as_deref(),
                Some(expected),
                "signal {i} ({text:.80}) gave {result:?}"
            );
        }
        *outcomes
            .entry(got.unwrap_or_else(|| "Ok".into()))
            .or_default() += 1;
    }
    web_sys::console::log_1(&format!("hostile outcomes: {outcomes:?}").into());
    assert_eq!(negotiator.ended(), None, "no hostile signal ended the call");

    // The same negotiator still negotiates: a new track from the attacked side.
    let second = camera()?;
    call.impolite
        .pc()
        .add_track(second.track(), &[second.stream()])
        .expect("addTrack after");
    wait_until_with(
        WAIT_MS,
        "renegotiation after the hostile signals",
        || call.settled() && call.polite.track_events().len() == 1,
        || call.describe(),
    )
    .await?;
    frames_grow(
        call.polite.pc(),
        0,
        WAIT_MS,
        "video of the track added after",
    )
    .await?;
    frames_grow(
        call.impolite.pc(),
        0,
        WAIT_MS,
        "video of the first track, still",
    )
    .await?;
    call.no_errors("hostile: the channel's own signals")?;

    // Repeated Bye: the first ends the call, the others are refused.
    for i in 0..BYES {
        let result = within(WAIT_MS, "receive(Bye)", negotiator.receive(Signal::Bye)).await?;
        if i == 0 {
            assert_eq!(result, Ok(()), "the first Bye");
        } else {
            assert!(
                matches!(&result, Err(e) if e.name() == "InvalidStateError"),
                "Bye {i}: {result:?}"
            );
        }
    }
    assert_eq!(
        call.impolite.ends(),
        [CallEnd::RemoteHangUp],
        "on_end fired once"
    );
    Ok(())
}
