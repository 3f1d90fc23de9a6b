//! The errors `Call` throws or rejects with: a `TypeError` for a wrong argument, an
//! `InvalidStateError` when the call is busy or was hung up while starting.

use rtc_peer::Error;
use wasm_bindgen::JsValue;

/// A JS `TypeError` with `message`.
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// A call is in progress (or the state is in use): hang up first.
pub(crate) fn busy_error() -> JsValue {
    Error::from_name(
        "InvalidStateError",
        "A call is already in progress; hang up first.",
    )
    .into()
}

/// The call a step belongs to has ended.
pub(crate) fn closed_error() -> Error {
    Error::from_name(
        "InvalidStateError",
        "The call was hung up while it was starting.",
    )
}
