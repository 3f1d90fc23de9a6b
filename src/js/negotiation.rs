//! `negotiate` and `Negotiation`: perfect negotiation for a JavaScript `RTCPeerConnection`,
//! with the same JSON messages as the Rust [`crate::Signal`].

use core::cell::RefCell;
use core::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use super::track_subscription::{report, route_symbol_dispose};
use crate::{Error, Negotiator, PeerConnection, Role, Signal};

#[wasm_bindgen(typescript_custom_section)]
const NEGOTIATION_TS: &'static str = r#"
/** Why a negotiated call ended. */
export type CallEndReason = "local-hang-up" | "remote-hang-up" | "connection-failed";

/** The options of `negotiate`. */
export interface NegotiateOptions {
  /** `true` on exactly one side of the call: it gives way when both sides offer at once. */
  polite: boolean;
  /** Sends one message (JSON text) to the other side over the app's signalling channel. */
  send: (message: string) => void;
  /** Called once when the call ends, with why. */
  onEnd?: (reason: CallEndReason) => void;
}
"#;

/// Starts perfect negotiation on `pc` with the other side of the call.
///
/// Every message for the other side goes to `options.send` as JSON text (the crate's
/// versioned wire format, the same as Rust's `Signal::to_json`); hand every message from the
/// other side to `receive`. Either side may then add or remove tracks at any moment, also both
/// at once.
///
/// JavaScript:
///
/// ```js
/// import init, { negotiate } from "rtc-peer";
/// await init();
/// const socket = new WebSocket("wss://signalling.example/room/42");
/// const call = negotiate(pc, {
///   polite: isCallee,
///   send: (message) => socket.send(message),
///   onEnd: (reason) => console.log("call ended:", reason),
/// });
/// socket.onmessage = ({ data }) => call.receive(data).catch(console.warn);
/// pc.addTrack(track, stream); // offered by itself
/// // later
/// call.hangUp();
/// ```
///
/// # Errors
///
/// Throws a `TypeError` when `pc` is not an `RTCPeerConnection`, `options.polite` is not a
/// boolean, or `options.send` (or a given `options.onEnd`) is not a function.
///
/// See [MDN: Perfect negotiation](https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation).
#[wasm_bindgen(js_name = negotiate, unchecked_return_type = "Negotiation")]
pub fn negotiate(
    #[wasm_bindgen(unchecked_param_type = "RTCPeerConnection")] pc: JsValue,
    #[wasm_bindgen(unchecked_param_type = "NegotiateOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let pc: RtcPeerConnection = pc.dyn_into().map_err(|_| {
        js_sys::TypeError::new("negotiate: the first argument must be an RTCPeerConnection.")
    })?;
    let option = |key: &str| Reflect::get(&options, &JsValue::from_str(key)).ok();
    let polite = option("polite").and_then(|v| v.as_bool()).ok_or_else(|| {
        js_sys::TypeError::new("negotiate: options.polite must be true or false.")
    })?;
    let send: Function = option("send")
        .and_then(|v| v.dyn_into().ok())
        .ok_or_else(|| js_sys::TypeError::new("negotiate: options.send must be a function."))?;
    let on_end =
        match option("onEnd") {
            None => None,
            Some(v) if v.is_undefined() || v.is_null() => None,
            Some(v) => Some(v.dyn_into::<Function>().map_err(|_| {
                js_sys::TypeError::new("negotiate: options.onEnd must be a function.")
            })?),
        };
    let role = if polite { Role::Polite } else { Role::Impolite };
    let negotiator = PeerConnection::from(pc).negotiate(role, move |signal: Signal| {
        if let Err(thrown) = send.call1(&JsValue::UNDEFINED, &JsValue::from(signal.to_json())) {
            report(&thrown);
        }
    });
    if let Some(on_end) = on_end {
        negotiator.on_end(move |reason| {
            if let Err(thrown) = on_end.call1(&JsValue::UNDEFINED, &reason.as_str().into()) {
                report(&thrown);
            }
        });
    }
    let negotiation = JsValue::from(Negotiation {
        slot: Rc::new(RefCell::new(Some(Rc::new(negotiator)))),
    });
    route_symbol_dispose(&negotiation);
    Ok(negotiation)
}

/// A call's negotiation, returned by `negotiate`: feed it the other side's messages with
/// `receive`; `hangUp()` ends the call; `dispose()` (or `using`) stops negotiating and
/// removes its listeners, leaving the connection open.
#[wasm_bindgen]
pub struct Negotiation {
    slot: Rc<RefCell<Option<Rc<Negotiator>>>>,
}

#[wasm_bindgen]
impl Negotiation {
    /// Applies one message (JSON text) from the other side. Resolves once it is applied, or
    /// at once for an offer ignored in glare.
    ///
    /// Rejects with an `Error` whose `name` says why: `SyntaxError` for text that is not
    /// JSON, `TypeError` for JSON of the wrong shape (the message names what is wrong),
    /// `RangeError` for more than 256 KiB, `InvalidStateError` once the call has ended or the
    /// negotiation is disposed, or the browser's error for a description or candidate it
    /// refuses. Nothing is applied when the message does not parse.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn receive(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] message: JsValue,
    ) -> Promise {
        let negotiator = self.slot.borrow().clone();
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        // `new Promise` runs its executor synchronously: `settle` is always set here.
        let Some((resolve, reject)) = settle else {
            return promise;
        };
        let rejected = |err: Error| {
            let _ = reject.call1(&JsValue::UNDEFINED, &JsValue::from(err));
        };
        let Some(text) = message.as_string() else {
            rejected(Error::Type {
                message: "receive: the message must be a string (JSON text).".into(),
            });
            return promise;
        };
        let Some(negotiator) = negotiator else {
            rejected(Error::InvalidState {
                message: "receive: the negotiation was disposed.".into(),
            });
            return promise;
        };
        let signal = match Signal::from_json(&text) {
            Ok(signal) => signal,
            Err(err) => {
                rejected(err);
                return promise;
            }
        };
        // The callback holds the negotiator: `dispose()` takes effect once no `receive` is
        // pending.
        let held = Rc::clone(&negotiator);
        negotiator.receive_then(signal, move |result| {
            let _held = held;
            let _ = match result {
                Ok(()) => resolve.call0(&JsValue::UNDEFINED),
                Err(err) => reject.call1(&JsValue::UNDEFINED, &JsValue::from(err)),
            };
        });
        promise
    }

    /// Restarts ICE (new credentials), offered to the other side like any change.
    #[wasm_bindgen(js_name = restartIce)]
    pub fn restart_ice(&self) {
        if let Some(negotiator) = self.slot.borrow().as_ref() {
            negotiator.restart_ice();
        }
    }

    /// Ends the call: sends the goodbye message, closes the connection, and calls `onEnd`
    /// with `"local-hang-up"`. Does nothing once the call has ended.
    #[wasm_bindgen(js_name = hangUp)]
    pub fn hang_up(&self) {
        let negotiator = self.slot.borrow().clone();
        if let Some(negotiator) = negotiator {
            negotiator.hang_up();
        }
    }

    /// Why the call ended, or `undefined` while it goes on.
    #[wasm_bindgen(getter, unchecked_return_type = "CallEndReason | undefined")]
    pub fn ended(&self) -> JsValue {
        self.slot
            .borrow()
            .as_ref()
            .and_then(|negotiator| negotiator.ended())
            .map_or(JsValue::UNDEFINED, |reason| reason.as_str().into())
    }

    /// Stops negotiating: removes every listener the negotiation added to the connection
    /// (which stays open), as soon as no `receive` is pending. Idempotent; `[Symbol.dispose]`
    /// is the same. Its `free()` releases only this handle.
    pub fn dispose(&self) {
        let negotiator = self.slot.borrow_mut().take();
        drop(negotiator);
    }
}

impl fmt::Debug for Negotiation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Negotiation")
            .field("negotiator", &self.slot.borrow())
            .finish()
    }
}
