//! [`StatsReport`]: a connection's statistics, with typed entries for what apps read most.

mod candidate_pair;
mod fields;
mod rtp;

use core::fmt;

use js_sys::Map;
use wasm_bindgen::{JsCast, JsValue};

pub use candidate_pair::{CandidatePair, CandidateType};
pub use rtp::{InboundRtp, OutboundRtp};

use crate::sys;
use fields::text;

/// A connection's statistics (`RTCStatsReport`), from
/// [`PeerConnection::stats_report`](crate::PeerConnection::stats_report).
///
/// The typed accessors absorb the browsers' differences (Chromium names the selected
/// candidate pair only in its `transport` entry, Firefox also flags the pair `selected`) and
/// never panic, whatever the report holds: a missing or odd field is `None`. Every other entry
/// stays reachable through [`as_raw`](StatsReport::as_raw).
///
/// # Examples
///
/// ```no_run
/// # async fn demo(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::Error> {
/// let report = pc.stats_report().await?;
/// let relayed = report
///     .selected_candidate_pair()
///     .is_some_and(|pair| pair.local == rtc_peer::CandidateType::Relay);
/// let decoded: u32 = report.inbound_rtp().iter().filter_map(|rtp| rtp.frames_decoded).sum();
/// web_sys::console::log_1(&format!("relayed: {relayed}, {decoded} frames decoded").into());
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCStatsReport](https://developer.mozilla.org/en-US/docs/Web/API/RTCStatsReport).
#[derive(Clone, PartialEq)]
pub struct StatsReport {
    raw: Map,
}

impl StatsReport {
    /// The candidate pair the connection uses, with both candidates' types and the RTT;
    /// `None` before ICE has selected one (or when the report lacks the entries).
    pub fn selected_candidate_pair(&self) -> Option<CandidatePair> {
        let pair = candidate_pair::selected_pair_entry(self)?;
        CandidatePair::read(self, &pair)
    }

    /// Every received RTP stream (`inbound-rtp` entries), audio and video.
    pub fn inbound_rtp(&self) -> Vec<InboundRtp> {
        self.entries_of_type("inbound-rtp")
            .iter()
            .map(InboundRtp::read)
            .collect()
    }

    /// Every sent RTP stream (`outbound-rtp` entries), audio and video.
    pub fn outbound_rtp(&self) -> Vec<OutboundRtp> {
        self.entries_of_type("outbound-rtp")
            .iter()
            .map(OutboundRtp::read)
            .collect()
    }

    /// The underlying `RTCStatsReport` (a maplike of id → stats object).
    pub fn as_raw(&self) -> &Map {
        &self.raw
    }

    /// Every entry (the map's values), in the browser's order; none when the report cannot
    /// be iterated.
    fn entries(&self) -> Vec<JsValue> {
        let mut entries = Vec::new();
        let report: &sys::StatsMap = self.raw.unchecked_ref();
        let _ = report.for_each(&mut |value, _key| entries.push(value));
        entries
    }

    fn entries_of_type(&self, kind: &str) -> Vec<JsValue> {
        let mut entries = self.entries();
        entries.retain(|entry| text(entry, "type").as_deref() == Some(kind));
        entries
    }

    /// The entry with this id.
    fn get(&self, id: &str) -> Option<JsValue> {
        let report: &sys::StatsMap = self.raw.unchecked_ref();
        report.get(id).ok().filter(JsValue::is_object)
    }
}

impl fmt::Debug for StatsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatsReport")
            .field("entries", &self.entries().len())
            .finish()
    }
}

impl AsRef<Map> for StatsReport {
    fn as_ref(&self) -> &Map {
        &self.raw
    }
}

impl From<Map> for StatsReport {
    fn from(raw: Map) -> Self {
        StatsReport { raw }
    }
}

impl From<StatsReport> for Map {
    fn from(report: StatsReport) -> Self {
        report.raw
    }
}
