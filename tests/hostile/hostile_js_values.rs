//! Hostile JS values at the crate's two JS-to-Rust doors: `SessionDescription::from_js` (what a
//! JS signalling layer hands over) and `Error::from(JsValue)` (whatever a browser or JS code
//! throws). Every exotic value (lone surrogates, throwing getters and proxies, revoked proxies,
//! symbols, bigints, null prototypes, a megabyte message) gives exactly the outcome pinned for
//! it below (the description read, or the error name and message); nothing panics or throws
//! through wasm.

use rtc_peer::{Error, SdpType, SessionDescription};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::browser;

const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

/// The kind and SDP read, or the error name.
type ExpectedRead = Result<(SdpType, String), &'static str>;

/// What `SessionDescription::from_js` gives for each exotic value (by label): the kind and the
/// exact SDP read, or `Err` with the error name. Both browsers agree (the reading is the
/// crate's own: `type` must be one of the four strings, a non-string `sdp` reads as empty,
/// lone surrogates arrive as U+FFFD).
fn expected_descriptions() -> Vec<(&'static str, ExpectedRead)> {
    let ok = |kind, sdp: String| Ok((kind, sdp));
    let offer = |sdp: String| Ok((SdpType::Offer, sdp));
    vec![
        ("null", Err("TypeError")),
        ("undefined", Err("TypeError")),
        ("number", Err("TypeError")),
        ("string", Err("TypeError")),
        ("empty object", Err("TypeError")),
        ("type null", Err("TypeError")),
        ("type OFFER", Err("TypeError")),
        ("no sdp", offer(String::new())),
        ("sdp number", offer(String::new())),
        (
            "lone high surrogate in v=",
            offer(SDP.replacen("v=0", "v=0\u{fffd}", 1)),
        ),
        (
            "reversed surrogates line",
            offer(format!("{SDP}a=x:\u{fffd}\u{fffd}\r\n")),
        ),
        ("surrogate in type", Err("TypeError")),
        ("throwing type getter", Err("TypeError")),
        ("throwing proxy", Err("TypeError")),
        ("symbol type", Err("TypeError")),
        ("sdp object with toString", offer(String::new())),
        ("null prototype", offer(SDP.to_owned())),
        ("RTCSessionDescription", offer(SDP.to_owned())),
        (
            "rollback with surrogate sdp",
            ok(SdpType::Rollback, "\u{fffd}".to_owned()),
        ),
        (
            "surrogate before every CRLF",
            offer(SDP.split("\r\n").collect::<Vec<_>>().join("\u{fffd}\r\n")),
        ),
        ("array", Err("TypeError")),
        ("function", Err("TypeError")),
        ("bigint sdp", offer(String::new())),
        ("frozen", ok(SdpType::Answer, SDP.to_owned())),
        ("type array", Err("TypeError")),
        ("NUL inside", offer(SDP.replacen("s=-", "s=\0-", 1))),
    ]
}

#[wasm_bindgen_test]
fn every_exotic_value_reads_as_a_description_or_a_typed_error() {
    support::take_page_errors();
    let expected = expected_descriptions();
    assert_eq!(
        expected.len(),
        support::hostile::exotic_count() as usize,
        "one expected outcome per exotic value"
    );
    let mut rows = Vec::new();
    for index in 0..support::hostile::exotic_count() {
        let label = support::hostile::exotic_label(index);
        let value = support::hostile::exotic_value(index, SDP);
        let read = SessionDescription::from_js(&value);
        let (_, want) = expected
            .iter()
            .find(|(l, _)| *l == label)
            .unwrap_or_else(|| panic!("no expected outcome for {label:?}"));
        match (&read, want) {
            (Ok(description), Ok((kind, sdp))) => {
                assert_eq!(
                    (&description.kind, &description.sdp),
                    (kind, sdp),
                    "{label}: the description read"
                );
                // The text is valid UTF-8 whatever JS held, and survives a round trip.
                let round_trip = SessionDescription::from_js(&description.to_js()).unwrap();
                assert_eq!(&round_trip, description, "{label}: round trip");
            }
            (Err(e), Err(name)) => {
                assert_eq!(e.name(), *name, "{label}: {e:?}");
                assert!(!e.message().is_empty(), "{label}: {e:?}");
            }
            (read, want) => panic!("{label}: read {read:?}, expected {want:?}"),
        }
        rows.push(match read {
            Ok(d) => format!("{label}=Ok({:?})", d.kind),
            Err(e) => format!("{label}={}", e.name()),
        });
    }
    support::no_page_errors("exotic descriptions").unwrap();
    console_log!(
        "NOTE: hostile-js from_js [{}]: {}",
        browser(),
        rows.join("; ")
    );
}

/// What `Error::from` gives for each thrown value (by label): the name and the exact message.
/// Both browsers agree (only values the browser made, a `DOMException` or a `TypeError`, keep
/// their own name and message; everything else is described by the crate without running its
/// code).
fn expected_errors() -> Vec<(&'static str, &'static str, String)> {
    let described = |what: &str| format!("A non-Error value was thrown: {what}");
    let object = described("a value of type object");
    vec![
        ("DOMException", "OperationError", "m".to_owned()),
        (
            "DOMException without message",
            "InvalidStateError",
            String::new(),
        ),
        ("TypeError", "TypeError", "t".to_owned()),
        ("string", "Error", "just a string".to_owned()),
        ("lone surrogate string", "Error", "\u{fffd}".to_owned()),
        ("number", "Error", described("7")),
        ("null", "Error", described("null")),
        ("undefined", "Error", described("a value of type undefined")),
        ("symbol", "Error", described("a value of type symbol")),
        ("bigint", "Error", described("a value of type bigint")),
        ("name not a string", "Error", object.clone()),
        ("empty name", "Error", object.clone()),
        ("surrogate name", "\u{fffd}Error", "\u{fffd}".to_owned()),
        ("throwing name getter", "Error", object.clone()),
        ("throwing proxy", "Error", object.clone()),
        ("revoked proxy", "Error", object.clone()),
        ("huge message", "SyntaxError", "x".repeat(1_000_000)),
        ("function", "Error", described("a value of type function")),
        ("array", "Error", object),
        ("null prototype", "OperationError", "m".to_owned()),
    ]
}

#[wasm_bindgen_test]
fn every_thrown_value_becomes_a_typed_error() {
    support::take_page_errors();
    let expected = expected_errors();
    assert_eq!(
        expected.len(),
        support::hostile::thrown_count() as usize,
        "one expected outcome per thrown value"
    );
    let mut rows = Vec::new();
    for index in 0..support::hostile::thrown_count() {
        let label = support::hostile::thrown_label(index);
        let error = Error::from(support::hostile::thrown_value(index));
        let (_, name, message) = expected
            .iter()
            .find(|(l, _, _)| *l == label)
            .unwrap_or_else(|| panic!("no expected outcome for {label:?}"));
        assert_eq!(error.name(), *name, "{label}: name ({error:?})");
        assert!(
            error.message() == message.as_str(),
            "{label}: message {:?}, expected {:?}",
            error.message().chars().take(80).collect::<String>(),
            message.chars().take(80).collect::<String>()
        );
        // Display and Debug work on whatever came in, and the error goes back to JS.
        let shown = error.to_string();
        assert_eq!(shown, format!("{name}: {message}"), "{label}: Display");
        let _ = format!("{error:?}");
        let back: JsValue = error.clone().into();
        let back: &js_sys::Error = back
            .dyn_ref()
            .unwrap_or_else(|| panic!("{label}: Into<JsValue> gives an Error object"));
        assert_eq!(String::from(back.name()), *name, "{label}: name in JS");
        rows.push(format!(
            "{label}={}{}",
            error.name(),
            if error.message().is_empty() {
                " (no message)"
            } else {
                ""
            }
        ));
    }
    // A DOMException keeps its name and message exactly, in the variant of its name.
    let dom = Error::from(support::hostile::thrown_value(0));
    assert_eq!(
        dom,
        Error::Operation {
            message: "m".into()
        }
    );
    support::no_page_errors("thrown values").unwrap();
    console_log!(
        "NOTE: hostile-js Error::from [{}]: {}",
        browser(),
        rows.join("; ")
    );
}
