//! [`Negotiator`]: the perfect-negotiation pattern on one connection.

use core::cell::{Cell, RefCell};
use core::fmt;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use wasm_bindgen::JsCast;

use crate::closing::settle_then;
use crate::{
    sys, CallEnd, DataChannel, Error, Listener, Liveness, PeerConnection, PeerConnectionState,
    Role, SdpType, Signal, SignalingState,
};

/// Negotiates one connection with the other peer, glare-safe, for as long as it lives.
///
/// Made by [`PeerConnection::negotiate`]. Every local change that needs negotiation
/// (`add_track`, `remove_track`, `restart_ice`, a data channel) is offered to the other peer by
/// itself; feed every signal from the other peer to [`receive`](Self::receive). Dropping the
/// negotiator stops negotiating: every listener it registered is removed (the connection
/// stays open). When the call ends they are removed too, though the negotiator is still held.
///
/// See the [module docs](crate::negotiation) for the pattern it follows and an example.
#[must_use = "negotiation stops as soon as the Negotiator is dropped"]
pub struct Negotiator {
    state: Rc<State>,
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
    /// Set when the liveness channel ended the call: the other side's `Bye` may still come.
    bye_due: Cell<bool>,
    /// Whether to keep a liveness channel (on unless `negotiate_without_liveness`).
    wants_liveness: bool,
    /// The liveness channel's watcher, once created (see [`State::watch_liveness`]).
    liveness: RefCell<Option<Liveness>>,
    /// `negotiationneeded`, `icecandidate` and `connectionstatechange`, until the call ends or
    /// the negotiator is dropped (see [`State::stop_listening`]).
    listeners: RefCell<Option<[Listener; 3]>>,
    /// Set by [`State::stop_listening`]: no listener is registered again.
    stopped: Cell<bool>,
    weak_self: Weak<State>,
    send: RefCell<Box<dyn FnMut(Signal)>>,
    /// Signals waiting while `send` runs (a `send` that makes the negotiator send again).
    outbox: RefCell<VecDeque<Signal>>,
    on_end: RefCell<Option<EndCallback>>,
}

/// What [`Negotiator::on_end`] keeps until the call ends.
type EndCallback = Box<dyn FnMut(CallEnd)>;

/// What [`Negotiator::receive_then`] calls once with the signal's outcome.
type Done = Box<dyn FnOnce(Result<(), Error>)>;

impl Negotiator {
    pub(crate) fn new(
        pc: &PeerConnection,
        role: Role,
        liveness: bool,
        send: Box<dyn FnMut(Signal)>,
    ) -> Self {
        let state = Rc::new_cyclic(|weak_self| State {
            pc: pc.clone(),
            polite: role == Role::Polite,
            making_offer: Cell::new(false),
            ignore_offer: Cell::new(false),
            setting_remote_answer: Cell::new(false),
            ended: Cell::new(None),
            wants_liveness: liveness,
            bye_due: Cell::new(false),
            liveness: RefCell::new(None),
            listeners: RefCell::new(None),
            stopped: Cell::new(false),
            weak_self: Weak::clone(weak_self),
            send: RefCell::new(send),
            outbox: RefCell::new(VecDeque::new()),
            on_end: RefCell::new(None),
        });
        let weak = Rc::downgrade(&state);
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
        if let Ok(mut slot) = state.listeners.try_borrow_mut() {
            *slot = Some(listeners);
        }
        Negotiator { state }
    }

    /// Whether this negotiator keeps a liveness channel (see the
    /// [module docs](crate::negotiation)): `false` when it was turned off with
    /// [`negotiate_without_liveness`](PeerConnection::negotiate_without_liveness). The
    /// impolite side creates its channel with the first negotiation, the polite side once the
    /// `m=application` section is negotiated.
    pub fn has_liveness(&self) -> bool {
        self.state.wants_liveness
    }

    /// The liveness channel, once created (see [`has_liveness`](Self::has_liveness)): for
    /// reading its state; nothing is ever sent on it.
    pub fn liveness_channel(&self) -> Option<DataChannel> {
        let watcher = self.state.liveness.try_borrow().ok()?;
        watcher.as_ref().map(|w| w.channel().clone())
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
    ///   is applied; the first `Bye` after the liveness channel ended the call is `Ok`), and for a description the signalling state does not allow (an answer in
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
        let (done, outcome) = oneshot::channel();
        self.receive_then(signal, move |result| {
            let _ = done.send(result);
        });
        outcome.await.unwrap_or_else(|_| {
            // The browser dropped the operation's callbacks without settling it.
            Err(Error::InvalidState {
                message: "The signal's operation was dropped unsettled.".into(),
            })
        })
    }

    /// [`receive`](Self::receive) with a callback instead of a future: applies `signal` the
    /// same way and calls `done` once with the outcome (at once when nothing is to be
    /// applied), with no futures executor. Each browser operation is called before this
    /// returns, so signals fed in order are applied in order.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{PeerConnection, Role, Signal};
    ///
    /// let pc = PeerConnection::new()?;
    /// let negotiator = pc.negotiate(Role::Polite, |_signal| { /* to the other peer */ });
    /// let text = r#"{"v":1,"bye":true}"#; // one message from the other peer
    /// negotiator.receive_then(Signal::from_json(text)?, |applied| {
    ///     if let Err(err) = applied {
    ///         web_sys::console::warn_1(&err.into());
    ///     }
    /// });
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// `done` gets the errors of [`receive`](Self::receive).
    pub fn receive_then<F>(&self, signal: Signal, done: F)
    where
        F: FnOnce(Result<(), Error>) + 'static,
    {
        State::receive(&self.state, signal, Box::new(done));
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
    ///
    /// It runs just before the negotiator closes the connection: the negotiator already
    /// reports the call ended ([`ended`](Self::ended) is `Some`, `receive` is an error), and
    /// the connection is closed as soon as the callback returns.
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

impl State {
    /// Creates the liveness channel, once, when wanted and the call goes on; called before
    /// each offer of this side and after each description applied.
    ///
    /// The impolite side creates it with its first offer (or, when the other side offered
    /// first, right after answering: the channel then asks for one more negotiation round),
    /// so the channel never causes a glare of its own. The polite side creates it only once
    /// the `m=application` section is negotiated (`pc.sctp` is set), where the channel needs
    /// no negotiation: a polite offer that adds the section and is then rolled back in a glare
    /// makes Chromium fail the answer that follows ("Failed to start SCTP transport").
    ///
    /// It ends the call when it reports the other side gone:
    /// [`CallEnd::ConnectionFailed`] when the connection has failed by then,
    /// [`CallEnd::RemoteHangUp`] otherwise. A channel the browser refuses leaves the call
    /// without liveness.
    fn watch_liveness(&self) {
        if !self.wants_liveness || self.ended.get().is_some() || self.stopped.get() {
            return;
        }
        let pc: &sys::Pc = self.pc.as_raw().unchecked_ref();
        let negotiated = sys::Pc::sctp(pc).is_ok_and(|sctp| sctp.is_object());
        if self.polite && !negotiated {
            return;
        }
        let Ok(mut slot) = self.liveness.try_borrow_mut() else {
            return;
        };
        if slot.is_some() {
            return;
        }
        let weak = Weak::clone(&self.weak_self);
        let pc = self.pc.clone();
        *slot = Liveness::watch(&self.pc, move || {
            let Some(state) = weak.upgrade() else { return };
            let reason = if pc.connection_state() == PeerConnectionState::Failed {
                CallEnd::ConnectionFailed
            } else {
                CallEnd::RemoteHangUp
            };
            if state.ended.get().is_none() {
                state.bye_due.set(reason == CallEnd::RemoteHangUp);
            }
            state.end(reason);
        })
        .ok();
    }

    /// What [`Negotiator::receive_then`] does (the pattern's signal handler).
    fn receive(state: &Rc<State>, signal: Signal, done: Done) {
        // The liveness channel can end the call before the other side's `Bye` arrives: that
        // one `Bye` says the same again, it is no error.
        if signal == Signal::Bye && state.bye_due.replace(false) {
            return done(Ok(()));
        }
        if state.ended.get().is_some() || state.pc.signaling_state() == SignalingState::Closed {
            return done(Err(Error::InvalidState {
                message: "The call has ended: the connection is closed, so no signal can be \
                          applied."
                    .into(),
            }));
        }
        let pc: &sys::Pc = state.pc.as_raw().unchecked_ref();
        match signal {
            Signal::Description(description) => {
                let is_offer = description.kind == SdpType::Offer;
                let ready_for_offer = !state.making_offer.get()
                    && (state.pc.signaling_state() == SignalingState::Stable
                        || state.setting_remote_answer.get());
                let offer_collision = is_offer && !ready_for_offer;
                state.ignore_offer.set(!state.polite && offer_collision);
                if state.ignore_offer.get() {
                    return done(Ok(()));
                }
                state
                    .setting_remote_answer
                    .set(description.kind == SdpType::Answer);
                // Rolls a local offer back by itself when `description` is an offer.
                let call = sys::Pc::set_remote_description(pc, &description.to_js());
                let state = Rc::clone(state);
                settle_then(
                    pc,
                    "setRemoteDescription",
                    call,
                    Box::new(move |applied| {
                        state.setting_remote_answer.set(false);
                        if let Err(err) = applied {
                            return done(Err(err));
                        }
                        if !is_offer {
                            state.watch_liveness();
                            return done(Ok(()));
                        }
                        let pc: &sys::Pc = state.pc.as_raw().unchecked_ref();
                        let call = sys::Pc::set_local_description_implicit(pc);
                        let answered = Rc::clone(&state);
                        settle_then(
                            pc,
                            "setLocalDescription",
                            call,
                            Box::new(move |result| {
                                if let Err(err) = result {
                                    return done(Err(err));
                                }
                                answered.send_local_description();
                                answered.watch_liveness();
                                done(Ok(()));
                            }),
                        );
                    }),
                );
            }
            Signal::Candidate(candidate) => {
                // Read when the candidate arrives, not when the browser rejects it: an answer
                // that arrives meanwhile resets `ignoreOffer`, and the candidate would then be
                // taken for one of the answer's.
                let of_ignored_offer = state.ignore_offer.get();
                let call = sys::Pc::add_ice_candidate(pc, &candidate);
                settle_then(
                    pc,
                    "addIceCandidate",
                    call,
                    Box::new(move |result| match result {
                        Err(_) if of_ignored_offer => done(Ok(())),
                        result => done(result.map(drop)),
                    }),
                );
            }
            Signal::EndOfCandidates => done(Ok(())),
            Signal::Bye => {
                state.end(CallEnd::RemoteHangUp);
                done(Ok(()))
            }
        }
    }

    /// The `negotiationneeded` handler: `makingOffer`, `setLocalDescription()`, send.
    fn offer(weak: &Weak<State>) {
        let Some(state) = weak.upgrade() else { return };
        if state.ended.get().is_some() {
            return;
        }
        state.making_offer.set(true);
        // The impolite side's first offer brings the liveness channel's `m=application`.
        if !state.polite {
            state.watch_liveness();
        }
        // Called now, in the event's task, as the pattern's handler does: the browser queues
        // it before any signal that arrives later.
        let pc: &sys::Pc = state.pc.as_raw().unchecked_ref();
        let call = sys::Pc::set_local_description_implicit(pc);
        let weak = Weak::clone(weak);
        settle_then(
            pc,
            "setLocalDescription",
            call,
            Box::new(move |result| {
                let Some(state) = weak.upgrade() else { return };
                match result {
                    Ok(_) => state.send_local_description(),
                    // What the pattern logs; a closed connection is the call ending, not an
                    // error.
                    Err(err) if state.pc.signaling_state() != SignalingState::Closed => {
                        web_sys::console::error_1(&err.into());
                    }
                    Err(_) => {}
                }
                state.making_offer.set(false);
            }),
        );
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

    /// The one place a call ends: fires `on_end`, once, then closes the connection.
    ///
    /// `on_end` comes first so the app learns of the end without waiting for `close()`, which
    /// tears the transports down synchronously (milliseconds in Chromium: figure 9 of
    /// `cargo xtask bench`). The call is already marked ended, so whatever `on_end` calls on
    /// the negotiator sees it ended (`receive` is an error, `hang_up` does nothing).
    fn end(&self, reason: CallEnd) {
        if self.ended.get().is_some() {
            return;
        }
        self.ended.set(Some(reason));
        let callback = self.on_end.try_borrow_mut().ok().and_then(|mut c| c.take());
        if let Some(mut callback) = callback {
            callback(reason);
        }
        self.pc.close();
        self.stop_listening();
    }

    /// Removes every listener the negotiator registered (its own three and the liveness
    /// channel's), at once: an operation still in flight may hold this state a little longer,
    /// but nothing of the browser's stays registered for it.
    fn stop_listening(&self) {
        self.stopped.set(true);
        let listeners = self
            .listeners
            .try_borrow_mut()
            .ok()
            .and_then(|mut l| l.take());
        let watcher = self
            .liveness
            .try_borrow_mut()
            .ok()
            .and_then(|mut w| w.take());
        drop((listeners, watcher));
    }
}

impl Drop for Negotiator {
    /// Removes its listeners and stops watching the liveness channel (the channel stays open,
    /// so the other side is told nothing), even while an operation in flight holds its state.
    fn drop(&mut self) {
        self.state.stop_listening();
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
