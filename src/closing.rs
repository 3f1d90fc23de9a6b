//! Completing a connection's pending operations when it is closed.
//!
//! The WebRTC specification leaves the promise of a `createOffer`, `createAnswer`,
//! `setLocalDescription`, `setRemoteDescription`, `addIceCandidate` or `getStats` call that is
//! pending at `close()` unsettled *forever*. Awaiting such a promise directly keeps the Rust
//! future, its waker and everything it captured alive for the life of the page.
//!
//! So [`settle`] races each operation's promise (`Promise.race`) against a cancel promise of
//! its own, whose reject function is kept, per connection, in a JS `Set` found through a
//! `WeakMap` keyed by the `RTCPeerConnection` object itself: every handle to the same JS object
//! (clones, and `PeerConnection::from(raw)`) shares it, and nothing is added to the user's
//! object. [`close`] rejects every cancel promise of the connection with a marker object. An
//! operation that completes removes its reject function, so a long-lived connection keeps one
//! empty `Set` and accumulates nothing; one whose future is dropped unfinished also rejects its
//! cancel promise, so the raced promise always settles: `JsFuture` keeps its callbacks and the
//! task's waker alive until its promise settles, even after the future is dropped, so no
//! promise left pending by the browser may be awaited directly.
//!
//! This runs for every operation, so it stays lean (figure 3 of `cargo xtask bench`): the
//! cancel promise rejects rather than resolves, so the marker is looked for only on the error
//! path; the `Set` is kept for the life of the connection rather than made and dropped per
//! operation; and a closed connection needs no check, as the browser then settles every
//! operation at once by itself (Chromium and Firefox reject with their own
//! `InvalidStateError`, except `getStats`, which resolves with the final statistics).

use js_sys::{Array, Function, Object, Promise, Set};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::deferred::deferred;
use crate::on_settled::on_settled;
use crate::{sys, Error};

thread_local! {
    /// `RTCPeerConnection` → `Set` of the reject functions of its pending operations.
    static PENDING: Registry = Registry::new();
    /// What a cancel promise rejects with: an object no browser operation gives.
    static CLOSED: Object = Object::new();
}

#[wasm_bindgen]
extern "C" {
    /// A `WeakMap` from connections to their `Set`s, typed so a lookup is one call.
    #[wasm_bindgen(js_name = WeakMap)]
    type Registry;
    #[wasm_bindgen(constructor, js_class = WeakMap)]
    fn new() -> Registry;
    #[wasm_bindgen(method, js_class = WeakMap, js_name = get)]
    fn set_of(this: &Registry, pc: &sys::Pc) -> Option<Set>;
    #[wasm_bindgen(method, js_class = WeakMap, js_name = set)]
    fn insert(this: &Registry, pc: &sys::Pc, set: &Set);
    #[wasm_bindgen(method, js_class = WeakMap, js_name = delete)]
    fn remove(this: &Registry, pc: &sys::Pc);
}

/// Awaits the promise of `operation` (its JS name, for the error message) on `pc`, turning a
/// synchronous throw or a rejection into `Error`, and ending with [`Error::InvalidState`] as
/// soon as [`close`] is called on the connection.
pub(crate) async fn settle(
    pc: &sys::Pc,
    operation: &str,
    call: Result<Promise, JsValue>,
) -> Result<JsValue, Error> {
    let (raced, pending) = race(pc, call?);
    let outcome = JsFuture::from(raced).await;
    outcome_of(operation, pending, outcome)
}

/// [`settle`] with a callback instead of a future: calls `done` once with the outcome (at once
/// when the call threw), with no futures executor.
///
/// The race's two callbacks hold `done` and the pending registration; the race always settles
/// (the operation completes, or [`close`] rejects it), and the browser frees them with it.
pub(crate) fn settle_then(
    pc: &sys::Pc,
    operation: &'static str,
    call: Result<Promise, JsValue>,
    done: Box<dyn FnOnce(Result<JsValue, Error>)>,
) {
    let (raced, pending) = match call {
        Ok(promise) => race(pc, promise),
        Err(thrown) => return done(Err(thrown.into())),
    };
    on_settled(
        Ok(raced),
        Box::new(move |outcome| done(outcome_of(operation, pending, outcome))),
    );
}

/// `promise` raced against a new cancel promise registered with `pc`'s pending operations.
fn race(pc: &sys::Pc, promise: Promise) -> (Promise, Option<Pending>) {
    match deferred() {
        (cancel, Some(settle)) => (
            Promise::race(&Array::of2(&promise, &cancel)),
            Some(Pending::register(pc, settle.into_reject())),
        ),
        // Not reached (see `deferred`).
        (_, None) => (promise, None),
    }
}

/// The race's outcome as the operation's: the cancel marker becomes [`Error::InvalidState`].
/// The race has settled, so its registration is removed with nothing left to cancel.
fn outcome_of(
    operation: &str,
    pending: Option<Pending>,
    outcome: Result<JsValue, JsValue>,
) -> Result<JsValue, Error> {
    if let Some(mut pending) = pending {
        pending.settled = true;
    }
    match outcome {
        Ok(value) => Ok(value),
        Err(reason) if CLOSED.with(|marker| Object::is(&reason, marker)) => {
            let message = crate::text::join(&[
                "The RTCPeerConnection was closed while ",
                operation,
                " was pending.",
            ]);
            Err(Error::InvalidState { message })
        }
        Err(reason) => Err(reason.into()),
    }
}

/// Closes `pc` (the browser's `close()`), then completes every operation pending on it.
pub(crate) fn close(pc: &sys::Pc) {
    sys::Pc::close(pc);
    let set = PENDING.with(|map| {
        let set = map.set_of(pc);
        map.remove(pc);
        set
    });
    if let Some(set) = set {
        set.for_each(&mut |reject, _, _| cancel(reject.unchecked_ref()));
        set.clear();
    }
}

/// Rejects a cancel promise with the marker, through its reject function.
fn cancel(reject: &Function) {
    CLOSED.with(|marker| {
        let _ = reject.call1(&JsValue::UNDEFINED, marker);
    });
}

/// One pending operation's reject function, registered with its connection until drop. A
/// future dropped before its operation settled rejects it, so the race settles anyway.
struct Pending {
    set: Set,
    reject: Function,
    /// The race has settled: nothing is left to cancel.
    settled: bool,
}

impl Pending {
    fn register(pc: &sys::Pc, reject: Function) -> Pending {
        let set = PENDING.with(|map| match map.set_of(pc) {
            Some(set) => set,
            None => {
                let set = Set::new(&JsValue::UNDEFINED);
                map.insert(pc, &set);
                set
            }
        });
        set.add(&reject);
        Pending {
            set,
            reject,
            settled: false,
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.settled {
            cancel(&self.reject);
        }
        self.set.delete(&self.reject);
    }
}
