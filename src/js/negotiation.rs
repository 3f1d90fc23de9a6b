//! `negotiate` and `Negotiation`: perfect negotiation for a JavaScript `RTCPeerConnection`,
//! with the same JSON messages as the Rust [`crate::Signal`].
//!
//! The JavaScript API, as the package's TypeScript declarations say it:
//!
#![doc = concat!("```ts\n", include_str!("negotiation.d.ts"), "```")]

use core::cell::Cell;
use core::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use super::track_subscription::{report, route_symbol_dispose};
use crate::deferred::deferred;
use crate::{Error, Negotiator, PeerConnection, Role, Signal};

/// The JavaScript API of this module, with its documentation: the package's `.d.ts` has it as
/// written.
#[wasm_bindgen(typescript_custom_section)]
const NEGOTIATION_TS: &'static str = include_str!("negotiation.d.ts");

// The JavaScript `negotiate`, declared (with its documentation) in `negotiation.d.ts`.
#[doc(hidden)]
#[wasm_bindgen(js_name = negotiate, skip_typescript, skip_jsdoc)]
pub fn negotiate(pc: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
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
        if let Err(thrown) = send.call1(&JsValue::UNDEFINED, &signal.to_json_value()) {
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
        slot: Cell::new(Some(Rc::new(negotiator))),
    });
    route_symbol_dispose(&negotiation);
    Ok(negotiation)
}

// The JavaScript `Negotiation` class, declared with its methods and their documentation in
// `negotiation.d.ts`.
#[doc(hidden)]
#[wasm_bindgen(skip_typescript)]
pub struct Negotiation {
    /// A `Cell`, not a `RefCell`: reading or taking the negotiator can never fail.
    slot: Cell<Option<Rc<Negotiator>>>,
}

#[wasm_bindgen]
impl Negotiation {
    #[wasm_bindgen(skip_jsdoc)]
    pub fn receive(&self, message: JsValue) -> Promise {
        let negotiator = self.negotiator();
        let (promise, settle) = deferred();
        // Not reached (see `deferred`).
        let Some(settle) = settle else {
            return promise;
        };
        let rejected = |err: Error| settle.reject(&err.into());
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
            match result {
                Ok(()) => settle.resolve(&JsValue::UNDEFINED),
                Err(err) => settle.reject(&err.into()),
            }
        });
        promise
    }

    #[wasm_bindgen(js_name = restartIce, skip_jsdoc)]
    pub fn restart_ice(&self) {
        if let Some(negotiator) = self.negotiator() {
            negotiator.restart_ice();
        }
    }

    #[wasm_bindgen(js_name = hangUp, skip_jsdoc)]
    pub fn hang_up(&self) {
        if let Some(negotiator) = self.negotiator() {
            negotiator.hang_up();
        }
    }

    #[wasm_bindgen(getter, skip_jsdoc)]
    pub fn ended(&self) -> JsValue {
        self.negotiator()
            .and_then(|negotiator| negotiator.ended())
            .map_or(JsValue::UNDEFINED, |reason| reason.as_str().into())
    }

    #[wasm_bindgen(skip_jsdoc)]
    pub fn dispose(&self) {
        let negotiator = self.slot.take();
        drop(negotiator);
    }
}

impl Negotiation {
    /// The negotiator, until `dispose()`.
    fn negotiator(&self) -> Option<Rc<Negotiator>> {
        let negotiator = self.slot.take();
        let current = negotiator.clone();
        self.slot.set(negotiator);
        current
    }
}

impl fmt::Debug for Negotiation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Negotiation")
            .field("negotiator", &self.negotiator())
            .finish()
    }
}
