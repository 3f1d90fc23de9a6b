//! `onTrack` and `TrackSubscription`: subscribe a JavaScript callback to the `track` events of
//! any `RTCPeerConnection`, and release it with `dispose()` (or `using`).
//!
//! The JavaScript API, as the package's TypeScript declarations say it:
//!
#![doc = concat!("```ts\n", include_str!("track_subscription.d.ts"), "```")]

use core::cell::Cell;
use core::fmt;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use super::track_view::TrackView;
use crate::{sys, Listener, PeerConnection};

/// The JavaScript API of this module, with its documentation: the package's `.d.ts` has it as
/// written.
#[wasm_bindgen(typescript_custom_section)]
const TRACK_SUBSCRIPTION_TS: &'static str = include_str!("track_subscription.d.ts");

// The JavaScript `onTrack`, declared (with its documentation) in `track_subscription.d.ts`.
#[doc(hidden)]
#[wasm_bindgen(js_name = onTrack, skip_typescript, skip_jsdoc)]
pub fn on_track(pc: JsValue, callback: JsValue) -> Result<JsValue, JsValue> {
    let pc: RtcPeerConnection = pc.dyn_into().map_err(|_| {
        js_sys::TypeError::new("onTrack: the first argument must be an RTCPeerConnection.")
    })?;
    let callback: Function = callback
        .dyn_into()
        .map_err(|_| js_sys::TypeError::new("onTrack: the second argument must be a function."))?;
    let slot: Rc<Cell<Option<Listener>>> = Rc::new(Cell::new(None));
    let keep_alive = Rc::clone(&slot);
    let listener = PeerConnection::from(pc).on_track(move |event| {
        // The listener owns its own slot: it lives until `dispose()` empties the slot, not
        // merely as long as the JS subscription object.
        let _registered = &keep_alive;
        let view = TrackView::new(&event);
        if let Err(thrown) = callback.call1(&JsValue::UNDEFINED, &view) {
            report(&thrown);
        }
    });
    slot.set(Some(listener));
    let subscription = JsValue::from(TrackSubscription { slot });
    route_symbol_dispose(&subscription);
    Ok(subscription)
}

/// Reports an exception thrown by a page callback like an event listener's uncaught one
/// (`reportError`), or with `console.error` in browsers without `reportError`.
pub(crate) fn report(thrown: &JsValue) {
    if sys::report_error(thrown).is_err() {
        web_sys::console::error_1(thrown);
    }
}

/// Points the prototype's `[Symbol.dispose]` of a `TrackSubscription` or `Negotiation` at its
/// `dispose` (wasm-bindgen points it at `free`, which releases only the handle), so `using`
/// stops it. No-op where the
/// browser has no `Symbol.dispose`.
pub(crate) fn route_symbol_dispose(instance: &JsValue) {
    let symbol = JsValue::from(js_sys::Symbol::dispose());
    if !symbol.is_symbol() {
        return;
    }
    let prototype = Object::get_prototype_of(instance);
    if let Ok(dispose) = Reflect::get(&prototype, &JsValue::from_str("dispose")) {
        let _ = Reflect::set(&prototype, &symbol, &dispose);
    }
}

// The JavaScript `TrackSubscription` class, declared with its methods and their documentation
// in `track_subscription.d.ts`.
#[doc(hidden)]
#[wasm_bindgen(skip_typescript)]
pub struct TrackSubscription {
    /// A `Cell`, not a `RefCell`: taking the listener out can never fail, even re-entrantly.
    slot: Rc<Cell<Option<Listener>>>,
}

#[wasm_bindgen]
impl TrackSubscription {
    #[wasm_bindgen(skip_jsdoc)]
    pub fn dispose(&self) {
        drop(self.slot.take());
    }

    #[wasm_bindgen(getter, skip_jsdoc)]
    pub fn active(&self) -> bool {
        let listener = self.slot.take();
        let active = listener.is_some();
        self.slot.set(listener);
        active
    }
}

impl fmt::Debug for TrackSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackSubscription")
            .field("active", &self.active())
            .finish()
    }
}
