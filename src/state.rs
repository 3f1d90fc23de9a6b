//! [`PeerConnectionState`] and [`SignalingState`]: where a connection stands.

/// The aggregate state of a connection's transports (`connectionState`).
///
/// See [MDN: connectionState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeerConnectionState {
    /// `"new"`: nothing has started.
    New,
    /// `"connecting"`: ICE or DTLS is in progress.
    Connecting,
    /// `"connected"`: media can flow.
    Connected,
    /// `"disconnected"`: connectivity was lost and may come back.
    Disconnected,
    /// `"failed"`: connectivity failed (for example no relay could be reached).
    Failed,
    /// `"closed"`: `close()` was called.
    Closed,
}

impl PeerConnectionState {
    /// Reads the WebIDL string; `None` for a value this crate does not know.
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::PeerConnectionState;
    ///
    /// assert_eq!(PeerConnectionState::parse("failed"), Some(PeerConnectionState::Failed));
    /// assert_eq!(PeerConnectionState::parse("bogus"), None);
    /// ```
    pub fn parse(state: &str) -> Option<Self> {
        Some(match state {
            "new" => PeerConnectionState::New,
            "connecting" => PeerConnectionState::Connecting,
            "connected" => PeerConnectionState::Connected,
            "disconnected" => PeerConnectionState::Disconnected,
            "failed" => PeerConnectionState::Failed,
            "closed" => PeerConnectionState::Closed,
            _ => return None,
        })
    }

    /// The WebIDL string, for example `"connected"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerConnectionState::New => "new",
            PeerConnectionState::Connecting => "connecting",
            PeerConnectionState::Connected => "connected",
            PeerConnectionState::Disconnected => "disconnected",
            PeerConnectionState::Failed => "failed",
            PeerConnectionState::Closed => "closed",
        }
    }
}

/// Where the offer/answer exchange stands (`signalingState`).
///
/// See [MDN: signalingState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingState).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignalingState {
    /// `"stable"`: no exchange in progress.
    Stable,
    /// `"have-local-offer"`: a local offer was set; waiting for the answer.
    HaveLocalOffer,
    /// `"have-remote-offer"`: a remote offer was set; an answer is due.
    HaveRemoteOffer,
    /// `"have-local-pranswer"`: a local provisional answer was set.
    HaveLocalPranswer,
    /// `"have-remote-pranswer"`: a remote provisional answer was set.
    HaveRemotePranswer,
    /// `"closed"`: the connection was closed.
    Closed,
}

impl SignalingState {
    /// Reads the WebIDL string; `None` for a value this crate does not know.
    pub fn parse(state: &str) -> Option<Self> {
        Some(match state {
            "stable" => SignalingState::Stable,
            "have-local-offer" => SignalingState::HaveLocalOffer,
            "have-remote-offer" => SignalingState::HaveRemoteOffer,
            "have-local-pranswer" => SignalingState::HaveLocalPranswer,
            "have-remote-pranswer" => SignalingState::HaveRemotePranswer,
            "closed" => SignalingState::Closed,
            _ => return None,
        })
    }

    /// The WebIDL string, for example `"have-local-offer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalingState::Stable => "stable",
            SignalingState::HaveLocalOffer => "have-local-offer",
            SignalingState::HaveRemoteOffer => "have-remote-offer",
            SignalingState::HaveLocalPranswer => "have-local-pranswer",
            SignalingState::HaveRemotePranswer => "have-remote-pranswer",
            SignalingState::Closed => "closed",
        }
    }
}
