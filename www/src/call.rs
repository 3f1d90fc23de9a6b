//! `Call`: the object the demo page's JavaScript uses (see the crate docs).

use core::cell::RefCell;
use core::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise};
use rtc_peer::{Error, PeerConnectionState};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{HtmlMediaElement, MediaStream, RtcPeerConnection};

use crate::errors::{busy_error, type_error};
use crate::negotiation::{negotiate_loopback, send_answer, send_offer};
use crate::page::{console_warn, Button, CloneRef, Video};
use crate::session::{hang_up, EndReason, Inner, Shared};
use crate::settings;
use crate::signalling;
use crate::start::{begin, finish_start};

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
        self.set_callback(
            callback,
            "Call.onEnded: the callback must be a function.",
            |inner| &mut inner.on_ended,
        )
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
            let generation = begin(&shared, stream, None, false)?;
            // Hanging up closes the connections, which ends every operation still pending
            // (`PeerConnection::close`), so the start cannot outlive the call.
            let result = negotiate_loopback(&shared, generation).await;
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
            let generation = begin(&shared, stream, Some(send), true)?;
            // Hanging up closes the connections, which ends every operation still pending
            // (`PeerConnection::close`), so the start cannot outlive the call.
            let result = send_offer(&shared, generation).await;
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
            let generation = begin(&shared, stream, Some(send), false)?;
            // Hanging up closes the connections, which ends every operation still pending
            // (`PeerConnection::close`), so the start cannot outlive the call.
            let result = send_answer(&shared, generation, offer).await;
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
        match signalling::receive(&self.inner, &message) {
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

    /// How many event listeners this object holds right now, by its own count (0 when there is
    /// no call). For display: the tests read the browser's own registrations instead.
    #[wasm_bindgen(getter = listenerCount)]
    pub fn listener_count(&self) -> u32 {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|i| i.session.as_ref().map(|s| s.listeners.len() + 1))
            .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
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
        hang_up(&self.inner, EndReason::Local, true);
    }
}
