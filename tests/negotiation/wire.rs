//! The JSON wire format of `Signal`: round trips, the exact shapes, and bad input.

use rtc_peer::{SessionDescription, Signal};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn every_signal_round_trips_in_the_documented_shape() {
    let offer = Signal::Description(SessionDescription::offer(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n",
    ));
    assert_eq!(
        offer.to_json(),
        r#"{"v":1,"description":{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}"#
    );
    let text = r#"{"v":1,"candidate":{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}}"#;
    let candidate = Signal::from_json(text).expect("a candidate");
    assert_eq!(
        candidate.to_json(),
        text,
        "the candidate keeps all four fields"
    );
    for signal in [offer, candidate, Signal::EndOfCandidates, Signal::Bye] {
        let again = Signal::from_json(&signal.to_json()).expect("round trip");
        assert_eq!(again.to_json(), signal.to_json());
    }
    assert_eq!(
        Signal::EndOfCandidates.to_json(),
        r#"{"v":1,"endOfCandidates":true}"#
    );
    assert_eq!(Signal::Bye.to_json(), r#"{"v":1,"bye":true}"#);
    // Optional keys may be missing; unknown keys are ignored.
    let minimal = Signal::from_json(r#"{"v":1,"candidate":{"candidate":"","sdpMid":"1"},"x":2}"#)
        .expect("a minimal candidate");
    assert_eq!(
        minimal.to_json(),
        r#"{"v":1,"candidate":{"candidate":"","sdpMid":"1","sdpMLineIndex":null,"usernameFragment":null}}"#
    );
}

#[wasm_bindgen_test]
fn bad_input_is_a_named_error_that_says_what_is_wrong() {
    let cases: &[(&str, &str, &str)] = &[
        ("not json", "SyntaxError", "not JSON"),
        ("", "SyntaxError", "not JSON"),
        ("null", "TypeError", "JSON object"),
        ("[1]", "TypeError", "JSON object"),
        (r#"{"bye":true}"#, "TypeError", "version"),
        (r#"{"v":"1","bye":true}"#, "TypeError", "version"),
        (r#"{"v":3,"bye":true}"#, "TypeError", "version"),
        (r#"{"v":1}"#, "TypeError", "exactly one"),
        (
            r#"{"v":1,"bye":true,"endOfCandidates":true}"#,
            "TypeError",
            "exactly one",
        ),
        (r#"{"v":1,"bye":false}"#, "TypeError", "\"bye\""),
        (
            r#"{"v":1,"description":"offer"}"#,
            "TypeError",
            "\"description\"",
        ),
        (
            r#"{"v":1,"description":{"type":"offer"}}"#,
            "TypeError",
            "description.sdp",
        ),
        (
            r#"{"v":1,"description":{"type":"bogus","sdp":""}}"#,
            "TypeError",
            "description.type",
        ),
        (
            r#"{"v":1,"candidate":{"sdpMid":"0"}}"#,
            "TypeError",
            "candidate.candidate",
        ),
        (
            r#"{"v":1,"candidate":{"candidate":"","sdpMid":0}}"#,
            "TypeError",
            "candidate.sdpMid",
        ),
        (
            r#"{"v":1,"candidate":{"candidate":"","sdpMLineIndex":1.5}}"#,
            "TypeError",
            "sdpMLineIndex",
        ),
        (
            r#"{"v":1,"candidate":{"candidate":"","sdpMLineIndex":70000}}"#,
            "TypeError",
            "sdpMLineIndex",
        ),
        (
            r#"{"v":1,"candidate":{"candidate":"","sdpMid":"0","usernameFragment":5}}"#,
            "TypeError",
            "usernameFragment",
        ),
        (
            r#"{"v":1,"candidate":{"candidate":"a"}}"#,
            "TypeError",
            "neither",
        ),
    ];
    for (text, name, says) in cases {
        let err = Signal::from_json(text).expect_err(text);
        assert_eq!(err.name(), *name, "{text}: {err}");
        assert!(
            err.message().contains(says),
            "{text}: {err} should mention {says}"
        );
    }
    let huge = format!(
        "{{\"v\":1,\"bye\":true,\"pad\":\"{}\"}}",
        " ".repeat(Signal::MAX_JSON_LEN)
    );
    assert_eq!(
        Signal::from_json(&huge).expect_err("oversize").name(),
        "RangeError"
    );
    let deep = "[".repeat(100_000);
    let err = Signal::from_json(&deep).expect_err("deep");
    assert!(["SyntaxError", "RangeError"].contains(&err.name()), "{err}");
}
