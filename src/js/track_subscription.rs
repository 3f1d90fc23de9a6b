//! `onTrack` and `TrackSubscription`: subscribe a JavaScript callback to the `track` events of
//! any `RTCPeerConnection`, and release it with `dispose()` (or `using`).

use core::cell::Cell;
use core::fmt;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use super::track_view::TrackView;
use crate::{Listener, PeerConnection};

#[wasm_bindgen]
extern "C" {
    /// `globalThis.reportError`: reports an exception the way an event listener's uncaught
    /// exception is reported (a `window` `error` event, then the console).
    #[wasm_bindgen(catch, js_name = reportError)]
    fn report_error(error: &JsValue) -> Result<(), JsValue>;

    /// `console.error`, for browsers without `reportError`.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(error: &JsValue);
}

/// Calls `callback` with a `TrackView` for every `track` event of `pc`, until the returned
/// subscription is disposed.
///
/// The listener is added with `addEventListener`, so it coexists with the page's own
/// `ontrack` and other listeners. The `track` event fires *inside* `setRemoteDescription`,
/// before its promise resolves: subscribe before applying the remote description. An
/// exception thrown by `callback` is reported like any event listener's (`reportError`) and
/// does not stop later events.
///
/// JavaScript:
///
/// ```js
/// import init, { onTrack } from "rtc-peer";
/// await init();
/// const subscription = onTrack(pc, ({ track, firstStream }) => {
///   if (firstStream) video.srcObject = firstStream;
/// });
/// // later
/// subscription.dispose();
/// ```
///
/// # Errors
///
/// Throws a `TypeError` when `pc` is not an `RTCPeerConnection` or `callback` is not a
/// function.
///
/// See [MDN: track event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event).
#[wasm_bindgen(js_name = onTrack)]
pub fn on_track(
    #[wasm_bindgen(unchecked_param_type = "RTCPeerConnection")] pc: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TrackCallback")] callback: JsValue,
) -> Result<TrackSubscription, JsValue> {
    let pc: RtcPeerConnection = pc.dyn_into().map_err(|_| {
        js_sys::TypeError::new("onTrack: the first argument must be an RTCPeerConnection.")
    })?;
    let callback: Function = callback
        .dyn_into()
        .map_err(|_| js_sys::TypeError::new("onTrack: the second argument must be a function."))?;
    let listener = PeerConnection::from(pc).on_track(move |event| {
        let view = TrackView::new(&event);
        if let Err(thrown) = callback.call1(&JsValue::UNDEFINED, &view) {
            if report_error(&thrown).is_err() {
                console_error(&thrown);
            }
        }
    });
    Ok(TrackSubscription {
        listener: Cell::new(Some(listener)),
    })
}

/// A subscription returned by `onTrack`: the registered listener and its Rust
/// closure, released by `dispose()`.
///
/// `dispose()` removes the listener (no event is delivered after it returns, even one already
/// being dispatched to other listeners) and may be called any number of times, also from
/// inside the callback. `[Symbol.dispose]()` (where the browser has `Symbol.dispose`, so
/// `using subscription = onTrack(…)` works) and `free()` release the subscription object
/// itself, and with it the listener.
#[wasm_bindgen]
pub struct TrackSubscription {
    /// A `Cell`, not a `RefCell`: taking the listener out can never fail, even re-entrantly.
    listener: Cell<Option<Listener>>,
}

#[wasm_bindgen]
impl TrackSubscription {
    /// Stops delivery: removes the `track` listener and frees its closure. Idempotent.
    pub fn dispose(&self) {
        drop(self.listener.take());
    }

    /// `true` until `dispose()` is called.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        let listener = self.listener.take();
        let active = listener.is_some();
        self.listener.set(listener);
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
