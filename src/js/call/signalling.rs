//! The signalling messages between the two pages of a call: their JSON format (`{v, call, type,
//! ...}`), call ids, sending them, and checking and applying the received ones within limits.

use std::rc::Rc;

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::RtcIceCandidate;

use super::negotiation::{add_candidate, remote_described};
use super::page::console_warn;
use super::session::{hang_up, is_current, EndReason, Shared};
use crate::config::set;
use crate::{ice_candidate, Error, SessionDescription};

/// The largest signalling message `receive` accepts (an SDP is a few kilobytes).
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Signalling protocol version carried in every message.
pub(super) const PROTOCOL_VERSION: f64 = 1.0;
/// An offer received from the other page and not answered yet.
pub(super) struct PendingOffer {
    pub(super) call_id: String,
    pub(super) sdp: String,
    pub(super) candidates: Vec<RtcIceCandidate>,
}
/// A short random call id (letters and digits).
pub(super) fn new_call_id() -> String {
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
/// Sends `{v, call, type, ...fields}` to the other page, if this call is current.
pub(super) fn send_message(shared: &Shared, generation: u32, kind: &str, fields: &Object) {
    let (send, call_id) = {
        let Ok(inner) = shared.try_borrow() else {
            return;
        };
        let Some(session) = inner
            .session
            .as_ref()
            .filter(|s| s.generation == generation)
        else {
            return;
        };
        let Some(send) = session.send.clone() else {
            return;
        };
        (send, session.call_id.clone())
    };
    set(fields, "v", &JsValue::from_f64(PROTOCOL_VERSION));
    set(fields, "call", &JsValue::from_str(&call_id));
    set(fields, "type", &JsValue::from_str(kind));
    let Ok(text) = JSON::stringify(fields) else {
        return;
    };
    if let Err(err) = send.call1(&JsValue::NULL, &text) {
        let err = Error::from(err);
        console_warn(&["Call: send threw: ", err.message()].concat());
    }
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

/// Validates and applies one signalling message; `Err` says why it was ignored.
pub(super) fn receive_message(
    shared: &Shared,
    message: &JsValue,
) -> Result<&'static str, &'static str> {
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
    let kind = string_field(&msg, "type", 16)?;
    match kind.as_str() {
        "offer" => {
            let sdp = string_field(&msg, "sdp", MAX_MESSAGE_BYTES)?;
            if !sdp.starts_with("v=0") {
                return Err("the offer is not SDP");
            }
            let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
            if inner.session.is_some() {
                return Err("an offer arrived during a call (busy)");
            }
            inner.pending_offer = Some(PendingOffer {
                call_id,
                sdp,
                candidates: Vec::new(),
            });
            Ok("offer")
        }
        "answer" => {
            let sdp = string_field(&msg, "sdp", MAX_MESSAGE_BYTES)?;
            if !sdp.starts_with("v=0") {
                return Err("the answer is not SDP");
            }
            let (pc, generation) = {
                let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
                let session = inner
                    .session
                    .as_mut()
                    .filter(|s| s.call_id == call_id && s.send.is_some())
                    .ok_or("an answer for another call")?;
                if !session.awaiting_answer {
                    return Err("an answer that was not expected");
                }
                session.awaiting_answer = false;
                (session.local.pc.clone(), session.generation)
            };
            let weak = Rc::downgrade(shared);
            spawn_local(async move {
                let result = pc
                    .set_remote_description(&SessionDescription::answer(sdp))
                    .await;
                let Some(shared) = weak.upgrade() else { return };
                match result {
                    Ok(()) => remote_described(&shared, generation, true),
                    Err(err) => {
                        console_warn(&["Call: the answer was refused: ", err.message()].concat());
                        if is_current(&shared, generation) {
                            hang_up(&shared, EndReason::Failed, true);
                        }
                    }
                }
            });
            Ok("answer")
        }
        "candidate" => {
            let candidate = string_field(&msg, "candidate", 2048)?;
            if !candidate.starts_with("candidate:") {
                return Err("not an ICE candidate line");
            }
            let mid = Reflect::get(&msg, &JsValue::from_str("sdpMid")).map_err(|_| "bad sdpMid")?;
            let mid = if mid.is_null() || mid.is_undefined() {
                None
            } else {
                Some(
                    mid.as_string()
                        .filter(|m| m.len() <= 32)
                        .ok_or("bad sdpMid")?,
                )
            };
            let index = Reflect::get(&msg, &JsValue::from_str("sdpMLineIndex"))
                .map_err(|_| "bad sdpMLineIndex")?;
            let index = if index.is_null() || index.is_undefined() {
                None
            } else {
                let n = index.as_f64().ok_or("bad sdpMLineIndex")?;
                if !(0.0..=1024.0).contains(&n) || n.fract() != 0.0 {
                    return Err("bad sdpMLineIndex");
                }
                Some(n as u16)
            };
            let candidate = ice_candidate(&candidate, mid.as_deref(), index)
                .map_err(|_| "invalid candidate")?;
            let target = {
                let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
                if let Some(offer) = inner
                    .pending_offer
                    .as_mut()
                    .filter(|o| o.call_id == call_id)
                {
                    if offer.candidates.len() >= 256 {
                        return Err("too many candidates");
                    }
                    offer.candidates.push(candidate);
                    return Ok("candidate");
                }
                let side = inner
                    .session
                    .as_mut()
                    .filter(|s| s.call_id == call_id && s.send.is_some())
                    .map(|s| &mut s.local)
                    .ok_or("a candidate for another call")?;
                if side.remote_described {
                    Some(side.pc.clone())
                } else {
                    if side.pending.len() >= 256 {
                        return Err("too many candidates");
                    }
                    side.pending.push(candidate.clone());
                    None
                }
            };
            if let Some(pc) = target {
                add_candidate(pc, candidate);
            }
            Ok("candidate")
        }
        "bye" => {
            let in_call = {
                let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
                if inner
                    .pending_offer
                    .as_ref()
                    .is_some_and(|o| o.call_id == call_id)
                {
                    inner.pending_offer = None;
                    return Ok("bye");
                }
                inner
                    .session
                    .as_ref()
                    .is_some_and(|s| s.call_id == call_id && s.send.is_some())
            };
            if !in_call {
                return Err("a bye for another call");
            }
            hang_up(shared, EndReason::Remote, false);
            Ok("bye")
        }
        _ => Err("unknown message type"),
    }
}
