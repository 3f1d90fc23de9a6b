//! Loopback calls negotiated with rtc-peer's async API, for figures 3 to 6.

use std::cell::Cell;
use std::rc::Rc;

use rtc_peer::{
    attach_stream, detach_stream, Error, Listener, MediaKind, PeerConnection, TransceiverDirection,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    HtmlMediaElement, MediaStream, MediaStreamTrack, RtcPeerConnection, RtcSessionDescriptionInit,
};

thread_local! {
    static PENDING_ATTACH: Cell<u32> = const { Cell::new(0) };
    static PENDING_CANDIDATES: Cell<u32> = const { Cell::new(0) };
}

/// How many `attach_stream` futures spawned by `on_track` have not finished yet.
///
/// A future whose browser promise never settles stays pending, and so does the wasm memory
/// it holds (its task and the promise callbacks).
#[wasm_bindgen]
pub fn pending_attach() -> u32 {
    PENDING_ATTACH.with(Cell::get)
}

/// How many `add_ice_candidate` futures have not finished yet (see [`pending_attach`]).
#[wasm_bindgen]
pub fn pending_candidates() -> u32 {
    PENDING_CANDIDATES.with(Cell::get)
}

/// Spawns `future`, counted in `counter` until it finishes.
fn spawn_counted(
    counter: &'static std::thread::LocalKey<Cell<u32>>,
    future: impl std::future::Future<Output = ()> + 'static,
) {
    counter.with(|n| n.set(n.get().wrapping_add(1)));
    spawn_local(async move {
        future.await;
        counter.with(|n| n.set(n.get().wrapping_sub(1)));
    });
}

/// One offer/answer exchange on an existing pair (figure 3): create offer, set local, set
/// remote, create answer, set local, set remote.
///
/// # Errors
///
/// The browser's error from any of the six steps.
#[wasm_bindgen]
pub async fn offer_answer(
    caller: RtcPeerConnection,
    callee: RtcPeerConnection,
) -> Result<(), JsValue> {
    negotiate(&caller.into(), &callee.into()).await?;
    Ok(())
}

/// The same six steps as [`offer_answer`] with web-sys alone: each browser promise awaited
/// directly through `JsFuture` (figure 3's reference: what the async crossing costs without
/// rtc-peer's typed descriptions and its completion on `close()`).
///
/// # Errors
///
/// The browser's error from any of the six steps.
#[wasm_bindgen]
pub async fn offer_answer_web_sys(
    caller: RtcPeerConnection,
    callee: RtcPeerConnection,
) -> Result<(), JsValue> {
    let offer: RtcSessionDescriptionInit = JsFuture::from(caller.create_offer())
        .await?
        .unchecked_into();
    JsFuture::from(caller.set_local_description(&offer)).await?;
    JsFuture::from(callee.set_remote_description(&offer)).await?;
    let answer: RtcSessionDescriptionInit = JsFuture::from(callee.create_answer())
        .await?
        .unchecked_into();
    JsFuture::from(callee.set_local_description(&answer)).await?;
    JsFuture::from(caller.set_remote_description(&answer)).await?;
    Ok(())
}

/// A loopback call: two connections in this page, candidates passed directly.
///
/// Exported to JS as `BenchCall` (the library's own JS surface exports a `Call`).
#[wasm_bindgen(js_name = BenchCall)]
#[derive(Debug)]
pub struct Call {
    caller: PeerConnection,
    callee: PeerConnection,
    video: Option<HtmlMediaElement>,
    listeners: Vec<Listener>,
    tracks: Rc<Cell<u32>>,
}

#[wasm_bindgen(js_class = BenchCall)]
impl Call {
    /// The offering connection.
    pub fn caller(&self) -> RtcPeerConnection {
        self.caller.as_raw().clone()
    }

    /// The answering connection (the one whose `track` events fire).
    pub fn callee(&self) -> RtcPeerConnection {
        self.callee.as_raw().clone()
    }

    /// How many real `track` events the callee's `on_track` has seen.
    pub fn track_events(&self) -> u32 {
        self.tracks.get()
    }

    /// Hangs up: clears the `<video>`, closes both connections and drops every listener.
    pub fn close(self) {
        if let Some(video) = &self.video {
            detach_stream(video);
        }
        self.caller.close();
        self.callee.close();
        drop(self.listeners);
    }
}

/// Opens a call and negotiates it; resolves once the callee's `on_track` has run.
///
/// With `source`, every track of it is sent as part of that stream; without, one video
/// transceiver is added. With `video`, `on_track` attaches the first remote stream to it
/// (`attach_stream`, not awaited by the handler).
///
/// # Errors
///
/// The browser's error from creating or negotiating the connections.
#[wasm_bindgen]
pub async fn open_call(
    source: Option<MediaStream>,
    video: Option<HtmlMediaElement>,
) -> Result<Call, JsValue> {
    let caller = PeerConnection::new()?;
    let callee = PeerConnection::new()?;
    let tracks = Rc::new(Cell::new(0u32));
    let counter = Rc::clone(&tracks);
    let target = video.clone();
    let on_track = callee.on_track(move |event| {
        counter.set(counter.get().wrapping_add(1));
        if let (Some(video), Some(stream)) = (&target, event.first_stream()) {
            let video = video.clone();
            spawn_counted(&PENDING_ATTACH, async move {
                let _ = attach_stream(&video, &stream).await;
            });
        }
    });
    let listeners = vec![
        on_track,
        forward_candidates(&caller, &callee),
        forward_candidates(&callee, &caller),
    ];
    match &source {
        Some(stream) => {
            for track in stream.get_tracks().iter() {
                caller.add_track(track.unchecked_ref::<MediaStreamTrack>(), &[stream])?;
            }
        }
        None => {
            caller.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)?;
        }
    }
    let call = Call {
        caller,
        callee,
        video,
        listeners,
        tracks,
    };
    if let Err(err) = negotiate(&call.caller, &call.callee).await {
        call.close();
        return Err(err.into());
    }
    Ok(call)
}

/// One hang-up-during-setup cycle (figure 5): open a call whose `on_track` attaches to
/// `video`, negotiate, and hang up at once, while ICE candidates are still in flight.
///
/// # Errors
///
/// The browser's error, for example when it refuses a new connection.
#[wasm_bindgen]
pub async fn call_cycle(source: MediaStream, video: HtmlMediaElement) -> Result<(), JsValue> {
    let call = open_call(Some(source), Some(video)).await?;
    call.close();
    Ok(())
}

pub(crate) async fn negotiate(
    caller: &PeerConnection,
    callee: &PeerConnection,
) -> Result<(), Error> {
    let offer = caller.create_offer().await?;
    caller.set_local_description(&offer).await?;
    callee.set_remote_description(&offer).await?;
    let answer = callee.create_answer().await?;
    callee.set_local_description(&answer).await?;
    caller.set_remote_description(&answer).await
}

pub(crate) fn forward_candidates(from: &PeerConnection, to: &PeerConnection) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |candidate| {
        if let Some(candidate) = candidate {
            let to = to.clone();
            spawn_counted(&PENDING_CANDIDATES, async move {
                let _ = to.add_ice_candidate(&candidate).await;
            });
        }
    })
}
