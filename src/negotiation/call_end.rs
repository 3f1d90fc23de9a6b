//! [`CallEnd`]: why a negotiated call ended.

use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// Why a call driven by a [`Negotiator`](crate::Negotiator) ended, as
    /// [`Negotiator::on_end`](crate::Negotiator::on_end) reports it (once).
    ///
    /// `as_str` gives the name the JavaScript package uses (`"remote-hang-up"`, …).
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::CallEnd;
    ///
    /// assert_eq!(CallEnd::RemoteHangUp.as_str(), "remote-hang-up");
    /// assert_eq!(CallEnd::parse("connection-failed"), Some(CallEnd::ConnectionFailed));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum CallEnd {
        /// This side called [`hang_up`](crate::Negotiator::hang_up).
        LocalHangUp = "local-hang-up",
        /// The other side hung up (its `Bye` arrived).
        RemoteHangUp = "remote-hang-up",
        /// The connection's `connectionState` became `failed`.
        ConnectionFailed = "connection-failed",
    }
}
