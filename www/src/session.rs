//! The call's state, owned here and nowhere else: the page's elements and callbacks, the live
//! session with its connections and negotiators, the signals that wait for a call, and hanging
//! up. Each call has a generation; every step of a call finds its session through
//! [`Inner::current`], so late events of an ended call are ignored. The other modules use this
//! one; it uses none of them but the page helpers and the statistics sample.

use core::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::Function;
use rtc_peer::{
    detach_stream, CallEnd, IceServer, Listener, MediaStreamTrack, Negotiator, PeerConnection,
    PeerConnectionState, Sender, Signal,
};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlMediaElement, MediaStream};

use crate::page::{notify, Button};
use crate::stats::Sample;

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

impl From<CallEnd> for EndReason {
    fn from(end: CallEnd) -> EndReason {
        match end {
            CallEnd::LocalHangUp => EndReason::Local,
            CallEnd::RemoteHangUp => EndReason::Remote,
            CallEnd::ConnectionFailed => EndReason::Failed,
        }
    }
}

/// One connection of the call and the negotiator that drives it.
pub(crate) struct Leg {
    pub(crate) pc: PeerConnection,
    /// Shared with the receive steps in flight (`Negotiator::receive` is async).
    pub(crate) negotiator: Rc<Negotiator>,
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
    /// The connection that sends the local stream (in a room call it also receives).
    pub(crate) local: Leg,
    /// Loopback only: the in-page far end whose `track` events feed the remote `<video>`.
    pub(crate) far: Option<Leg>,
    /// The sender of the local video track (what "Switch camera" replaces).
    pub(crate) video_sender: Option<Sender>,
    /// The local preview's stream: the tracks being sent now.
    pub(crate) local_stream: MediaStream,
    /// Every local track this call was given (stopped at hang-up).
    pub(crate) local_tracks: Vec<MediaStreamTrack>,
    pub(crate) listeners: Vec<Listener>,
    /// The hang-up button's click listener.
    pub(crate) hang_up_click: EventListener,
}

impl Session {
    /// The connection whose `track` events feed the remote `<video>`.
    pub(crate) fn receiving(&self) -> &PeerConnection {
        self.far.as_ref().map_or(&self.local.pc, |far| &far.pc)
    }

    /// One leg of the call (`None`: a room call has no far end).
    pub(crate) fn leg(&self, which: Which) -> Option<&Leg> {
        match which {
            Which::Local => Some(&self.local),
            Which::Far => self.far.as_ref(),
        }
    }

    /// Whether this is a call with another page (through the room), not a loopback call.
    pub(crate) fn is_room_call(&self) -> bool {
        self.far.is_none()
    }
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
    pub(crate) on_remote_track_state: Option<Function>,
    pub(crate) on_ended: Option<Function>,
    pub(crate) session: Option<Session>,
    /// Signals from the other page that arrived before this page's call started: an offer
    /// and what followed it, fed to the negotiator once the call starts.
    pub(crate) waiting: Vec<Signal>,
    pub(crate) generation: u32,
    /// The last state reported, kept after hang-up (`"closed"`).
    pub(crate) last_state: PeerConnectionState,
    /// The last statistics sample of the current call (for rates).
    pub(crate) last_sample: Option<Sample>,
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

/// The negotiator of one leg of call `generation`, if that call is current.
pub(crate) fn negotiator(shared: &Shared, generation: u32, which: Which) -> Option<Rc<Negotiator>> {
    with_current(shared, generation, |s| {
        s.leg(which).map(|leg| Rc::clone(&leg.negotiator))
    })
    .flatten()
}

/// Ends call `generation` if it is still the current one (see [`hang_up`]).
pub(crate) fn end(shared: &Shared, generation: u32, reason: EndReason) {
    if is_current(shared, generation) {
        hang_up(shared, reason);
    }
}

/// Tears the current call down. For a local hang-up the negotiator sends `Bye` to the other
/// page first; then every listener is removed, every connection closed, every local track
/// stopped and both `<video>` elements cleared.
pub(crate) fn hang_up(shared: &Shared, reason: EndReason) {
    let (session, local_video, remote_video, button, on_state, on_ended) = {
        let Ok(mut inner) = shared.try_borrow_mut() else {
            return;
        };
        let Some(session) = inner.session.take() else {
            return;
        };
        inner.last_state = PeerConnectionState::Closed;
        inner.last_sample = None;
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
        local,
        far,
        local_tracks,
        listeners,
        hang_up_click,
        ..
    } = session;
    // 1. No more callbacks from these connections, tracks or the button.
    drop(listeners);
    drop(hang_up_click);
    // 2. Tell the other side (`Bye`, before closing, so it hears it promptly) and close.
    //    After a remote hang-up or a failure the negotiator has closed its connection already.
    //    A negotiator that hangs up removes its listeners at once, even while a signal it is
    //    being fed still holds it; the loopback's far leg hangs up too (its `Bye` finds no
    //    current call and is dropped).
    local.negotiator.hang_up();
    local.pc.close();
    if let Some(far) = far {
        far.negotiator.hang_up();
        far.pc.close();
    }
    // 3. Stop local media, clear the elements.
    for track in &local_tracks {
        track.stop();
    }
    detach_stream(&remote_video);
    detach_stream(&local_video);
    button.set_disabled(true);
    notify(on_state, &[JsValue::from_str("closed")]);
    notify(on_ended, &[JsValue::from_str(reason.as_str())]);
}

impl Leg {
    pub(crate) fn new(pc: PeerConnection, negotiator: Negotiator) -> Leg {
        Leg {
            pc,
            negotiator: Rc::new(negotiator),
        }
    }
}
