//! [`IceCandidateError`]: a STUN or TURN server could not give a candidate.

use core::fmt;

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::Event;

/// An `icecandidateerror` event: gathering a candidate from a STUN or TURN server failed.
///
/// The codes are STUN's: 401 when a TURN server refuses the credential, 701 when a server
/// could not be reached at all (nothing listening, no route, DNS failure), and others the
/// server sends (for example 486, allocation quota reached). Gathering goes on with the other
/// servers and candidates: this is a warning, not the end of the connection.
///
/// What the browsers report (Chromium 156, Firefox ESR 153, checked by this crate's tests): a
/// wrong credential gives 401 within a fraction of a second, with the server's URL (Firefox
/// drops its `?transport=` part; Chromium's text is "Unauthorized.", Firefox's empty). A TURN
/// port with nothing listening gives 701 after about 11 s in Firefox (the `turn:` URL) and
/// about 40 s in Chromium, which names the server as the STUN server it also used it as
/// (`stun:host:port`, "STUN binding request timed out.").
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// let pc = rtc_peer::PeerConnection::new()?;
/// let _errors = pc.on_ice_candidate_error(|error| {
///     if error.code() == 401 {
///         web_sys::console::warn_1(&["TURN refused the credential: ", &error.url()].concat().into());
///     }
/// });
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCPeerConnectionIceErrorEvent](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnectionIceErrorEvent).
#[derive(Clone)]
pub struct IceCandidateError {
    raw: Event,
}

impl IceCandidateError {
    pub(crate) fn new(raw: Event) -> Self {
        IceCandidateError { raw }
    }

    /// The STUN error code (`errorCode`): 401, 701, … (0 if the browser gave none).
    pub fn code(&self) -> u16 {
        self.number("errorCode")
            .filter(|n| (0.0..=65535.0).contains(n))
            .map_or(0, |n| n as u16)
    }

    /// The server's reason phrase (`errorText`), possibly empty (Firefox gives none for 401).
    pub fn text(&self) -> String {
        self.string("errorText").unwrap_or_default()
    }

    /// The URL of the STUN or TURN server that failed (`url`), as configured.
    pub fn url(&self) -> String {
        self.string("url").unwrap_or_default()
    }

    /// The local address used to reach the server (`address`), when the browser reveals it.
    pub fn address(&self) -> Option<String> {
        self.string("address").filter(|a| !a.is_empty())
    }

    /// The local port used to reach the server (`port`), when the browser reveals it.
    pub fn port(&self) -> Option<u16> {
        self.number("port")
            .filter(|n| (1.0..=65535.0).contains(n))
            .map(|n| n as u16)
    }

    /// The browser's own event.
    pub fn as_raw(&self) -> &Event {
        &self.raw
    }

    // Read with `Reflect`, not web-sys's `RtcPeerConnectionIceErrorEvent` getters, which
    // expect a string `url` and would fail on a browser that leaves it `null`.
    fn string(&self, key: &str) -> Option<String> {
        Reflect::get(&self.raw, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    }

    fn number(&self, key: &str) -> Option<f64> {
        Reflect::get(&self.raw, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_f64())
    }
}

impl fmt::Debug for IceCandidateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceCandidateError")
            .field("code", &self.code())
            .field("text", &self.text())
            .field("url", &self.url())
            .field("address", &self.address())
            .field("port", &self.port())
            .finish()
    }
}
