//! The stats panel's numbers from a `StatsReport`: the network path (the selected candidate
//! pair), the received video's resolution and frame rate, the received bitrate and the round
//! trip time. No call state: the caller keeps the previous [`Sample`] for the rates.

use js_sys::Object;
use rtc_peer::{CandidateType, MediaKind, StatsReport};
use wasm_bindgen::prelude::*;

use crate::page::set;

/// What the rates are computed from: the totals at one report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sample {
    timestamp: f64,
    bytes_received: u64,
    frames_decoded: u32,
}

/// The panel's numbers as a plain object `{path, local, remote, width, height, fps, kbps,
/// rttMs}` (0, `""` or, for `rttMs`, `null` for what is not known yet: a round trip of 0 ms is
/// real on loopback, where Firefox counts whole milliseconds), and the sample for the next call.
pub(crate) fn summarize(report: &StatsReport, previous: Option<Sample>) -> (Object, Sample) {
    let inbound = report.inbound_rtp();
    let video = inbound
        .iter()
        .find(|rtp| rtp.kind == Some(MediaKind::Video));
    let sample = Sample {
        timestamp: inbound
            .iter()
            .filter_map(|rtp| rtp.timestamp)
            .fold(0.0, f64::max),
        bytes_received: inbound.iter().filter_map(|rtp| rtp.bytes_received).sum(),
        frames_decoded: video.and_then(|v| v.frames_decoded).unwrap_or(0),
    };
    let seconds = previous
        .map(|p| (sample.timestamp - p.timestamp) / 1000.0)
        .filter(|s| *s > 0.0);
    let (kbps, derived_fps) = match (previous, seconds) {
        (Some(p), Some(seconds)) => (
            sample.bytes_received.saturating_sub(p.bytes_received) as f64 * 8.0 / 1000.0 / seconds,
            f64::from(sample.frames_decoded.saturating_sub(p.frames_decoded)) / seconds,
        ),
        _ => (0.0, 0.0),
    };
    let fps = video
        .and_then(|v| v.frames_per_second)
        .filter(|f| *f > 0.0)
        .unwrap_or(derived_fps);
    let pair = report.selected_candidate_pair();
    let out = Object::new();
    let (path, local, remote, rtt) = match &pair {
        Some(pair) => (
            path_name(pair.local, pair.remote),
            pair.local.as_str(),
            pair.remote.as_str(),
            pair.round_trip_time,
        ),
        None => ("", "", "", None),
    };
    set(&out, "path", &JsValue::from_str(path));
    set(&out, "local", &JsValue::from_str(local));
    set(&out, "remote", &JsValue::from_str(remote));
    let dimension = |d: Option<u32>| JsValue::from(d.unwrap_or(0));
    set(&out, "width", &dimension(video.and_then(|v| v.frame_width)));
    set(
        &out,
        "height",
        &dimension(video.and_then(|v| v.frame_height)),
    );
    set(&out, "fps", &JsValue::from_f64(fps.round()));
    set(&out, "kbps", &JsValue::from_f64(kbps.round()));
    // In milliseconds, to a tenth (Chromium measures finer than a millisecond).
    let rtt_ms = rtt.map_or(JsValue::NULL, |s| {
        JsValue::from_f64((s * 10_000.0).round() / 10.0)
    });
    set(&out, "rttMs", &rtt_ms);
    (out, sample)
}

/// How the media travels: `"relay"` when either end of the pair is a TURN relay, otherwise
/// the local candidate's type (`"host"` on one machine or a LAN).
fn path_name(local: CandidateType, remote: CandidateType) -> &'static str {
    if local == CandidateType::Relay || remote == CandidateType::Relay {
        "relay"
    } else {
        local.as_str()
    }
}
