//! ICE on a [`PeerConnection`]: restarting it, its two states and their events, and the
//! `icecandidateerror` event.

use wasm_bindgen::JsCast;

use crate::{
    sys, IceCandidateError, IceConnectionState, IceGatheringState, Listener, PeerConnection,
};

impl PeerConnection {
    /// Asks for an ICE restart: the next offer carries new ICE credentials (a new ufrag and
    /// password), and `negotiationneeded` fires so that a [`Negotiator`](crate::Negotiator)
    /// (or the app) sends it. Media keeps flowing on the old path until the new one is up.
    /// Does nothing on a closed connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{IceConnectionState, PeerConnection};
    ///
    /// let pc = PeerConnection::new()?;
    /// let restarter = pc.clone();
    /// let _listener = pc.on_ice_connection_state_change(move |state| {
    ///     if state == IceConnectionState::Failed {
    ///         restarter.restart_ice();
    ///     }
    /// });
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: restartIce](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce).
    pub fn restart_ice(&self) {
        // Throws only on a closed connection (Firefox), where there is nothing to restart.
        let _ = sys::Pc::restart_ice(self.as_raw().unchecked_ref());
    }

    /// The state of the ICE transports (`closed` once the connection is closed).
    ///
    /// See [MDN: iceConnectionState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceConnectionState).
    pub fn ice_connection_state(&self) -> IceConnectionState {
        ice_connection_state_of(self)
    }

    /// Where the gathering of local candidates stands.
    ///
    /// See [MDN: iceGatheringState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceGatheringState).
    pub fn ice_gathering_state(&self) -> IceGatheringState {
        sys::Pc::ice_gathering_state(self.as_raw().unchecked_ref())
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|s| IceGatheringState::parse(&s))
            .unwrap_or(IceGatheringState::New)
    }

    /// Calls `callback` with the new [`IceConnectionState`] whenever it changes.
    ///
    /// See [MDN: iceconnectionstatechange event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceconnectionstatechange_event).
    pub fn on_ice_connection_state_change<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(IceConnectionState) + 'static,
    {
        let pc = self.clone();
        Listener::new(self.as_raw(), "iceconnectionstatechange", move |_| {
            callback(ice_connection_state_of(&pc));
        })
    }

    /// Calls `callback` with the new [`IceGatheringState`] whenever it changes.
    ///
    /// See [MDN: icegatheringstatechange event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icegatheringstatechange_event).
    pub fn on_ice_gathering_state_change<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(IceGatheringState) + 'static,
    {
        let pc = self.clone();
        Listener::new(self.as_raw(), "icegatheringstatechange", move |_| {
            callback(pc.ice_gathering_state());
        })
    }

    /// Calls `callback` for every `icecandidateerror` event: a STUN or TURN server that
    /// refused (401: wrong credential) or could not be reached (701).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// let pc = rtc_peer::PeerConnection::new()?;
    /// let _errors = pc.on_ice_candidate_error(|error| {
    ///     web_sys::console::warn_1(&error.text().into());
    /// });
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: icecandidateerror event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidateerror_event).
    pub fn on_ice_candidate_error<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(IceCandidateError) + 'static,
    {
        Listener::new(self.as_raw(), "icecandidateerror", move |event| {
            callback(IceCandidateError::new(event));
        })
    }
}

fn ice_connection_state_of(pc: &PeerConnection) -> IceConnectionState {
    sys::Pc::ice_connection_state(pc.as_raw().unchecked_ref())
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|s| IceConnectionState::parse(&s))
        .unwrap_or(IceConnectionState::Closed)
}
