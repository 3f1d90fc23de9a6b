//! Small helpers of this suite: time, bounded waits, a seeded PRNG, a canvas video source,
//! decoded-frame counts.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Promise, Reflect};
use rtc_peer::PeerConnection;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MediaStream, MediaStreamTrack};

/// How long one negotiation step may take on a loaded machine.
pub const WAIT_MS: u32 = 20_000;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after `ms` milliseconds (a `setTimeout`).
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("a timer cannot fail");
}

/// Polls `condition` every 20 ms; panics with `what` (and `detail()`) after `timeout_ms`.
pub async fn wait_until(
    timeout_ms: u32,
    what: &str,
    mut condition: impl FnMut() -> bool,
    detail: impl Fn() -> String,
) {
    let deadline = now_ms() + f64::from(timeout_ms);
    while !condition() {
        assert!(
            now_ms() < deadline,
            "timed out after {timeout_ms} ms waiting for: {what} ({})",
            detail()
        );
        sleep(20).await;
    }
}

/// Awaits `future`, or panics naming `what` after `timeout_ms`.
pub async fn within<F: Future>(timeout_ms: u32, what: &str, future: F) -> F::Output {
    match select(Box::pin(future), Box::pin(sleep(timeout_ms as i32))).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out after {timeout_ms} ms waiting for: {what}"),
    }
}

/// The seed of this run: `RTC_PEER_NEGOTIATION_SEED` when set at compile time, else the clock.
/// Printed, so that a failing run can be replayed.
pub fn seed(test: &str) -> u64 {
    let seed = option_env!("RTC_PEER_NEGOTIATION_SEED")
        .and_then(|s| s.parse().ok())
        .unwrap_or(now_ms() as u64);
    web_sys::console::log_1(&format!("{test}: seed {seed}").into());
    seed
}

/// xorshift64*: small, seeded, good enough to shuffle test timings.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..=max`.
    pub fn upto(&mut self, max: u32) -> u32 {
        (self.next() % (u64::from(max) + 1)) as u32
    }
}

/// A `<canvas>` redrawn every 30 ms and its `captureStream()`; stops on drop.
pub struct CanvasSource {
    pub stream: MediaStream,
    pub track: MediaStreamTrack,
    canvas: HtmlCanvasElement,
    interval: i32,
    _tick: Closure<dyn FnMut()>,
}

impl CanvasSource {
    pub fn new() -> CanvasSource {
        let document = window().document().expect("a document");
        let canvas: HtmlCanvasElement = document
            .create_element("canvas")
            .expect("create canvas")
            .dyn_into()
            .expect("a canvas");
        canvas.set_width(160);
        canvas.set_height(120);
        document
            .body()
            .expect("a body")
            .append_child(&canvas)
            .expect("append canvas");
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .expect("getContext")
            .expect("a 2d context")
            .dyn_into()
            .expect("a 2d context");
        let frame = Rc::new(Cell::new(0u32));
        let tick = Closure::<dyn FnMut()>::new(move || {
            let n = frame.get().wrapping_add(1);
            frame.set(n);
            context.set_fill_style_str(if n % 2 == 0 { "navy" } else { "teal" });
            context.fill_rect(0.0, 0.0, 160.0, 120.0);
            context.set_fill_style_str("white");
            context.fill_rect(f64::from(n % 140), 50.0, 20.0, 20.0);
        });
        let interval = window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                30,
            )
            .expect("setInterval");
        let stream = canvas.capture_stream().expect("captureStream");
        let track = stream
            .get_video_tracks()
            .get(0)
            .dyn_into()
            .expect("a video track");
        CanvasSource {
            stream,
            track,
            canvas,
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

/// Sum of `framesDecoded` over `pc`'s inbound video RTP streams (0 on a closed connection).
pub async fn frames_decoded(pc: &PeerConnection) -> f64 {
    let Ok(report) = pc.stats().await else {
        return 0.0;
    };
    let mut frames = 0.0;
    report.for_each(&mut |stat, _| {
        let get = |key: &str| Reflect::get(&stat, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if get("type").as_string().as_deref() == Some("inbound-rtp")
            && get("kind").as_string().as_deref() == Some("video")
        {
            frames += get("framesDecoded").as_f64().unwrap_or(0.0);
        }
    });
    frames
}

/// Waits (bounded) until `pc` decodes more video frames than `above`; returns the count.
pub async fn frames_grow(pc: &PeerConnection, above: f64, what: &str) -> f64 {
    let deadline = now_ms() + f64::from(WAIT_MS);
    loop {
        let frames = frames_decoded(pc).await;
        if frames > above {
            return frames;
        }
        assert!(
            now_ms() < deadline,
            "{what}: framesDecoded stayed at {frames} (not above {above}) for {WAIT_MS} ms"
        );
        sleep(50).await;
    }
}
