//! [`Negotiator`]: the perfect-negotiation pattern on one connection.

use core::cell::{Cell, RefCell};
use core::fmt;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

use crate::closing::settle;
use crate::{
    sys, CallEnd, Error, Listener, Liveness, PeerConnection, PeerConnectionState, Role, SdpType,
    Signal, SignalingState,
};

/// Negotiates one connection with the other peer, glare-safe, for as long as it lives.
///
/// Made by [`PeerConnection::negotiate`]. Every local change that needs negotiation
/// (`add_track`, `remove_track`, `restart_ice`, a data channel) is offered to the other peer by
/// itself; feed every signal from the other peer to [`receive`](Self::receive). Dropping the
/// negotiator stops negotiating: every listener it registered is removed (the connection
/// stays open).
///
/// See the [module docs](crate::negotiation) for the pattern it follows and an example.
#[must_use = "negotiation stops as soon as the Negotiator is dropped"]
pub struct Negotiator {
    state: Rc<State>,
    _listeners: [Listener; 3],
    /// The liveness channel's watcher, unless turned off (or refused by the browser).
    _liveness: Option<Liveness>,
}

/// What the pattern keeps between events, shared with the listeners (weakly) and the
/// operations in flight.
struct State {
    pc: PeerConnection,
    polite: bool,
    /// `makingOffer`: a `setLocalDescription()` for `negotiationneeded` is in flight.
    making_offer: Cell<bool>,
    /// `ignoreOffer`: the last offer was ignored (impolite side of a glare), so failures of
    /// its candidates are expected.
    ignore_offer: Cell<bool>,
    /// `isSettingRemoteAnswerPending`: a remote answer is being applied, so the connection is
    /// about to be `stable` and an offer arriving now is no collision.
    setting_remote_answer: Cell<bool>,
    /// Set once, by [`State::end`].
    ended: Cell<Option<CallEnd>>,
    send: RefCell<Box<dyn FnMut(Signal)>>,
    /// Signals waiting while `send` runs (a `send` that makes the negotiator send again).
    outbox: RefCell<VecDeque<Signal>>,
    on_end: RefCell<Option<EndCallback>>,
}

/// What [`Negotiator::on_end`] keeps until the call ends.
type EndCallback = Box<dyn FnMut(CallEnd)>;

impl Negotiator {
    pub(crate) fn new(
        pc: &PeerConnection,
        role: Role,
        liveness: bool,
        send: Box<dyn FnMut(Signal)>,
    ) -> Self {
        let state = Rc::new(State {
            pc: pc.clone(),
            polite: role == Role::Polite,
            making_offer: Cell::new(false),
            ignore_offer: Cell::new(false),
            setting_remote_answer: Cell::new(false),
            ended: Cell::new(None),
            send: RefCell::new(send),
            outbox: RefCell::new(VecDeque::new()),
            on_end: RefCell::new(None),
        });
        let weak = Rc::downgrade(&state);
        // Its `negotiationneeded` (dispatched after this returns) makes the first offer.
        let liveness = liveness.then(|| watch_liveness(pc, &weak)).flatten();
        let listeners = [
            pc.on_negotiation_needed({
                let weak = Weak::clone(&weak);
                move || State::offer(&weak)
            }),
            pc.on_ice_candidate({
                let weak = Weak::clone(&weak);
                move |candidate| {
                    let Some(state) = weak.upgrade() else { return };
                    if state.ended.get().is_some() {
                        return;
                    }
                    match candidate {
                        // Firefox hands out an empty end-of-candidates candidate before
                        // `null`; the `null` that follows is sent as `EndOfCandidates`.
                        Some(candidate) if candidate.candidate().is_empty() => {}
                        Some(candidate) => state.send(Signal::Candidate(candidate)),
                        None => state.send(Signal::EndOfCandidates),
                    }
                }
            }),
            pc.on_connection_state_change(move |connection| {
                if connection == PeerConnectionState::Failed {
                    if let Some(state) = weak.upgrade() {
                        state.end(CallEnd::ConnectionFailed);
                    }
                }
            }),
        ];
        Negotiator {
            state,
            _listeners: listeners,
            _liveness: liveness,
        }
    }

    /// Whether this negotiator keeps the liveness channel (see [`Liveness`]): `false` when it
    /// was turned off with
    /// [`negotiate_without_liveness`](PeerConnection::negotiate_without_liveness), or when the
    /// browser refused the channel (its id already taken on this connection).
    pub fn has_liveness(&self) -> bool {
        self._liveness.is_some()
    }

    /// Applies one signal from the other peer, as the pattern says.
    ///
    /// An offer is applied (rolling back a local offer of the polite side) and answered
    /// through `send`, or ignored by the impolite side in glare: an ignored offer is `Ok`. An
    /// answer or candidate is applied. `EndOfCandidates` is accepted and ignored (browsers end
    /// ICE checks without it). `Bye` closes the connection and ends the call with
    /// [`CallEnd::RemoteHangUp`].
    ///
    /// Feed the signals in the order they arrive; each call may run while earlier ones are
    /// still pending (the browser queues the operations in call order).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidState`] once the call has ended or the connection is closed (nothing
    ///   is applied), and for a description the signalling state does not allow (an answer in
    ///   `stable`);
    /// - the browser's error for a description or candidate it rejects (an unknown mid is an
    ///   [`Error::Operation`]), except for the candidates of an offer that was ignored, which
    ///   are expected to fail and give `Ok`.
    ///
    /// The connection is left as the browser leaves it after the error: a rejected signal
    /// does not stop negotiation.
    ///
    /// See [MDN: Handling incoming messages on the signaling channel](https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation#handling_incoming_messages_on_the_signaling_channel).
    pub async fn receive(&self, signal: Signal) -> Result<(), Error> {
        let state = &self.state;
        if state.ended.get().is_some() || state.pc.signaling_state() == SignalingState::Closed {
            return Err(Error::InvalidState {
                message: "The call has ended: the connection is closed, so no signal can be \
                          applied."
                    .into(),
            });
        }
        match signal {
            Signal::Description(description) => {
                let is_offer = description.kind == SdpType::Offer;
                let ready_for_offer = !state.making_offer.get()
                    && (state.pc.signaling_state() == SignalingState::Stable
                        || state.setting_remote_answer.get());
                let offer_collision = is_offer && !ready_for_offer;
                state.ignore_offer.set(!state.polite && offer_collision);
                if state.ignore_offer.get() {
                    return Ok(());
                }
                state
                    .setting_remote_answer
                    .set(description.kind == SdpType::Answer);
                // Rolls a local offer back by itself when `description` is an offer.
                let applied = state.pc.set_remote_description(&description).await;
                state.setting_remote_answer.set(false);
                applied?;
                if is_offer {
                    let pc = state.pc.as_raw().unchecked_ref::<sys::Pc>();
                    let call = sys::Pc::set_local_description_implicit(pc);
                    settle(pc, "setLocalDescription", call).await?;
                    state.send_local_description();
                }
                Ok(())
            }
            Signal::Candidate(candidate) => {
                // Read when the candidate arrives, not when the browser rejects it: an answer
                // that arrives meanwhile resets `ignoreOffer`, and the candidate would then be
                // taken for one of the answer's.
                let of_ignored_offer = state.ignore_offer.get();
                match state.pc.add_ice_candidate(&candidate).await {
                    Err(_) if of_ignored_offer => Ok(()),
                    result => result,
                }
            }
            Signal::EndOfCandidates => Ok(()),
            Signal::Bye => {
                state.end(CallEnd::RemoteHangUp);
                Ok(())
            }
        }
    }

    /// Restarts ICE (new credentials), offered to the other peer through `send` like any
    /// other change.
    ///
    /// See [`PeerConnection::restart_ice`].
    pub fn restart_ice(&self) {
        self.state.pc.restart_ice();
    }

    /// Ends the call: sends [`Signal::Bye`], closes the connection, and ends with
    /// [`CallEnd::LocalHangUp`]. Does nothing once the call has ended (calling it twice is
    /// fine).
    pub fn hang_up(&self) {
        if self.state.ended.get().is_some() {
            return;
        }
        self.state.send(Signal::Bye);
        self.end(CallEnd::LocalHangUp);
    }

    /// Calls `callback` once, when the call ends, with why (whatever happens first: this
    /// side's [`hang_up`](Self::hang_up), the other side's `Bye`, or a failed connection).
    /// When the call has already ended, calls it at once. Replaces an earlier callback.
    pub fn on_end<F>(&self, callback: F)
    where
        F: FnMut(CallEnd) + 'static,
    {
        let mut callback: EndCallback = Box::new(callback);
        match self.state.ended.get() {
            Some(reason) => callback(reason),
            None => {
                if let Ok(mut slot) = self.state.on_end.try_borrow_mut() {
                    *slot = Some(callback);
                }
            }
        }
    }

    /// Why the call ended, or `None` while it goes on.
    pub fn ended(&self) -> Option<CallEnd> {
        self.state.ended.get()
    }

    /// The connection this negotiator drives.
    pub fn connection(&self) -> &PeerConnection {
        &self.state.pc
    }

    /// Ends the call for `reason` (closes the connection, fires `on_end` once): the one way
    /// every ending goes.
    pub(crate) fn end(&self, reason: CallEnd) {
        self.state.end(reason);
    }
}

/// The liveness channel, ending the call when it reports the other side gone:
/// [`CallEnd::ConnectionFailed`] when the connection has failed by then,
/// [`CallEnd::RemoteHangUp`] otherwise (the other side closed its connection, and its `Bye`,
/// if any, has not arrived). `None` when the browser refuses the channel.
fn watch_liveness(pc: &PeerConnection, weak: &Weak<State>) -> Option<Liveness> {
    let weak = Weak::clone(weak);
    let watched = pc.clone();
    Liveness::watch(pc, move || {
        let Some(state) = weak.upgrade() else { return };
        let reason = if watched.connection_state() == PeerConnectionState::Failed {
            CallEnd::ConnectionFailed
        } else {
            CallEnd::RemoteHangUp
        };
        state.end(reason);
    })
    .ok()
}

impl State {
    /// The `negotiationneeded` handler: `makingOffer`, `setLocalDescription()`, send.
    fn offer(weak: &Weak<State>) {
        let Some(state) = weak.upgrade() else { return };
        if state.ended.get().is_some() {
            return;
        }
        state.making_offer.set(true);
        // Called now, in the event's task, as the pattern's handler does: the browser queues
        // it before any signal that arrives later.
        let pc = state.pc.clone();
        let call = sys::Pc::set_local_description_implicit(pc.as_raw().unchecked_ref());
        let weak = Weak::clone(weak);
        drop(state);
        spawn_local(async move {
            let result = settle(pc.as_raw().unchecked_ref(), "setLocalDescription", call).await;
            let Some(state) = weak.upgrade() else { return };
            match result {
                Ok(_) => state.send_local_description(),
                // What the pattern logs; a closed connection is the call ending, not an error.
                Err(err) if state.pc.signaling_state() != SignalingState::Closed => {
                    web_sys::console::error_1(&err.into());
                }
                Err(_) => {}
            }
            state.making_offer.set(false);
        });
    }

    fn send_local_description(&self) {
        if let Some(description) = self.pc.local_description() {
            self.send(Signal::Description(description));
        }
    }

    /// Sends `signal` through the app's `send`, after any signal queued while it runs.
    fn send(&self, signal: Signal) {
        if let Ok(mut outbox) = self.outbox.try_borrow_mut() {
            outbox.push_back(signal);
        }
        let Ok(mut send) = self.send.try_borrow_mut() else {
            // `send` is running (it made this call): the outer call sends it next.
            return;
        };
        loop {
            let next = self
                .outbox
                .try_borrow_mut()
                .ok()
                .and_then(|mut q| q.pop_front());
            let Some(signal) = next else { break };
            send(signal);
        }
    }

    /// The one place a call ends: closes the connection and fires `on_end`, once.
    fn end(&self, reason: CallEnd) {
        if self.ended.get().is_some() {
            return;
        }
        self.ended.set(Some(reason));
        self.pc.close();
        let callback = self.on_end.try_borrow_mut().ok().and_then(|mut c| c.take());
        if let Some(mut callback) = callback {
            callback(reason);
        }
    }
}

impl fmt::Debug for Negotiator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Negotiator")
            .field("polite", &self.state.polite)
            .field("making_offer", &self.state.making_offer.get())
            .field("ignore_offer", &self.state.ignore_offer.get())
            .field("ended", &self.state.ended.get())
            .finish_non_exhaustive()
    }
}
