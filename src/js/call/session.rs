//! The call's state: the page's elements and callbacks, the live session with its connections
//! (each call has a generation, so late events of an ended call are ignored), starting a call
//! and hanging up.

use core::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlMediaElement, MediaStream, MediaStreamTrack, RtcIceCandidate};

use super::listeners::{hang_up_click, state_listener, track_listener};
use super::negotiation::{loopback_candidates, signalled_candidates};
use super::page::{console_warn, notify, Button, CloneRef};
use super::signalling::{new_call_id, PendingOffer, PROTOCOL_VERSION};
use super::{busy_error, settings};
use crate::config::set;
use crate::{
    attach_stream, detach_stream, stop_tracks, Error, IceServer, Listener, PeerConnection,
    PeerConnectionState,
};

/// Why a call ended, as `onEnded` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EndReason {
    Local,
    Remote,
    Failed,
}

impl EndReason {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            EndReason::Local => "local",
            EndReason::Remote => "remote",
            EndReason::Failed => "failed",
        }
    }
}

/// One peer connection of the call, with the candidates that arrived before its remote
/// description.
pub(super) struct Side {
    pub(super) pc: PeerConnection,
    pub(super) remote_described: bool,
    pub(super) pending: Vec<RtcIceCandidate>,
}

impl Side {
    pub(super) fn new(pc: PeerConnection) -> Side {
        Side {
            pc,
            remote_described: false,
            pending: Vec::new(),
        }
    }
}

/// The live call: everything hang-up must release.
pub(super) struct Session {
    pub(super) generation: u32,
    pub(super) call_id: String,
    /// The connection that sends the local stream (and, when signalled, also receives).
    pub(super) local: Side,
    /// Loopback only: the in-page far end whose `track` events feed the remote `<video>`.
    pub(super) far: Option<Side>,
    pub(super) local_stream: MediaStream,
    pub(super) listeners: Vec<Listener>,
    /// Signalled calls: how to reach the other page.
    pub(super) send: Option<Function>,
    /// Signalled caller: waiting for the answer.
    pub(super) awaiting_answer: bool,
}

impl Session {
    /// The connection whose `track` events feed the remote `<video>`.
    pub(super) fn receiving(&self) -> &PeerConnection {
        self.far.as_ref().map_or(&self.local.pc, |far| &far.pc)
    }
}
pub(super) struct Inner {
    pub(super) local_video: HtmlMediaElement,
    pub(super) remote_video: HtmlMediaElement,
    pub(super) hang_up_button: Button,
    pub(super) ice_servers: Vec<IceServer>,
    pub(super) relay_only: bool,
    pub(super) on_state: Option<Function>,
    pub(super) on_remote_stream: Option<Function>,
    pub(super) on_ended: Option<Function>,
    pub(super) session: Option<Session>,
    pub(super) pending_offer: Option<PendingOffer>,
    pub(super) generation: u32,
    /// The last state reported, kept after hang-up (`"closed"`).
    pub(super) last_state: PeerConnectionState,
}

pub(super) type Shared = Rc<RefCell<Inner>>;
/// Creates the session for a new call (connections, listeners, local tracks) and returns its
/// generation. Fails when a call is in progress.
pub(super) fn begin(
    shared: &Shared,
    stream: MediaStream,
    send: Option<Function>,
    caller: bool,
) -> Result<u32, JsValue> {
    let (config, generation, button) = {
        let mut inner = shared.try_borrow_mut().map_err(|_| busy_error())?;
        if inner.session.is_some() {
            return Err(busy_error());
        }
        let config = settings::configuration(&inner.ice_servers, inner.relay_only);
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
    let session = Session {
        generation,
        call_id,
        local: Side::new(local),
        far: far.map(Side::new),
        local_stream: MediaStream::clone_ref(&stream),
        listeners,
        send,
        awaiting_answer: caller,
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
    Ok(generation)
}

/// Hangs up if `result` failed (and the call it started is still current).
pub(super) fn finish_start(
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

pub(super) fn is_current(shared: &Shared, generation: u32) -> bool {
    shared
        .try_borrow()
        .map(|i| {
            i.session
                .as_ref()
                .is_some_and(|s| s.generation == generation)
        })
        .unwrap_or(false)
}

pub(super) fn closed_error() -> Error {
    Error::from_name(
        "InvalidStateError",
        "The call was hung up while it was starting.",
    )
}
/// Tears the current call down; `tell_peer` sends `bye` on a signalled call.
pub(super) fn hang_up(shared: &Shared, reason: EndReason, tell_peer: bool) {
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
