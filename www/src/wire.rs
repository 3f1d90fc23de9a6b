//! The signalling messages between the two pages of a call: their JSON format
//! (`{v, call, type, ...}`), call ids, and checking a received message within limits. No state:
//! what a message does to the call is `signalling`'s business.

use js_sys::{Object, Reflect, JSON};
use rtc_peer::{ice_candidate, RtcIceCandidate};
use wasm_bindgen::prelude::*;

use crate::page::set;

/// The largest signalling message accepted (an SDP is a few kilobytes).
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Signalling protocol version carried in every message.
const PROTOCOL_VERSION: f64 = 1.0;

/// A received message that passed every check.
pub(crate) enum Message {
    Offer {
        call_id: String,
        sdp: String,
    },
    Answer {
        call_id: String,
        sdp: String,
    },
    Candidate {
        call_id: String,
        candidate: RtcIceCandidate,
    },
    Bye {
        call_id: String,
    },
}

/// A short random call id (letters and digits).
pub(crate) fn new_call_id() -> String {
    let n = (js_sys::Math::random() * 2_176_782_336.0) as u64; // 36^6
    let mut id = String::from("c");
    let mut rest = n;
    for _ in 0..6 {
        let digit = (rest % 36) as u32;
        id.push(char::from_digit(digit, 36).unwrap_or('0'));
        rest /= 36;
    }
    id
}

/// `{v, call, type, ...fields}` as JSON text; `None` if it cannot be stringified.
pub(crate) fn encode(call_id: &str, kind: &str, fields: &Object) -> Option<String> {
    set(fields, "v", &JsValue::from_f64(PROTOCOL_VERSION));
    set(fields, "call", &JsValue::from_str(call_id));
    set(fields, "type", &JsValue::from_str(kind));
    JSON::stringify(fields).ok().and_then(|s| s.as_string())
}

/// The fields of a candidate message for `candidate`.
pub(crate) fn candidate_fields(candidate: &RtcIceCandidate) -> Object {
    let msg = Object::new();
    set(
        &msg,
        "candidate",
        &JsValue::from_str(&candidate.candidate()),
    );
    set(
        &msg,
        "sdpMid",
        &candidate
            .sdp_mid()
            .map_or(JsValue::NULL, |m| JsValue::from_str(&m)),
    );
    set(
        &msg,
        "sdpMLineIndex",
        &candidate
            .sdp_m_line_index()
            .map_or(JsValue::NULL, JsValue::from),
    );
    msg
}

/// The fields of an offer or answer message.
pub(crate) fn sdp_fields(sdp: &str) -> Object {
    let msg = Object::new();
    set(&msg, "sdp", &JsValue::from_str(sdp));
    msg
}

/// Reads a string field, with a length limit.
fn string_field(msg: &JsValue, key: &str, max: usize) -> Result<String, &'static str> {
    let value = Reflect::get(msg, &JsValue::from_str(key)).map_err(|_| "unreadable field")?;
    let s = value
        .as_string()
        .ok_or("a field is missing or not a string")?;
    if s.len() > max {
        return Err("a field is too long");
    }
    Ok(s)
}

fn valid_call_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn sdp_field(msg: &JsValue, what: &'static str) -> Result<String, &'static str> {
    let sdp = string_field(msg, "sdp", MAX_MESSAGE_BYTES)?;
    if !sdp.starts_with("v=0") {
        return Err(what);
    }
    Ok(sdp)
}

fn candidate_field(msg: &JsValue) -> Result<RtcIceCandidate, &'static str> {
    let candidate = string_field(msg, "candidate", 2048)?;
    if !candidate.starts_with("candidate:") {
        return Err("not an ICE candidate line");
    }
    let mid = Reflect::get(msg, &JsValue::from_str("sdpMid")).map_err(|_| "bad sdpMid")?;
    let mid = if mid.is_null() || mid.is_undefined() {
        None
    } else {
        Some(
            mid.as_string()
                .filter(|m| m.len() <= 32)
                .ok_or("bad sdpMid")?,
        )
    };
    let index =
        Reflect::get(msg, &JsValue::from_str("sdpMLineIndex")).map_err(|_| "bad sdpMLineIndex")?;
    let index = if index.is_null() || index.is_undefined() {
        None
    } else {
        let n = index.as_f64().ok_or("bad sdpMLineIndex")?;
        if !(0.0..=1024.0).contains(&n) || n.fract() != 0.0 {
            return Err("bad sdpMLineIndex");
        }
        Some(n as u16)
    };
    ice_candidate(&candidate, mid.as_deref(), index).map_err(|_| "invalid candidate")
}

/// Checks one received message; `Err` says why it must be ignored.
pub(crate) fn parse(message: &JsValue) -> Result<Message, &'static str> {
    let text = message.as_string().ok_or("not a string")?;
    if text.len() > MAX_MESSAGE_BYTES {
        return Err("larger than 64 KiB");
    }
    let msg = JSON::parse(&text).map_err(|_| "not JSON")?;
    if !msg.is_object() || js_sys::Array::is_array(&msg) {
        return Err("not a JSON object");
    }
    let version = Reflect::get(&msg, &JsValue::from_str("v"))
        .ok()
        .and_then(|v| v.as_f64());
    if version != Some(PROTOCOL_VERSION) {
        return Err("unknown protocol version");
    }
    let call_id = string_field(&msg, "call", 64)?;
    if !valid_call_id(&call_id) {
        return Err("invalid call id");
    }
    match string_field(&msg, "type", 16)?.as_str() {
        "offer" => Ok(Message::Offer {
            sdp: sdp_field(&msg, "the offer is not SDP")?,
            call_id,
        }),
        "answer" => Ok(Message::Answer {
            sdp: sdp_field(&msg, "the answer is not SDP")?,
            call_id,
        }),
        "candidate" => Ok(Message::Candidate {
            candidate: candidate_field(&msg)?,
            call_id,
        }),
        "bye" => Ok(Message::Bye { call_id }),
        _ => Err("unknown message type"),
    }
}
