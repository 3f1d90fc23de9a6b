//! [`MediaKind`] and [`TransceiverDirection`]: the small enums of tracks and transceivers.

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
    Audio,
    /// A video track.
    Video,
}

impl MediaKind {
    /// The WebIDL string, `"audio"` or `"video"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }

    /// Reads the WebIDL string; `None` for anything else.
    pub fn parse(kind: &str) -> Option<Self> {
        match kind {
            "audio" => Some(MediaKind::Audio),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// Which way a transceiver sends and receives media.
///
/// See [MDN: RTCRtpTransceiver.direction](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/direction).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransceiverDirection {
    /// `"sendrecv"`: sends and receives.
    SendRecv,
    /// `"sendonly"`: sends only.
    SendOnly,
    /// `"recvonly"`: receives only.
    RecvOnly,
    /// `"inactive"`: neither.
    Inactive,
}

impl TransceiverDirection {
    /// The WebIDL string, for example `"recvonly"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransceiverDirection::SendRecv => "sendrecv",
            TransceiverDirection::SendOnly => "sendonly",
            TransceiverDirection::RecvOnly => "recvonly",
            TransceiverDirection::Inactive => "inactive",
        }
    }

    /// Reads the WebIDL string; `None` for anything else (including `"stopped"`).
    pub fn parse(direction: &str) -> Option<Self> {
        match direction {
            "sendrecv" => Some(TransceiverDirection::SendRecv),
            "sendonly" => Some(TransceiverDirection::SendOnly),
            "recvonly" => Some(TransceiverDirection::RecvOnly),
            "inactive" => Some(TransceiverDirection::Inactive),
            _ => None,
        }
    }
}
