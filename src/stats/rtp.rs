//! [`InboundRtp`] and [`OutboundRtp`]: what a connection receives and sends, per RTP stream.

use wasm_bindgen::JsValue;

use super::fields::{counter, number, signed, small, text};
use crate::MediaKind;

/// One received RTP stream (an `inbound-rtp` entry), from [`StatsReport::inbound_rtp`].
///
/// Every field the browser does not give (audio has no frames; Firefox and Chromium do not
/// report the same set) is `None`.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::Error> {
/// use rtc_peer::MediaKind;
///
/// let report = pc.stats_report().await?;
/// for rtp in report.inbound_rtp() {
///     if rtp.kind == Some(MediaKind::Video) {
///         let size = (rtp.frame_width, rtp.frame_height);
///         web_sys::console::log_1(&format!("{size:?}, {:?} frames", rtp.frames_decoded).into());
///     }
/// }
/// # Ok(()) }
/// ```
///
/// [`StatsReport::inbound_rtp`]: crate::StatsReport::inbound_rtp
///
/// See [MDN: RTCInboundRtpStreamStats](https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct InboundRtp {
    /// The entry's `id`, the key of its entry in the report.
    pub id: String,
    /// Audio or video (`kind`, or the older `mediaType`).
    pub kind: Option<MediaKind>,
    /// The `mid` of the transceiver it belongs to.
    pub mid: Option<String>,
    /// The RTP synchronisation source.
    pub ssrc: Option<u32>,
    /// When the entry was measured, in milliseconds since the epoch.
    pub timestamp: Option<f64>,
    /// Payload bytes received.
    pub bytes_received: Option<u64>,
    /// Packets received.
    pub packets_received: Option<u64>,
    /// Packets lost (negative when duplicates arrived).
    pub packets_lost: Option<i64>,
    /// Packet jitter, in seconds.
    pub jitter: Option<f64>,
    /// Video frames decoded.
    pub frames_decoded: Option<u32>,
    /// Video frames dropped before decoding.
    pub frames_dropped: Option<u32>,
    /// Width of the last decoded frame, in pixels.
    pub frame_width: Option<u32>,
    /// Height of the last decoded frame, in pixels.
    pub frame_height: Option<u32>,
    /// Frames decoded in the last second.
    pub frames_per_second: Option<f64>,
}

impl InboundRtp {
    pub(crate) fn read(entry: &JsValue) -> InboundRtp {
        InboundRtp {
            id: text(entry, "id").unwrap_or_default(),
            kind: kind_of(entry),
            mid: text(entry, "mid"),
            ssrc: small(entry, "ssrc"),
            timestamp: number(entry, "timestamp"),
            bytes_received: counter(entry, "bytesReceived"),
            packets_received: counter(entry, "packetsReceived"),
            packets_lost: signed(entry, "packetsLost"),
            jitter: number(entry, "jitter"),
            frames_decoded: small(entry, "framesDecoded"),
            frames_dropped: small(entry, "framesDropped"),
            frame_width: small(entry, "frameWidth"),
            frame_height: small(entry, "frameHeight"),
            frames_per_second: number(entry, "framesPerSecond"),
        }
    }
}

/// One sent RTP stream (an `outbound-rtp` entry), from [`StatsReport::outbound_rtp`].
///
/// # Examples
///
/// The bitrate between two reports:
///
/// ```no_run
/// # async fn demo(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::Error> {
/// let before = pc.stats_report().await?.outbound_rtp();
/// // ... a few seconds later:
/// let after = pc.stats_report().await?.outbound_rtp();
/// for (a, b) in before.iter().zip(&after) {
///     if let (Some(bytes_a), Some(bytes_b), Some(t_a), Some(t_b)) =
///         (a.bytes_sent, b.bytes_sent, a.timestamp, b.timestamp)
///     {
///         let bits_per_second = (bytes_b - bytes_a) as f64 * 8.0 / ((t_b - t_a) / 1000.0);
///         web_sys::console::log_1(&format!("{bits_per_second} bit/s").into());
///     }
/// }
/// # Ok(()) }
/// ```
///
/// [`StatsReport::outbound_rtp`]: crate::StatsReport::outbound_rtp
///
/// See [MDN: RTCOutboundRtpStreamStats](https://developer.mozilla.org/en-US/docs/Web/API/RTCOutboundRtpStreamStats).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OutboundRtp {
    /// The entry's `id`, the key of its entry in the report.
    pub id: String,
    /// Audio or video (`kind`, or the older `mediaType`).
    pub kind: Option<MediaKind>,
    /// The `mid` of the transceiver it belongs to.
    pub mid: Option<String>,
    /// The RTP synchronisation source.
    pub ssrc: Option<u32>,
    /// When the entry was measured, in milliseconds since the epoch.
    pub timestamp: Option<f64>,
    /// Payload bytes sent.
    pub bytes_sent: Option<u64>,
    /// Packets sent.
    pub packets_sent: Option<u64>,
    /// Video frames encoded.
    pub frames_encoded: Option<u32>,
    /// Width of the last encoded frame, in pixels.
    pub frame_width: Option<u32>,
    /// Height of the last encoded frame, in pixels.
    pub frame_height: Option<u32>,
    /// Frames encoded in the last second.
    pub frames_per_second: Option<f64>,
    /// The encoder's target bitrate, in bits per second.
    pub target_bitrate: Option<f64>,
}

impl OutboundRtp {
    pub(crate) fn read(entry: &JsValue) -> OutboundRtp {
        OutboundRtp {
            id: text(entry, "id").unwrap_or_default(),
            kind: kind_of(entry),
            mid: text(entry, "mid"),
            ssrc: small(entry, "ssrc"),
            timestamp: number(entry, "timestamp"),
            bytes_sent: counter(entry, "bytesSent"),
            packets_sent: counter(entry, "packetsSent"),
            frames_encoded: small(entry, "framesEncoded"),
            frame_width: small(entry, "frameWidth"),
            frame_height: small(entry, "frameHeight"),
            frames_per_second: number(entry, "framesPerSecond"),
            target_bitrate: number(entry, "targetBitrate"),
        }
    }
}

fn kind_of(entry: &JsValue) -> Option<MediaKind> {
    text(entry, "kind")
        .or_else(|| text(entry, "mediaType"))
        .and_then(|kind| MediaKind::parse(&kind))
}
