//! Video arriving on a connection, read from its statistics: no `<video>` needed.

use super::{now_ms, sleep, TestFailure};
use crate::{MediaKind, PeerConnection};

/// The video frames `pc` decoded so far: `framesDecoded` summed over its inbound video RTP
/// streams (0 before any, and on a closed connection).
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) {
/// let frames = rtc_peer::testing::frames_decoded(&pc).await;
/// # let _ = frames;
/// # }
/// ```
///
/// See [MDN: RTCInboundRtpStreamStats.framesDecoded](https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats/framesDecoded).
pub async fn frames_decoded(pc: &PeerConnection) -> u64 {
    let Ok(report) = pc.stats_report().await else {
        return 0;
    };
    report
        .inbound_rtp()
        .iter()
        .filter(|rtp| rtp.kind == Some(MediaKind::Video))
        .filter_map(|rtp| rtp.frames_decoded)
        .map(u64::from)
        .sum()
}

/// Waits at most `ms` until `pc` has decoded more than `above` video frames (polling its
/// statistics every 50 ms) and returns the count.
///
/// # Errors
///
/// `{what}: framesDecoded stayed at 0 (not above 0) for 10000 ms`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::{frames_decoded, frames_grow};
///
/// let before = frames_grow(&pc, 0, 10_000, "video arrives").await?;
/// frames_grow(&pc, before, 10_000, "video keeps arriving").await?;
/// # Ok(()) }
/// ```
pub async fn frames_grow(
    pc: &PeerConnection,
    above: u64,
    ms: u32,
    what: &str,
) -> Result<u64, TestFailure> {
    let deadline = now_ms() + f64::from(ms);
    loop {
        let frames = frames_decoded(pc).await;
        if frames > above {
            return Ok(frames);
        }
        if now_ms() > deadline {
            return Err(TestFailure::new(format!(
                "{what}: framesDecoded stayed at {frames} (not above {above}) for {ms} ms"
            )));
        }
        sleep(50).await;
    }
}
