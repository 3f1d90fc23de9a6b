//! Completing a connection's pending operations when it is closed.
//!
//! The WebRTC specification leaves the promise of a `createOffer`, `createAnswer`,
//! `setLocalDescription`, `setRemoteDescription`, `addIceCandidate` or `getStats` call that is
//! pending at `close()` unsettled *forever*. Awaiting such a promise directly keeps the Rust
//! future, its waker and everything it captured alive for the life of the page.
//!
//! So [`settle`] races each operation's promise (`Promise.race`) against a cancel promise of
//! its own, whose resolve function is kept, per connection, in a JS `Set` found through a
//! `WeakMap` keyed by the `RTCPeerConnection` object itself: every handle to the same JS object
//! (clones, and `PeerConnection::from(raw)`) shares it, and nothing is added to the user's
//! object. [`close`] resolves every cancel promise of the connection. An operation that
//! completes, or whose future is dropped, resolves its own cancel promise and removes its
//! resolve function, so a long-lived connection accumulates nothing, and the raced promise
//! always settles: `JsFuture` keeps its callbacks and the task's waker alive until its promise
//! settles, even after the future is dropped, so no promise left pending by the browser may be
//! awaited directly.

use js_sys::{Array, Function, Object, Promise, Set, WeakMap};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::{sys, Error};

thread_local! {
    /// `RTCPeerConnection` → `Set` of the resolve functions of its pending operations.
    static PENDING: WeakMap = WeakMap::new();
    /// What a cancel promise resolves with: an object no browser operation returns.
    static CLOSED: Object = Object::new();
}

/// Awaits the promise of `operation` (its JS name, for the error message) on `pc`, turning a
/// synchronous throw or a rejection into `Error`, and ending with [`Error::InvalidState`] as
/// soon as [`close`] is called on the connection.
///
/// On a connection that is already closed the browser's promise is awaited as it is: Chromium
/// and Firefox reject every one of these calls at once with their own `InvalidStateError`,
/// except `getStats`, which resolves with a report (the final statistics of a call).
pub(crate) async fn settle(
    pc: &sys::Pc,
    operation: &str,
    call: Result<Promise, JsValue>,
) -> Result<JsValue, Error> {
    let promise = call?;
    if is_closed(pc) {
        return Ok(JsFuture::from(promise).await?);
    }
    let mut resolve = None;
    let cancel = Promise::new(&mut |res, _rej| resolve = Some(res));
    let Some(resolve) = resolve else {
        // `new Promise` runs its executor synchronously; this is not reached.
        return Ok(JsFuture::from(promise).await?);
    };
    let _pending = Pending::register(pc, resolve);
    let value = JsFuture::from(Promise::race(&Array::of2(&promise, &cancel))).await?;
    if CLOSED.with(|marker| Object::is(&value, marker)) {
        let message = [
            "The RTCPeerConnection was closed while ",
            operation,
            " was pending.",
        ]
        .concat();
        return Err(Error::InvalidState { message });
    }
    Ok(value)
}

/// Closes `pc` (the browser's `close()`), then completes every operation pending on it.
pub(crate) fn close(pc: &sys::Pc) {
    sys::Pc::close(pc);
    let key: &Object = pc.unchecked_ref();
    let set = PENDING.with(|map| {
        let set = map.get(key);
        map.delete(key);
        set
    });
    if let Some(set) = set.dyn_ref::<Set>() {
        set.for_each(&mut |resolve, _, _| cancel(&resolve));
        set.clear();
    }
}

/// `true` once the browser's `close()` has run on `pc`, through any handle.
fn is_closed(pc: &sys::Pc) -> bool {
    // A getter that throws is taken as closed: the browser then answers calls by itself.
    sys::Pc::signaling_state(pc).map_or(true, |state| state == "closed")
}

/// Resolves a cancel promise through its resolve function.
fn cancel(resolve: &JsValue) {
    if let Some(resolve) = resolve.dyn_ref::<Function>() {
        CLOSED.with(|marker| {
            let _ = resolve.call1(&JsValue::UNDEFINED, marker);
        });
    }
}

/// One pending operation's resolve function, registered with its connection until drop, which
/// resolves it (settling the race even when the operation's future is dropped unfinished).
struct Pending {
    pc: Object,
    resolve: Function,
}

impl Pending {
    fn register(pc: &sys::Pc, resolve: Function) -> Pending {
        let pc: Object = pc.unchecked_ref::<Object>().clone();
        PENDING.with(|map| {
            let set = match map.get(&pc).dyn_into::<Set>() {
                Ok(set) => set,
                Err(_) => {
                    let set = Set::new(&JsValue::UNDEFINED);
                    map.set(&pc, &set);
                    set
                }
            };
            set.add(&resolve);
        });
        Pending { pc, resolve }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        cancel(&self.resolve);
        PENDING.with(|map| {
            if let Ok(set) = map.get(&self.pc).dyn_into::<Set>() {
                set.delete(&self.resolve);
                if set.size() == 0 {
                    map.delete(&self.pc);
                }
            }
        });
    }
}
