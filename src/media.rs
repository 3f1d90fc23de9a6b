//! Attaching a `MediaStream` to a `<video>` / `<audio>` element, and stopping tracks.

use core::cell::Cell;
use std::rc::Rc;

use futures_channel::oneshot;
use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlMediaElement, MediaStream, MediaStreamTrack};

use crate::{sys, Error};

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
/// returns [`Playback::PlayingMuted`] so the page can say so. The future over
/// [`attach_stream_then`]; dropping it before it completes leaves playback going on.
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
    let (done, outcome) = oneshot::channel();
    attach_stream_then(element, stream, move |result| {
        let _ = done.send(result);
    });
    outcome.await.unwrap_or_else(|_| {
        // The browser collected a `play()` promise that never settled (the element went away).
        Err(Error::Other {
            name: "AbortError".to_owned(),
            message: "The media element's play() never settled.".to_owned(),
        })
    })
}

/// [`attach_stream`] as a callback: shows `stream` in `element`, starts playback, and calls
/// `on_done` once with how it plays, with no future and no executor.
///
/// The same steps as [`attach_stream`] (muted playback when autoplay with sound is refused);
/// `on_done` runs from the `play()` promise's callbacks, after this function has returned (at
/// once only if `play()` throws, which browsers do not do: they reject its promise). The
/// callbacks belong to that promise: once it has settled (or been collected unsettled, with the
/// element), the browser collects them and their Rust memory is freed; nothing is leaked.
///
/// # Errors
///
/// `on_done` gets the browser's error when playback fails even muted.
///
/// # Examples
///
/// ```no_run
/// # fn demo(video: web_sys::HtmlMediaElement, stream: web_sys::MediaStream) {
/// use rtc_peer::{attach_stream_then, Playback};
///
/// attach_stream_then(&video, &stream, |played| match played {
///     Ok(Playback::PlayingMuted) => web_sys::console::info_1(&"muted: click to unmute".into()),
///     Ok(Playback::Playing) => {}
///     Err(err) => web_sys::console::warn_1(&err.into()),
/// });
/// # }
/// ```
///
/// See [MDN: play()](https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/play).
pub fn attach_stream_then<F>(element: &HtmlMediaElement, stream: &MediaStream, on_done: F)
where
    F: FnOnce(Result<Playback, Error>) + 'static,
{
    element.set_src_object(Some(stream));
    element.set_autoplay(true);
    // web-sys has no binding for `playsInline` (an `HTMLVideoElement` attribute).
    let _ = Reflect::set(element, &JsValue::from_str("playsInline"), &JsValue::TRUE);
    play(
        element,
        Playback::Playing,
        Rc::new(Cell::new(Some(Box::new(on_done)))),
    );
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

/// The callback of one [`attach_stream_then`], taken by whichever promise callback ends it.
type Done = Rc<Cell<Option<Box<dyn FnOnce(Result<Playback, Error>)>>>>;

/// Calls `play()` on `element`: `done` gets `Ok(playing)` when it plays; a `NotAllowedError`
/// on the unmuted attempt mutes the element and plays again.
fn play(element: &HtmlMediaElement, playing: Playback, done: Done) {
    let promise = match element.play() {
        Ok(promise) => promise,
        Err(thrown) => return finish(&done, Err(Error::from(thrown))),
    };
    let fulfilled = Rc::clone(&done);
    let on_fulfilled = Closure::wrap(
        Box::new(move |_: JsValue| finish(&fulfilled, Ok(playing))) as Box<dyn Fn(JsValue)>
    );
    let element = element.clone();
    let on_rejected = Closure::wrap(Box::new(move |reason: JsValue| {
        let err = Error::from(reason);
        if playing == Playback::Playing && matches!(err, Error::NotAllowed { .. }) {
            element.set_muted(true);
            play(&element, Playback::PlayingMuted, Rc::clone(&done));
        } else {
            finish(&done, Err(err));
        }
    }) as Box<dyn Fn(JsValue)>);
    promise
        .unchecked_ref::<sys::Thenable>()
        .then(on_fulfilled.as_ref(), on_rejected.as_ref());
    // Owned by the promise from here on: freed when the browser collects them.
    let _ = on_fulfilled.into_js_value();
    let _ = on_rejected.into_js_value();
}

fn finish(done: &Done, result: Result<Playback, Error>) {
    if let Some(on_done) = done.take() {
        on_done(result);
    }
}
