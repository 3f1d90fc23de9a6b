//! `Call`: the demo's call object for JavaScript. It owns the connections, the listeners and
//! the local stream of one call at a time, shows the remote side's first stream in a `<video>`,
//! and enables a hang-up button once remote media arrives.
//!
//! Two ways to call:
//! - **loopback**: both peers live in this page (`startLoopback`);
//! - **signalled**: the peers are in two pages; the page moves the JSON strings this object
//!   produces (`send` callback) and receives (`receive`) over any channel, for example a
//!   `BroadcastChannel` (`startCall` on one side, `answerCall` on the other).

use core::cell::RefCell;
use core::fmt;
use core::future::{poll_fn, Future};
use core::pin::{pin, Pin};
use core::task::Poll;
use std::rc::Rc;

use futures_channel::oneshot;
use js_sys::{Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local};
use web_sys::{
    HtmlMediaElement, MediaStream, MediaStreamTrack, RtcIceCandidate, RtcPeerConnection,
};

use crate::config::set;
use crate::{
    attach_stream, detach_stream, ice_candidate, stop_tracks, Configuration, Error, IceServer,
    IceTransportPolicy, Listener, PeerConnection, PeerConnectionState, SessionDescription,
};

/// Another handle to the same JS object. `MediaStream::clone()` would call the JS
/// `MediaStream.clone()` (new tracks!), which shadows `Clone::clone`; this never does.
trait CloneRef: Clone {
    fn clone_ref(this: &Self) -> Self {
        Clone::clone(this)
    }
}

impl CloneRef for MediaStream {}

/// The largest signalling message `receive` accepts (an SDP is a few kilobytes).
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Signalling protocol version carried in every message.
const PROTOCOL_VERSION: f64 = 1.0;

#[wasm_bindgen]
extern "C" {
    /// `HTMLButtonElement`, for the hang-up button (checked with `instanceof`).
    #[wasm_bindgen(js_name = HTMLButtonElement, typescript_type = "HTMLButtonElement")]
    #[derive(Debug, Clone)]
    type Button;

    #[wasm_bindgen(method, setter = disabled)]
    fn set_disabled(this: &Button, disabled: bool);

    /// `HTMLVideoElement` (checked with `instanceof`).
    #[wasm_bindgen(js_name = HTMLVideoElement)]
    #[derive(Debug, Clone)]
    type Video;

    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

/// Why a call ended, as `onEnded` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EndReason {
    Local,
    Remote,
    Failed,
}

impl EndReason {
    fn as_str(self) -> &'static str {
        match self {
            EndReason::Local => "local",
            EndReason::Remote => "remote",
            EndReason::Failed => "failed",
        }
    }
}

/// One peer connection of the call, with the candidates that arrived before its remote
/// description.
struct Side {
    pc: PeerConnection,
    remote_described: bool,
    pending: Vec<RtcIceCandidate>,
}

impl Side {
    fn new(pc: PeerConnection) -> Side {
        Side {
            pc,
            remote_described: false,
            pending: Vec::new(),
        }
    }
}

/// The live call: everything hang-up must release.
struct Session {
    generation: u32,
    call_id: String,
    /// The connection that sends the local stream (and, when signalled, also receives).
    local: Side,
    /// Loopback only: the in-page far end whose `track` events feed the remote `<video>`.
    far: Option<Side>,
    local_stream: MediaStream,
    listeners: Vec<Listener>,
    /// Signalled calls: how to reach the other page.
    send: Option<Function>,
    /// Signalled caller: waiting for the answer.
    awaiting_answer: bool,
    /// Dropped at hang-up, which ends a start-up still in progress.
    _hung_up: oneshot::Sender<()>,
}

impl Session {
    /// The connection whose `track` events feed the remote `<video>`.
    fn receiving(&self) -> &PeerConnection {
        self.far.as_ref().map_or(&self.local.pc, |far| &far.pc)
    }
}

/// An offer received from the other page and not answered yet.
struct PendingOffer {
    call_id: String,
    sdp: String,
    candidates: Vec<RtcIceCandidate>,
}

struct Inner {
    local_video: HtmlMediaElement,
    remote_video: HtmlMediaElement,
    hang_up_button: Button,
    ice_servers: Vec<IceServer>,
    relay_only: bool,
    on_state: Option<Function>,
    on_remote_stream: Option<Function>,
    on_ended: Option<Function>,
    session: Option<Session>,
    pending_offer: Option<PendingOffer>,
    generation: u32,
    /// The last state reported, kept after hang-up (`"closed"`).
    last_state: PeerConnectionState,
}

type Shared = Rc<RefCell<Inner>>;

/// The demo's call: local and remote `<video>`, a hang-up button, and the connections of one
/// call at a time.
///
/// JavaScript:
///
/// ```js
/// import init, { Call } from "rtc-peer";
/// await init();
/// const call = new Call(localVideo, remoteVideo, hangUpButton);
/// call.onStateChange((state) => (status.textContent = state));
/// const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
/// await call.startLoopback(media); // hang-up is enabled when remote video arrives
/// ```
///
/// Hang-up (the button, `hangUp()`, the other page's `bye`, or a failed connection) closes
/// every connection, stops every local track, clears both `srcObject`s, removes every listener
/// this object added, and disables the button. A new call can start right after.
#[wasm_bindgen]
pub struct Call {
    inner: Shared,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let active = self
            .inner
            .try_borrow()
            .map(|i| i.session.is_some())
            .unwrap_or(true);
        f.debug_struct("Call").field("active", &active).finish()
    }
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn busy_error() -> JsValue {
    Error::from_name(
        "InvalidStateError",
        "A call is already in progress; hang up first.",
    )
    .into()
}

fn as_function(value: JsValue, what: &str) -> Result<Function, JsValue> {
    value.dyn_into::<Function>().map_err(|_| type_error(what))
}

fn as_stream(value: JsValue) -> Result<MediaStream, JsValue> {
    value
        .dyn_into::<MediaStream>()
        .map_err(|_| type_error("Call: the local stream must be a MediaStream."))
}

/// Calls a page callback; an exception there is reported, never propagated into the call.
fn notify(callback: Option<Function>, args: &[JsValue]) {
    let Some(callback) = callback else { return };
    let result = match args {
        [] => callback.call0(&JsValue::NULL),
        [a] => callback.call1(&JsValue::NULL, a),
        [a, b, ..] => callback.call2(&JsValue::NULL, a, b),
    };
    if let Err(err) = result {
        let err = Error::from(err);
        console_warn(&["Call: a callback threw: ", err.name(), ": ", err.message()].concat());
    }
}

/// A short random call id (letters and digits).
fn new_call_id() -> String {
    let n = (js_sys::Math::random() * 2_176_782_336.0) as u64; // 36^6
    let mut id = String::from("c");
    let mut rest = n;
    for _ in 0..6 {
        let digit = (rest % 36) as u32;
        id.push(char::from_digit(digit, 36).unwrap_or('0'));
        rest /= 36;
    }
    id
}

/// Shows a credential as its length only: `••••••• (7 characters)`.
fn mask(credential: &str) -> String {
    let n = credential.chars().count();
    let dots = "•".repeat(n.min(8));
    [dots.as_str(), " (", &n.to_string(), " characters)"].concat()
}

#[wasm_bindgen]
impl Call {
    /// Creates a call object bound to a local preview `<video>`, a remote `<video>` and a
    /// hang-up button. The button is disabled until remote media arrives.
    ///
    /// # Errors
    ///
    /// Throws a `TypeError` when an argument has the wrong element type.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = localVideo, unchecked_param_type = "HTMLVideoElement")]
        local_video: JsValue,
        #[wasm_bindgen(js_name = remoteVideo, unchecked_param_type = "HTMLVideoElement")]
        remote_video: JsValue,
        #[wasm_bindgen(js_name = hangUpButton, unchecked_param_type = "HTMLButtonElement")]
        hang_up_button: JsValue,
    ) -> Result<Call, JsValue> {
        let video = |v: JsValue, which: &str| -> Result<HtmlMediaElement, JsValue> {
            if v.dyn_ref::<Video>().is_none() {
                return Err(type_error(
                    &["Call: ", which, " must be an HTMLVideoElement."].concat(),
                ));
            }
            Ok(v.unchecked_into())
        };
        let local_video = video(local_video, "localVideo")?;
        let remote_video = video(remote_video, "remoteVideo")?;
        let hang_up_button: Button = hang_up_button
            .dyn_into()
            .map_err(|_| type_error("Call: hangUpButton must be an HTMLButtonElement."))?;
        hang_up_button.set_disabled(true);
        Ok(Call {
            inner: Rc::new(RefCell::new(Inner {
                local_video,
                remote_video,
                hang_up_button,
                ice_servers: Vec::new(),
                relay_only: false,
                on_state: None,
                on_remote_stream: None,
                on_ended: None,
                session: None,
                pending_offer: None,
                generation: 0,
                last_state: PeerConnectionState::New,
            })),
        })
    }

    /// Uses a TURN (or STUN) server for the next calls. `username` and `credential` may be
    /// empty for STUN. The credential is kept for the connection only: it is never logged and
    /// `iceSummary` shows only its length.
    ///
    /// # Errors
    ///
    /// Throws a `TypeError` when the URL is not a `turn:`, `turns:` or `stun:` URL, or a TURN
    /// URL comes without username and credential.
    #[wasm_bindgen(js_name = setIceServer)]
    pub fn set_ice_server(
        &self,
        url: &str,
        username: &str,
        credential: &str,
    ) -> Result<(), JsValue> {
        let url = url.trim();
        let is_turn = url.starts_with("turn:") || url.starts_with("turns:");
        if !(is_turn || url.starts_with("stun:"))
            || url.len() > 512
            || url.contains(char::is_whitespace)
        {
            return Err(type_error(
                "Call.setIceServer: the URL must start with turn:, turns: or stun:.",
            ));
        }
        if is_turn && (username.is_empty() || credential.is_empty()) {
            return Err(type_error(
                "Call.setIceServer: a TURN server needs a username and a credential.",
            ));
        }
        let server = if username.is_empty() && credential.is_empty() {
            IceServer::new(url)
        } else {
            IceServer::new(url).credentials(username, credential)
        };
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy_error())?;
        inner.ice_servers = vec![server];
        Ok(())
    }

    /// Forgets the configured ICE servers (the next calls use host candidates only).
    #[wasm_bindgen(js_name = clearIceServers)]
    pub fn clear_ice_servers(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.ice_servers.clear();
        }
    }

    /// Whether the next calls may only use relayed (TURN) candidates.
    #[wasm_bindgen(getter = relayOnly)]
    pub fn relay_only(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|i| i.relay_only)
            .unwrap_or(false)
    }

    /// Sets relay-only (`iceTransportPolicy: "relay"`) for the next calls.
    #[wasm_bindgen(setter = relayOnly)]
    pub fn set_relay_only(&self, relay_only: bool) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.relay_only = relay_only;
        }
    }

    /// A description of the ICE settings that is safe to show: URL, username, the
    /// credential's length (never the credential), relay-only.
    #[wasm_bindgen(getter = iceSummary)]
    pub fn ice_summary(&self) -> String {
        let Ok(inner) = self.inner.try_borrow() else {
            return String::new();
        };
        let mut parts: Vec<String> = Vec::new();
        for server in &inner.ice_servers {
            let mut s = server.urls().join(", ");
            if let Some(user) = server.username() {
                s.push_str(" as ");
                s.push_str(user);
            }
            if server.has_credential() {
                // The length is all we show; the IceServer does not give the credential back.
                s.push_str(", credential set");
            }
            parts.push(s);
        }
        if parts.is_empty() {
            parts.push("no ICE servers (host candidates only)".into());
        }
        if inner.relay_only {
            parts.push("relay only".into());
        }
        parts.join("; ")
    }

    /// Masks a credential for display: dots and its length, never its characters.
    #[wasm_bindgen(js_name = maskCredential)]
    pub fn mask_credential(credential: &str) -> String {
        mask(credential)
    }

    /// Calls `callback` with the connection state of the receiving connection whenever it
    /// changes (replaces the previous callback).
    #[wasm_bindgen(js_name = onStateChange)]
    pub fn on_state_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(state: RTCPeerConnectionState) => void")]
        callback: JsValue,
    ) -> Result<(), JsValue> {
        let f = as_function(
            callback,
            "Call.onStateChange: the callback must be a function.",
        )?;
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy_error())?;
        inner.on_state = Some(f);
        Ok(())
    }

    /// Calls `callback` with the remote stream (the `track` event's first stream) and the
    /// track, each time a remote track arrives (replaces the previous callback).
    #[wasm_bindgen(js_name = onRemoteStream)]
    pub fn on_remote_stream(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(stream: MediaStream, track: MediaStreamTrack) => void"
        )]
        callback: JsValue,
    ) -> Result<(), JsValue> {
        let f = as_function(
            callback,
            "Call.onRemoteStream: the callback must be a function.",
        )?;
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy_error())?;
        inner.on_remote_stream = Some(f);
        Ok(())
    }

    /// Calls `callback` after every hang-up with why the call ended: `"local"` (this page),
    /// `"remote"` (the other page said bye) or `"failed"` (the connection failed).
    #[wasm_bindgen(js_name = onEnded)]
    pub fn on_ended(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(reason: \"local\" | \"remote\" | \"failed\") => void"
        )]
        callback: JsValue,
    ) -> Result<(), JsValue> {
        let f = as_function(callback, "Call.onEnded: the callback must be a function.")?;
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy_error())?;
        inner.on_ended = Some(f);
        Ok(())
    }

    /// Starts a loopback call: both peers in this page, `localStream` sent from one to the
    /// other, the far side's first stream shown in the remote `<video>`.
    ///
    /// # Errors
    ///
    /// Rejects with `InvalidStateError` when a call is in progress, `TypeError` for a wrong
    /// argument, or the browser's error (the call is then hung up).
    #[wasm_bindgen(js_name = startLoopback, unchecked_return_type = "Promise<void>")]
    pub fn start_loopback(
        &self,
        #[wasm_bindgen(js_name = localStream, unchecked_param_type = "MediaStream")]
        local_stream: JsValue,
    ) -> Promise {
        let shared = Rc::clone(&self.inner);
        future_to_promise(async move {
            let stream = as_stream(local_stream)?;
            let (generation, hung_up) = begin(&shared, stream, None, false)?;
            let result = until_hung_up(negotiate_loopback(&shared, generation), hung_up).await;
            finish_start(&shared, generation, result)
        })
    }

    /// Starts a signalled call from this page: sends an offer through `send` (JSON strings to
    /// deliver to the other page's `receive`).
    ///
    /// # Errors
    ///
    /// As `startLoopback`.
    #[wasm_bindgen(js_name = startCall, unchecked_return_type = "Promise<void>")]
    pub fn start_call(
        &self,
        #[wasm_bindgen(js_name = localStream, unchecked_param_type = "MediaStream")]
        local_stream: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(message: string) => void")] send: JsValue,
    ) -> Promise {
        let shared = Rc::clone(&self.inner);
        future_to_promise(async move {
            let stream = as_stream(local_stream)?;
            let send = as_function(send, "Call.startCall: send must be a function.")?;
            let (generation, hung_up) = begin(&shared, stream, Some(send), true)?;
            let result = until_hung_up(send_offer(&shared, generation), hung_up).await;
            finish_start(&shared, generation, result)
        })
    }

    /// Whether an offer from the other page waits for `answerCall`.
    #[wasm_bindgen(getter = hasIncomingCall)]
    pub fn has_incoming_call(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|i| i.pending_offer.is_some())
            .unwrap_or(false)
    }

    /// Answers the offer that `receive` accepted, sending `localStream` back.
    ///
    /// # Errors
    ///
    /// Rejects with `InvalidStateError` when there is no offer to answer or a call is in
    /// progress; otherwise as `startLoopback`.
    #[wasm_bindgen(js_name = answerCall, unchecked_return_type = "Promise<void>")]
    pub fn answer_call(
        &self,
        #[wasm_bindgen(js_name = localStream, unchecked_param_type = "MediaStream")]
        local_stream: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(message: string) => void")] send: JsValue,
    ) -> Promise {
        let shared = Rc::clone(&self.inner);
        future_to_promise(async move {
            let stream = as_stream(local_stream)?;
            let send = as_function(send, "Call.answerCall: send must be a function.")?;
            let offer = shared
                .try_borrow_mut()
                .map_err(|_| busy_error())?
                .pending_offer
                .take()
                .ok_or_else(|| {
                    JsValue::from(Error::from_name(
                        "InvalidStateError",
                        "There is no incoming call to answer.",
                    ))
                })?;
            let (generation, hung_up) = begin(&shared, stream, Some(send), false)?;
            let result = until_hung_up(send_answer(&shared, generation, offer), hung_up).await;
            finish_start(&shared, generation, result)
        })
    }

    /// Handles one signalling message from the other page. Returns what it was: `"offer"`
    /// (now `hasIncomingCall`), `"answer"`, `"candidate"`, `"bye"`, or `"ignored"` for a
    /// message that is malformed, oversized, or for another call (a console warning says why).
    #[wasm_bindgen(
        unchecked_return_type = "\"offer\" | \"answer\" | \"candidate\" | \"bye\" | \"ignored\""
    )]
    pub fn receive(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] message: JsValue,
    ) -> String {
        match receive_message(&self.inner, &message) {
            Ok(kind) => kind.to_owned(),
            Err(why) => {
                console_warn(&["Call: ignored a signalling message: ", why].concat());
                "ignored".to_owned()
            }
        }
    }

    /// Ends the call (if any): closes every connection, stops every local track, clears both
    /// `srcObject`s, removes every listener, disables the hang-up button and, for a signalled
    /// call, tells the other page. Does nothing when there is no call.
    #[wasm_bindgen(js_name = hangUp)]
    pub fn hang_up(&self) {
        hang_up(&self.inner, EndReason::Local, true);
    }

    /// Whether a call is in progress (from start until hang-up).
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|i| i.session.is_some())
            .unwrap_or(true)
    }

    /// The connection state of the receiving connection; `"closed"` after a hang-up, `"new"`
    /// before the first call.
    #[wasm_bindgen(getter, unchecked_return_type = "RTCPeerConnectionState")]
    pub fn state(&self) -> String {
        let Ok(inner) = self.inner.try_borrow() else {
            return "new".into();
        };
        match &inner.session {
            Some(s) => s.receiving().connection_state().as_str().into(),
            None => inner.last_state.as_str().into(),
        }
    }

    /// The connection that sends the local stream, during a call.
    #[wasm_bindgen(getter = localConnection)]
    pub fn local_connection(&self) -> Option<RtcPeerConnection> {
        let inner = self.inner.try_borrow().ok()?;
        inner.session.as_ref().map(|s| s.local.pc.as_raw().clone())
    }

    /// The connection whose remote tracks feed the remote `<video>` (in a loopback call the
    /// in-page far end; in a signalled call the same as `localConnection`), during a call.
    #[wasm_bindgen(getter = remoteConnection)]
    pub fn remote_connection(&self) -> Option<RtcPeerConnection> {
        let inner = self.inner.try_borrow().ok()?;
        inner
            .session
            .as_ref()
            .map(|s| s.receiving().as_raw().clone())
    }

    /// The local stream being sent, during a call.
    #[wasm_bindgen(getter = localStream)]
    pub fn local_stream(&self) -> Option<MediaStream> {
        let inner = self.inner.try_borrow().ok()?;
        inner
            .session
            .as_ref()
            .map(|s| MediaStream::clone_ref(&s.local_stream))
    }

    /// How many event listeners this object holds right now (0 when there is no call).
    #[wasm_bindgen(getter = listenerCount)]
    pub fn listener_count(&self) -> u32 {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|i| i.session.as_ref().map(|s| s.listeners.len()))
            .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// Freeing the object (`free()`, `using`) hangs up first, so nothing is left running.
impl Drop for Call {
    fn drop(&mut self) {
        hang_up(&self.inner, EndReason::Local, true);
    }
}

/// Runs a call's start-up, cut short when the call is hung up: a closed connection never
/// settles its pending promises, so without this the start would wait forever.
async fn until_hung_up<F>(start: F, mut hung_up: oneshot::Receiver<()>) -> Result<(), Error>
where
    F: Future<Output = Result<(), Error>>,
{
    let mut start = pin!(start);
    poll_fn(|cx| {
        if let Poll::Ready(result) = start.as_mut().poll(cx) {
            return Poll::Ready(result);
        }
        match Pin::new(&mut hung_up).poll(cx) {
            // The sender lives in the session: the call was hung up.
            Poll::Ready(_) => Poll::Ready(Err(closed_error())),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Creates the session for a new call (connections, listeners, local tracks) and returns its
/// generation, and a receiver that completes when the call is hung up. Fails when a call is in
/// progress.
fn begin(
    shared: &Shared,
    stream: MediaStream,
    send: Option<Function>,
    caller: bool,
) -> Result<(u32, oneshot::Receiver<()>), JsValue> {
    let (config, generation, button) = {
        let mut inner = shared.try_borrow_mut().map_err(|_| busy_error())?;
        if inner.session.is_some() {
            return Err(busy_error());
        }
        let mut config = Configuration::new();
        for server in &inner.ice_servers {
            config = config.ice_server(server.clone());
        }
        if inner.relay_only {
            config = config.ice_transport_policy(IceTransportPolicy::Relay);
        }
        inner.generation = inner.generation.wrapping_add(1);
        (config, inner.generation, inner.hang_up_button.clone())
    };
    let local = PeerConnection::with_configuration(&config)?;
    let far = if send.is_none() {
        match PeerConnection::with_configuration(&config) {
            Ok(pc) => Some(pc),
            Err(err) => {
                local.close();
                return Err(err.into());
            }
        }
    } else {
        None
    };
    let mut listeners = Vec::new();
    let receiving = far.clone().unwrap_or_else(|| local.clone());
    listeners.push(track_listener(shared, generation, &receiving));
    listeners.push(state_listener(shared, generation, &receiving));
    match &far {
        Some(far_pc) => {
            listeners.push(loopback_candidates(shared, generation, &local, true));
            listeners.push(loopback_candidates(shared, generation, far_pc, false));
            listeners.push(state_listener(shared, generation, &local));
        }
        None => listeners.push(signalled_candidates(shared, generation, &local)),
    }
    listeners.push(hang_up_click(shared, generation, &button));
    let mut add_error = None;
    for track in stream.get_tracks().iter() {
        let Ok(track) = track.dyn_into::<MediaStreamTrack>() else {
            continue;
        };
        if let Err(err) = local.add_track(&track, &[&stream]) {
            add_error = Some(err);
            break;
        }
    }
    let call_id = if caller || far.is_some() {
        new_call_id()
    } else {
        String::new()
    };
    let (hung_up_tx, hung_up_rx) = oneshot::channel();
    let session = Session {
        generation,
        call_id,
        local: Side::new(local),
        far: far.map(Side::new),
        local_stream: MediaStream::clone_ref(&stream),
        listeners,
        send,
        awaiting_answer: caller,
        _hung_up: hung_up_tx,
    };
    let local_video = match shared.try_borrow_mut() {
        Ok(mut inner) => {
            inner.session = Some(session);
            inner.last_state = PeerConnectionState::New;
            inner.local_video.clone()
        }
        Err(_) => {
            // Not reachable from JS (nothing else holds the borrow); release anyway.
            session.local.pc.close();
            if let Some(far) = &session.far {
                far.pc.close();
            }
            return Err(busy_error());
        }
    };
    button.set_disabled(true);
    if let Some(err) = add_error {
        hang_up(shared, EndReason::Failed, false);
        return Err(err.into());
    }
    // The local preview: muted (never play our own microphone back).
    local_video.set_muted(true);
    let preview = local_video.clone();
    spawn_local(async move {
        if let Err(err) = attach_stream(&preview, &stream).await {
            if err.name() != "AbortError" {
                console_warn(&["Call: the local preview did not play: ", err.message()].concat());
            }
        }
    });
    Ok((generation, hung_up_rx))
}

/// Hangs up if `result` failed (and the call it started is still current).
fn finish_start(
    shared: &Shared,
    generation: u32,
    result: Result<(), Error>,
) -> Result<JsValue, JsValue> {
    match result {
        Ok(()) => Ok(JsValue::UNDEFINED),
        Err(err) => {
            if is_current(shared, generation) {
                hang_up(shared, EndReason::Failed, true);
            }
            Err(err.into())
        }
    }
}

fn is_current(shared: &Shared, generation: u32) -> bool {
    shared
        .try_borrow()
        .map(|i| {
            i.session
                .as_ref()
                .is_some_and(|s| s.generation == generation)
        })
        .unwrap_or(false)
}

fn closed_error() -> Error {
    Error::from_name(
        "InvalidStateError",
        "The call was hung up while it was starting.",
    )
}

/// Clones out the two connections of the current loopback session.
fn loopback_pair(
    shared: &Shared,
    generation: u32,
) -> Result<(PeerConnection, PeerConnection), Error> {
    let inner = shared.try_borrow().map_err(|_| closed_error())?;
    let session = inner
        .session
        .as_ref()
        .filter(|s| s.generation == generation)
        .ok_or_else(closed_error)?;
    let far = session.far.as_ref().ok_or_else(closed_error)?;
    Ok((session.local.pc.clone(), far.pc.clone()))
}

async fn negotiate_loopback(shared: &Shared, generation: u32) -> Result<(), Error> {
    let (local, far) = loopback_pair(shared, generation)?;
    let offer = local.create_offer().await?;
    local.set_local_description(&offer).await?;
    far.set_remote_description(&offer).await?; // `track` fires in here
    remote_described(shared, generation, false);
    let answer = far.create_answer().await?;
    far.set_local_description(&answer).await?;
    local.set_remote_description(&answer).await?;
    remote_described(shared, generation, true);
    Ok(())
}

/// Marks a side's remote description as applied and adds the candidates that waited for it.
fn remote_described(shared: &Shared, generation: u32, local_side: bool) {
    let (pc, pending) = {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        let Some(session) = inner
            .session
            .as_mut()
            .filter(|s| s.generation == generation)
        else {
            return;
        };
        let side = if local_side {
            Some(&mut session.local)
        } else {
            session.far.as_mut()
        };
        let Some(side) = side else { return };
        side.remote_described = true;
        (side.pc.clone(), core::mem::take(&mut side.pending))
    };
    for candidate in pending {
        add_candidate(pc.clone(), candidate);
    }
}

fn add_candidate(pc: PeerConnection, candidate: RtcIceCandidate) {
    spawn_local(async move {
        if let Err(err) = pc.add_ice_candidate(&candidate).await {
            if pc.connection_state() != PeerConnectionState::Closed {
                console_warn(&["Call: addIceCandidate failed: ", err.message()].concat());
            }
        }
    });
}

/// Loopback: each candidate of one side goes to the other side (queued until its remote
/// description is set).
fn loopback_candidates(
    shared: &Shared,
    generation: u32,
    pc: &PeerConnection,
    from_local: bool,
) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_ice_candidate(move |candidate| {
        let Some(candidate) = candidate else { return };
        let Some(shared) = weak.upgrade() else { return };
        let target = {
            let Ok(mut inner) = shared.try_borrow_mut() else {
                return;
            };
            let Some(session) = inner
                .session
                .as_mut()
                .filter(|s| s.generation == generation)
            else {
                return;
            };
            let side = if from_local {
                session.far.as_mut()
            } else {
                Some(&mut session.local)
            };
            let Some(side) = side else { return };
            if side.remote_described {
                Some(side.pc.clone())
            } else {
                side.pending.push(candidate.clone());
                None
            }
        };
        if let Some(pc) = target {
            add_candidate(pc, candidate);
        }
    })
}

/// Signalled: each local candidate goes to the other page.
fn signalled_candidates(shared: &Shared, generation: u32, pc: &PeerConnection) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_ice_candidate(move |candidate| {
        let Some(candidate) = candidate else { return };
        let Some(shared) = weak.upgrade() else { return };
        let msg = Object::new();
        set(
            &msg,
            "candidate",
            &JsValue::from_str(&candidate.candidate()),
        );
        set(
            &msg,
            "sdpMid",
            &candidate
                .sdp_mid()
                .map_or(JsValue::NULL, |m| JsValue::from_str(&m)),
        );
        set(
            &msg,
            "sdpMLineIndex",
            &candidate
                .sdp_m_line_index()
                .map_or(JsValue::NULL, JsValue::from),
        );
        send_message(&shared, generation, "candidate", &msg);
    })
}

/// Sends `{v, call, type, ...fields}` to the other page, if this call is current.
fn send_message(shared: &Shared, generation: u32, kind: &str, fields: &Object) {
    let (send, call_id) = {
        let Ok(inner) = shared.try_borrow() else {
            return;
        };
        let Some(session) = inner
            .session
            .as_ref()
            .filter(|s| s.generation == generation)
        else {
            return;
        };
        let Some(send) = session.send.clone() else {
            return;
        };
        (send, session.call_id.clone())
    };
    set(fields, "v", &JsValue::from_f64(PROTOCOL_VERSION));
    set(fields, "call", &JsValue::from_str(&call_id));
    set(fields, "type", &JsValue::from_str(kind));
    let Ok(text) = JSON::stringify(fields) else {
        return;
    };
    if let Err(err) = send.call1(&JsValue::NULL, &text) {
        let err = Error::from(err);
        console_warn(&["Call: send threw: ", err.message()].concat());
    }
}

async fn send_offer(shared: &Shared, generation: u32) -> Result<(), Error> {
    let pc = current_local(shared, generation)?;
    let offer = pc.create_offer().await?;
    pc.set_local_description(&offer).await?;
    let msg = Object::new();
    set(&msg, "sdp", &JsValue::from_str(&offer.sdp));
    send_message(shared, generation, "offer", &msg);
    Ok(())
}

async fn send_answer(shared: &Shared, generation: u32, offer: PendingOffer) -> Result<(), Error> {
    {
        let mut inner = shared.try_borrow_mut().map_err(|_| closed_error())?;
        let session = inner
            .session
            .as_mut()
            .filter(|s| s.generation == generation)
            .ok_or_else(closed_error)?;
        session.call_id = offer.call_id;
        session.local.pending.extend(offer.candidates);
    }
    let pc = current_local(shared, generation)?;
    pc.set_remote_description(&SessionDescription::offer(offer.sdp))
        .await?;
    remote_described(shared, generation, true);
    let answer = pc.create_answer().await?;
    pc.set_local_description(&answer).await?;
    let msg = Object::new();
    set(&msg, "sdp", &JsValue::from_str(&answer.sdp));
    send_message(shared, generation, "answer", &msg);
    Ok(())
}

fn current_local(shared: &Shared, generation: u32) -> Result<PeerConnection, Error> {
    let inner = shared.try_borrow().map_err(|_| closed_error())?;
    inner
        .session
        .as_ref()
        .filter(|s| s.generation == generation)
        .map(|s| s.local.pc.clone())
        .ok_or_else(closed_error)
}

/// The remote side's `track` listener: first stream into the remote `<video>`, Hang up enabled.
fn track_listener(shared: &Shared, generation: u32, pc: &PeerConnection) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_track(move |event| {
        let Some(shared) = weak.upgrade() else { return };
        if !is_current(&shared, generation) {
            return;
        }
        let Some(stream) = event.first_stream() else {
            console_warn("Call: a remote track arrived without a stream; not shown.");
            return;
        };
        let Ok((video, button, on_remote)) = shared.try_borrow().map(|i| {
            (
                i.remote_video.clone(),
                i.hang_up_button.clone(),
                i.on_remote_stream.clone(),
            )
        }) else {
            return;
        };
        button.set_disabled(false);
        // Audio and video of one stream arrive as two events: attach the stream once.
        let already = video.src_object().is_some_and(|current| {
            JsValue::from(current) == JsValue::from(MediaStream::clone_ref(&stream))
        });
        if !already {
            let weak = Rc::downgrade(&shared);
            let stream = MediaStream::clone_ref(&stream);
            spawn_local(async move {
                let current = weak.upgrade().is_some_and(|s| is_current(&s, generation));
                if !current {
                    return;
                }
                if let Err(err) = attach_stream(&video, &stream).await {
                    if err.name() != "AbortError" {
                        console_warn(
                            &["Call: the remote video did not play: ", err.message()].concat(),
                        );
                    }
                }
            });
        }
        notify(on_remote, &[stream.into(), event.track().into()]);
    })
}

/// Reports state changes of `pc`; a failed connection hangs up.
fn state_listener(shared: &Shared, generation: u32, pc: &PeerConnection) -> Listener {
    let weak = Rc::downgrade(shared);
    let watched = pc.clone();
    pc.on_connection_state_change(move |state| {
        let Some(shared) = weak.upgrade() else { return };
        let callback = {
            let Ok(mut inner) = shared.try_borrow_mut() else {
                return;
            };
            let Some(session) = inner
                .session
                .as_ref()
                .filter(|s| s.generation == generation)
            else {
                return;
            };
            let receiving = session.receiving() == &watched;
            if !receiving && state != PeerConnectionState::Failed {
                return;
            }
            inner.last_state = state;
            inner.on_state.clone()
        };
        notify(callback, &[JsValue::from_str(state.as_str())]);
        if state == PeerConnectionState::Failed {
            let shared = Rc::clone(&shared);
            spawn_local(async move {
                if is_current(&shared, generation) {
                    hang_up(&shared, EndReason::Failed, true);
                }
            });
        }
    })
}

/// The hang-up button's click listener, for the life of one call.
fn hang_up_click(shared: &Shared, generation: u32, button: &Button) -> Listener {
    let weak = Rc::downgrade(shared);
    Listener::new(button.unchecked_ref(), "click", move |_| {
        let weak = weak.clone();
        // Hang up after this event: the listener is dropped outside its own callback.
        spawn_local(async move {
            if let Some(shared) = weak.upgrade() {
                if is_current(&shared, generation) {
                    hang_up(&shared, EndReason::Local, true);
                }
            }
        });
    })
}

/// Tears the current call down; `tell_peer` sends `bye` on a signalled call.
fn hang_up(shared: &Shared, reason: EndReason, tell_peer: bool) {
    let (session, local_video, remote_video, button, on_state, on_ended) = {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        let Some(session) = inner.session.take() else {
            return;
        };
        inner.last_state = PeerConnectionState::Closed;
        (
            session,
            inner.local_video.clone(),
            inner.remote_video.clone(),
            inner.hang_up_button.clone(),
            inner.on_state.clone(),
            inner.on_ended.clone(),
        )
    };
    let Session {
        call_id,
        local,
        far,
        local_stream,
        listeners,
        send,
        ..
    } = session;
    // 1. No more callbacks from these connections or the button.
    drop(listeners);
    // 2. Tell the other page (before closing, so it hears it promptly).
    if tell_peer {
        if let Some(send) = send {
            let msg = Object::new();
            set(&msg, "v", &JsValue::from_f64(PROTOCOL_VERSION));
            set(&msg, "call", &JsValue::from_str(&call_id));
            set(&msg, "type", &JsValue::from_str("bye"));
            if let Ok(text) = JSON::stringify(&msg) {
                let _ = send.call1(&JsValue::NULL, &text);
            }
        }
    }
    // 3. Close the connections, stop local media, clear the elements.
    local.pc.close();
    if let Some(far) = far {
        far.pc.close();
    }
    stop_tracks(&local_stream);
    detach_stream(&remote_video);
    detach_stream(&local_video);
    button.set_disabled(true);
    notify(on_state, &[JsValue::from_str("closed")]);
    notify(on_ended, &[JsValue::from_str(reason.as_str())]);
}

/// Reads a string field, with a length limit.
fn string_field(msg: &JsValue, key: &str, max: usize) -> Result<String, &'static str> {
    let value = Reflect::get(msg, &JsValue::from_str(key)).map_err(|_| "unreadable field")?;
    let s = value
        .as_string()
        .ok_or("a field is missing or not a string")?;
    if s.len() > max {
        return Err("a field is too long");
    }
    Ok(s)
}

fn valid_call_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Validates and applies one signalling message; `Err` says why it was ignored.
fn receive_message(shared: &Shared, message: &JsValue) -> Result<&'static str, &'static str> {
    let text = message.as_string().ok_or("not a string")?;
    if text.len() > MAX_MESSAGE_BYTES {
        return Err("larger than 64 KiB");
    }
    let msg = JSON::parse(&text).map_err(|_| "not JSON")?;
    if !msg.is_object() || js_sys::Array::is_array(&msg) {
        return Err("not a JSON object");
    }
    let version = Reflect::get(&msg, &JsValue::from_str("v"))
        .ok()
        .and_then(|v| v.as_f64());
    if version != Some(PROTOCOL_VERSION) {
        return Err("unknown protocol version");
    }
    let call_id = string_field(&msg, "call", 64)?;
    if !valid_call_id(&call_id) {
        return Err("invalid call id");
    }
    let kind = string_field(&msg, "type", 16)?;
    match kind.as_str() {
        "offer" => {
            let sdp = string_field(&msg, "sdp", MAX_MESSAGE_BYTES)?;
            if !sdp.starts_with("v=0") {
                return Err("the offer is not SDP");
            }
            let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
            if inner.session.is_some() {
                return Err("an offer arrived during a call (busy)");
            }
            inner.pending_offer = Some(PendingOffer {
                call_id,
                sdp,
                candidates: Vec::new(),
            });
            Ok("offer")
        }
        "answer" => {
            let sdp = string_field(&msg, "sdp", MAX_MESSAGE_BYTES)?;
            if !sdp.starts_with("v=0") {
                return Err("the answer is not SDP");
            }
            let (pc, generation) = {
                let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
                let session = inner
                    .session
                    .as_mut()
                    .filter(|s| s.call_id == call_id && s.send.is_some())
                    .ok_or("an answer for another call")?;
                if !session.awaiting_answer {
                    return Err("an answer that was not expected");
                }
                session.awaiting_answer = false;
                (session.local.pc.clone(), session.generation)
            };
            let weak = Rc::downgrade(shared);
            spawn_local(async move {
                let result = pc
                    .set_remote_description(&SessionDescription::answer(sdp))
                    .await;
                let Some(shared) = weak.upgrade() else { return };
                match result {
                    Ok(()) => remote_described(&shared, generation, true),
                    Err(err) => {
                        console_warn(&["Call: the answer was refused: ", err.message()].concat());
                        if is_current(&shared, generation) {
                            hang_up(&shared, EndReason::Failed, true);
                        }
                    }
                }
            });
            Ok("answer")
        }
        "candidate" => {
            let candidate = string_field(&msg, "candidate", 2048)?;
            if !candidate.starts_with("candidate:") {
                return Err("not an ICE candidate line");
            }
            let mid = Reflect::get(&msg, &JsValue::from_str("sdpMid")).map_err(|_| "bad sdpMid")?;
            let mid = if mid.is_null() || mid.is_undefined() {
                None
            } else {
                Some(
                    mid.as_string()
                        .filter(|m| m.len() <= 32)
                        .ok_or("bad sdpMid")?,
                )
            };
            let index = Reflect::get(&msg, &JsValue::from_str("sdpMLineIndex"))
                .map_err(|_| "bad sdpMLineIndex")?;
            let index = if index.is_null() || index.is_undefined() {
                None
            } else {
                let n = index.as_f64().ok_or("bad sdpMLineIndex")?;
                if !(0.0..=1024.0).contains(&n) || n.fract() != 0.0 {
                    return Err("bad sdpMLineIndex");
                }
                Some(n as u16)
            };
            let candidate = ice_candidate(&candidate, mid.as_deref(), index)
                .map_err(|_| "invalid candidate")?;
            let target = {
                let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
                if let Some(offer) = inner
                    .pending_offer
                    .as_mut()
                    .filter(|o| o.call_id == call_id)
                {
                    if offer.candidates.len() >= 256 {
                        return Err("too many candidates");
                    }
                    offer.candidates.push(candidate);
                    return Ok("candidate");
                }
                let side = inner
                    .session
                    .as_mut()
                    .filter(|s| s.call_id == call_id && s.send.is_some())
                    .map(|s| &mut s.local)
                    .ok_or("a candidate for another call")?;
                if side.remote_described {
                    Some(side.pc.clone())
                } else {
                    if side.pending.len() >= 256 {
                        return Err("too many candidates");
                    }
                    side.pending.push(candidate.clone());
                    None
                }
            };
            if let Some(pc) = target {
                add_candidate(pc, candidate);
            }
            Ok("candidate")
        }
        "bye" => {
            let in_call = {
                let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
                if inner
                    .pending_offer
                    .as_ref()
                    .is_some_and(|o| o.call_id == call_id)
                {
                    inner.pending_offer = None;
                    return Ok("bye");
                }
                inner
                    .session
                    .as_ref()
                    .is_some_and(|s| s.call_id == call_id && s.send.is_some())
            };
            if !in_call {
                return Err("a bye for another call");
            }
            hang_up(shared, EndReason::Remote, false);
            Ok("bye")
        }
        _ => Err("unknown message type"),
    }
}
