//! What the demo's browser tests share: a thin layer over rtc-peer's test kit
//! (`rtc_peer::testing`, the `testing` feature) for the page elements a `Call` is bound to.

use wasm_bindgen::prelude::*;
use web_sys::{Document, HtmlVideoElement};

pub use rtc_peer::testing::{probe, sleep, wait_until, within, CanvasSource, Colour};

/// The test page's document.
pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// A muted, autoplaying `<video>` attached to the page (removed by the caller when done).
pub fn muted_video() -> HtmlVideoElement {
    let video: HtmlVideoElement = document()
        .create_element("video")
        .expect("create video")
        .dyn_into()
        .expect("a video element");
    video.set_muted(true);
    video.set_autoplay(true);
    document()
        .body()
        .expect("a body")
        .append_child(&video)
        .expect("append video");
    video
}

/// A canvas source of one colour (320 × 240).
pub fn canvas(r: u8, g: u8, b: u8) -> CanvasSource {
    CanvasSource::new(320, 240, Colour::rgb(r, g, b)).expect("a canvas source")
}
