//! Shared helpers for the wasm-bindgen-test suites: a loopback pair of connections in one page
//! (candidates passed directly), a full offer/answer, bounded waits, a canvas video source and
//! a capture of `console.error` / `console.warn` / uncaught errors.
//!
//! Every wait here has a deadline and panics with a message naming what it waited for.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Promise};
use rtc_peer::{Listener, PeerConnection, SessionDescription};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    CanvasRenderingContext2d, Document, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamTrack, RtcIceCandidate, Window,
};

/// The text wasm-bindgen throws when a freed (or re-entered) closure is called.
pub const CLOSURE_ERROR: &str = "closure invoked recursively or after being dropped";

/// The default bound of the waits in these suites, in milliseconds.
pub const WAIT_MS: u32 = 10_000;

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

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
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
    let deadline = now_ms() + f64::from(timeout_ms);
    loop {
        if condition() {
            return;
        }
        if now_ms() > deadline {
            panic!("timed out after {timeout_ms} ms waiting for: {what}");
        }
        sleep(20).await;
    }
}

/// Awaits `future`, or panics naming `what` after `timeout_ms` (for browser promises, which
/// should settle but must not hang a suite if one never does).
pub async fn within<F: std::future::Future>(timeout_ms: u32, what: &str, future: F) -> F::Output {
    use futures_util::future::{select, Either};
    let future = Box::pin(future);
    let timer = Box::pin(sleep(timeout_ms as i32));
    match select(future, timer).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out after {timeout_ms} ms waiting for: {what}"),
    }
}

/// `Object.is(a, b)`: the same JS object (never compare by id).
pub fn same(a: &impl AsRef<JsValue>, b: &impl AsRef<JsValue>) -> bool {
    js_sys::Object::is(a.as_ref(), b.as_ref())
}

/// Two connections in one page with each one's ICE candidates handed straight to the other.
/// Both are closed on drop.
pub struct Pair {
    /// The offerer.
    pub a: PeerConnection,
    /// The answerer.
    pub b: PeerConnection,
    _ice: [Listener; 2],
}

impl Pair {
    /// Two fresh connections (default configuration) wired for trickle ICE.
    pub fn new() -> Pair {
        let a = PeerConnection::new().expect("a PeerConnection");
        let b = PeerConnection::new().expect("a PeerConnection");
        let ice = [forward_candidates(&a, &b), forward_candidates(&b, &a)];
        Pair { a, b, _ice: ice }
    }

    /// One full offer (from `a`) / answer (from `b`) exchange.
    pub async fn negotiate(&self) {
        negotiate(&self.a, &self.b).await;
    }
}

impl Default for Pair {
    fn default() -> Self {
        Pair::new()
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.a.close();
        self.b.close();
    }
}

/// Sends every local candidate of `from` to `to` once `to` has a remote description (the
/// browser rejects candidates before that).
fn forward_candidates(from: &PeerConnection, to: &PeerConnection) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |candidate: Option<RtcIceCandidate>| {
        if let Some(candidate) = candidate {
            deliver_candidate(&to, candidate);
        }
    })
}

/// Adds `candidate` to `to` once `to` has a remote description (waiting at most
/// [`WAIT_MS`]); the empty end-of-candidates string is skipped.
pub fn deliver_candidate(to: &PeerConnection, candidate: RtcIceCandidate) {
    if candidate.candidate().is_empty() {
        return;
    }
    let to = to.clone();
    spawn_local(async move {
        let deadline = now_ms() + f64::from(WAIT_MS);
        while to.remote_description().is_none() && now_ms() < deadline {
            sleep(10).await;
        }
        if let Err(err) = to.add_ice_candidate(&candidate).await {
            // Not a failure of its own: a closed connection refuses late candidates. A test
            // that needs media fails on its own bounded wait.
            web_sys::console::log_1(&format!("candidate not added: {err}").into());
        }
    });
}

/// Offer from `offerer`, answer from `answerer`, each applied on both sides (each step
/// bounded by [`WAIT_MS`]).
pub async fn negotiate(offerer: &PeerConnection, answerer: &PeerConnection) {
    let offer = local_offer(offerer).await;
    within(
        WAIT_MS,
        "answerer set_remote_description(offer)",
        answerer.set_remote_description(&offer),
    )
    .await
    .expect("answerer set_remote_description(offer)");
    finish_answer(offerer, answerer).await;
}

/// The offer of `offerer`, applied locally, returned for the test to apply remotely.
pub async fn local_offer(offerer: &PeerConnection) -> SessionDescription {
    let offer = within(WAIT_MS, "create_offer", offerer.create_offer())
        .await
        .expect("create_offer");
    within(
        WAIT_MS,
        "offerer set_local_description",
        offerer.set_local_description(&offer),
    )
    .await
    .expect("offerer set_local_description");
    offer
}

/// The answer of `answerer` (which has the remote offer), applied locally on it and remotely on
/// `offerer`.
pub async fn finish_answer(offerer: &PeerConnection, answerer: &PeerConnection) {
    let answer = within(WAIT_MS, "create_answer", answerer.create_answer())
        .await
        .expect("create_answer");
    within(
        WAIT_MS,
        "answerer set_local_description",
        answerer.set_local_description(&answer),
    )
    .await
    .expect("answerer set_local_description");
    within(
        WAIT_MS,
        "offerer set_remote_description(answer)",
        offerer.set_remote_description(&answer),
    )
    .await
    .expect("offerer set_remote_description(answer)");
}

/// A `<canvas>` drawn on every 30 ms (a moving square on a changing background) and its
/// `captureStream()` video track. The timer stops on drop; the tracks are stopped too.
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
            let shade = n % 256;
            context.set_fill_style_str(&format!("rgb({shade}, 64, {})", 255 - shade));
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

impl Default for CanvasSource {
    fn default() -> Self {
        CanvasSource::new()
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

/// The next item of `stream`, or a panic naming `what` after `timeout_ms`.
pub async fn next_within<S>(stream: &mut S, timeout_ms: u32, what: &str) -> Option<S::Item>
where
    S: futures_util::Stream + Unpin,
{
    use futures_util::future::{select, Either};
    use futures_util::StreamExt;
    let next = stream.next();
    let timer = Box::pin(sleep(timeout_ms as i32));
    match select(next, timer).await {
        Either::Left((item, _)) => item,
        Either::Right(_) => panic!("timed out after {timeout_ms} ms waiting for: {what}"),
    }
}

/// Fires a constructed `track` event (a fresh receiving transceiver's objects, no stream) at
/// `pc`, synchronously, and returns it.
pub fn fire_track_event(pc: &PeerConnection) -> rtc_peer::TrackEvent {
    let transceiver = pc
        .add_transceiver(
            rtc_peer::MediaKind::Video,
            rtc_peer::TransceiverDirection::RecvOnly,
        )
        .expect("add_transceiver");
    let receiver = transceiver.receiver();
    let event = rtc_peer::TrackEvent::new(&receiver, &receiver.track(), &transceiver, &[])
        .expect("TrackEvent::new");
    pc.as_raw()
        .dispatch_event(event.as_raw())
        .expect("dispatchEvent");
    event
}
