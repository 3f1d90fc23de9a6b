//! `stats_report`: host/host on a loopback call, relay/relay through coturn on both ends, the
//! inbound video counters grow and report the source's size, and odd reports give `None`
//! instead of a panic.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Map, Object};
use rtc_peer::{
    CandidatePair, CandidateType, Configuration, IceServer, IceTransportPolicy, MediaKind,
    PeerConnection, StatsReport,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{engine, log, wait_until_async, Engine, LoopbackPair, TestFailure};

use crate::canvas_call::CanvasCall;
use crate::WAIT_MS;

/// Waits (bounded) for a selected pair with an RTT on `pc`.
async fn selected_pair(pc: &PeerConnection, name: &str) -> Result<CandidatePair, TestFailure> {
    let found: Rc<RefCell<Option<CandidatePair>>> = Rc::default();
    wait_until_async(
        WAIT_MS,
        200,
        &format!("{name}: a selected pair with an RTT"),
        || {
            let pc = pc.clone();
            let found = Rc::clone(&found);
            async move {
                let pair = pc
                    .stats_report()
                    .await
                    .expect("stats_report")
                    .selected_candidate_pair();
                let ready = pair.as_ref().is_some_and(|p| p.round_trip_time.is_some());
                *found.borrow_mut() = pair;
                ready
            }
        },
    )
    .await?;
    found
        .take()
        .ok_or_else(|| TestFailure::new(format!("{name}: no selected pair")))
}

#[wasm_bindgen_test]
async fn loopback_call_is_host_host_and_counts_frames() -> Result<(), TestFailure> {
    let call = CanvasCall::connected(LoopbackPair::new()?).await?;
    let (pair, source) = (&call.pair, &call.source);
    for (pc, name, other) in [(&pair.a, "a", 1), (&pair.b, "b", 0)] {
        let selected = selected_pair(pc, name).await?;
        let report = pc.stats_report().await.expect("stats_report");
        let prflx = peer_reflexive_addresses(&report);
        log(&format!(
            "{:?}: {name}: selected {selected:?}; peer-reflexive remote candidates {prflx:?}",
            engine()
        ));
        assert_eq!(
            selected.local,
            CandidateType::Host,
            "{name}: a local host candidate"
        );
        match (engine(), selected.remote) {
            (_, CandidateType::Host) => {}
            // Firefox names the other side's host address "prflx" when that side's check
            // arrives before its trickled candidate (seen on the offerer); it must be one of
            // the host candidates the other side gathered.
            (Engine::Firefox, CandidateType::Prflx) => {
                let gathered = if other == 0 {
                    pair.gathered_by_a()
                } else {
                    pair.gathered_by_b()
                };
                let hosts: Vec<String> = gathered.into_iter().flatten().collect();
                assert!(
                    !prflx.is_empty()
                        && prflx.iter().all(|(address, port)| hosts.iter().any(|line| {
                            line.contains(" typ host")
                                && line.contains(&format!(" {address} {port} "))
                        })),
                    "{name}: the prflx candidate is a host address of the other side: \
                     {prflx:?} vs {hosts:?}"
                );
            }
            (engine, remote) => panic!("{engine:?}: {name}: remote candidate {remote:?}, not host"),
        }
        let rtt = selected.round_trip_time.expect("an RTT");
        assert!(
            (0.0..1.0).contains(&rtt),
            "{name}: RTT on loopback is under 1 s: {rtt}"
        );
    }

    let inbound = || async {
        let report = pair.b.stats_report().await.expect("stats_report");
        report
            .inbound_rtp()
            .into_iter()
            .find(|rtp| rtp.kind == Some(MediaKind::Video))
    };
    let first = Rc::new(RefCell::new(None));
    wait_until_async(WAIT_MS, 200, "b decodes frames", || {
        let first = Rc::clone(&first);
        async move {
            let rtp = inbound().await;
            let decoding = rtp.as_ref().and_then(|r| r.frames_decoded).unwrap_or(0) > 0;
            *first.borrow_mut() = rtp;
            decoding
        }
    })
    .await?;
    let first = first.take().expect("an inbound video entry");
    log(&format!("{:?}: inbound video {first:?}", engine()));
    let decoded = first.frames_decoded.unwrap_or(0);
    wait_until_async(WAIT_MS, 200, "frames_decoded grows", || async {
        inbound().await.and_then(|r| r.frames_decoded).unwrap_or(0) > decoded + 30
    })
    .await?;
    let later = inbound().await.expect("an inbound video entry");
    assert_eq!(
        later.frame_width,
        Some(source.canvas().width()),
        "frame_width is the source's"
    );
    assert_eq!(
        later.frame_height,
        Some(source.canvas().height()),
        "frame_height is the source's"
    );
    assert!(later.bytes_received.unwrap_or(0) > first.bytes_received.unwrap_or(0));
    assert!(
        later.packets_received.is_some(),
        "packets_received: {later:?}"
    );
    assert!(later.packets_lost.is_some(), "packets_lost: {later:?}");
    assert!(later.jitter.is_some(), "jitter: {later:?}");
    let report = pair.a.stats_report().await.expect("stats_report");
    let outbound = report
        .outbound_rtp()
        .into_iter()
        .find(|rtp| rtp.kind == Some(MediaKind::Video))
        .expect("an outbound video entry");
    log(&format!("{:?}: outbound video {outbound:?}", engine()));
    assert!(
        outbound.bytes_sent.unwrap_or(0) > 0,
        "bytes_sent: {outbound:?}"
    );
    assert!(
        outbound.frames_encoded.unwrap_or(0) > 0,
        "frames_encoded: {outbound:?}"
    );
    assert!(report.as_raw().size() > 0, "the raw report is reachable");
    Ok(())
}

/// Address and port of every peer-reflexive remote candidate, read from the raw report.
fn peer_reflexive_addresses(report: &StatsReport) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    report.as_raw().for_each(&mut |entry, _| {
        let text = |key: &str| js_sys::Reflect::get(&entry, &key.into()).ok()?.as_string();
        if text("type").as_deref() == Some("remote-candidate")
            && text("candidateType").as_deref() == Some("prflx")
        {
            let address = text("address").or_else(|| text("ip")).unwrap_or_default();
            let port = js_sys::Reflect::get(&entry, &"port".into())
                .ok()
                .and_then(|p| p.as_f64())
                .unwrap_or(0.0) as u32;
            found.push((address, port));
        }
    });
    found
}

/// The coturn for this run (read at run time from the endpoint the test run serves).
fn turn_configuration() -> Configuration {
    let server = support::turn::turn_server();
    Configuration::new()
        .ice_server(IceServer::new(server.url).credentials(server.username, server.credential))
        .ice_transport_policy(IceTransportPolicy::Relay)
}

#[wasm_bindgen_test]
async fn relay_only_call_is_relay_relay() -> Result<(), TestFailure> {
    let call =
        CanvasCall::connected(LoopbackPair::with_configuration(&turn_configuration())?).await?;
    let pair = &call.pair;
    for (pc, name) in [(&pair.a, "a"), (&pair.b, "b")] {
        let selected = selected_pair(pc, name).await?;
        log(&format!(
            "{:?}: {name}: relay call selected {selected:?}",
            engine()
        ));
        assert_eq!(
            (selected.local, selected.remote),
            (CandidateType::Relay, CandidateType::Relay),
            "{name}: relay on both ends"
        );
    }
    Ok(())
}

fn entry(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value).expect("set");
    }
    object.into()
}

#[wasm_bindgen_test]
fn odd_reports_give_none_never_a_panic() {
    let empty = StatsReport::from(Map::new());
    assert!(empty.selected_candidate_pair().is_none());
    assert!(empty.inbound_rtp().is_empty() && empty.outbound_rtp().is_empty());

    let map = Map::new();
    map.set(&"n".into(), &JsValue::from(5));
    map.set(&"null".into(), &JsValue::NULL);
    // A transport naming a pair that is not there, and a pair naming missing candidates.
    map.set(
        &"t".into(),
        &entry(&[
            ("type", "transport".into()),
            ("selectedCandidatePairId", "missing".into()),
        ]),
    );
    map.set(
        &"p".into(),
        &entry(&[
            ("type", "candidate-pair".into()),
            ("selected", JsValue::TRUE),
            ("localCandidateId", JsValue::from(7)),
            ("remoteCandidateId", "nowhere".into()),
        ]),
    );
    // RTP entries with every field of the wrong type or out of range.
    map.set(
        &"in".into(),
        &entry(&[
            ("type", "inbound-rtp".into()),
            ("kind", "smell".into()),
            ("framesDecoded", JsValue::from(-1)),
            ("frameWidth", JsValue::from(1e12)),
            ("bytesReceived", JsValue::from(f64::NAN)),
            ("packetsLost", "many".into()),
            ("jitter", JsValue::from(f64::INFINITY)),
        ]),
    );
    map.set(
        &"out".into(),
        &entry(&[("type", "outbound-rtp".into()), ("bytesSent", 1.5.into())]),
    );
    let report = StatsReport::from(map);
    assert!(report.selected_candidate_pair().is_none());
    let inbound = report.inbound_rtp();
    assert_eq!(inbound.len(), 1);
    let rtp = &inbound[0];
    assert_eq!(
        (
            rtp.kind,
            rtp.frames_decoded,
            rtp.frame_width,
            rtp.bytes_received
        ),
        (None, None, None, None)
    );
    assert_eq!((rtp.packets_lost, rtp.jitter), (None, None));
    assert_eq!(report.outbound_rtp()[0].bytes_sent, None);

    // Entries whose getters throw, and a "map" whose forEach throws.
    let hostile: JsValue = js_sys::eval(
        "(() => { const m = new Map(); \
           m.set('x', new Proxy({}, { get() { throw new Error('trap'); } })); \
           const bad = new Map(); bad.forEach = () => { throw new Error('forEach'); }; \
           return [m, bad]; })()",
    )
    .expect("eval");
    let hostile: js_sys::Array = hostile.into();
    for map in hostile.iter() {
        let report = StatsReport::from(Map::from(map));
        assert!(report.selected_candidate_pair().is_none());
        assert!(report.inbound_rtp().is_empty() && report.outbound_rtp().is_empty());
    }
}
