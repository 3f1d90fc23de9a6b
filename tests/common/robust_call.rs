//! Bounded waits and a real loopback call, for the reliability suites (hostile input, churn).
//!
//! Every wait here has a deadline and fails with a message naming what it waited for; nothing
//! awaits a browser event without bound. The loopback call is the "does the page still work"
//! check: two connections in this page, a canvas video track, candidates passed directly, and
//! the remote `<video>` must show frames.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Promise, Reflect};
use rtc_peer::{attach_stream, detach_stream, stop_tracks, PeerConnection, PeerConnectionState};
use rtc_peer::{MediaStream, MediaStreamTrack, TrackEvent};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Milliseconds since the epoch (wall clock, good enough for deadlines and run times).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let window = web_sys::window().expect("a window");
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    let _ = JsFuture::from(promise).await;
}

/// Awaits `future`, or panics with `what` (and the limit) if it has not completed in `ms`.
pub async fn within<T>(ms: i32, what: &str, future: impl Future<Output = T>) -> T {
    let future = Box::pin(future);
    let timer = Box::pin(sleep(ms));
    match select(future, timer).await {
        Either::Left((value, _)) => value,
        Either::Right(_) => panic!("timed out after {ms} ms: {what}"),
    }
}

/// Awaits `future` for at most `ms`; `None` when it did not complete in time (the future is
/// dropped, which is itself part of what the churn suite exercises).
pub async fn settles_within<T>(ms: i32, future: impl Future<Output = T>) -> Option<T> {
    let future = Box::pin(future);
    let timer = Box::pin(sleep(ms));
    match select(future, timer).await {
        Either::Left((value, _)) => Some(value),
        Either::Right(_) => None,
    }
}

/// Polls `condition` every 20 ms until it holds, or panics after `ms` naming `what`.
pub async fn wait_until(ms: i32, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = now_ms() + f64::from(ms);
    while !condition() {
        if now_ms() > deadline {
            panic!("timed out after {ms} ms waiting until {what}");
        }
        sleep(20).await;
    }
}

/// `"firefox"` or `"chromium"`, from the user agent.
pub fn browser() -> &'static str {
    let ua = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"userAgent".into()))
        .ok()
        .and_then(|ua| ua.as_string())
        .unwrap_or_default();
    if ua.contains("Firefox") {
        "firefox"
    } else {
        "chromium"
    }
}

/// A canvas whose `captureStream` gives a live video track; a task repaints it every 30 ms
/// (so frames keep flowing) until [`CanvasSource::stop`].
pub struct CanvasSource {
    canvas: web_sys::HtmlCanvasElement,
    running: Rc<std::cell::Cell<bool>>,
    pub stream: MediaStream,
    pub track: MediaStreamTrack,
}

impl CanvasSource {
    /// A 160x120 canvas in the page with a 30 fps capture stream, painted continuously.
    pub fn new() -> CanvasSource {
        let document = web_sys::window().unwrap().document().unwrap();
        let canvas: web_sys::HtmlCanvasElement =
            document.create_element("canvas").unwrap().unchecked_into();
        canvas.set_width(160);
        canvas.set_height(120);
        document.body().unwrap().append_child(&canvas).unwrap();
        let context: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        let stream = canvas.capture_stream_with_frame_request_rate(30.0).unwrap();
        let track: MediaStreamTrack = stream.get_video_tracks().get(0).unchecked_into();
        let running = Rc::new(std::cell::Cell::new(true));
        paint(&context, 0);
        {
            let running = running.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut frame = 0u32;
                while running.get() {
                    frame = frame.wrapping_add(1);
                    paint(&context, frame);
                    sleep(30).await;
                }
            });
        }
        CanvasSource {
            canvas,
            running,
            stream,
            track,
        }
    }

    /// Stops painting, stops the track and removes the canvas.
    pub fn stop(self) {
        self.running.set(false);
        stop_tracks(&self.stream);
        self.canvas.remove();
    }
}

/// Draws frame `frame` (a moving bar on a changing background).
fn paint(context: &web_sys::CanvasRenderingContext2d, frame: u32) {
    let shade = frame % 200;
    context.set_fill_style_str(&format!("rgb({shade}, 80, {})", 200 - shade));
    context.fill_rect(0.0, 0.0, 160.0, 120.0);
    context.set_fill_style_str("white");
    context.fill_rect(f64::from(frame % 140), 40.0, 20.0, 40.0);
}

/// Makes a real loopback call in this page and panics unless it connects and the remote
/// `<video>` shows frames within the deadlines. Closes both connections and stops the track
/// before returning. `label` prefixes every failure message.
pub async fn call_delivers_track(label: &str) {
    LiveCall::start(label).await.end();
}

/// A connected loopback call in this page whose remote video is showing frames.
pub struct LiveCall {
    label: String,
    pub caller: PeerConnection,
    pub callee: PeerConnection,
    pub video: web_sys::HtmlVideoElement,
    source: CanvasSource,
    failures: Rc<RefCell<Vec<String>>>,
    listeners: Vec<rtc_peer::Listener>,
}

impl LiveCall {
    /// Connects a caller (canvas video track) to a callee and waits for remote frames.
    pub async fn start(label: &str) -> LiveCall {
        let caller = PeerConnection::new().unwrap_or_else(|e| panic!("{label}: caller: {e}"));
        let callee = PeerConnection::new().unwrap_or_else(|e| panic!("{label}: callee: {e}"));
        let source = CanvasSource::new();
        let failures: Rc<RefCell<Vec<String>>> = Rc::default();

        let to_callee = {
            let callee = callee.clone();
            let failures = failures.clone();
            caller.on_ice_candidate(move |candidate| {
                forward_candidate(&callee, candidate, &failures);
            })
        };
        let to_caller = {
            let caller = caller.clone();
            let failures = failures.clone();
            callee.on_ice_candidate(move |candidate| {
                forward_candidate(&caller, candidate, &failures);
            })
        };
        let events: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
        let on_track = {
            let events = events.clone();
            callee.on_track(move |event| events.borrow_mut().push(event))
        };

        caller
            .add_track(&source.track, &[&source.stream])
            .unwrap_or_else(|e| panic!("{label}: add_track: {e}"));
        let offer = within(10_000, "create_offer", caller.create_offer())
            .await
            .unwrap_or_else(|e| panic!("{label}: create_offer: {e}"));
        within(10_000, "caller SLD", caller.set_local_description(&offer))
            .await
            .unwrap_or_else(|e| panic!("{label}: caller SLD: {e}"));
        within(10_000, "callee SRD", callee.set_remote_description(&offer))
            .await
            .unwrap_or_else(|e| panic!("{label}: callee SRD: {e}"));
        assert_eq!(
            events.borrow().len(),
            1,
            "{label}: exactly one track event during the callee's setRemoteDescription"
        );
        let answer = within(10_000, "create_answer", callee.create_answer())
            .await
            .unwrap_or_else(|e| panic!("{label}: create_answer: {e}"));
        within(10_000, "callee SLD", callee.set_local_description(&answer))
            .await
            .unwrap_or_else(|e| panic!("{label}: callee SLD: {e}"));
        within(10_000, "caller SRD", caller.set_remote_description(&answer))
            .await
            .unwrap_or_else(|e| panic!("{label}: caller SRD: {e}"));

        let deadline = now_ms() + 15_000.0;
        while caller.connection_state() != PeerConnectionState::Connected
            || callee.connection_state() != PeerConnectionState::Connected
        {
            assert!(
                now_ms() < deadline,
                "{label}: not connected within 15 s (caller {:?}, callee {:?}, candidate errors {:?})",
                caller.connection_state(),
                callee.connection_state(),
                failures.borrow()
            );
            sleep(30).await;
        }

        let event = events.borrow()[0].clone();
        let remote = event
            .first_stream()
            .unwrap_or_else(|| panic!("{label}: the remote track arrived without its stream"));
        let document = web_sys::window().unwrap().document().unwrap();
        let video: web_sys::HtmlVideoElement =
            document.create_element("video").unwrap().unchecked_into();
        video.set_muted(true);
        document.body().unwrap().append_child(&video).unwrap();
        let media: &web_sys::HtmlMediaElement = video.unchecked_ref();
        let playing = within(10_000, "attach_stream", attach_stream(media, &remote)).await;
        let deadline = now_ms() + 10_000.0;
        while video.video_width() == 0 {
            assert!(
                now_ms() < deadline,
                "{label}: connected, but the remote <video> showed no frame within 10 s ({playing:?})"
            );
            sleep(30).await;
        }
        assert!(
            failures.borrow().is_empty(),
            "{label}: candidate errors: {:?}",
            failures.borrow()
        );
        LiveCall {
            label: label.to_owned(),
            caller,
            callee,
            video,
            source,
            failures,
            listeners: vec![to_callee, to_caller, on_track],
        }
    }

    /// Panics unless the remote video's `currentTime` moves on by 0.3 s within 10 s.
    pub async fn assert_frames_flow(&self, what: &str) {
        let start = self.video.current_time();
        let deadline = now_ms() + 10_000.0;
        while self.video.current_time() < start + 0.3 {
            assert!(
                now_ms() < deadline,
                "{}: {what}: the remote video stopped at {start:.2} s (connection {:?})",
                self.label,
                self.callee.connection_state()
            );
            sleep(30).await;
        }
    }

    /// Ends the call: detaches and removes the video, drops the listeners, closes both
    /// connections, stops the track.
    pub fn end(self) {
        let media: &web_sys::HtmlMediaElement = self.video.unchecked_ref();
        detach_stream(media);
        self.video.remove();
        drop(self.listeners);
        self.caller.close();
        self.callee.close();
        self.source.stop();
        let _ = self.failures;
    }
}

fn forward_candidate(
    to: &PeerConnection,
    candidate: Option<rtc_peer::RtcIceCandidate>,
    failures: &Rc<RefCell<Vec<String>>>,
) {
    let Some(candidate) = candidate else { return };
    let to = to.clone();
    let failures = failures.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = to.add_ice_candidate(&candidate).await {
            // A candidate racing a close is not a failure of the call.
            if to.connection_state() != PeerConnectionState::Closed {
                failures.borrow_mut().push(e.to_string());
            }
        }
    });
}

/// A JS value as text, for failure messages.
pub fn js_text(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
