//! The page the kit works in: its window, document and body, as `TestFailure`s when absent.

use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement, Window};

use super::TestFailure;

/// The page's `window`.
pub(crate) fn window() -> Result<Window, TestFailure> {
    web_sys::window().ok_or_else(|| TestFailure::new("no window: the kit runs in a page"))
}

/// The page's `document`.
pub(crate) fn document() -> Result<Document, TestFailure> {
    window()?
        .document()
        .ok_or_else(|| TestFailure::new("the window has no document"))
}

/// The page's `<body>`.
pub(crate) fn body() -> Result<HtmlElement, TestFailure> {
    document()?
        .body()
        .ok_or_else(|| TestFailure::new("the document has no <body>"))
}

/// A new element `tag` of type `T` (not attached).
pub(crate) fn create<T: JsCast>(tag: &str) -> Result<T, TestFailure> {
    document()?
        .create_element(tag)
        .map_err(|e| js_failure(&format!("createElement({tag})"), &e))?
        .dyn_into::<T>()
        .map_err(|_| TestFailure::new(format!("<{tag}> is not the expected element type")))
}

/// A failure naming `what` and the thrown JS value.
pub(crate) fn js_failure(what: &str, thrown: &wasm_bindgen::JsValue) -> TestFailure {
    TestFailure::new(format!(
        "{what} threw: {}",
        crate::Error::from(thrown.clone())
    ))
}
