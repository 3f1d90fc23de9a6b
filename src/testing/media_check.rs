//! Checks on a `<video>` playing a remote stream: frames arrive and keep coming; which colour
//! they are.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement};

use super::page::{create, js_failure};
use super::{now_ms, sleep, Colour, TestFailure};

/// How long [`media_flows`] waits, in milliseconds.
///
/// # Examples
///
/// ```
/// assert_eq!(rtc_peer::testing::MEDIA_FLOW_MS, 5_000);
/// ```
pub const MEDIA_FLOW_MS: u32 = 5_000;

/// Checks that `video` shows frames and that new ones keep arriving: `videoWidth > 0`, then the
/// count of frames it presented grows, each within [`MEDIA_FLOW_MS`].
///
/// # Errors
///
/// `no remote frame within 5000 ms (videoWidth 0)`, or
/// `frames stopped: 12 frames presented, none more within 5000 ms`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(video: web_sys::HtmlVideoElement) -> Result<(), rtc_peer::testing::TestFailure> {
/// rtc_peer::testing::media_flows(&video).await?;
/// # Ok(()) }
/// ```
///
/// See [MDN: getVideoPlaybackQuality](https://developer.mozilla.org/en-US/docs/Web/API/HTMLVideoElement/getVideoPlaybackQuality).
pub async fn media_flows(video: &HtmlVideoElement) -> Result<(), TestFailure> {
    media_flows_within(MEDIA_FLOW_MS, video).await
}

/// [`media_flows`] with a bound of `ms` milliseconds for each of its two waits.
///
/// # Errors
///
/// As [`media_flows`], with `ms` in the message.
///
/// # Examples
///
/// ```no_run
/// # async fn example(video: web_sys::HtmlVideoElement) -> Result<(), rtc_peer::testing::TestFailure> {
/// rtc_peer::testing::media_flows_within(15_000, &video).await?; // a loaded test machine
/// # Ok(()) }
/// ```
pub async fn media_flows_within(ms: u32, video: &HtmlVideoElement) -> Result<(), TestFailure> {
    let deadline = now_ms() + f64::from(ms);
    while video.video_width() == 0 {
        if now_ms() > deadline {
            return Err(TestFailure::new(format!(
                "no remote frame within {ms} ms (videoWidth {}, readyState {}, paused {})",
                video.video_width(),
                video.ready_state(),
                video.paused()
            )));
        }
        sleep(20).await;
    }
    let frames = frames_presented(video);
    let deadline = now_ms() + f64::from(ms);
    loop {
        sleep(20).await;
        if frames_presented(video) > frames {
            return Ok(());
        }
        if now_ms() > deadline {
            return Err(TestFailure::new(format!(
                "frames stopped: {frames} frames presented, none more within {ms} ms \
                 (videoWidth {})",
                video.video_width()
            )));
        }
    }
}

/// The frames `video` presented so far: `getVideoPlaybackQuality().totalVideoFrames`
/// (Chromium counts a `MediaStream`'s frames there), or Firefox's `mozPaintedFrames` (its
/// standard count, and `mozPresentedFrames`, stay 0 for a `MediaStream` in a headless Firefox). Not `currentTime`: a `MediaStream` video advances it with
/// the clock even when no frame comes.
fn frames_presented(video: &HtmlVideoElement) -> u32 {
    let standard = video.get_video_playback_quality().total_video_frames();
    let firefox = js_sys::Reflect::get(video, &"mozPaintedFrames".into())
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |frames| frames as u32);
    standard.max(firefox)
}

/// The colour at the centre of the frame `video` shows now (one decoded frame, drawn on a
/// canvas and read back).
///
/// # Errors
///
/// When the video has no frame yet (`videoWidth 0`) or the canvas cannot be read.
///
/// # Examples
///
/// ```no_run
/// # fn example(video: web_sys::HtmlVideoElement) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::{pixel_colour, Colour};
///
/// let seen = pixel_colour(&video)?;
/// assert!(seen.is_near(Colour::rgb(0, 160, 0), 32), "the green source, got {seen}");
/// # Ok(()) }
/// ```
///
/// See [MDN: drawImage](https://developer.mozilla.org/en-US/docs/Web/API/CanvasRenderingContext2D/drawImage).
pub fn pixel_colour(video: &HtmlVideoElement) -> Result<Colour, TestFailure> {
    let (width, height) = (video.video_width(), video.video_height());
    if width == 0 || height == 0 {
        return Err(TestFailure::new(format!(
            "no decoded frame to read (videoWidth {width}, videoHeight {height})"
        )));
    }
    let canvas: HtmlCanvasElement = create("canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| js_failure("getContext(2d)", &e))?
        .ok_or_else(|| TestFailure::new("the canvas has no 2d context"))?
        .dyn_into()
        .map_err(|_| TestFailure::new("the 2d context is not a CanvasRenderingContext2d"))?;
    context
        .draw_image_with_html_video_element(video, 0.0, 0.0)
        .map_err(|e| js_failure("drawImage(video)", &e))?;
    let data = context
        .get_image_data(f64::from(width / 2), f64::from(height / 2), 1.0, 1.0)
        .map_err(|e| js_failure("getImageData", &e))?
        .data();
    match data.get(0..3) {
        Some(&[r, g, b]) => Ok(Colour::rgb(r, g, b)),
        _ => Err(TestFailure::new("getImageData returned no pixel")),
    }
}
