//! [`DataChannelState`]: where a data channel stands (`readyState`).

use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// Where a data channel stands (`readyState`).
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::DataChannelState;
    ///
    /// assert_eq!(DataChannelState::parse("open"), Some(DataChannelState::Open));
    /// assert_eq!(DataChannelState::Closing.as_str(), "closing");
    /// assert_eq!(DataChannelState::parse("bogus"), None);
    /// ```
    ///
    /// See [MDN: readyState](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/readyState).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum DataChannelState {
        /// `"connecting"`: not open yet; nothing can be sent.
        Connecting = "connecting",
        /// `"open"`: messages can be sent and received.
        Open = "open",
        /// `"closing"`: `close()` was called (on either side); no more sending.
        Closing = "closing",
        /// `"closed"`: the channel is gone for good.
        Closed = "closed",
    }
}
