//! `attach_stream` reports `Playback::PlayingMuted` when the browser refuses unmuted autoplay
//! (README: "muted-autoplay fallback reported as `Playback::PlayingMuted`").
//!
//! Headless Chromium refuses unmuted autoplay on its own (the fallback runs for real there);
//! Firefox under WebDriver allows it. So that both browsers also check the path explicitly, the
//! refusal is also made on the element itself ([`refuse_unmuted_autoplay`]).

use rtc_peer::{attach_stream, Error, Playback};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::refused_autoplay::{refuse_unmuted_autoplay, unmuted_video, WhenMuted};
use support::{canvas, engine, within, CanvasSource, Engine, WAIT_MS};
use web_sys::HtmlVideoElement;

/// `attach_stream` of `source` into `video`, bounded by [`WAIT_MS`].
async fn attach(video: &HtmlVideoElement, source: &CanvasSource) -> Result<Playback, Error> {
    within(
        WAIT_MS,
        "attach_stream",
        attach_stream(video.unchecked_ref(), source.stream()),
    )
    .await
    .expect("attach_stream settles")
}

#[wasm_bindgen_test]
async fn a_refused_unmuted_autoplay_plays_muted_and_says_so() {
    let source = canvas();
    let video = unmuted_video();
    let seen = refuse_unmuted_autoplay(&video, WhenMuted::Plays);
    let played = attach(&video, &source).await;
    assert_eq!(played, Ok(Playback::PlayingMuted));
    assert!(video.muted(), "the element was muted for the fallback");
    assert_eq!(seen.calls(), ["unmuted", "muted"], "play() calls");
    assert!(
        !video.paused(),
        "the element plays (the browser's own play())"
    );
    video.remove();
}

/// The browser's own policy, no shim: headless Chromium refuses unmuted autoplay without a
/// user gesture (so the fallback runs for real), Firefox under WebDriver allows it.
#[wasm_bindgen_test]
async fn an_unmuted_autoplay_as_each_browser_decides() {
    let source = canvas();
    let video = unmuted_video();
    let played = attach(&video, &source).await;
    let expected = match engine() {
        Engine::Chromium => Playback::PlayingMuted,
        Engine::Firefox => Playback::Playing,
    };
    assert_eq!(played, Ok(expected), "{:?}", engine());
    assert_eq!(video.muted(), expected == Playback::PlayingMuted, "muted");
    assert!(!video.paused(), "the element plays");
    video.remove();
}

#[wasm_bindgen_test]
async fn a_refusal_even_muted_is_the_browsers_error() {
    let source = canvas();
    let video = unmuted_video();
    let seen = refuse_unmuted_autoplay(&video, WhenMuted::Refuses);
    let played = attach(&video, &source).await;
    assert!(
        matches!(&played, Err(Error::NotAllowed { message }) if message.contains("refused")),
        "{played:?}"
    );
    assert_eq!(seen.calls(), ["unmuted", "muted"], "play() calls");
    video.remove();
}
