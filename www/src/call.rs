//! `Call`: the object the demo page's JavaScript uses (see the crate docs).

use core::cell::RefCell;
use core::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise};
use rtc_peer::{MediaStreamTrack, PeerConnectionState, Role};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{HtmlMediaElement, MediaStream};

use crate::errors::{busy_error, type_error};
use crate::page::{console_warn, Button, CloneRef, Video};
use crate::session::{hang_up, EndReason, Inner, Shared};
use crate::start::{begin, Mode};
use crate::{incoming, media, settings, stats};

/// The demo's call: local and remote `<video>`, a hang-up button, and the connections of one
/// call at a time.
///
/// JavaScript:
///
/// ```js
/// import init, { Call } from "./pkg/rtc_peer_demo.js";
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

fn as_function(value: JsValue, what: &str) -> Result<Function, JsValue> {
    value.dyn_into::<Function>().map_err(|_| type_error(what))
}

fn as_stream(value: JsValue) -> Result<MediaStream, JsValue> {
    value
        .dyn_into::<MediaStream>()
        .map_err(|_| type_error("Call: the local stream must be a MediaStream."))
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
        // A panic anywhere in the app's wasm reaches the console with its message instead of
        // "unreachable".
        rtc_peer::set_panic_hook();
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
                on_remote_track_state: None,
                on_ended: None,
                session: None,
                waiting: Vec::new(),
                generation: 0,
                last_state: PeerConnectionState::New,
                last_sample: None,
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
        let server = settings::ice_server(url, username, credential)?;
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
        settings::summary(&inner.ice_servers, inner.relay_only)
    }

    /// Masks a credential for display: dots and its length, never its characters.
    #[wasm_bindgen(js_name = maskCredential)]
    pub fn mask_credential(credential: &str) -> String {
        settings::mask(credential)
    }

    /// Calls `callback` with the connection state of the receiving connection whenever it
    /// changes (replaces the previous callback).
    #[wasm_bindgen(js_name = onStateChange)]
    pub fn on_state_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(state: RTCPeerConnectionState) => void")]
        callback: JsValue,
    ) -> Result<(), JsValue> {
        self.set_callback(
            callback,
            "Call.onStateChange: the callback must be a function.",
            |inner| &mut inner.on_state,
        )
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
        self.set_callback(
            callback,
            "Call.onRemoteStream: the callback must be a function.",
            |inner| &mut inner.on_remote_stream,
        )
    }

    /// Calls `callback` with a remote track's kind and state when it arrives and whenever it
    /// is muted (no media for now), unmuted or ended (replaces the previous callback).
    #[wasm_bindgen(js_name = onRemoteTrackState)]
    pub fn on_remote_track_state(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(kind: string, state: \"live\" | \"muted\" | \"ended\") => void"
        )]
        callback: JsValue,
    ) -> Result<(), JsValue> {
        self.set_callback(
            callback,
            "Call.onRemoteTrackState: the callback must be a function.",
            |inner| &mut inner.on_remote_track_state,
        )
    }

    /// Calls `callback` after every hang-up with why the call ended: `"local"` (this page),
    /// `"remote"` (the other side hung up or went away) or `"failed"` (the connection failed).
    #[wasm_bindgen(js_name = onEnded)]
    pub fn on_ended(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(reason: \"local\" | \"remote\" | \"failed\") => void"
        )]
        callback: JsValue,
    ) -> Result<(), JsValue> {
        self.set_callback(
            callback,
            "Call.onEnded: the callback must be a function.",
            |inner| &mut inner.on_ended,
        )
    }

    /// Starts a loopback call: both peers in this page, each driven by its own negotiator,
    /// `localStream` sent from one to the other, the far side's first stream shown in the
    /// remote `<video>`. The Call owns the stream's tracks from now on (stopped at hang-up).
    ///
    /// # Errors
    ///
    /// Throws `InvalidStateError` when a call is in progress, `TypeError` for a wrong
    /// argument, or the browser's error (the call is then hung up).
    #[wasm_bindgen(js_name = startLoopback)]
    pub fn start_loopback(
        &self,
        #[wasm_bindgen(js_name = localStream, unchecked_param_type = "MediaStream")]
        local_stream: JsValue,
    ) -> Result<(), JsValue> {
        let stream = as_stream(local_stream)?;
        begin(&self.inner, stream, Mode::Loopback).map(drop)
    }

    /// Starts (or answers) a call with another page: this page's negotiator sends its signals
    /// as JSON text through `send`, and the other page's texts come in through `receive`.
    /// `polite` is this side's perfect-negotiation role: exactly one of the two pages must be
    /// polite (the page that joined the room second), so both may press Call at once. An
    /// offer that `receive` kept is answered at once.
    ///
    /// # Errors
    ///
    /// As `startLoopback`.
    #[wasm_bindgen(js_name = startRoomCall)]
    pub fn start_room_call(
        &self,
        #[wasm_bindgen(js_name = localStream, unchecked_param_type = "MediaStream")]
        local_stream: JsValue,
        polite: bool,
        #[wasm_bindgen(unchecked_param_type = "(text: string) => void")] send: JsValue,
    ) -> Result<(), JsValue> {
        let stream = as_stream(local_stream)?;
        let send = as_function(send, "Call.startRoomCall: send must be a function.")?;
        let role = if polite { Role::Polite } else { Role::Impolite };
        begin(&self.inner, stream, Mode::Room { role, send }).map(drop)
    }

    /// Whether the other page's offer waits for this page to start its call.
    #[wasm_bindgen(getter = hasIncomingCall)]
    pub fn has_incoming_call(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|i| i.session.is_none() && !i.waiting.is_empty())
            .unwrap_or(false)
    }

    /// Forgets an offer that waits (the other page left before this page answered).
    #[wasm_bindgen(js_name = forgetIncoming)]
    pub fn forget_incoming(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.waiting.clear();
        }
    }

    /// Handles one text from the other page (a `Signal` as JSON). Returns what it was:
    /// `"signal"` (for the current call), `"offer"` (no call yet: start one to answer it;
    /// now `hasIncomingCall`), `"waiting"` (kept for that call), `"bye"` (the other page hung
    /// up before this one answered), or `"ignored"` (malformed, or for no call; a console
    /// warning says why).
    #[wasm_bindgen(
        unchecked_return_type = "\"signal\" | \"offer\" | \"waiting\" | \"bye\" | \"ignored\""
    )]
    pub fn receive(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] text: JsValue,
    ) -> String {
        let result = match text.as_string() {
            Some(text) => incoming::receive(&self.inner, &text),
            None => Err("not a string".into()),
        };
        match result {
            Ok(kind) => kind.as_str().to_owned(),
            Err(why) => {
                console_warn(&["Call: ignored a signalling message: ", &why].concat());
                "ignored".to_owned()
            }
        }
    }

    /// Sends `track` instead of the current video track, with `RTCRtpSender.replaceTrack`
    /// (no renegotiation). The replaced track is stopped; the Call owns `track` from now on.
    ///
    /// # Errors
    ///
    /// Rejects with `InvalidStateError` when there is no call (or it sends no video) and
    /// with the browser's error when the track cannot replace the current one (`track` is
    /// then stopped).
    #[wasm_bindgen(js_name = switchVideo, unchecked_return_type = "Promise<void>")]
    pub fn switch_video(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MediaStreamTrack")] track: JsValue,
    ) -> Promise {
        let shared = Rc::clone(&self.inner);
        future_to_promise(async move {
            let track = track.dyn_into::<MediaStreamTrack>().map_err(|_| {
                type_error("Call.switchVideo: the track must be a MediaStreamTrack.")
            })?;
            media::switch_video(&shared, track).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Restarts ICE (new ICE credentials, offered to the other side by the negotiator), for
    /// a connection that was interrupted. Returns whether there was a call to reconnect.
    pub fn reconnect(&self) -> bool {
        let Ok(inner) = self.inner.try_borrow() else {
            return false;
        };
        let Some(session) = &inner.session else {
            return false;
        };
        session.local.negotiator.restart_ice();
        true
    }

    /// The stats panel's numbers, from the receiving connection's `StatsReport`:
    /// `{path, local, remote, width, height, fps, kbps, rttMs}` (`path` is `"relay"` or the
    /// local candidate type of the selected pair), or `null` when there is no call.
    #[wasm_bindgen(unchecked_return_type = "Promise<object | null>")]
    pub fn stats(&self) -> Promise {
        let shared = Rc::clone(&self.inner);
        future_to_promise(async move {
            let Some((pc, generation)) = shared.try_borrow().ok().and_then(|i| {
                i.session
                    .as_ref()
                    .map(|s| (s.receiving().clone(), s.generation))
            }) else {
                return Ok(JsValue::NULL);
            };
            let report = pc.stats_report().await?;
            let Ok(mut inner) = shared.try_borrow_mut() else {
                return Ok(JsValue::NULL);
            };
            if inner.current(generation).is_none() {
                return Ok(JsValue::NULL);
            }
            let (summary, sample) = stats::summarize(&report, inner.last_sample);
            inner.last_sample = Some(sample);
            Ok(summary.into())
        })
    }

    /// Ends the call (if any): sends `Bye` to the other side, closes every connection, stops
    /// every local track, clears both `srcObject`s, removes every listener and disables the
    /// hang-up button. Does nothing when there is no call.
    #[wasm_bindgen(js_name = hangUp)]
    pub fn hang_up(&self) {
        hang_up(&self.inner, EndReason::Local);
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

    /// The local stream being sent (the preview's), during a call.
    #[wasm_bindgen(getter = localStream)]
    pub fn local_stream(&self) -> Option<MediaStream> {
        let inner = self.inner.try_borrow().ok()?;
        inner
            .session
            .as_ref()
            .map(|s| MediaStream::clone_ref(&s.local_stream))
    }
}

/// Freeing the object (`free()`, `using`) hangs up first, so nothing is left running.
impl Call {
    /// Stores a page callback in the slot `slot` picks, after checking it is a function.
    fn set_callback(
        &self,
        callback: JsValue,
        not_a_function: &str,
        slot: fn(&mut Inner) -> &mut Option<Function>,
    ) -> Result<(), JsValue> {
        let f = as_function(callback, not_a_function)?;
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy_error())?;
        *slot(&mut inner) = Some(f);
        Ok(())
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        hang_up(&self.inner, EndReason::Local);
    }
}
