//! [`on_settled`]: a callback on a browser promise, with no future and no executor.

use core::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::sys;

/// What runs once a promise settles: `Ok` with its value, `Err` with its reason.
pub(crate) type Settled = Box<dyn FnOnce(Result<JsValue, JsValue>)>;

/// Calls `done` once the promise of `call` settles, or at once with `Err` when the call threw.
///
/// The two callbacks belong to the promise: once it has settled (or been collected unsettled,
/// for example with a closed connection), the browser collects them and their Rust memory is
/// freed, `done` with them; nothing is leaked and nothing waits forever in Rust.
pub(crate) fn on_settled(call: Result<Promise, JsValue>, done: Settled) {
    let promise = match call {
        Ok(promise) => promise,
        Err(thrown) => return done(Err(thrown)),
    };
    let fulfilled = Rc::new(Cell::new(Some(done)));
    let rejected = Rc::clone(&fulfilled);
    let on_fulfilled = Closure::wrap(
        Box::new(move |value: JsValue| finish(&fulfilled, Ok(value))) as Box<dyn Fn(JsValue)>,
    );
    let on_rejected = Closure::wrap(
        Box::new(move |reason: JsValue| finish(&rejected, Err(reason))) as Box<dyn Fn(JsValue)>,
    );
    promise
        .unchecked_ref::<sys::Thenable>()
        .then(&on_fulfilled.into_js_value(), &on_rejected.into_js_value());
}

fn finish(done: &Cell<Option<Settled>>, result: Result<JsValue, JsValue>) {
    if let Some(done) = done.take() {
        done(result);
    }
}
