//! [`deferred`]: a new promise settled from Rust, with no future and no executor.

use js_sys::{Function, Promise};
#[cfg(feature = "js")]
use wasm_bindgen::JsValue;

/// The resolve and reject functions of a promise made by [`deferred`].
pub(crate) struct Settle {
    /// Called only by the JS API (feature `js`); the close race keeps the reject function alone.
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    resolve: Function,
    reject: Function,
}

impl Settle {
    /// Fulfills the promise with `value` (nothing happens once it has settled).
    #[cfg(feature = "js")]
    pub(crate) fn resolve(&self, value: &JsValue) {
        // The promise's own resolve function does not throw.
        let _ = self.resolve.call1(&JsValue::UNDEFINED, value);
    }

    /// Rejects the promise with `reason` (nothing happens once it has settled).
    #[cfg(feature = "js")]
    pub(crate) fn reject(&self, reason: &JsValue) {
        let _ = self.reject.call1(&JsValue::UNDEFINED, reason);
    }

    /// The reject function alone, for a caller that keeps it as a JS value.
    pub(crate) fn into_reject(self) -> Function {
        self.reject
    }
}

/// A new pending promise (`new Promise`) and the functions that settle it.
///
/// `new Promise` runs its executor synchronously, so the functions are always there; `None`
/// (not reached) leaves the promise pending rather than panicking.
pub(crate) fn deferred() -> (Promise, Option<Settle>) {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some(Settle { resolve, reject }));
    (promise, settle)
}
