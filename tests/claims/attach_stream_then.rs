//! `attach_stream_then` (README: "the same as a callback, for an app without a futures executor"):
//! `on_done` is called exactly once, with how the element plays or with the browser's error;
//! the element really shows the stream; many calls leave nothing behind; and dropping
//! `attach_stream`'s future (the future over it) leaves playback going on.
//!
//! Each browser decides unmuted autoplay itself (headless Chromium refuses it, Firefox under
//! WebDriver allows it); the muted fallback is also forced on the element
//! ([`refuse_unmuted_autoplay`]), so that both browsers run it through the callback.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::Poll;

use rtc_peer::{attach_stream, attach_stream_then, detach_stream, Error, Playback};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlMediaElement, HtmlVideoElement};

use crate::refused_autoplay::{refuse_unmuted_autoplay, unmuted_video, WhenMuted};
use support::{
    canvas, engine, log, media_flows_within, muted_video, no_page_errors, same, sleep,
    take_page_errors, wait_until, CanvasSource, Engine, ListenerCount, WAIT_MS,
};

#[wasm_bindgen(inline_js = r#"
export function count_listeners_on(element) {
  const counts = { added: 0, removed: 0, types: new Set() };
  const add = element.addEventListener;
  const remove = element.removeEventListener;
  element.addEventListener = function (type, ...rest) {
    counts.added += 1;
    counts.types.add(type);
    return add.call(this, type, ...rest);
  };
  element.removeEventListener = function (type, ...rest) {
    counts.removed += 1;
    return remove.call(this, type, ...rest);
  };
  return counts;
}

export function listener_counts(counts) {
  return [counts.added, counts.removed, [...counts.types].join(",")];
}
"#)]
extern "C" {
    /// Counts `addEventListener` / `removeEventListener` calls on `element` itself (the page
    /// probe watches WebRTC and stream objects, not media elements).
    fn count_listeners_on(element: &JsValue) -> JsValue;

    /// `[added, removed, "type,type"]` (each type added once named) of a
    /// [`count_listeners_on`] record.
    fn listener_counts(counts: &JsValue) -> js_sys::Array;
}

/// Every result `on_done` was called with, in order.
type Outcomes = Rc<RefCell<Vec<Result<Playback, Error>>>>;

fn media(video: &HtmlVideoElement) -> &HtmlMediaElement {
    video.unchecked_ref()
}

/// `attach_stream_then(video, source)` with an `on_done` that records each call.
fn attach_then(video: &HtmlVideoElement, source: &CanvasSource) -> Outcomes {
    let outcomes: Outcomes = Rc::default();
    let record = Rc::clone(&outcomes);
    attach_stream_then(media(video), source.stream(), move |played| {
        record.borrow_mut().push(played);
    });
    outcomes
}

/// Waits (bounded) for the first call of `on_done`, then a while longer, and returns the one
/// result it got; panics when it was never called or called more than once.
async fn called_once(outcomes: &Outcomes, what: &str) -> Result<Playback, Error> {
    wait_until(WAIT_MS, &format!("{what}: on_done is called"), || {
        !outcomes.borrow().is_empty()
    })
    .await
    .unwrap();
    // A second call would come from the other promise callback or a late retry: give both
    // time to run.
    sleep(300).await;
    let seen = outcomes.borrow();
    assert_eq!(seen.len(), 1, "{what}: on_done called once, got {seen:?}");
    seen[0].clone()
}

/// The element shows `source`: its `srcObject` is the stream, it is not paused, and the count
/// of frames it presented grows.
async fn shows(video: &HtmlVideoElement, source: &CanvasSource, what: &str) {
    let shown = video.src_object();
    assert!(
        shown.as_ref().is_some_and(|s| same(s, source.stream())),
        "{what}: srcObject is the stream, got {shown:?}"
    );
    assert!(!video.paused(), "{what}: the element plays");
    media_flows_within(WAIT_MS, video)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
}

#[wasm_bindgen_test]
async fn on_done_is_called_once_as_the_browser_decides_and_frames_advance() {
    take_page_errors();
    let source = canvas();
    let video = unmuted_video();
    let outcomes = attach_then(&video, &source);
    assert!(
        outcomes.borrow().is_empty(),
        "on_done runs after attach_stream_then returns"
    );
    let played = called_once(&outcomes, "a canvas stream").await;
    let expected = match engine() {
        Engine::Chromium => Playback::PlayingMuted,
        Engine::Firefox => Playback::Playing,
    };
    assert_eq!(played, Ok(expected), "{:?}", engine());
    assert_eq!(video.muted(), expected == Playback::PlayingMuted, "muted");
    shows(&video, &source, "a canvas stream").await;
    assert_eq!(outcomes.borrow().len(), 1, "still one call after playing");
    no_page_errors("attach_stream_then of a canvas stream").unwrap();
    video.remove();
    source.stop();
}

#[wasm_bindgen_test]
async fn a_refused_unmuted_autoplay_calls_back_once_with_playing_muted() {
    take_page_errors();
    let source = canvas();
    let video = unmuted_video();
    let seen = refuse_unmuted_autoplay(&video, WhenMuted::Plays);
    let outcomes = attach_then(&video, &source);
    let played = called_once(&outcomes, "the muted fallback").await;
    assert_eq!(played, Ok(Playback::PlayingMuted));
    assert!(video.muted(), "the element was muted for the fallback");
    assert_eq!(seen.calls(), ["unmuted", "muted"], "play() calls");
    shows(&video, &source, "the muted fallback").await;
    no_page_errors("attach_stream_then, muted fallback").unwrap();
    video.remove();
    source.stop();
}

/// Clearing `srcObject` right after the call runs the element's load algorithm, which rejects
/// the pending `play()` with `AbortError` in both browsers.
#[wasm_bindgen_test]
async fn a_source_cleared_during_the_call_is_the_browsers_abort_error_once() {
    take_page_errors();
    let source = canvas();
    let video = muted_video();
    let outcomes = attach_then(&video, &source);
    detach_stream(media(&video));
    let played = called_once(&outcomes, "srcObject cleared").await;
    log(&format!("{:?}: srcObject cleared -> {played:?}", engine()));
    match &played {
        Err(err) => {
            assert_eq!(err.name(), "AbortError", "{err:?}");
            assert!(!err.message().is_empty(), "the browser's message: {err:?}");
        }
        Ok(playback) => panic!("the play was aborted, got Ok({playback:?})"),
    }
    assert!(video.src_object().is_none(), "srcObject stays cleared");
    no_page_errors("attach_stream_then, source cleared").unwrap();
    video.remove();
    source.stop();
}

/// The unmuted attempt is refused and the source goes away during the muted one: the muted
/// attempt's own error (the browser's `AbortError`) is what `on_done` gets, once.
#[wasm_bindgen_test]
async fn a_muted_retry_that_fails_too_is_its_own_error_once() {
    take_page_errors();
    let source = canvas();
    let video = unmuted_video();
    let seen = refuse_unmuted_autoplay(&video, WhenMuted::ClearsTheSource);
    let outcomes = attach_then(&video, &source);
    let played = called_once(&outcomes, "the muted retry aborted").await;
    log(&format!(
        "{:?}: muted retry aborted -> {played:?}",
        engine()
    ));
    assert!(
        matches!(&played, Err(err) if err.name() == "AbortError" && !err.message().is_empty()),
        "{played:?}"
    );
    assert_eq!(seen.calls(), ["unmuted", "muted"], "play() calls");
    assert!(video.muted(), "the element was muted for the retry");
    no_page_errors("attach_stream_then, muted retry aborted").unwrap();
    video.remove();
    source.stop();
}

/// 100 calls in a row on one element, each replacing the last one's source before its
/// `play()` settles; waits (bounded) until every `on_done` was called and returns the counts
/// of `Ok` and `AbortError` results. Panics when one was called twice, with another error, or
/// when the last call does not play.
async fn burst(video: &HtmlVideoElement, source: &CanvasSource, what: &str) -> (usize, usize) {
    const CALLS: usize = 100;
    let outcomes: Vec<Outcomes> = (0..CALLS).map(|_| attach_then(video, source)).collect();
    let settled = || outcomes.iter().filter(|o| !o.borrow().is_empty()).count();
    wait_until(
        3 * WAIT_MS,
        &format!("{what}: every on_done is called"),
        || settled() == CALLS,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}; {} of {CALLS} called back", settled()));
    sleep(500).await;
    let (mut playing, mut aborted) = (0, 0);
    for (i, seen) in outcomes.iter().enumerate() {
        let seen = seen.borrow();
        assert_eq!(
            seen.len(),
            1,
            "{what}, call {i}: on_done called once, got {seen:?}"
        );
        match &seen[0] {
            Ok(_) => playing += 1,
            Err(err) if err.name() == "AbortError" => aborted += 1,
            Err(err) => panic!("{what}, call {i}: neither playing nor aborted: {err:?}"),
        }
    }
    let last = outcomes[CALLS - 1].borrow()[0].clone();
    assert!(last.is_ok(), "{what}: the last call plays: {last:?}");
    log(&format!(
        "{:?}: {what}: {CALLS} calls -> {playing} playing, {aborted} AbortError",
        engine()
    ));
    (playing, aborted)
}

/// 200 calls, 100 on an unmuted element and 100 on a muted one: every `on_done` is called
/// exactly once, the last of each element's calls plays and the element shows the stream, no
/// listener is left on the elements or the stream, and the page reports no error.
///
/// What the browsers really do with the superseded calls: a muted element's pending `play()`
/// is rejected with `AbortError` by the next `srcObject` (both browsers); on an unmuted one
/// Chromium refuses each `play()` at once (`NotAllowedError`), so every call goes on to play
/// muted, while Firefox plays unmuted and aborts the superseded ones.
#[wasm_bindgen_test]
async fn two_hundred_calls_call_back_once_each_and_leave_no_listener() {
    take_page_errors();
    let source = canvas();
    let unmuted = unmuted_video();
    let muted = muted_video();
    let on_unmuted = count_listeners_on(&unmuted);
    let on_muted = count_listeners_on(&muted);
    let everywhere = ListenerCount::start();
    let (_, aborted) = burst(&unmuted, &source, "unmuted element").await;
    assert_eq!(
        aborted > 0,
        engine() == Engine::Firefox,
        "superseded unmuted calls abort only where unmuted autoplay is allowed"
    );
    let (_, aborted) = burst(&muted, &source, "muted element").await;
    assert!(aborted > 0, "a muted element's superseded calls abort");
    shows(&unmuted, &source, "the unmuted element after 100 calls").await;
    shows(&muted, &source, "the muted element after 100 calls").await;
    for (counts, what) in [(&on_unmuted, "unmuted"), (&on_muted, "muted")] {
        let counts = listener_counts(counts);
        assert_eq!(
            counts.get(0).as_f64(),
            counts.get(1).as_f64(),
            "listeners added / removed on the {what} element (types: {:?})",
            counts.get(2).as_string()
        );
    }
    everywhere.balanced("200 attach_stream_then calls").unwrap();
    ListenerCount::none_left_on(source.stream(), "the attached stream").unwrap();
    no_page_errors("200 attach_stream_then calls").unwrap();
    unmuted.remove();
    muted.remove();
    source.stop();
}

/// `attach_stream`'s future dropped after its first poll (before `play()` settles): the
/// element goes on to play the stream (through the muted fallback where the browser refuses
/// unmuted autoplay), and the page reports no error.
#[wasm_bindgen_test]
async fn dropping_attach_streams_future_leaves_playback_going_on() {
    take_page_errors();
    let source = canvas();
    let video = unmuted_video();
    let mut attach = Box::pin(attach_stream(media(&video), source.stream()));
    let first = poll_fn(|cx| Poll::Ready(attach.as_mut().poll(cx).is_pending())).await;
    assert!(first, "play() has not settled at the first poll");
    drop(attach);
    wait_until(
        WAIT_MS,
        "the element plays after the future is dropped",
        || !video.paused(),
    )
    .await
    .unwrap();
    shows(&video, &source, "after dropping the future").await;
    assert_eq!(
        video.muted(),
        engine() == Engine::Chromium,
        "muted only where the browser refused unmuted autoplay"
    );
    no_page_errors("attach_stream's future dropped").unwrap();
    video.remove();
    source.stop();
}
