//! Hostile JS values at the crate's two JS-to-Rust doors: `SessionDescription::from_js` (what a
//! JS signalling layer hands over) and `Error::from(JsValue)` (whatever a browser or JS code
//! throws). Every exotic value (lone surrogates, throwing getters and proxies, revoked proxies,
//! symbols, bigints, null prototypes, a megabyte message) gives `Ok` or a typed `Err` with a
//! name and a message; nothing panics or throws through wasm.

use rtc_peer::{Error, SessionDescription};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::browser;

const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

#[wasm_bindgen_test]
fn every_exotic_value_reads_as_a_description_or_a_typed_error() {
    support::take_page_errors();
    let mut rows = Vec::new();
    for index in 0..support::hostile::exotic_count() {
        let label = support::hostile::exotic_label(index);
        let value = support::hostile::exotic_value(index, SDP);
        match SessionDescription::from_js(&value) {
            Ok(description) => {
                // Lone surrogates arrive as U+FFFD: the text is valid UTF-8 whatever JS held.
                let round_trip = SessionDescription::from_js(&description.to_js()).unwrap();
                assert_eq!(round_trip, description, "{label}: round trip");
                rows.push(format!("{label}=Ok({:?})", description.kind));
            }
            Err(e) => {
                assert!(
                    !e.name().is_empty() && !e.message().is_empty(),
                    "{label}: {e:?}"
                );
                rows.push(format!("{label}={}", e.name()));
            }
        }
    }
    support::no_page_errors("exotic descriptions").unwrap();
    console_log!(
        "NOTE: hostile-js from_js [{}]: {}",
        browser(),
        rows.join("; ")
    );
}

#[wasm_bindgen_test]
fn every_thrown_value_becomes_a_typed_error() {
    support::take_page_errors();
    let mut rows = Vec::new();
    for index in 0..support::hostile::thrown_count() {
        let label = support::hostile::thrown_label(index);
        let error = Error::from(support::hostile::thrown_value(index));
        assert!(!error.name().is_empty(), "{label}: empty name ({error:?})");
        // Display and Debug work on whatever came in, and the error goes back to JS.
        let shown = error.to_string();
        assert!(shown.starts_with(error.name()), "{label}: {shown}");
        let _ = format!("{error:?}");
        let back: JsValue = error.clone().into();
        assert!(
            back.is_object(),
            "{label}: Into<JsValue> gives an Error object"
        );
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
    // A DOMException keeps its name and message exactly.
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
