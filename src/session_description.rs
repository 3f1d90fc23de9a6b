//! [`SessionDescription`] and [`SdpType`]: an offer or answer as plain Rust data.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::config::set;
use crate::webidl_enum::webidl_enum;
use crate::Error;

webidl_enum! {
    /// The `type` of a session description.
    ///
    /// See [MDN: RTCSessionDescription.type](https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription/type).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum SdpType {
        /// `"offer"`.
        Offer = "offer",
        /// `"answer"`.
        Answer = "answer",
        /// `"pranswer"`: a provisional answer.
        Pranswer = "pranswer",
        /// `"rollback"`: undoes a pending local or remote offer.
        Rollback = "rollback",
    }
}

/// An SDP offer or answer: what two peers exchange over their signalling channel.
///
/// # Examples
///
/// ```
/// use rtc_peer::{SdpType, SessionDescription};
///
/// let offer = SessionDescription::offer("v=0\r\n");
/// assert_eq!(offer.kind, SdpType::Offer);
/// assert_eq!(offer, SessionDescription { kind: SdpType::Offer, sdp: "v=0\r\n".into() });
/// ```
///
/// See [MDN: RTCSessionDescription](https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionDescription {
    /// Offer, answer, provisional answer or rollback.
    pub kind: SdpType,
    /// The SDP text.
    pub sdp: String,
}

impl SessionDescription {
    /// An offer with this SDP.
    pub fn offer(sdp: impl Into<String>) -> Self {
        SessionDescription {
            kind: SdpType::Offer,
            sdp: sdp.into(),
        }
    }

    /// An answer with this SDP.
    pub fn answer(sdp: impl Into<String>) -> Self {
        SessionDescription {
            kind: SdpType::Answer,
            sdp: sdp.into(),
        }
    }

    /// A rollback (its SDP is empty).
    pub fn rollback() -> Self {
        SessionDescription {
            kind: SdpType::Rollback,
            sdp: String::new(),
        }
    }

    /// The `RTCSessionDescriptionInit` dictionary `{type, sdp}`.
    pub fn to_js(&self) -> JsValue {
        let init = Object::new();
        set(&init, "type", &JsValue::from_str(self.kind.as_str()));
        set(&init, "sdp", &JsValue::from_str(&self.sdp));
        init.into()
    }

    /// Reads a `{type, sdp}` object (an `RTCSessionDescription` or its init dictionary).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when `type` is missing or unknown. A missing `sdp` reads as empty.
    pub fn from_js(value: &JsValue) -> Result<Self, Error> {
        let kind = Reflect::get(value, &JsValue::from_str("type"))
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|t| SdpType::parse(&t))
            .ok_or_else(|| Error::Type {
                message: "The session description has no valid 'type' (offer, answer, pranswer or rollback).".into(),
            })?;
        let sdp = Reflect::get(value, &JsValue::from_str("sdp"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        Ok(SessionDescription { kind, sdp })
    }
}
