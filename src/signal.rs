//! [`Signal`]: what two peers send each other over their signalling channel, and its JSON wire
//! format.
//!
//! # The wire format, version 1
//!
//! One signal is one JSON object with a version field `"v": 1` and exactly one of four keys:
//!
//! | signal | JSON |
//! | --- | --- |
//! | [`Signal::Description`] | `{"v":1,"description":{"type":"offer","sdp":"v=0\r\n…"}}` |
//! | [`Signal::Candidate`] | `{"v":1,"candidate":{"candidate":"candidate:1 1 udp …","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Ab3x"}}` |
//! | [`Signal::EndOfCandidates`] | `{"v":1,"endOfCandidates":true}` |
//! | [`Signal::Bye`] | `{"v":1,"bye":true}` |
//!
//! - `description` is an `RTCSessionDescriptionInit`: `type` is `"offer"`, `"answer"`,
//!   `"pranswer"` or `"rollback"`, `sdp` a string.
//! - `candidate` is an `RTCIceCandidateInit`: `candidate` a string (the `a=candidate` line
//!   without `a=`); `sdpMid` a string or `null`, `sdpMLineIndex` an integer 0–65535 or `null`
//!   (not both `null`), `usernameFragment` a string or `null`. A missing optional key reads as
//!   `null`.
//! - The shapes are those of the browser's own `toJSON()`, so plain JavaScript peers can send
//!   `JSON.stringify({ v: 1, description: pc.localDescription })` or
//!   `JSON.stringify({ v: 1, candidate })` and read signals with `JSON.parse`.
//! - Keys this version does not know are ignored, so a later minor addition does not break an
//!   older reader. A later incompatible format gets another `v`, which this version refuses.
//!
//! # Hostile input
//!
//! [`Signal::from_json`] never panics and applies nothing to any connection. Text longer than
//! [`Signal::MAX_JSON_LEN`] bytes is refused before it is parsed ([`Error::Range`]); text that
//! is not JSON is an [`Error::Syntax`] carrying the browser's parser message; JSON of the wrong
//! shape is an [`Error::Type`] naming the key that is wrong. Parsing uses the browser's own
//! `JSON.parse` (nothing added to the wasm for it).
//!
//! # Examples
//!
//! ```
//! use rtc_peer::{SessionDescription, Signal};
//!
//! let offer = Signal::Description(SessionDescription::offer("v=0\r\n"));
//! # #[cfg(target_arch = "wasm32")] {
//! let text = offer.to_json();
//! assert_eq!(text, r#"{"v":1,"description":{"type":"offer","sdp":"v=0\r\n"}}"#);
//! assert_eq!(Signal::from_json(&text), Ok(offer));
//! assert_eq!(Signal::from_json("{nope").unwrap_err().name(), "SyntaxError");
//! assert_eq!(Signal::from_json(r#"{"v":1}"#).unwrap_err().name(), "TypeError");
//! # }
//! ```

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::RtcIceCandidate;

use crate::config::set;
use crate::{Error, SdpType, SessionDescription};

/// One message of the signalling channel: a description, a candidate, the end of candidates,
/// or the end of the call.
///
/// See the [module docs](self) for the JSON wire format.
///
/// See [MDN: Signaling and video calling](https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling).
#[derive(Clone, Debug, PartialEq)]
pub enum Signal {
    /// An offer or answer (`setLocalDescription`'s result) for the other peer.
    Description(SessionDescription),
    /// A local ICE candidate for the other peer.
    Candidate(RtcIceCandidate),
    /// ICE gathering is complete: no more candidates follow for this generation.
    EndOfCandidates,
    /// The sender hung up: the call is over.
    Bye,
}

/// The version this crate writes and reads.
const VERSION: f64 = 1.0;

impl Signal {
    /// The longest text [`from_json`](Self::from_json) accepts, in bytes (256 KiB): far more
    /// than the SDP of a call with dozens of tracks (about 1.5 KB per media section), small
    /// enough that a hostile peer cannot make the page parse megabytes.
    pub const MAX_JSON_LEN: usize = 256 * 1024;

    /// The signal as version-1 JSON text (see the [module docs](self)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(target_arch = "wasm32")] {
    /// assert_eq!(rtc_peer::Signal::Bye.to_json(), r#"{"v":1,"bye":true}"#);
    /// # }
    /// ```
    pub fn to_json(&self) -> String {
        self.to_json_value().as_string().unwrap_or_default()
    }

    /// [`to_json`](Self::to_json) as the JS string `JSON.stringify` made, for a caller that
    /// hands it to JavaScript: the text is not copied into wasm and back.
    pub(crate) fn to_json_value(&self) -> JsValue {
        let object = Object::new();
        set(&object, "v", &JsValue::from_f64(VERSION));
        match self {
            Signal::Description(description) => {
                set(&object, "description", &description.to_js());
            }
            Signal::Candidate(candidate) => {
                set(&object, "candidate", &candidate_json(candidate));
            }
            Signal::EndOfCandidates => set(&object, "endOfCandidates", &JsValue::TRUE),
            Signal::Bye => set(&object, "bye", &JsValue::TRUE),
        }
        // Stringifying a plain object of strings, numbers and booleans cannot throw.
        JSON::stringify(&object).map_or(JsValue::UNDEFINED, JsValue::from)
    }

    /// Reads a signal from version-1 JSON text (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// - [`Error::Range`] for text longer than [`MAX_JSON_LEN`](Self::MAX_JSON_LEN);
    /// - [`Error::Syntax`] for text that is not JSON (with the browser's parser message);
    /// - [`Error::Type`] for JSON of the wrong shape, naming what is wrong: not an object, no
    ///   or another version, none or several of the four keys, a key of the wrong type, an
    ///   unknown description `type`, a candidate with neither `sdpMid` nor `sdpMLineIndex`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(target_arch = "wasm32")] {
    /// use rtc_peer::Signal;
    ///
    /// assert_eq!(Signal::from_json(r#"{"v":1,"bye":true}"#), Ok(Signal::Bye));
    /// let err = Signal::from_json(r#"{"v":1,"candidate":{"candidate":7}}"#).unwrap_err();
    /// assert_eq!(err.name(), "TypeError");
    /// assert!(err.message().contains("candidate.candidate"));
    /// # }
    /// ```
    pub fn from_json(text: &str) -> Result<Signal, Error> {
        if text.len() > Self::MAX_JSON_LEN {
            return Err(Error::Range {
                message: crate::text::join(&[
                    "The signal is ",
                    &decimal(text.len()),
                    " bytes long; at most ",
                    &decimal(Self::MAX_JSON_LEN),
                    " are accepted.",
                ]),
            });
        }
        let value = JSON::parse(text).map_err(|thrown| Error::Syntax {
            message: crate::text::join(&[
                "The signal is not JSON: ",
                Error::from(thrown).message(),
            ]),
        })?;
        Signal::from_value(&value)
    }

    fn from_value(value: &JsValue) -> Result<Signal, Error> {
        if !value.is_object() || js_sys::Array::is_array(value) {
            return Err(shape("A signal must be a JSON object."));
        }
        match get(value, "v").as_f64() {
            Some(version) if version == VERSION => {}
            Some(_) => {
                return Err(shape(
                    "The signal's version \"v\" is not 1, the only version this library reads.",
                ))
            }
            None => return Err(shape("The signal has no version \"v\" (a number, 1).")),
        }
        let keys = ["description", "candidate", "endOfCandidates", "bye"];
        let mut present = keys.iter().filter(|key| has(value, key));
        let (Some(key), None) = (present.next(), present.next()) else {
            return Err(shape(
                "A signal carries exactly one of \"description\", \"candidate\", \
                 \"endOfCandidates\" and \"bye\".",
            ));
        };
        let body = get(value, key);
        match *key {
            "description" => description(&body).map(Signal::Description),
            "candidate" => candidate(&body).map(Signal::Candidate),
            "endOfCandidates" if body == JsValue::TRUE => Ok(Signal::EndOfCandidates),
            "bye" if body == JsValue::TRUE => Ok(Signal::Bye),
            _ => Err(shape(
                crate::text::join(&["The signal's \"", key, "\" must be true."]).as_str(),
            )),
        }
    }
}

impl From<SessionDescription> for Signal {
    fn from(description: SessionDescription) -> Self {
        Signal::Description(description)
    }
}

impl From<RtcIceCandidate> for Signal {
    fn from(candidate: RtcIceCandidate) -> Self {
        Signal::Candidate(candidate)
    }
}

/// `{candidate, sdpMid, sdpMLineIndex, usernameFragment}` of `candidate`, read as JS values
/// (no string is copied into wasm and back); a missing attribute (no `usernameFragment` in an
/// older browser) is written as `null`.
fn candidate_json(candidate: &RtcIceCandidate) -> Object {
    let object = Object::new();
    for key in ["candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"] {
        let value = get(candidate, key);
        let value = if value.is_undefined() {
            JsValue::NULL
        } else {
            value
        };
        set(&object, key, &value);
    }
    object
}

fn description(body: &JsValue) -> Result<SessionDescription, Error> {
    if !body.is_object() {
        return Err(shape("The signal's \"description\" must be an object."));
    }
    let kind = get(body, "type")
        .as_string()
        .and_then(|kind| SdpType::parse(&kind))
        .ok_or_else(|| {
            shape(
                "The signal's \"description.type\" must be \"offer\", \"answer\", \"pranswer\" \
                 or \"rollback\".",
            )
        })?;
    let sdp = get(body, "sdp");
    let sdp = match sdp.as_string() {
        Some(sdp) => sdp,
        None if sdp.is_undefined() && kind == SdpType::Rollback => String::new(),
        None => return Err(shape("The signal's \"description.sdp\" must be a string.")),
    };
    Ok(SessionDescription { kind, sdp })
}

fn candidate(body: &JsValue) -> Result<RtcIceCandidate, Error> {
    if !body.is_object() {
        return Err(shape("The signal's \"candidate\" must be an object."));
    }
    let line = get(body, "candidate");
    if !line.is_string() {
        return Err(shape(
            "The signal's \"candidate.candidate\" must be a string.",
        ));
    }
    let mid = optional(body, "sdpMid", JsValue::is_string)
        .ok_or_else(|| shape("The signal's \"candidate.sdpMid\" must be a string or null."))?;
    let index = optional(body, "sdpMLineIndex", |v| {
        v.as_f64()
            .is_some_and(|n| n.fract() == 0.0 && (0.0..=65535.0).contains(&n))
    })
    .ok_or_else(|| {
        shape("The signal's \"candidate.sdpMLineIndex\" must be an integer 0-65535 or null.")
    })?;
    optional(body, "usernameFragment", JsValue::is_string).ok_or_else(|| {
        shape("The signal's \"candidate.usernameFragment\" must be a string or null.")
    })?;
    if mid.is_null() && index.is_null() {
        return Err(shape(
            "The signal's candidate has neither \"sdpMid\" nor \"sdpMLineIndex\".",
        ));
    }
    // The signal's own object: every key `RTCIceCandidate` reads has been checked above (a
    // missing one reads as `null` there too), the keys it does not know are ignored.
    Ok(RtcIceCandidate::new(body.unchecked_ref())?)
}

/// The value of an optional key: `null` when absent or `null`, the value when `valid`, `None`
/// (wrong type) otherwise.
fn optional(body: &JsValue, key: &str, valid: impl Fn(&JsValue) -> bool) -> Option<JsValue> {
    let value = get(body, key);
    if value.is_undefined() || value.is_null() {
        Some(JsValue::NULL)
    } else if valid(&value) {
        Some(value)
    } else {
        None
    }
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn has(value: &JsValue, key: &str) -> bool {
    Reflect::has(value, &JsValue::from_str(key)).unwrap_or(false)
}

/// `n` in decimal, formatted by JavaScript (Rust's formatting machinery would add to the
/// size of every build that parses signals).
fn decimal(n: usize) -> String {
    js_sys::Number::from(n as f64)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

fn shape(message: &str) -> Error {
    Error::Type {
        message: message.to_owned(),
    }
}
