//! Negotiation that survives a real call: [`PeerConnection::negotiate`] runs the W3C
//! "perfect negotiation" pattern, so either side may add or remove tracks, restart ICE or
//! open data channels at any moment, also both at once (glare), and the call ends once.
//!
//! # A call between two machines
//!
//! Signals go over any channel the app has (a WebSocket here) as the JSON of [`Signal`]; one
//! side is [`Role::Polite`], the other [`Role::Impolite`]:
//!
//! ```no_run
//! use std::rc::Rc;
//!
//! use rtc_peer::{attach_stream, PeerConnection, Role, Signal};
//! use wasm_bindgen::{closure::Closure, JsCast};
//!
//! # fn call(video: web_sys::HtmlMediaElement, camera: web_sys::MediaStream, polite: bool)
//! #     -> Result<(), wasm_bindgen::JsValue> {
//! let socket = web_sys::WebSocket::new("wss://signalling.example/room/42")?;
//! let pc = PeerConnection::new()?;
//!
//! // Show the other side's video. Keep `tracks` and `negotiator` for the whole call:
//! // dropping them stops listening and negotiating.
//! let tracks = pc.on_track(move |event| {
//!     if let Some(stream) = event.first_stream() {
//!         let video = video.clone();
//!         wasm_bindgen_futures::spawn_local(async move {
//!             let _ = attach_stream(&video, &stream).await;
//!         });
//!     }
//! });
//!
//! // Negotiate over the socket: our signals out, theirs in.
//! let out = socket.clone();
//! let role = if polite { Role::Polite } else { Role::Impolite };
//! let negotiator = Rc::new(pc.negotiate(role, move |signal: Signal| {
//!     let _ = out.send_with_str(&signal.to_json());
//! }));
//! let incoming = Rc::clone(&negotiator);
//! let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
//!     let Some(text) = message.data().as_string() else { return };
//!     let negotiator = Rc::clone(&incoming);
//!     wasm_bindgen_futures::spawn_local(async move {
//!         if let Ok(signal) = Signal::from_json(&text) {
//!             let _ = negotiator.receive(signal).await;
//!         }
//!     });
//! });
//! // The socket owns its handler from now on (freed with it).
//! socket.set_onmessage(Some(on_message.into_js_value().unchecked_ref()));
//! negotiator.on_end(|reason| web_sys::console::log_1(&reason.as_str().into()));
//!
//! // Send the camera: the negotiator makes the offer by itself.
//! for track in camera.get_tracks().iter() {
//!     pc.add_track(&track.unchecked_into(), &[&camera])?;
//! }
//! // ... and when the user presses "hang up": `negotiator.hang_up();`
//! # drop((tracks, negotiator));
//! # Ok(()) }
//! ```
//!
//! # The pattern, exactly
//!
//! The negotiator is the example of the WebRTC specification (section "Perfect negotiation
//! example"), which MDN's "Establishing a connection: The WebRTC perfect negotiation pattern"
//! explains:
//!
//! - on `negotiationneeded`: `makingOffer = true`, `setLocalDescription()` with no argument
//!   (the browser makes the offer in the same step), send `localDescription`,
//!   `makingOffer = false`;
//! - on `icecandidate`: send the candidate (`EndOfCandidates` for the final `null`);
//! - on a description: an offer collides when `makingOffer` is set or the connection is not
//!   `stable` (unless a remote answer is being applied: `isSettingRemoteAnswerPending`);
//!   `ignoreOffer = !polite && collision`; an ignored offer ends there (`Ok`). Otherwise
//!   `setRemoteDescription` (which rolls a pending local offer back by itself: the implicit
//!   rollback), and for an offer `setLocalDescription()` and send the answer;
//! - on a candidate: `addIceCandidate`; its error is swallowed only if `ignoreOffer` was set
//!   when the candidate arrived (the candidates of an ignored offer are expected to fail).
//!   The published code reads the flag after `addIceCandidate` rejects, by which time an
//!   answer may have reset it: a real race (seen in Chromium, about one glare in twenty,
//!   "The remote description was null"), so here the flag is read before.
//!
//! Two things are this crate's: `Bye` and the end of a call, and what happens on ICE failure.
//! MDN's version calls `restartIce()` when `iceConnectionState` becomes `failed`; here a
//! `failed` `connectionState` ends the call with [`CallEnd::ConnectionFailed`] (the app can
//! still call [`Negotiator::restart_ice`] on `disconnected`, or make a new call). An error of
//! the `negotiationneeded` offer, which no caller awaits, goes to `console.error`, as in the
//! pattern.
//!
//! # How a call ends
//!
//! [`Negotiator::on_end`] fires exactly once, with the first of: [`Negotiator::hang_up`]
//! ([`CallEnd::LocalHangUp`], after sending `Bye`), a received `Bye`
//! ([`CallEnd::RemoteHangUp`]), or a failed connection ([`CallEnd::ConnectionFailed`]). Each
//! closes the connection, right after `on_end` returns (so the app hears of the end without
//! waiting for the browser's `close()`), and removes every listener the negotiator registered,
//! even while the app still holds it. All of them go through one internal function,
//! `Negotiator::end`, the place to call for any new way a call can end.
//!
//! # Knowing that the other side hung up, even when its `Bye` is lost
//!
//! A `Bye` travels over the app's signalling, which can lose it (a closed tab, a dropped
//! WebSocket). So the negotiator also keeps a [`Liveness`](crate::Liveness) channel: one
//! negotiated data channel, id [`Liveness::CHANNEL_ID`](crate::Liveness::CHANNEL_ID) (1023),
//! label [`Liveness::LABEL`](crate::Liveness::LABEL) (`"rtc-peer/liveness"`), created by both
//! sides, on which nothing is ever sent. When the other side closes its connection (its
//! `hang_up()`, or `close()`), this side's liveness channel closes within milliseconds and the
//! call ends with [`CallEnd::RemoteHangUp`] (or [`CallEnd::ConnectionFailed`] if the
//! connection had failed by then), whichever of that and the `Bye` comes first; `on_end` still
//! fires once.
//!
//! Its cost: an `m=application` section in the SDP (an SCTP association over the same DTLS
//! transport; nothing extra when the app has data channels anyway), one SCTP stream, two event
//! listeners, no traffic. Do not use stream id 1023 for a negotiated channel of your own.
//! It is on by default; [`PeerConnection::negotiate_without_liveness`] turns it off. Without
//! it, a lost `Bye` leaves the other side waiting for the browser: neither Chromium nor
//! Firefox reports anything in the connection state for seconds (see the README for the
//! measured figures).

mod call_end;
mod negotiator;
mod role;

pub use call_end::CallEnd;
pub use negotiator::Negotiator;
pub use role::Role;

use crate::{PeerConnection, Signal};

impl PeerConnection {
    /// Starts perfect negotiation on this connection with the other peer: every signal for
    /// it goes to `send`; feed its signals to [`Negotiator::receive`].
    ///
    /// Register it before the first change that needs negotiation (`add_track`,
    /// `add_transceiver`, a data channel): it offers changes from the next `negotiationneeded`
    /// event on. One negotiator per connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{PeerConnection, Role};
    ///
    /// let pc = PeerConnection::new()?;
    /// let negotiator = pc.negotiate(Role::Polite, |signal| {
    ///     web_sys::console::log_1(&signal.to_json().into()); // to the other peer
    /// });
    /// negotiator.on_end(|reason| web_sys::console::log_1(&reason.as_str().into()));
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: Perfect negotiation](https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation).
    pub fn negotiate<F>(&self, role: Role, send: F) -> Negotiator
    where
        F: FnMut(Signal) + 'static,
    {
        Negotiator::new(self, role, true, Box::new(send))
    }

    /// [`negotiate`](Self::negotiate) without the liveness channel: the call then ends with
    /// [`CallEnd::RemoteHangUp`] only when the other side's `Bye` arrives. When it is lost,
    /// the browser notices much later, if at all (see the [module docs](crate::negotiation)).
    ///
    /// For a connection with no data channel at all (no `m=application` section), or a
    /// peer that does not run this crate's negotiator. Both sides must agree: with liveness
    /// on one side only, nothing is reported.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{PeerConnection, Role};
    ///
    /// let pc = PeerConnection::new()?;
    /// let negotiator = pc.negotiate_without_liveness(Role::Impolite, |signal| {
    ///     web_sys::console::log_1(&signal.to_json().into());
    /// });
    /// assert!(!negotiator.has_liveness());
    /// # Ok(()) }
    /// ```
    pub fn negotiate_without_liveness<F>(&self, role: Role, send: F) -> Negotiator
    where
        F: FnMut(Signal) + 'static,
    {
        Negotiator::new(self, role, false, Box::new(send))
    }
}
