//! Helpers for the TURN suite: the coturn that `cargo xtask test` started (read at run
//! time), a relay-only loopback pair, and the selected candidate pair from `getStats`.

use std::collections::HashMap;

use js_sys::{Map, Reflect};
use rtc_peer::testing::{now_ms, sleep, wait_until, within, LoopbackPair};
use rtc_peer::{Configuration, IceServer, IceTransportPolicy, PeerConnection};
use wasm_bindgen::JsValue;

use crate::WAIT_MS;

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

/// The coturn `cargo xtask test` started, read at run time from the endpoint the run serves on
/// 127.0.0.1 (`GET /turn.json`: `{url, username, credential}`; port 4780 in the run's network
/// namespace, or the one `RTC_PEER_TURN_CONFIG_PORT` named at compile time on the host
/// network; the port is no secret). The credential is never compiled in. Read once per test
/// binary. Panics (failing the test, never skipping it) when the endpoint does not answer.
pub fn turn_server() -> TurnServer {
    use js_sys::{Array, Function, JSON};
    use wasm_bindgen::JsCast;

    thread_local! {
        static SERVER: std::cell::OnceCell<TurnServer> = const { std::cell::OnceCell::new() };
    }
    let port = option_env!("RTC_PEER_TURN_CONFIG_PORT").unwrap_or("4780");
    let url = format!("http://127.0.0.1:{port}/turn.json");
    let how = "run the suite through `cargo xtask test`, or one binary by hand with \
               `cargo xtask netns -- cargo test --target wasm32-unknown-unknown …`: both start \
               coturn with fresh credentials and serve them there";
    let fetch = || -> Result<String, JsValue> {
        // A synchronous XMLHttpRequest keeps this function synchronous; the endpoint is local
        // and answers at once, or refuses the connection at once.
        let global = js_sys::global();
        let class: Function = Reflect::get(&global, &"XMLHttpRequest".into())?.dyn_into()?;
        let xhr = Reflect::construct(&class, &Array::new())?;
        let call = |name: &str, args: &[JsValue]| -> Result<JsValue, JsValue> {
            let method: Function = Reflect::get(&xhr, &name.into())?.dyn_into()?;
            method.apply(&xhr, &args.iter().collect::<Array>())
        };
        call("open", &["GET".into(), url.as_str().into(), false.into()])?;
        call("send", &[])?;
        let status = Reflect::get(&xhr, &"status".into())?
            .as_f64()
            .unwrap_or(0.0);
        if status != 200.0 {
            return Err(format!("HTTP status {status}").into());
        }
        Reflect::get(&xhr, &"responseText".into())?
            .as_string()
            .ok_or_else(|| "no response text".into())
    };
    SERVER.with(|cell| {
        cell.get_or_init(|| {
            let body =
                fetch().unwrap_or_else(|e| panic!("no TURN server config at {url} ({e:?}): {how}"));
            let json = JSON::parse(&body).expect("the TURN config is JSON");
            let field = |key: &str| -> &'static str {
                let value = Reflect::get(&json, &key.into())
                    .ok()
                    .and_then(|v| v.as_string());
                let value =
                    value.unwrap_or_else(|| panic!("the TURN config at {url} lacks `{key}`"));
                // Once per test binary; the suites hold `&'static str`s.
                Box::leak(value.into_boxed_str())
            };
            let server = TurnServer {
                url: field("url"),
                username: field("username"),
                credential: field("credential"),
            };
            assert!(
                server.url.starts_with("turn:127.0.0.1:"),
                "the TURN config must name the loopback coturn, got {}",
                server.url
            );
            server
        })
        .clone()
    })
}

/// The configuration of the seed's example (one `turn:` server with username and credential)
/// plus a relay-only policy.
pub fn relay_config(server: &TurnServer, credential: &str) -> Configuration {
    Configuration::new()
        .ice_server(IceServer::new(server.url).credentials(server.username, credential))
        .ice_transport_policy(IceTransportPolicy::Relay)
}

/// Two connections with the same (relay) configuration, each one's candidates passed straight
/// to the other, every local candidate (and the end of gathering) recorded
/// ([`LoopbackPair::gathered_by_a`]). Closed on drop.
pub fn relay_pair(config: &Configuration) -> LoopbackPair {
    LoopbackPair::with_configuration(config).expect("a relay pair")
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
    /// The local candidate's address (IP literal as the browser reports it).
    pub local_ip: String,
    /// The remote candidate's address.
    pub remote_ip: String,
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

fn ip(stat: &JsValue) -> String {
    text(stat, "address")
        .or_else(|| text(stat, "ip"))
        .unwrap_or_default()
}

fn address(stat: &JsValue) -> String {
    let host = ip(stat);
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
    let report = within(WAIT_MS, "pc.stats", pc.stats())
        .await
        .expect("getStats settles")
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
        local_ip: ip(local),
        remote_ip: ip(remote),
        local: address(local),
        remote: address(remote),
    })
}

/// Sum of `framesDecoded` over the report's inbound video RTP streams.
pub async fn frames_decoded(pc: &PeerConnection) -> f64 {
    let report = within(WAIT_MS, "pc.stats", pc.stats())
        .await
        .expect("getStats settles")
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
    wait_until(
        WAIT_MS,
        &format!("{what}: remote <video> videoWidth > 0"),
        || video.video_width() > 0,
    )
    .await
    .unwrap_or_else(|failure| panic!("{failure}"));
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

/// Waits at most `ms` for a `succeeded` selected candidate pair on `pc` (panics naming peer
/// `name` and the last pair seen).
pub async fn wait_selected_pair(pc: &PeerConnection, name: &str, ms: u32) -> SelectedPair {
    let deadline = now_ms() + f64::from(ms);
    loop {
        let pair = selected_pair(pc).await;
        if let Some(pair) = pair.as_ref().filter(|p| p.state == "succeeded") {
            return pair.clone();
        }
        assert!(
            now_ms() < deadline,
            "peer {name}: no succeeded selected candidate pair in getStats within {ms} ms \
             (last: {pair:?})"
        );
        sleep(100).await;
    }
}
