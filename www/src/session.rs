//! The call's state, owned here and nowhere else: the page's elements and callbacks, the live
//! session with its connections, and hanging up. Each call has a generation; every step of a
//! call finds its session through [`Inner::current`], so late events of an ended call are
//! ignored. The other modules use this one; it uses none of them but the message format.

use core::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Function, Object};
use rtc_peer::{
    detach_stream, stop_tracks, Error, IceServer, Listener, PeerConnection, PeerConnectionState,
    RtcIceCandidate,
};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlMediaElement, MediaStream};

use crate::page::{console_warn, notify, Button};
use crate::wire;

/// Why a call ended, as `onEnded` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EndReason {
    Local,
    Remote,
    Failed,
}

impl EndReason {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EndReason::Local => "local",
            EndReason::Remote => "remote",
            EndReason::Failed => "failed",
        }
    }
}

/// One peer connection of the call, with the candidates that arrived before its remote
/// description.
pub(crate) struct Side {
    pub(crate) pc: PeerConnection,
    pub(crate) remote_described: bool,
    pub(crate) pending: Vec<RtcIceCandidate>,
}

impl Side {
    pub(crate) fn new(pc: PeerConnection) -> Side {
        Side {
            pc,
            remote_described: false,
            pending: Vec::new(),
        }
    }
}

/// Which connection of a session: this page's own, or the loopback call's in-page far end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    Local,
    Far,
}

/// The live call: everything hang-up must release.
pub(crate) struct Session {
    pub(crate) generation: u32,
    pub(crate) call_id: String,
    /// The connection that sends the local stream (and, when signalled, also receives).
    pub(crate) local: Side,
    /// Loopback only: the in-page far end whose `track` events feed the remote `<video>`.
    pub(crate) far: Option<Side>,
    pub(crate) local_stream: MediaStream,
    pub(crate) listeners: Vec<Listener>,
    /// The hang-up button's click listener.
    pub(crate) hang_up_click: EventListener,
    /// Signalled calls: how to reach the other page.
    pub(crate) send: Option<Function>,
    /// Signalled caller: waiting for the answer.
    pub(crate) awaiting_answer: bool,
}

impl Session {
    /// The connection whose `track` events feed the remote `<video>`.
    pub(crate) fn receiving(&self) -> &PeerConnection {
        self.far.as_ref().map_or(&self.local.pc, |far| &far.pc)
    }

    /// One side of the call (`None`: a signalled call has no far end).
    pub(crate) fn side(&mut self, which: Which) -> Option<&mut Side> {
        match which {
            Which::Local => Some(&mut self.local),
            Which::Far => self.far.as_mut(),
        }
    }

    /// Whether this is the signalled call `call_id` (not a loopback call).
    pub(crate) fn is_signalled_call(&self, call_id: &str) -> bool {
        self.send.is_some() && self.call_id == call_id
    }
}

/// An offer received from the other page and not answered yet.
pub(crate) struct PendingOffer {
    pub(crate) call_id: String,
    pub(crate) sdp: String,
    pub(crate) candidates: Vec<RtcIceCandidate>,
}

/// Everything a `Call` holds.
pub(crate) struct Inner {
    pub(crate) local_video: HtmlMediaElement,
    pub(crate) remote_video: HtmlMediaElement,
    pub(crate) hang_up_button: Button,
    pub(crate) ice_servers: Vec<IceServer>,
    pub(crate) relay_only: bool,
    pub(crate) on_state: Option<Function>,
    pub(crate) on_remote_stream: Option<Function>,
    pub(crate) on_ended: Option<Function>,
    pub(crate) session: Option<Session>,
    pub(crate) pending_offer: Option<PendingOffer>,
    pub(crate) generation: u32,
    /// The last state reported, kept after hang-up (`"closed"`).
    pub(crate) last_state: PeerConnectionState,
}

impl Inner {
    /// The session of call `generation`, if that call is still the current one.
    pub(crate) fn current(&mut self, generation: u32) -> Option<&mut Session> {
        self.session.as_mut().filter(|s| s.generation == generation)
    }
}

/// The state shared by a `Call` and the listeners of its current session (which hold it weakly).
pub(crate) type Shared = Rc<RefCell<Inner>>;

/// Runs `f` on the session of call `generation`; `None` when that call has ended (or the state
/// is in use, which only a re-entrant callback could cause).
pub(crate) fn with_current<R>(
    shared: &Shared,
    generation: u32,
    f: impl FnOnce(&mut Session) -> R,
) -> Option<R> {
    let mut inner = shared.try_borrow_mut().ok()?;
    inner.current(generation).map(f)
}

/// Whether call `generation` is still the current one.
pub(crate) fn is_current(shared: &Shared, generation: u32) -> bool {
    with_current(shared, generation, |_| ()).is_some()
}

/// One connection of call `generation`, or the "hung up while starting" error.
pub(crate) fn connection(
    shared: &Shared,
    generation: u32,
    which: Which,
) -> Result<PeerConnection, Error> {
    with_current(shared, generation, |s| {
        s.side(which).map(|side| side.pc.clone())
    })
    .flatten()
    .ok_or_else(crate::errors::closed_error)
}

/// Sends `{v, call, type, ...fields}` to the other page, if call `generation` is current and
/// signalled.
pub(crate) fn send(shared: &Shared, generation: u32, kind: &str, fields: &Object) {
    let Some((send, call_id)) = with_current(shared, generation, |s| {
        s.send.clone().map(|send| (send, s.call_id.clone()))
    })
    .flatten() else {
        return;
    };
    send_text(&send, &call_id, kind, fields);
}

fn send_text(send: &Function, call_id: &str, kind: &str, fields: &Object) {
    let Some(text) = wire::encode(call_id, kind, fields) else {
        return;
    };
    if let Err(err) = send.call1(&JsValue::NULL, &JsValue::from_str(&text)) {
        let err = Error::from(err);
        console_warn(&["Call: send threw: ", err.message()].concat());
    }
}

/// Tears the current call down; `tell_peer` sends `bye` on a signalled call.
pub(crate) fn hang_up(shared: &Shared, reason: EndReason, tell_peer: bool) {
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
        hang_up_click,
        send,
        ..
    } = session;
    // 1. No more callbacks from these connections or the button.
    drop(listeners);
    drop(hang_up_click);
    // 2. Tell the other page (before closing, so it hears it promptly).
    if tell_peer {
        if let Some(send) = send {
            send_text(&send, &call_id, "bye", &Object::new());
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
