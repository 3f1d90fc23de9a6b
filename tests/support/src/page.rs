//! The test page: which engine runs it, its console, elements the suites make, shared
//! records of what callbacks saw.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlVideoElement, MediaStream, Window};

/// The text wasm-bindgen throws when a freed (or re-entered) closure is called.
pub const CLOSURE_ERROR: &str = "closure invoked recursively or after being dropped";

#[wasm_bindgen(inline_js = r#"
export function capture_start() {
  const log = [];
  const orig = { error: console.error, warn: console.warn };
  const text = (a) => {
    try {
      if (a instanceof Error || (a && typeof a === 'object' && 'message' in a)) {
        return String(a.name) + ': ' + String(a.message);
      }
      return String(a);
    } catch (e) { return '<unprintable>'; }
  };
  const wrap = (kind) => function (...args) {
    log.push(kind + ': ' + args.map(text).join(' '));
    return orig[kind].apply(console, args);
  };
  console.error = wrap('error');
  console.warn = wrap('warn');
  const onError = (e) => {
    log.push('uncaught: ' + (e.error ? text(e.error) : String(e.message)));
  };
  const onRejection = (e) => { log.push('unhandledrejection: ' + text(e.reason)); };
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  return {
    lines() { return log.slice(); },
    stop() {
      console.error = orig.error;
      console.warn = orig.warn;
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    },
  };
}

export function user_agent() { return navigator.userAgent; }

export function record_removals(target) {
  const removed = [];
  const orig = target.removeEventListener;
  target.removeEventListener = function (type, ...rest) {
    removed.push(type);
    return orig.call(this, type, ...rest);
  };
  return removed;
}
"#)]
extern "C" {
    type JsCapture;

    fn capture_start() -> JsCapture;

    #[wasm_bindgen(method)]
    fn lines(this: &JsCapture) -> Array;

    #[wasm_bindgen(method)]
    fn stop(this: &JsCapture);

    fn user_agent() -> String;

    /// Wraps `target.removeEventListener` (on the instance only) so that each call records its
    /// event type in the returned array, then calls the browser's own method.
    pub fn record_removals(target: &JsValue) -> Array;
}

/// Records what the page writes with `console.error` / `console.warn` and every uncaught error
/// or unhandled rejection, from `start()` until drop.
pub struct ConsoleCapture {
    inner: JsCapture,
}

impl ConsoleCapture {
    /// Starts recording.
    pub fn start() -> Self {
        ConsoleCapture {
            inner: capture_start(),
        }
    }

    /// Everything recorded so far, one line per call or error.
    pub fn lines(&self) -> Vec<String> {
        self.inner
            .lines()
            .iter()
            .map(|v| v.as_string().unwrap_or_default())
            .collect()
    }

    /// Panics when anything recorded mentions the wasm-bindgen freed-closure error.
    pub fn assert_no_closure_error(&self) {
        let bad: Vec<String> = self
            .lines()
            .into_iter()
            .filter(|l| l.contains(CLOSURE_ERROR))
            .collect();
        assert!(
            bad.is_empty(),
            "the page logged the freed-closure error: {bad:?}"
        );
    }
}

impl Drop for ConsoleCapture {
    fn drop(&mut self) {
        self.inner.stop();
    }
}

/// Which engine runs the tests, from `navigator.userAgent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Firefox (Gecko).
    Firefox,
    /// Chromium (Blink).
    Chromium,
}

/// `"firefox"` or `"chromium"`, for notes and messages.
pub fn browser() -> &'static str {
    match engine() {
        Engine::Firefox => "firefox",
        Engine::Chromium => "chromium",
    }
}

/// The engine running this page.
pub fn engine() -> Engine {
    if user_agent().contains("Firefox/") {
        Engine::Firefox
    } else {
        Engine::Chromium
    }
}

pub fn window() -> Window {
    web_sys::window().expect("a window")
}

pub fn document() -> Document {
    window().document().expect("a document")
}

/// `Object.is(a, b)`: the same JS object (never compare by id).
pub fn same(a: &impl AsRef<JsValue>, b: &impl AsRef<JsValue>) -> bool {
    js_sys::Object::is(a.as_ref(), b.as_ref())
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

/// Prints one line to the test output (the console, shown with `--nocapture`).
pub fn log(line: &str) {
    web_sys::console::log_1(&line.into());
}

/// The wasm module's linear memory, in bytes.
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    f64::from(buffer.byte_length())
}

/// A fresh, empty local `MediaStream`.
pub fn new_stream() -> MediaStream {
    MediaStream::new().expect("new MediaStream()")
}

/// Shared, growable record of what callbacks saw.
pub type Seen<T> = Rc<RefCell<Vec<T>>>;

/// An empty [`Seen`].
pub fn seen<T>() -> Seen<T> {
    Rc::new(RefCell::new(Vec::new()))
}

/// A 320×240 [`CanvasSource`](rtc_peer::testing::CanvasSource) of the suites' colour (panics
/// with the reason if the page cannot make one).
pub fn canvas() -> rtc_peer::testing::CanvasSource {
    rtc_peer::testing::CanvasSource::new(320, 240, SUITE_COLOUR).expect("a canvas source")
}

/// The colour of [`canvas`]'s frames.
pub const SUITE_COLOUR: rtc_peer::testing::Colour = rtc_peer::testing::Colour::rgb(40, 64, 200);
