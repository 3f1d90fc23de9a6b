//! rtc-peer's `on_track` showing each remote stream in a `<video>`, as an app would.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{attach_stream, Error, PeerConnection, Playback, TrackEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlMediaElement, HtmlVideoElement};

use support::{seen, Seen};

/// How the attach of the remote stream ended, once it has.
pub type Attached = Rc<RefCell<Option<Result<Playback, Error>>>>;

/// rtc-peer's `on_track`, attaching each event's `first_stream()` to `video`.
pub fn show_remote(
    pc: &PeerConnection,
    video: &HtmlVideoElement,
) -> (Seen<TrackEvent>, Attached, rtc_peer::Listener) {
    let events: Seen<TrackEvent> = seen();
    let attached: Attached = Rc::default();
    let listener = {
        let events = events.clone();
        let attached = attached.clone();
        let video: HtmlMediaElement = video.clone().unchecked_into();
        pc.on_track(move |event| {
            if let Some(stream) = event.first_stream() {
                let video = video.clone();
                let attached = attached.clone();
                spawn_local(async move {
                    let result = attach_stream(&video, &stream).await;
                    *attached.borrow_mut() = Some(result);
                });
            }
            events.borrow_mut().push(event);
        })
    };
    (events, attached, listener)
}
