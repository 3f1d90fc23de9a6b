//! Attaching a `MediaStream` to a `<video>` / `<audio>` element, and stopping tracks.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlMediaElement, MediaStream};

use crate::Error;

#[wasm_bindgen]
extern "C" {
    /// An `HTMLMediaElement`, seen through the bindings below.
    type Media;
    /// A `MediaStream`, seen through the bindings below.
    type Stream;
    /// A `MediaStreamTrack`, seen through the bindings below.
    type Track;

    #[wasm_bindgen(method, catch, js_name = play)]
    fn play_media(this: &Media) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, setter, js_name = srcObject)]
    fn set_src_object(this: &Media, stream: Option<&MediaStream>);

    #[wasm_bindgen(method, setter, js_name = autoplay)]
    fn set_autoplay(this: &Media, value: bool);

    #[wasm_bindgen(method, setter, js_name = muted)]
    fn set_muted(this: &Media, value: bool);

    #[wasm_bindgen(method, js_name = getTracks)]
    fn get_tracks(this: &Stream) -> js_sys::Array;

    #[wasm_bindgen(method, js_name = stop)]
    fn stop_track(this: &Track);
}

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
    let media: &Media = element.unchecked_ref();
    media.set_src_object(Some(stream));
    media.set_autoplay(true);
    let _ = Reflect::set(element, &JsValue::from_str("playsInline"), &JsValue::TRUE);
    match play(element).await {
        Ok(()) => Ok(Playback::Playing),
        Err(Error::NotAllowed { .. }) => {
            media.set_muted(true);
            play(element).await?;
            Ok(Playback::PlayingMuted)
        }
        Err(err) => Err(err),
    }
}

/// Clears an element's `srcObject` (the element stops showing the stream; its tracks are left
/// running).
pub fn detach_stream(element: &HtmlMediaElement) {
    element.unchecked_ref::<Media>().set_src_object(None);
}

/// Stops every track of `stream` (releasing cameras and microphones).
pub fn stop_tracks(stream: &MediaStream) {
    for track in stream.unchecked_ref::<Stream>().get_tracks().iter() {
        track.unchecked_into::<Track>().stop_track();
    }
}

async fn play(element: &HtmlMediaElement) -> Result<(), Error> {
    JsFuture::from(element.unchecked_ref::<Media>().play_media()?).await?;
    Ok(())
}
