//! [`PeerConnectionState`] and [`SignalingState`]: where a connection stands.

use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// The aggregate state of a connection's transports (`connectionState`).
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::PeerConnectionState;
    ///
    /// assert_eq!(PeerConnectionState::parse("failed"), Some(PeerConnectionState::Failed));
    /// assert_eq!(PeerConnectionState::parse("bogus"), None);
    /// assert_eq!(PeerConnectionState::Connected.as_str(), "connected");
    /// ```
    ///
    /// See [MDN: connectionState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum PeerConnectionState {
        /// `"new"`: nothing has started.
        New = "new",
        /// `"connecting"`: ICE or DTLS is in progress.
        Connecting = "connecting",
        /// `"connected"`: media can flow.
        Connected = "connected",
        /// `"disconnected"`: connectivity was lost and may come back.
        Disconnected = "disconnected",
        /// `"failed"`: connectivity failed (for example no relay could be reached).
        Failed = "failed",
        /// `"closed"`: `close()` was called.
        Closed = "closed",
    }
}

webidl_enum! {
    /// Where the offer/answer exchange stands (`signalingState`).
    ///
    /// See [MDN: signalingState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingState).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum SignalingState {
        /// `"stable"`: no exchange in progress.
        Stable = "stable",
        /// `"have-local-offer"`: a local offer was set; waiting for the answer.
        HaveLocalOffer = "have-local-offer",
        /// `"have-remote-offer"`: a remote offer was set; an answer is due.
        HaveRemoteOffer = "have-remote-offer",
        /// `"have-local-pranswer"`: a local provisional answer was set.
        HaveLocalPranswer = "have-local-pranswer",
        /// `"have-remote-pranswer"`: a remote provisional answer was set.
        HaveRemotePranswer = "have-remote-pranswer",
        /// `"closed"`: the connection was closed.
        Closed = "closed",
    }
}
