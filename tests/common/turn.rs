//! Helpers for the TURN suite: the coturn that `cargo xtask test` started (read at compile
//! time), a relay-only loopback pair, and the selected candidate pair from `getStats`.
//!
//! Included with `#[path = "common/turn.rs"] mod turn_helpers;` (it uses `crate::common`).
#![allow(dead_code)]

use std::collections::HashMap;

use js_sys::{Map, Reflect};
use rtc_peer::{
    Configuration, IceServer, IceTransportPolicy, Listener, PeerConnection, RtcIceCandidate,
};
use wasm_bindgen::JsValue;

use crate::common::{deliver_candidate, now_ms, seen, sleep, within, Seen, WAIT_MS};

/// The coturn started for this run: its `turn:` URL and long-term credentials.
#[derive(Clone)]
pub struct TurnServer {
    /// `turn:127.0.0.1:PORT?transport=udp`.
    pub url: &'static str,
    /// The user name generated for this run.
    pub username: &'static str,
    /// The password generated for this run (never print it).
    pub credential: &'static str,
}

/// The coturn `cargo xtask test` started, from the `RTC_PEER_TURN_*` variables it set when it
/// compiled this suite. Panics (failing the test, never skipping it) when they are absent.
pub fn turn_server() -> TurnServer {
    match (
        option_env!("RTC_PEER_TURN_URL"),
        option_env!("RTC_PEER_TURN_USERNAME"),
        option_env!("RTC_PEER_TURN_CREDENTIAL"),
    ) {
        (Some(url), Some(username), Some(credential)) => {
            assert!(
                url.starts_with("turn:127.0.0.1:"),
                "RTC_PEER_TURN_URL must name the loopback coturn, got {url}"
            );
            TurnServer {
                url,
                username,
                credential,
            }
        }
        _ => panic!(
            "RTC_PEER_TURN_URL / RTC_PEER_TURN_USERNAME / RTC_PEER_TURN_CREDENTIAL were not set \
             when this suite was compiled: run it through `cargo xtask test`, which starts coturn \
             on a free loopback port with fresh credentials and passes them (or start coturn by \
             hand as in docs/turn-and-interop.md and export the three variables)"
        ),
    }
}

/// The configuration of the seed's example (one `turn:` server with username and credential)
/// plus a relay-only policy.
pub fn relay_config(server: &TurnServer, credential: &str) -> Configuration {
    Configuration::new()
        .ice_server(IceServer::new(server.url).credentials(server.username, credential))
        .ice_transport_policy(IceTransportPolicy::Relay)
}

/// Two connections with the same configuration, each one's candidates passed straight to the
/// other, every local candidate (and the end-of-gathering `None`) recorded. Closed on drop.
pub struct RelayPair {
    /// The offerer.
    pub a: PeerConnection,
    /// The answerer.
    pub b: PeerConnection,
    /// The local candidates `a` gathered (`None`: gathering complete).
    pub a_candidates: Seen<Option<String>>,
    /// The local candidates `b` gathered (`None`: gathering complete).
    pub b_candidates: Seen<Option<String>>,
    _ice: [Listener; 2],
}

impl RelayPair {
    /// Two connections with `config`.
    pub fn new(config: &Configuration) -> RelayPair {
        let a = PeerConnection::with_configuration(config).expect("a PeerConnection (a)");
        let b = PeerConnection::with_configuration(config).expect("a PeerConnection (b)");
        let a_candidates = seen();
        let b_candidates = seen();
        let ice = [
            forward(&a, &b, a_candidates.clone()),
            forward(&b, &a, b_candidates.clone()),
        ];
        RelayPair {
            a,
            b,
            a_candidates,
            b_candidates,
            _ice: ice,
        }
    }
}

impl Drop for RelayPair {
    fn drop(&mut self) {
        self.a.close();
        self.b.close();
    }
}

fn forward(from: &PeerConnection, to: &PeerConnection, record: Seen<Option<String>>) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |candidate: Option<RtcIceCandidate>| {
        record
            .borrow_mut()
            .push(candidate.as_ref().map(RtcIceCandidate::candidate));
        if let Some(candidate) = candidate {
            deliver_candidate(&to, candidate);
        }
    })
}

/// The `typ` of an `a=candidate` line (`host`, `srflx`, `prflx`, `relay`).
pub fn candidate_type(candidate: &str) -> Option<&str> {
    let mut words = candidate.split_whitespace();
    words.find(|w| *w == "typ")?;
    words.next()
}

/// The candidate pair ICE selected, with its candidates' types, and which of the ways to find
/// it the browser's stats report supports.
#[derive(Clone, Debug)]
pub struct SelectedPair {
    /// The pair's stats id.
    pub id: String,
    /// The standard way: the `transport` stats' `selectedCandidatePairId` (the pair it names).
    pub by_transport: Option<String>,
    /// Firefox's non-standard `selected: true` on a `candidate-pair` (the pair that has it).
    pub by_selected_flag: Option<String>,
    /// The `candidate-pair`s that are `nominated` and `succeeded`.
    pub nominated_succeeded: Vec<String>,
    /// The pair's `state` (`succeeded` once media flows over it).
    pub state: String,
    /// The local candidate's `candidateType`.
    pub local_type: String,
    /// The remote candidate's `candidateType`.
    pub remote_type: String,
    /// The local candidate's address and port, for messages.
    pub local: String,
    /// The remote candidate's address and port, for messages.
    pub remote: String,
}

fn text(stat: &JsValue, key: &str) -> Option<String> {
    Reflect::get(stat, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

fn flag(stat: &JsValue, key: &str) -> bool {
    Reflect::get(stat, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

fn address(stat: &JsValue) -> String {
    let host = text(stat, "address")
        .or_else(|| text(stat, "ip"))
        .unwrap_or_default();
    let port = Reflect::get(stat, &JsValue::from_str("port"))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    format!("{host}:{port}")
}

/// Every stats object of a report, by id.
pub fn stats_by_id(report: &Map) -> HashMap<String, JsValue> {
    let mut by_id = HashMap::new();
    report.for_each(&mut |value, key| {
        if let Some(id) = key.as_string() {
            by_id.insert(id, value);
        }
    });
    by_id
}

/// The selected candidate pair of `pc`: the one the `transport` stats name in
/// `selectedCandidatePairId` (standard; Chromium, and Firefox since it has `transport` stats),
/// else the `candidate-pair` with Firefox's non-standard `selected: true`, else the single
/// `nominated` + `succeeded` pair. Every lookup the browser supports is recorded, so a test
/// can check that they agree. `None` when no lookup finds a pair yet.
pub async fn selected_pair(pc: &PeerConnection) -> Option<SelectedPair> {
    let report = within(10_000, "pc.stats", pc.stats())
        .await
        .expect("getStats");
    let stats = stats_by_id(&report);
    let of_type = |kind: &str| -> Vec<(&String, &JsValue)> {
        stats
            .iter()
            .filter(|(_, s)| text(s, "type").as_deref() == Some(kind))
            .collect()
    };
    let by_transport = of_type("transport")
        .into_iter()
        .find_map(|(_, t)| text(t, "selectedCandidatePairId"));
    let pairs = of_type("candidate-pair");
    let by_selected_flag = pairs
        .iter()
        .find(|(_, p)| flag(p, "selected"))
        .map(|(id, _)| (*id).clone());
    let nominated_succeeded: Vec<String> = pairs
        .iter()
        .filter(|(_, p)| flag(p, "nominated") && text(p, "state").as_deref() == Some("succeeded"))
        .map(|(id, _)| (*id).clone())
        .collect();
    let id = by_transport
        .clone()
        .or_else(|| by_selected_flag.clone())
        .or_else(|| match nominated_succeeded.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        })?;
    let pair = stats.get(&id)?;
    let local = text(pair, "localCandidateId").and_then(|id| stats.get(&id))?;
    let remote = text(pair, "remoteCandidateId").and_then(|id| stats.get(&id))?;
    Some(SelectedPair {
        id,
        by_transport,
        by_selected_flag,
        nominated_succeeded,
        state: text(pair, "state").unwrap_or_default(),
        local_type: text(local, "candidateType").unwrap_or_default(),
        remote_type: text(remote, "candidateType").unwrap_or_default(),
        local: address(local),
        remote: address(remote),
    })
}

/// Sum of `framesDecoded` over the report's inbound video RTP streams.
pub async fn frames_decoded(pc: &PeerConnection) -> f64 {
    let report = within(10_000, "pc.stats", pc.stats())
        .await
        .expect("getStats");
    stats_by_id(&report)
        .values()
        .filter(|s| {
            text(s, "type").as_deref() == Some("inbound-rtp")
                && text(s, "kind").as_deref() == Some("video")
        })
        .filter_map(|s| {
            Reflect::get(s, &JsValue::from_str("framesDecoded"))
                .ok()
                .and_then(|v| v.as_f64())
        })
        .sum()
}

/// Waits (bounded) until `video` shows a frame (`videoWidth > 0`), then checks that `pc`
/// keeps decoding frames (its inbound video `framesDecoded` grows over half a second).
pub async fn assert_video_flows(
    pc: &PeerConnection,
    video: &web_sys::HtmlVideoElement,
    what: &str,
) {
    crate::common::wait_until(
        WAIT_MS,
        &format!("{what}: remote <video> videoWidth > 0"),
        || video.video_width() > 0,
    )
    .await;
    let before = frames_decoded(pc).await;
    let deadline = now_ms() + f64::from(WAIT_MS);
    loop {
        sleep(100).await;
        let after = frames_decoded(pc).await;
        if after > before {
            break;
        }
        assert!(
            now_ms() < deadline,
            "{what}: framesDecoded stayed at {before} for {WAIT_MS} ms: frames stopped flowing"
        );
    }
}
