//! Attaching a `MediaStream` to a `<video>` / `<audio>` element, and stopping tracks.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlMediaElement, MediaStream, MediaStreamTrack};

use crate::Error;

/// How an attached stream ended up playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Playback {
    /// Playing with sound as the element was configured.
    Playing,
    /// The browser refused to autoplay with sound, so the element was muted and then played.
    /// Show the user an "unmute" control.
    PlayingMuted,
}

/// Shows `stream` in a `<video>` or `<audio>` element and starts playback.
///
/// Sets `srcObject`, `autoplay` and (for video) `playsInline`, then calls `play()`. When the
/// browser refuses unmuted autoplay (`NotAllowedError`), mutes the element, plays again and
/// returns [`Playback::PlayingMuted`] so the page can say so.
///
/// # Errors
///
/// The browser's error when playback fails even muted (for example `AbortError` when the
/// element's source is replaced during the call).
///
/// # Examples
///
/// ```no_run
/// # async fn demo(video: web_sys::HtmlMediaElement, stream: web_sys::MediaStream) {
/// use rtc_peer::{attach_stream, Playback};
///
/// match attach_stream(&video, &stream).await {
///     Ok(Playback::PlayingMuted) => web_sys::console::info_1(&"muted: click to unmute".into()),
///     Ok(Playback::Playing) => {}
///     Err(err) => web_sys::console::warn_1(&err.into()),
/// }
/// # }
/// ```
///
/// See [MDN: srcObject](https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/srcObject).
pub async fn attach_stream(
    element: &HtmlMediaElement,
    stream: &MediaStream,
) -> Result<Playback, Error> {
    element.set_src_object(Some(stream));
    element.set_autoplay(true);
    // web-sys has no binding for `playsInline` (an `HTMLVideoElement` attribute).
    let _ = Reflect::set(element, &JsValue::from_str("playsInline"), &JsValue::TRUE);
    match play(element).await {
        Ok(()) => Ok(Playback::Playing),
        Err(Error::NotAllowed { .. }) => {
            element.set_muted(true);
            play(element).await?;
            Ok(Playback::PlayingMuted)
        }
        Err(err) => Err(err),
    }
}

/// Clears an element's `srcObject` (the element stops showing the stream; its tracks are left
/// running).
pub fn detach_stream(element: &HtmlMediaElement) {
    element.set_src_object(None);
}

/// Stops every track of `stream` (releasing cameras and microphones).
pub fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

async fn play(element: &HtmlMediaElement) -> Result<(), Error> {
    JsFuture::from(element.play()?).await?;
    Ok(())
}
