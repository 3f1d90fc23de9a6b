//! A real loopback call in this page whose remote `<video>` shows frames: the "does the page
//! still work" check of the reliability suites (hostile input, churn).

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::testing::{within, CanvasSource, Colour, LoopbackPair};
use rtc_peer::{attach_stream, detach_stream, PeerConnection, TrackEvent};
use wasm_bindgen::{JsCast, JsValue};

/// The colour of the live call's video.
const CALL_COLOUR: Colour = Colour::rgb(90, 80, 150);

/// Makes a real loopback call in this page and panics unless it connects and the remote
/// `<video>` shows frames within the deadlines. Closes both connections and stops the track
/// before returning. `label` prefixes every failure message.
pub async fn call_delivers_track(label: &str) {
    LiveCall::start(label).await.end();
}

/// A connected loopback call in this page whose remote video is showing frames.
pub struct LiveCall {
    label: String,
    /// The side sending the canvas track (the pair's offerer).
    pub caller: PeerConnection,
    /// The side receiving it (the pair's answerer).
    pub callee: PeerConnection,
    /// The `<video>` playing the callee's remote stream.
    pub video: web_sys::HtmlVideoElement,
    pair: LoopbackPair,
    source: CanvasSource,
    listeners: Vec<rtc_peer::Listener>,
}

impl LiveCall {
    /// Connects a caller (canvas video track) to a callee and waits for remote frames.
    pub async fn start(label: &str) -> LiveCall {
        let pair = LoopbackPair::new().unwrap_or_else(|e| panic!("{label}: {e}"));
        let (caller, callee) = (pair.a.clone(), pair.b.clone());
        let source =
            CanvasSource::new(160, 120, CALL_COLOUR).unwrap_or_else(|e| panic!("{label}: {e}"));
        let events: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
        let on_track = {
            let events = events.clone();
            callee.on_track(move |event| events.borrow_mut().push(event))
        };

        caller
            .add_track(source.track(), &[source.stream()])
            .unwrap_or_else(|e| panic!("{label}: add_track: {e}"));
        let offer = step(label, "create_offer", caller.create_offer()).await;
        step(label, "caller SLD", caller.set_local_description(&offer)).await;
        step(label, "callee SRD", callee.set_remote_description(&offer)).await;
        assert_eq!(
            events.borrow().len(),
            1,
            "{label}: exactly one track event during the callee's setRemoteDescription"
        );
        let answer = step(label, "create_answer", callee.create_answer()).await;
        step(label, "callee SLD", callee.set_local_description(&answer)).await;
        step(label, "caller SRD", caller.set_remote_description(&answer)).await;
        pair.connected(15_000)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));

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
        let playing = within(10_000, "attach_stream", attach_stream(media, &remote))
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        rtc_peer::testing::media_flows_within(10_000, &video)
            .await
            .unwrap_or_else(|e| panic!("{label}: connected, but {e} ({playing:?})"));
        assert!(
            pair.candidate_errors().is_empty(),
            "{label}: candidate errors: {:?}",
            pair.candidate_errors()
        );
        LiveCall {
            label: label.to_owned(),
            caller,
            callee,
            video,
            pair,
            source,
            listeners: vec![on_track],
        }
    }

    /// Panics unless the remote video's `currentTime` moves on by 0.3 s within 10 s.
    pub async fn assert_frames_flow(&self, what: &str) {
        let start = self.video.current_time();
        rtc_peer::testing::wait_until(10_000, "the remote video moves on by 0.3 s", || {
            self.video.current_time() >= start + 0.3
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{}: {what}: the remote video stopped at {start:.2} s (connection {:?}): {e}",
                self.label,
                self.callee.connection_state()
            )
        });
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
        drop(self.pair);
        self.source.stop();
    }
}

async fn step<T>(
    label: &str,
    what: &str,
    call: impl std::future::Future<Output = Result<T, rtc_peer::Error>>,
) -> T {
    within(10_000, what, call)
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"))
        .unwrap_or_else(|e| panic!("{label}: {what}: {e}"))
}

/// A JS value as text, for failure messages.
pub fn js_text(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
