//! This binary's own helpers: a loopback pair, offer/answer, bounded waits, canvas and camera
//! sources, the page probe's listener counts, and bitrate from `stats_report`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use js_sys::{Promise, Reflect};
use rtc_peer::{
    Configuration, Listener, MediaKind, PeerConnection, PeerConnectionState, RtcIceCandidate,
    TrackEvent,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamTrack,
};

/// The bound of most waits here, in milliseconds.
pub const WAIT_MS: u32 = 15_000;

pub use rtc_peer::testing::probe::{listener_types, listeners};

#[wasm_bindgen(inline_js = r#"
export function get_user_media(video, audio) {
  return navigator.mediaDevices.getUserMedia({ video, audio });
}
export function user_agent() { return navigator.userAgent; }
export function scribble(context, width, height) {
  for (let i = 0; i < 60; i++) {
    const r = (Math.random() * 255) | 0, g = (Math.random() * 255) | 0, b = (Math.random() * 255) | 0;
    context.fillStyle = `rgb(${r},${g},${b})`;
    context.fillRect(Math.random() * width, Math.random() * height, 8 + Math.random() * 60, 8 + Math.random() * 60);
  }
}
export function record_events(track, streams, pc, log) {
  const t0 = performance.now();
  const note = (what) => () => log.push(what + "@" + Math.round(performance.now() - t0));
  for (const type of ["mute", "unmute", "ended"]) track.addEventListener(type, note("track." + type));
  streams.forEach((s, i) => s.addEventListener("removetrack", note("stream" + i + ".removetrack")));
  pc.addEventListener("signalingstatechange", () => note("pc." + pc.signalingState)());
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn get_user_media(video: bool, audio: bool) -> Result<Promise, JsValue>;
    fn user_agent() -> String;
    fn scribble(context: &CanvasRenderingContext2d, width: u32, height: u32);
    /// Appends "<event>@<ms>" to `log` for the track's mute/unmute/ended, each stream's
    /// removetrack and the connection's signalling changes (the browser's own order).
    pub fn record_events(
        track: &MediaStreamTrack,
        streams: &js_sys::Array,
        pc: &web_sys::RtcPeerConnection,
        log: &js_sys::Array,
    );
}

/// The engine running the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

pub fn engine() -> Engine {
    if user_agent().contains("Firefox/") {
        Engine::Firefox
    } else {
        Engine::Chromium
    }
}

pub fn log(text: &str) {
    web_sys::console::log_1(&text.into());
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub async fn sleep(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("a timer");
}

/// Polls `condition` every 20 ms; panics with `what` after `timeout_ms`.
pub async fn wait_until(timeout_ms: u32, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = now_ms() + f64::from(timeout_ms);
    while !condition() {
        assert!(
            now_ms() < deadline,
            "timed out after {timeout_ms} ms waiting for: {what}"
        );
        sleep(20).await;
    }
}

/// Polls the async `condition` every 200 ms; panics with `what` after `timeout_ms`.
pub async fn wait_for<F, Fut>(timeout_ms: u32, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = now_ms() + f64::from(timeout_ms);
    while !condition().await {
        assert!(
            now_ms() < deadline,
            "timed out after {timeout_ms} ms waiting for: {what}"
        );
        sleep(200).await;
    }
}

/// Awaits `future`, or panics with `what` after `timeout_ms`.
pub async fn within<F: Future>(timeout_ms: u32, what: &str, future: F) -> F::Output {
    use futures_util::future::{select, Either};
    match select(Box::pin(future), Box::pin(sleep(timeout_ms))).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out after {timeout_ms} ms waiting for: {what}"),
    }
}

/// `Object.is`: the same JS object.
pub fn same(a: &impl AsRef<JsValue>, b: &impl AsRef<JsValue>) -> bool {
    js_sys::Object::is(a.as_ref(), b.as_ref())
}

/// Two connections in one page, candidates handed straight across; closed on drop.
pub struct Pair {
    pub a: PeerConnection,
    pub b: PeerConnection,
    /// Every `track` event `b` received, in order.
    pub b_tracks: Rc<RefCell<Vec<TrackEvent>>>,
    /// The candidate lines each side gathered (`a`'s, then `b`'s).
    pub candidates: [Rc<RefCell<Vec<String>>>; 2],
    _listeners: Vec<Listener>,
}

impl Pair {
    pub fn new() -> Pair {
        Pair::with_configuration(&Configuration::new())
    }

    pub fn with_configuration(config: &Configuration) -> Pair {
        let a = PeerConnection::with_configuration(config).expect("a PeerConnection");
        let b = PeerConnection::with_configuration(config).expect("a PeerConnection");
        let b_tracks: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
        let seen = Rc::clone(&b_tracks);
        let candidates: [Rc<RefCell<Vec<String>>>; 2] = Default::default();
        let listeners = vec![
            forward(&a, &b, Rc::clone(&candidates[0])),
            forward(&b, &a, Rc::clone(&candidates[1])),
            b.on_track(move |event| seen.borrow_mut().push(event)),
        ];
        Pair {
            a,
            b,
            b_tracks,
            candidates,
            _listeners: listeners,
        }
    }

    /// `a` offers, `b` answers.
    pub async fn negotiate(&self) {
        negotiate(&self.a, &self.b).await;
    }

    /// Waits until both ends are connected.
    pub async fn connected(&self) {
        wait_until(WAIT_MS, "both ends connected", || {
            self.a.connection_state() == PeerConnectionState::Connected
                && self.b.connection_state() == PeerConnectionState::Connected
        })
        .await;
    }

    /// The latest `track` event of `b`.
    pub fn last_track(&self) -> TrackEvent {
        self.b_tracks
            .borrow()
            .last()
            .cloned()
            .expect("b received a track event")
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.a.close();
        self.b.close();
    }
}

fn forward(
    from: &PeerConnection,
    to: &PeerConnection,
    record: Rc<RefCell<Vec<String>>>,
) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |candidate: Option<RtcIceCandidate>| {
        let Some(candidate) = candidate.filter(|c| !c.candidate().is_empty()) else {
            return;
        };
        record.borrow_mut().push(candidate.candidate());
        let to = to.clone();
        spawn_local(async move {
            let deadline = now_ms() + f64::from(WAIT_MS);
            while to.remote_description().is_none() && now_ms() < deadline {
                sleep(10).await;
            }
            if let Err(err) = to.add_ice_candidate(&candidate).await {
                log(&format!("candidate not added: {err}"));
            }
        });
    })
}

/// An offer from `offerer`, answered by `answerer`, each step bounded.
pub async fn negotiate(offerer: &PeerConnection, answerer: &PeerConnection) {
    let offer = within(WAIT_MS, "create_offer", offerer.create_offer())
        .await
        .expect("create_offer");
    within(
        WAIT_MS,
        "offerer SLD",
        offerer.set_local_description(&offer),
    )
    .await
    .expect("offerer set_local_description");
    within(
        WAIT_MS,
        "answerer SRD",
        answerer.set_remote_description(&offer),
    )
    .await
    .expect("answerer set_remote_description");
    let answer = within(WAIT_MS, "create_answer", answerer.create_answer())
        .await
        .expect("create_answer");
    within(
        WAIT_MS,
        "answerer SLD",
        answerer.set_local_description(&answer),
    )
    .await
    .expect("answerer set_local_description");
    within(
        WAIT_MS,
        "offerer SRD",
        offerer.set_remote_description(&answer),
    )
    .await
    .expect("offerer set_remote_description");
}

/// A canvas of a given size drawn every 30 ms and its `captureStream()` track; `busy` draws
/// 60 random rectangles per frame (hard to compress: the encoder needs its full bitrate).
/// Stops its timer and track on drop.
pub struct CanvasSource {
    pub canvas: HtmlCanvasElement,
    pub stream: MediaStream,
    pub track: MediaStreamTrack,
    pub width: u32,
    pub height: u32,
    interval: i32,
    _tick: Closure<dyn FnMut()>,
}

impl CanvasSource {
    pub fn new(width: u32, height: u32, busy: bool) -> CanvasSource {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("a document");
        let canvas: HtmlCanvasElement = document
            .create_element("canvas")
            .expect("create canvas")
            .dyn_into()
            .expect("a canvas");
        canvas.set_width(width);
        canvas.set_height(height);
        document
            .body()
            .expect("a body")
            .append_child(&canvas)
            .expect("append");
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .expect("getContext")
            .expect("a 2d context")
            .dyn_into()
            .expect("a 2d context");
        let frame = Rc::new(Cell::new(0u32));
        let draw = move || {
            let n = frame.get().wrapping_add(1);
            frame.set(n);
            context.set_fill_style_str(&format!("rgb({}, 64, {})", n % 256, 255 - n % 256));
            context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
            if busy {
                scribble(&context, width, height);
            }
            context.set_fill_style_str("white");
            context.fill_rect(
                f64::from(n % width.max(1)),
                f64::from(height / 2),
                40.0,
                40.0,
            );
        };
        draw();
        let tick = Closure::<dyn FnMut()>::new(draw);
        let interval = web_sys::window()
            .expect("a window")
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
            .expect("a canvas track");
        CanvasSource {
            canvas,
            stream,
            track,
            width,
            height,
            interval,
            _tick: tick,
        }
    }
}

impl Drop for CanvasSource {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.interval);
        }
        self.track.stop();
        self.canvas.remove();
    }
}

/// A `getUserMedia` stream (the browsers' fake devices in these runs).
pub async fn user_media(video: bool, audio: bool) -> MediaStream {
    let promise = get_user_media(video, audio).expect("getUserMedia");
    within(WAIT_MS, "getUserMedia", JsFuture::from(promise))
        .await
        .expect("getUserMedia resolves")
        .unchecked_into()
}

/// The first track of `kind` in `stream`.
pub fn first_track(stream: &MediaStream, kind: MediaKind) -> MediaStreamTrack {
    let tracks = match kind {
        MediaKind::Audio => stream.get_audio_tracks(),
        MediaKind::Video => stream.get_video_tracks(),
    };
    tracks.get(0).dyn_into().expect("a track of that kind")
}

/// A muted, autoplaying `<video>` showing `stream`, attached to the page.
pub fn video_of(stream: &MediaStream) -> HtmlVideoElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let video: HtmlVideoElement = document
        .create_element("video")
        .expect("create video")
        .dyn_into()
        .expect("a video");
    video.set_muted(true);
    video.set_autoplay(true);
    video.set_src_object(Some(stream));
    document
        .body()
        .expect("a body")
        .append_child(&video)
        .expect("append");
    video
}

/// Bytes sent on `pc`'s video, and when (ms), from `stats_report`.
pub async fn video_bytes_sent(pc: &PeerConnection) -> (u64, f64) {
    let report = within(WAIT_MS, "stats_report", pc.stats_report())
        .await
        .expect("stats_report");
    let rtp = report
        .outbound_rtp()
        .into_iter()
        .find(|rtp| rtp.kind == Some(MediaKind::Video))
        .expect("an outbound video RTP entry");
    (
        rtp.bytes_sent.expect("bytes_sent"),
        rtp.timestamp.expect("timestamp"),
    )
}

/// The outbound video bitrate of each connection over the same `ms` window, in bit/s.
pub async fn video_bitrates(pcs: &[&PeerConnection], ms: u32) -> Vec<f64> {
    let mut before = Vec::new();
    for pc in pcs {
        before.push(video_bytes_sent(pc).await);
    }
    sleep(ms).await;
    let mut rates = Vec::new();
    for (pc, (bytes, at)) in pcs.iter().zip(before) {
        let (bytes_now, at_now) = video_bytes_sent(pc).await;
        rates.push((bytes_now - bytes) as f64 * 8.0 / ((at_now - at) / 1000.0));
    }
    rates
}

/// A property of a JS object, for reading raw browser state.
pub fn prop(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls the method `name` of `target` with no arguments (raw browser state for checks).
pub fn call0(target: &JsValue, name: &str) -> JsValue {
    let method: js_sys::Function = prop(target, name).dyn_into().expect("a method");
    method.call0(target).expect("the method returns")
}
