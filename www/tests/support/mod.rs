//! What the demo's browser tests need: bounded waits, a canvas video source, elements in the
//! page, and the page probe (`src/testing/probe.js` of the repository: the browser's own
//! listener registrations, raw connection states and live local tracks).
//!
//! Every wait here has a deadline and panics with a message naming what it waited for.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, Document, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamTrack, Window,
};

/// The page probe, imported before any test runs (importing it installs it).
pub mod probe {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/../src/testing/probe.js")]
    extern "C" {
        /// Live listener registrations on every WebRTC and media object of the page.
        #[wasm_bindgen(js_name = listeners)]
        pub fn all_listeners() -> u32;
        /// Their event types, for failure messages.
        #[wasm_bindgen(js_name = listener_types)]
        pub fn all_listener_types() -> String;
        /// Registrations ever added since the probe was installed.
        pub fn added_total() -> u32;
        /// `RTCPeerConnection`s of the page whose raw `signalingState` is not `"closed"`.
        pub fn open_connections() -> u32;
        /// Raw `signalingState/connectionState` of every connection, for failure messages.
        pub fn connection_states() -> String;
        /// Forgets the connections recorded so far.
        pub fn forget_connections();
        /// Local tracks the page made that are still `live`.
        pub fn live_local_tracks() -> u32;
        /// Console errors and uncaught exceptions since the last call.
        pub fn take_errors() -> String;
    }
}

pub fn window() -> Window {
    web_sys::window().expect("a window")
}

pub fn document() -> Document {
    window().document().expect("a document")
}

/// Resolves after `ms` milliseconds (a `setTimeout`), letting the browser run its tasks.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("a timer cannot fail");
}

/// Polls `condition` every 20 ms until it holds; panics after `timeout_ms` with `what`.
pub async fn wait_until(timeout_ms: u32, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = js_sys::Date::now() + f64::from(timeout_ms);
    loop {
        if condition() {
            return;
        }
        if js_sys::Date::now() > deadline {
            panic!("timed out after {timeout_ms} ms waiting for: {what}");
        }
        sleep(20).await;
    }
}

/// Awaits `future`, or panics naming `what` after `timeout_ms`.
pub async fn within<F: std::future::Future>(timeout_ms: u32, what: &str, future: F) -> F::Output {
    use futures_util::future::{select, Either};
    let future = Box::pin(future);
    let timer = Box::pin(sleep(timeout_ms as i32));
    match select(future, timer).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out after {timeout_ms} ms waiting for: {what}"),
    }
}

/// A `<canvas>` drawn on every 30 ms and its `captureStream()` video track. The timer stops on
/// drop; the track is stopped too.
pub struct CanvasSource {
    pub canvas: HtmlCanvasElement,
    pub stream: MediaStream,
    pub track: MediaStreamTrack,
    interval: i32,
    _tick: Closure<dyn FnMut()>,
}

impl CanvasSource {
    /// A 320×240 canvas, attached to the page, drawing from now on.
    pub fn new() -> CanvasSource {
        let canvas: HtmlCanvasElement = document()
            .create_element("canvas")
            .expect("create canvas")
            .dyn_into()
            .expect("a canvas element");
        canvas.set_width(320);
        canvas.set_height(240);
        document()
            .body()
            .expect("a body")
            .append_child(&canvas)
            .expect("append canvas");
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .expect("getContext")
            .expect("a 2d context")
            .dyn_into()
            .expect("a CanvasRenderingContext2d");
        let frame = Rc::new(Cell::new(0u32));
        let draw = move || {
            let n = frame.get().wrapping_add(1);
            frame.set(n);
            context.set_fill_style_str(if n % 2 == 0 { "navy" } else { "teal" });
            context.fill_rect(0.0, 0.0, 320.0, 240.0);
            context.set_fill_style_str("white");
            context.fill_rect(f64::from(n % 280), 100.0, 40.0, 40.0);
        };
        draw();
        let tick = Closure::<dyn FnMut()>::new(draw);
        let interval = window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                30,
            )
            .expect("setInterval");
        let stream = canvas.capture_stream().expect("captureStream");
        let track: MediaStreamTrack = stream
            .get_video_tracks()
            .get(0)
            .dyn_into()
            .expect("a video track from captureStream");
        CanvasSource {
            canvas,
            stream,
            track,
            interval,
            _tick: tick,
        }
    }
}

impl Drop for CanvasSource {
    fn drop(&mut self) {
        window().clear_interval_with_handle(self.interval);
        self.track.stop();
        self.canvas.remove();
    }
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
