//! [`MediaKind`] and [`TransceiverDirection`]: the small enums of tracks and transceivers.

use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// The kind of a media track: `"audio"` or `"video"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::MediaKind;
    ///
    /// assert_eq!(MediaKind::Video.as_str(), "video");
    /// assert_eq!(MediaKind::parse("audio"), Some(MediaKind::Audio));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum MediaKind {
        /// An audio track.
        Audio = "audio",
        /// A video track.
        Video = "video",
    }
}

webidl_enum! {
    /// Which way a transceiver sends and receives media.
    ///
    /// `parse` gives `None` for anything else, including `"stopped"`.
    ///
    /// See [MDN: RTCRtpTransceiver.direction](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/direction).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum TransceiverDirection {
        /// `"sendrecv"`: sends and receives.
        SendRecv = "sendrecv",
        /// `"sendonly"`: sends only.
        SendOnly = "sendonly",
        /// `"recvonly"`: receives only.
        RecvOnly = "recvonly",
        /// `"inactive"`: neither.
        Inactive = "inactive",
    }
}
