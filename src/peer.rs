//! [`PeerConnection`]: one `RTCPeerConnection`, typed.

use core::fmt;

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    MediaStream, MediaStreamTrack, RtcIceCandidate, RtcPeerConnection, RtcPeerConnectionIceEvent,
    RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver, RtcTrackEvent,
};

use crate::closing::settle;
use crate::config::set;
use crate::{
    sys, Configuration, Error, Listener, MediaKind, PeerConnectionState, Sender,
    SessionDescription, SignalingState, StatsReport, TrackEvent, TransceiverDirection,
};

/// A handle to one browser `RTCPeerConnection`.
///
/// Cloning is cheap and gives another handle to the *same* connection. Dropping handles does
/// not close the connection: call [`close`](PeerConnection::close) when the call ends, so the
/// browser releases its ports and media (Chromium refuses new connections when too many are
/// left open).
///
/// # Examples
///
/// A loopback call inside one page (candidates passed directly):
///
/// ```no_run
/// # async fn demo() -> Result<(), rtc_peer::Error> {
/// use rtc_peer::{MediaKind, PeerConnection, TransceiverDirection};
///
/// let caller = PeerConnection::new()?;
/// let callee = PeerConnection::new()?;
/// let _track = callee.on_track(|event| {
///     web_sys::console::log_1(&event.track().kind().into());
/// });
/// caller.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)?;
///
/// let offer = caller.create_offer().await?;
/// caller.set_local_description(&offer).await?;
/// callee.set_remote_description(&offer).await?; // on_track has run by now
/// let answer = callee.create_answer().await?;
/// callee.set_local_description(&answer).await?;
/// caller.set_remote_description(&answer).await?;
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCPeerConnection](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection).
#[derive(Clone, PartialEq)]
pub struct PeerConnection {
    raw: RtcPeerConnection,
}

impl PeerConnection {
    /// Creates a connection with the browser's default configuration (no ICE servers).
    ///
    /// # Errors
    ///
    /// The browser's error if it refuses to create a connection (for example Chromium's
    /// limit on open connections).
    pub fn new() -> Result<PeerConnection, Error> {
        Ok(PeerConnection {
            raw: RtcPeerConnection::new()?,
        })
    }

    /// Creates a connection with ICE servers and policies.
    ///
    /// # Errors
    ///
    /// [`Error::Syntax`] for an ICE server URL the browser cannot parse, and
    /// [`Error::InvalidAccess`] or [`Error::NotSupported`] (browsers differ) for a scheme it
    /// does not support or a `turn:` URL without credentials; the message is the browser's.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{Configuration, IceServer, IceTransportPolicy, PeerConnection};
    ///
    /// let config = Configuration::new()
    ///     .ice_server(IceServer::new("turn:127.0.0.1:3478").credentials("user", "secret"))
    ///     .ice_transport_policy(IceTransportPolicy::Relay);
    /// let pc = PeerConnection::with_configuration(&config)?;
    /// # Ok(()) }
    /// ```
    pub fn with_configuration(config: &Configuration) -> Result<PeerConnection, Error> {
        let raw = RtcPeerConnection::new_with_configuration(config.to_js().unchecked_ref())?;
        Ok(PeerConnection { raw })
    }

    /// Calls `callback` for every `track` event: each new remote track.
    ///
    /// The event fires *during* [`set_remote_description`](Self::set_remote_description),
    /// before its future completes: register before applying the remote description, or the
    /// event is missed. It can fire more than once per transceiver (renegotiation).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{attach_stream, PeerConnection};
    /// use wasm_bindgen::JsCast;
    ///
    /// let pc = PeerConnection::new()?;
    /// let video: web_sys::HtmlMediaElement = web_sys::window()
    ///     .and_then(|w| w.document())
    ///     .and_then(|d| d.get_element_by_id("remote"))
    ///     .and_then(|e| e.dyn_into().ok())
    ///     .expect("a <video id=remote>");
    /// let listener = pc.on_track(move |event| {
    ///     if let Some(stream) = event.first_stream() {
    ///         let video = video.clone();
    ///         wasm_bindgen_futures::spawn_local(async move {
    ///             let _ = attach_stream(&video, &stream).await;
    ///         });
    ///     }
    /// });
    /// # drop(listener);
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: track event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event).
    pub fn on_track<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(TrackEvent) + 'static,
    {
        Listener::new(&self.raw, "track", move |event| {
            // Anything else dispatched as `track` (a plain `Event`) is not for the callback.
            if sys::is_track_event(&event) {
                callback(TrackEvent::from(event.unchecked_into::<RtcTrackEvent>()));
            }
        })
    }

    /// Calls `callback` with each local ICE candidate to send to the other peer, and with
    /// `None` once gathering is complete.
    ///
    /// See [MDN: icecandidate event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidate_event).
    pub fn on_ice_candidate<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(Option<RtcIceCandidate>) + 'static,
    {
        Listener::new(&self.raw, "icecandidate", move |event| {
            if let Some(event) = event.dyn_ref::<RtcPeerConnectionIceEvent>() {
                callback(event.candidate());
            }
        })
    }

    /// Calls `callback` with the new [`PeerConnectionState`] whenever it changes.
    ///
    /// See [MDN: connectionstatechange event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionstatechange_event).
    pub fn on_connection_state_change<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(PeerConnectionState) + 'static,
    {
        let raw = self.raw.clone();
        Listener::new(&self.raw, "connectionstatechange", move |_| {
            callback(connection_state_of(&raw));
        })
    }

    /// Calls `callback` with the new [`SignalingState`] whenever it changes.
    ///
    /// See [MDN: signalingstatechange event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingstatechange_event).
    pub fn on_signaling_state_change<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(SignalingState) + 'static,
    {
        let raw = self.raw.clone();
        Listener::new(&self.raw, "signalingstatechange", move |_| {
            callback(signaling_state_of(&raw));
        })
    }

    /// Calls `callback` when the browser asks for (re)negotiation.
    ///
    /// See [MDN: negotiationneeded event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/negotiationneeded_event).
    pub fn on_negotiation_needed<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut() + 'static,
    {
        Listener::new(&self.raw, "negotiationneeded", move |_| callback())
    }

    /// Creates an SDP offer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the connection is closed, or closed with
    /// [`close`](Self::close) (on any handle) before the offer is ready: the future then
    /// completes at once instead of waiting forever; the browser's error otherwise.
    ///
    /// See [MDN: createOffer](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createOffer).
    pub async fn create_offer(&self) -> Result<SessionDescription, Error> {
        let value = settle(self.pc(), "createOffer", sys::Pc::create_offer(self.pc())).await?;
        SessionDescription::from_js(&value)
    }

    /// Creates an SDP answer to the remote offer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when there is no remote offer, when the connection is closed, or
    /// when it is closed with [`close`](Self::close) (on any handle) before the answer is
    /// ready: the future then completes at once instead of waiting forever.
    ///
    /// See [MDN: createAnswer](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createAnswer).
    pub async fn create_answer(&self) -> Result<SessionDescription, Error> {
        let value = settle(self.pc(), "createAnswer", sys::Pc::create_answer(self.pc())).await?;
        SessionDescription::from_js(&value)
    }

    /// Applies a local offer or answer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] for a description of the wrong type for the signalling state,
    /// or when the connection is closed, or closed with [`close`](Self::close) (on any handle)
    /// while this is pending (the future then completes at once instead of waiting forever);
    /// [`Error::InvalidModification`] or [`Error::Operation`] for SDP the browser rejects.
    ///
    /// See [MDN: setLocalDescription](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/setLocalDescription).
    pub async fn set_local_description(
        &self,
        description: &SessionDescription,
    ) -> Result<(), Error> {
        settle(
            self.pc(),
            "setLocalDescription",
            sys::Pc::set_local_description(self.pc(), &description.to_js()),
        )
        .await?;
        Ok(())
    }

    /// Applies the remote peer's offer or answer. `track` events for new remote tracks fire
    /// before this completes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] for a description of the wrong type for the signalling state,
    /// or when the connection is closed, or closed with [`close`](Self::close) (on any handle)
    /// while this is pending (the future then completes at once instead of waiting forever);
    /// [`Error::Operation`], [`Error::InvalidAccess`] or [`Error::Syntax`] (browsers differ)
    /// for malformed SDP (Firefox names SDP it cannot read `InvalidParameterError`, kept in
    /// [`Error::Other`]). SDP that does not parse leaves the connection unchanged; SDP that
    /// parses but cannot be applied (an `InvalidAccessError` such as a too-long ICE ufrag) can
    /// leave a Chromium connection permanently unusable, every later description call failing:
    /// close it and start a new one.
    ///
    /// See [MDN: setRemoteDescription](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/setRemoteDescription).
    pub async fn set_remote_description(
        &self,
        description: &SessionDescription,
    ) -> Result<(), Error> {
        settle(
            self.pc(),
            "setRemoteDescription",
            sys::Pc::set_remote_description(self.pc(), &description.to_js()),
        )
        .await?;
        Ok(())
    }

    /// Adds a remote ICE candidate received from the other peer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] before a remote description is set, when the connection is
    /// closed, or when it is closed with [`close`](Self::close) (on any handle) while this is
    /// pending (the future then completes at once instead of waiting forever);
    /// [`Error::Operation`] or
    /// [`Error::Type`] for a candidate that matches no media section or does not parse.
    ///
    /// See [MDN: addIceCandidate](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addIceCandidate).
    pub async fn add_ice_candidate(&self, candidate: &RtcIceCandidate) -> Result<(), Error> {
        settle(
            self.pc(),
            "addIceCandidate",
            sys::Pc::add_ice_candidate(self.pc(), candidate),
        )
        .await?;
        Ok(())
    }

    /// Sends `track` to the other peer as part of `streams` (zero, one or several).
    ///
    /// The remote side's `track` event lists one remote stream per stream given here, in
    /// order; with no stream it lists none.
    ///
    /// The [`Sender`] it returns swaps the track without renegotiating
    /// ([`Sender::replace_track`]) and caps the bitrate ([`Sender::set_max_bitrate`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the connection is closed; [`Error::InvalidAccess`] when
    /// the track is already sent on this connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn demo(pc: rtc_peer::PeerConnection, camera: web_sys::MediaStreamTrack,
    /// #         stream: web_sys::MediaStream) -> Result<(), rtc_peer::Error> {
    /// let sender = pc.add_track(&camera, &[&stream])?;
    /// // ... later, stop sending it (the remote track is removed at the next negotiation):
    /// pc.remove_track(&sender)?;
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: addTrack](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTrack).
    pub fn add_track(
        &self,
        track: &MediaStreamTrack,
        streams: &[&MediaStream],
    ) -> Result<Sender, Error> {
        let list: Array = streams.iter().map(|s| JsValue::from(*s)).collect();
        Ok(Sender::of(
            self.pc(),
            sys::Pc::add_track(self.pc(), track, &list)?,
        ))
    }

    /// Adds a transceiver of `kind` with `direction`, without a track.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the connection is closed.
    ///
    /// See [MDN: addTransceiver](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTransceiver).
    pub fn add_transceiver(
        &self,
        kind: MediaKind,
        direction: TransceiverDirection,
    ) -> Result<RtcRtpTransceiver, Error> {
        let init = Object::new();
        set(&init, "direction", &JsValue::from_str(direction.as_str()));
        Ok(sys::Pc::add_transceiver(self.pc(), kind.as_str(), &init)?)
    }

    /// Stops sending on `sender`: after the next negotiation the remote side's transceiver no
    /// longer receives, and its [`RemoteTrack::on_removed`](crate::RemoteTrack::on_removed)
    /// fires (the track is muted and leaves its streams; it does not end).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the connection is closed; [`Error::InvalidAccess`] for a
    /// sender of another connection.
    ///
    /// See [MDN: removeTrack](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/removeTrack).
    pub fn remove_track(&self, sender: &Sender) -> Result<(), Error> {
        Ok(sys::Pc::remove_track(self.pc(), sender.as_raw())?)
    }

    /// The connection's transceivers, in the order they were created (m-line order).
    pub fn transceivers(&self) -> Vec<RtcRtpTransceiver> {
        sys::Pc::get_transceivers(self.pc())
            .map(|list| list.iter().map(JsCast::unchecked_into).collect())
            .unwrap_or_default()
    }

    /// The connection's receivers.
    pub fn receivers(&self) -> Vec<RtcRtpReceiver> {
        sys::Pc::get_receivers(self.pc())
            .map(|list| list.iter().map(JsCast::unchecked_into).collect())
            .unwrap_or_default()
    }

    /// The connection's senders.
    pub fn senders(&self) -> Vec<RtcRtpSender> {
        sys::Pc::get_senders(self.pc())
            .map(|list| list.iter().map(JsCast::unchecked_into).collect())
            .unwrap_or_default()
    }

    /// The current local description, if one is set (`None` after `close()` in Firefox, whose
    /// getter throws then).
    pub fn local_description(&self) -> Option<SessionDescription> {
        description_of(&sys::Pc::local_description(self.pc()).ok()?)
    }

    /// The current remote description, if one is set (`None` after `close()` in Firefox, whose
    /// getter throws then).
    pub fn remote_description(&self) -> Option<SessionDescription> {
        description_of(&sys::Pc::remote_description(self.pc()).ok()?)
    }

    /// The browser's statistics report (`RTCStatsReport`, a JS `Map` of stats objects).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the connection is closed with [`close`](Self::close) (on
    /// any handle) before the report is ready; the browser's error if it cannot produce the
    /// report. On a connection that is already closed, Chromium and Firefox still give a
    /// report (the final statistics).
    ///
    /// See [MDN: getStats](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats).
    pub async fn stats(&self) -> Result<js_sys::Map, Error> {
        let report = settle(self.pc(), "getStats", sys::Pc::get_stats(self.pc())).await?;
        Ok(report.unchecked_into())
    }

    /// The browser's statistics, typed: the selected candidate pair, inbound and outbound RTP
    /// (see [`StatsReport`]); the raw report stays reachable through
    /// [`StatsReport::as_raw`].
    ///
    /// # Errors
    ///
    /// As [`stats`](Self::stats).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::Error> {
    /// let report = pc.stats_report().await?;
    /// if let Some(pair) = report.selected_candidate_pair() {
    ///     web_sys::console::log_1(&format!("{:?} / {:?}", pair.local, pair.remote).into());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: getStats](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats).
    pub async fn stats_report(&self) -> Result<StatsReport, Error> {
        Ok(StatsReport::from(self.stats().await?))
    }

    /// Closes the connection: stops every transceiver and frees the browser's ports. Calling
    /// it again does nothing. Listeners stay registered until their [`Listener`]s drop.
    ///
    /// Every operation still pending on the connection ([`create_offer`](Self::create_offer),
    /// [`create_answer`](Self::create_answer),
    /// [`set_local_description`](Self::set_local_description),
    /// [`set_remote_description`](Self::set_remote_description),
    /// [`add_ice_candidate`](Self::add_ice_candidate), [`stats`](Self::stats)), started through
    /// this handle, a clone, or any `PeerConnection` made from the same `RtcPeerConnection`,
    /// completes with [`Error::InvalidState`] ("The RTCPeerConnection was closed while
    /// createOffer was pending."). The browser itself never settles them (the specification
    /// leaves them pending), so without this their futures would wait forever. Operations
    /// started later end at once with the browser's answer (`InvalidStateError`; `stats`
    /// still gives the final report).
    ///
    /// Closing the raw object (`pc.as_raw().close()`, or JavaScript calling `close()`)
    /// bypasses this: operations pending at that moment wait until this method is called on
    /// the connection (it may be called after a raw close) or forever. Operations started
    /// after a raw close still end at once, as the browser answers them.
    ///
    /// See [MDN: close](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/close).
    pub fn close(&self) {
        crate::closing::close(self.pc());
    }

    /// The connection's aggregate transport state.
    pub fn connection_state(&self) -> PeerConnectionState {
        connection_state_of(&self.raw)
    }

    /// Where the offer/answer exchange stands.
    pub fn signaling_state(&self) -> SignalingState {
        signaling_state_of(&self.raw)
    }

    fn pc(&self) -> &sys::Pc {
        self.raw.unchecked_ref()
    }

    /// The underlying `RTCPeerConnection`.
    ///
    /// Register listeners through this crate's `on_*` methods rather than the raw `on*`
    /// properties, which hold one handler each and are easy to clobber.
    pub fn as_raw(&self) -> &RtcPeerConnection {
        &self.raw
    }
}

impl fmt::Debug for PeerConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerConnection")
            .field("signaling_state", &self.signaling_state())
            .field("connection_state", &self.connection_state())
            .finish()
    }
}

impl AsRef<RtcPeerConnection> for PeerConnection {
    fn as_ref(&self) -> &RtcPeerConnection {
        &self.raw
    }
}

impl From<RtcPeerConnection> for PeerConnection {
    fn from(raw: RtcPeerConnection) -> Self {
        PeerConnection { raw }
    }
}

impl From<PeerConnection> for RtcPeerConnection {
    fn from(pc: PeerConnection) -> Self {
        pc.raw
    }
}

/// Builds an `RTCIceCandidate` from the parts a signalling channel carries.
///
/// # Errors
///
/// [`Error::Type`] when both `sdp_mid` and `sdp_m_line_index` are `None` (the browser's rule).
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// let candidate = rtc_peer::ice_candidate(
///     "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host",
///     Some("0"),
///     Some(0),
/// )?;
/// assert_eq!(candidate.sdp_mid().as_deref(), Some("0"));
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCIceCandidate()](https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/RTCIceCandidate).
pub fn ice_candidate(
    candidate: &str,
    sdp_mid: Option<&str>,
    sdp_m_line_index: Option<u16>,
) -> Result<RtcIceCandidate, Error> {
    let init = Object::new();
    set(&init, "candidate", &JsValue::from_str(candidate));
    set(
        &init,
        "sdpMid",
        &sdp_mid.map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        &init,
        "sdpMLineIndex",
        &sdp_m_line_index.map_or(JsValue::NULL, JsValue::from),
    );
    Ok(RtcIceCandidate::new(init.unchecked_ref())?)
}

fn connection_state_of(raw: &RtcPeerConnection) -> PeerConnectionState {
    sys::Pc::connection_state(raw.unchecked_ref())
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|s| PeerConnectionState::parse(s.as_str()))
        .unwrap_or(PeerConnectionState::New)
}

fn signaling_state_of(raw: &RtcPeerConnection) -> SignalingState {
    sys::Pc::signaling_state(raw.unchecked_ref())
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|s| SignalingState::parse(s.as_str()))
        .unwrap_or(SignalingState::Stable)
}

fn description_of(value: &JsValue) -> Option<SessionDescription> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    SessionDescription::from_js(value).ok()
}
