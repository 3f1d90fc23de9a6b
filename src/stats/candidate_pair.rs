//! [`CandidatePair`] and [`CandidateType`]: the ICE candidate pair a connection uses.

use wasm_bindgen::JsValue;

use super::fields::{flag, number, text};
use super::StatsReport;
use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// How an ICE candidate was found (`candidateType` in the statistics).
    ///
    /// # Examples
    ///
    /// ```
    /// use rtc_peer::CandidateType;
    ///
    /// assert_eq!(CandidateType::parse("relay"), Some(CandidateType::Relay));
    /// assert_eq!(CandidateType::Srflx.as_str(), "srflx");
    /// ```
    ///
    /// See [MDN: RTCIceCandidate.type](https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/type).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum CandidateType {
        /// `"host"`: an address of the machine itself.
        Host = "host",
        /// `"srflx"`: the address a STUN server saw (server reflexive).
        Srflx = "srflx",
        /// `"prflx"`: an address learnt from the other peer's checks (peer reflexive).
        Prflx = "prflx",
        /// `"relay"`: an address on a TURN server.
        Relay = "relay",
    }
}

/// The candidate pair a connection sends and receives on, from
/// [`StatsReport::selected_candidate_pair`].
///
/// # Examples
///
/// ```no_run
/// # async fn demo(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::Error> {
/// use rtc_peer::CandidateType;
///
/// let report = pc.stats_report().await?;
/// if let Some(pair) = report.selected_candidate_pair() {
///     let relayed = pair.local == CandidateType::Relay || pair.remote == CandidateType::Relay;
///     let rtt_ms = pair.round_trip_time.map(|seconds| seconds * 1000.0);
///     web_sys::console::log_1(&format!("relayed: {relayed}, RTT: {rtt_ms:?} ms").into());
/// }
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCIceCandidatePairStats](https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidatePairStats).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CandidatePair {
    /// The type of this side's candidate.
    pub local: CandidateType,
    /// The type of the other side's candidate.
    pub remote: CandidateType,
    /// The latest round-trip time on the pair, in seconds (`currentRoundTripTime`); `None`
    /// before the first STUN response.
    pub round_trip_time: Option<f64>,
}

impl CandidatePair {
    /// Reads the pair entry `pair` of `report`, with its two candidate entries.
    pub(crate) fn read(report: &StatsReport, pair: &JsValue) -> Option<CandidatePair> {
        let candidate_type = |key: &str| {
            let candidate = report.get(&text(pair, key)?)?;
            CandidateType::parse(&text(&candidate, "candidateType")?)
        };
        Some(CandidatePair {
            local: candidate_type("localCandidateId")?,
            remote: candidate_type("remoteCandidateId")?,
            round_trip_time: number(pair, "currentRoundTripTime"),
        })
    }
}

/// The entry of the selected pair: the one a `transport` entry names
/// (`selectedCandidatePairId`, in every browser that has it), else the pair Firefox flags
/// `selected: true`.
pub(crate) fn selected_pair_entry(report: &StatsReport) -> Option<JsValue> {
    let entries = report.entries();
    let by_transport = entries
        .iter()
        .filter(|entry| text(entry, "type").as_deref() == Some("transport"))
        .find_map(|entry| report.get(&text(entry, "selectedCandidatePairId")?));
    by_transport.or_else(|| {
        entries.into_iter().find(|entry| {
            text(entry, "type").as_deref() == Some("candidate-pair")
                && flag(entry, "selected") == Some(true)
        })
    })
}
