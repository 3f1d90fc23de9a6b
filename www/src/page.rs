//! What the call uses of the page beyond `web-sys`: the element types it checks, the console,
//! calling the page's callbacks, plain JS objects, and handles to JS objects.

use js_sys::{Function, Object, Reflect};
use rtc_peer::Error;
use wasm_bindgen::prelude::*;
use web_sys::{MediaStream, MediaStreamTrack};

/// Another handle to the same JS object. `MediaStream::clone()` and `MediaStreamTrack::clone()`
/// would call the JS `clone()` (new tracks!), which shadows `Clone::clone`; this never does.
pub(crate) trait CloneRef: Clone {
    fn clone_ref(this: &Self) -> Self {
        Clone::clone(this)
    }
}

impl CloneRef for MediaStream {}
impl CloneRef for MediaStreamTrack {}

#[wasm_bindgen]
extern "C" {
    /// `HTMLButtonElement`, for the hang-up button (checked with `instanceof`).
    #[wasm_bindgen(js_name = HTMLButtonElement, typescript_type = "HTMLButtonElement")]
    #[derive(Debug, Clone)]
    pub(crate) type Button;

    #[wasm_bindgen(method, setter = disabled)]
    pub(crate) fn set_disabled(this: &Button, disabled: bool);

    /// `HTMLVideoElement` (checked with `instanceof`).
    #[wasm_bindgen(js_name = HTMLVideoElement)]
    #[derive(Debug, Clone)]
    pub(crate) type Video;

    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub(crate) fn console_warn(message: &str);
}

/// Calls a page callback; an exception there is reported, never propagated into the call.
pub(crate) fn notify(callback: Option<Function>, args: &[JsValue]) {
    let Some(callback) = callback else { return };
    let result = match args {
        [] => callback.call0(&JsValue::NULL),
        [a] => callback.call1(&JsValue::NULL, a),
        [a, b, ..] => callback.call2(&JsValue::NULL, a, b),
    };
    if let Err(err) = result {
        let err = Error::from(err);
        console_warn(&["Call: a callback threw: ", err.name(), ": ", err.message()].concat());
    }
}

/// Sets a property on a plain object of our own (which cannot fail).
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
