//! `onTrack` and `TrackSubscription`: subscribe a JavaScript callback to the `track` events of
//! any `RTCPeerConnection`, and release it with `dispose()` (or `using`).

use core::cell::Cell;
use core::fmt;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use super::track_view::TrackView;
use crate::{sys, Listener, PeerConnection};

/// Calls `callback` with a `TrackView` for every `track` event of `pc`, until the returned
/// subscription is disposed.
///
/// The listener is added with `addEventListener`, so it coexists with the page's own
/// `ontrack` and other listeners. It stays registered until `dispose()` (or the end of a
/// `using` block), whether or not the page keeps the subscription object: garbage collection
/// never removes it behind the page's back. The `track` event fires *inside*
/// `setRemoteDescription`, before its promise resolves: subscribe before applying the remote
/// description. An exception thrown by `callback` is reported like any event listener's
/// (`reportError`) and does not stop later events.
///
/// JavaScript:
///
/// ```js
/// import init, { onTrack } from "rtc-peer";
/// await init();
/// const subscription = onTrack(pc, ({ track, firstStream }) => {
///   if (firstStream) video.srcObject = firstStream;
/// });
/// // when the call ends
/// subscription.dispose();
/// ```
///
/// # Errors
///
/// Throws a `TypeError` when `pc` is not an `RTCPeerConnection` or `callback` is not a
/// function.
///
/// See [MDN: track event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event).
#[wasm_bindgen(js_name = onTrack, unchecked_return_type = "TrackSubscription")]
pub fn on_track(
    #[wasm_bindgen(unchecked_param_type = "RTCPeerConnection")] pc: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TrackCallback")] callback: JsValue,
) -> Result<JsValue, JsValue> {
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

/// A subscription returned by `onTrack`: keeps the `track` listener registered until
/// `dispose()`.
///
/// `dispose()` removes the listener and frees its closure (no event is delivered after it
/// returns, even one already being dispatched to other listeners); it may be called any number
/// of times, also from inside the callback. `[Symbol.dispose]()` is `dispose()`, so
/// `using subscription = onTrack(…)` disposes at the end of the block (where the browser has
/// `Symbol.dispose`). Dropping the object, or its `free()`, releases only this handle: the
/// listener stays until `dispose()`.
#[wasm_bindgen]
pub struct TrackSubscription {
    /// A `Cell`, not a `RefCell`: taking the listener out can never fail, even re-entrantly.
    slot: Rc<Cell<Option<Listener>>>,
}

#[wasm_bindgen]
impl TrackSubscription {
    /// Stops delivery: removes the `track` listener and frees its closure. Idempotent.
    pub fn dispose(&self) {
        drop(self.slot.take());
    }

    /// `true` until `dispose()` is called.
    #[wasm_bindgen(getter)]
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
