//! The subscriber of an SFU subscription (figure 10): one connection that applies Janus's
//! offer of many feeds, answers it, and plays every track the offer brings in a `<video>`.
//!
//! The page does the Janus signalling for both variants; this is only what a Rust app's side
//! of the connection does, through rtc-peer: `set_remote_description`, `on_track` (mid, a
//! stream of the track, `attach_stream`), `create_answer` and `set_local_description`.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{
    attach_stream, detach_stream, Listener, MediaStream, PeerConnection, SessionDescription,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlMediaElement, RtcPeerConnection};

/// A subscriber connection whose `on_track` gives each track a `<video>` of its own.
#[wasm_bindgen]
#[derive(Debug)]
pub struct SfuSubscriber {
    connection: PeerConnection,
    videos: Rc<RefCell<Vec<HtmlMediaElement>>>,
    _on_track: Listener,
}

#[wasm_bindgen]
impl SfuSubscriber {
    /// A new connection; each track event calls `new_video()` (the page's, the same for both
    /// variants) for the element the track plays in, tagged with the track's `mid`.
    ///
    /// # Errors
    ///
    /// The browser's error from creating the connection.
    #[wasm_bindgen(constructor)]
    pub fn new(new_video: js_sys::Function) -> Result<SfuSubscriber, JsValue> {
        let connection = PeerConnection::new()?;
        let videos: Rc<RefCell<Vec<HtmlMediaElement>>> = Rc::default();
        let list = Rc::clone(&videos);
        let on_track = connection.on_track(move |event| {
            let track = event.track();
            let Ok(stream) = MediaStream::new_with_tracks(&js_sys::Array::of1(&track)) else {
                return;
            };
            let Ok(video) = new_video.call0(&JsValue::NULL) else {
                return;
            };
            let video: HtmlMediaElement = video.unchecked_into();
            if let Some(mid) = event.mid() {
                let _ = video.set_attribute("data-mid", &mid);
            }
            list.borrow_mut().push(video.clone());
            spawn_local(async move {
                let _ = attach_stream(&video, &stream).await;
            });
        });
        Ok(SfuSubscriber {
            connection,
            videos,
            _on_track: on_track,
        })
    }

    /// The raw connection (the page waits on its gathering and reads its description).
    pub fn connection(&self) -> RtcPeerConnection {
        self.connection.as_raw().clone()
    }

    /// Applies Janus's offer: its track events fire, and `on_track` runs, inside this call.
    ///
    /// # Errors
    ///
    /// The browser's error when it refuses the offer.
    pub async fn apply_offer(&self, sdp: String) -> Result<(), JsValue> {
        let offer = SessionDescription::offer(sdp);
        Ok(self.connection.set_remote_description(&offer).await?)
    }

    /// Creates the answer and sets it as the local description.
    ///
    /// # Errors
    ///
    /// The browser's error from either step.
    pub async fn answer(&self) -> Result<(), JsValue> {
        let answer = self.connection.create_answer().await?;
        Ok(self.connection.set_local_description(&answer).await?)
    }

    /// The `<video>` of every track so far, in the order the events fired.
    pub fn videos(&self) -> js_sys::Array {
        self.videos.borrow().iter().cloned().collect()
    }

    /// Hangs up: closes the connection, clears and removes every `<video>`, drops `on_track`.
    pub fn close(self) {
        self.connection.close();
        for video in self.videos.borrow().iter() {
            detach_stream(video);
            video.remove();
        }
    }
}
