//! [`IceConnectionState`] and [`IceGatheringState`]: where a connection's ICE agent stands.

use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// The state of the connection's ICE transports (`iceConnectionState`).
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::IceConnectionState;
    ///
    /// assert_eq!(IceConnectionState::parse("checking"), Some(IceConnectionState::Checking));
    /// assert_eq!(IceConnectionState::Disconnected.as_str(), "disconnected");
    /// ```
    ///
    /// See [MDN: iceConnectionState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceConnectionState).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum IceConnectionState {
        /// `"new"`: gathering or waiting for remote candidates.
        New = "new",
        /// `"checking"`: checking candidate pairs.
        Checking = "checking",
        /// `"connected"`: a usable pair was found (checks may go on).
        Connected = "connected",
        /// `"completed"`: checks are done and a pair is in use.
        Completed = "completed",
        /// `"disconnected"`: connectivity was lost and may come back.
        Disconnected = "disconnected",
        /// `"failed"`: no pair works; an ICE restart may help.
        Failed = "failed",
        /// `"closed"`: the connection was closed.
        Closed = "closed",
    }
}

webidl_enum! {
    /// Where the gathering of local candidates stands (`iceGatheringState`).
    ///
    /// See [MDN: iceGatheringState](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceGatheringState).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum IceGatheringState {
        /// `"new"`: gathering has not started.
        New = "new",
        /// `"gathering"`: candidates are being gathered.
        Gathering = "gathering",
        /// `"complete"`: gathering is done (until the next ICE restart).
        Complete = "complete",
    }
}
