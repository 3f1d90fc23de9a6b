//! Where the calls of these suites really go: the selected candidate pair of a loopback call
//! and of a TURN relay call, read from `getStats` on both peers (Chromium names it in the
//! `transport` entry's `selectedCandidatePairId`; Firefox also flags the pair `selected`), must
//! have both addresses on loopback (127.0.0.0/8, or `::1`) or in the private test network the
//! run made itself (10.200.0.0/24).
//!
//! On a machine's normal network this fails in Chromium, which gathers no loopback candidate
//! and pairs over the machine's own address: `cargo xtask test` runs the browsers inside a
//! network namespace of its own, where the only addresses are loopback and the test range.

use std::net::IpAddr;

use rtc_peer::{MediaKind, TransceiverDirection};
use support::turn::{relay_config, relay_pair, turn_server, wait_selected_pair, SelectedPair};
use support::LoopbackPair;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// How long a call may take to connect and select a pair.
const CONNECT_MS: u32 = 20_000;

/// Whether `ip` is loopback or in the run's test network (10.200.0.0/24).
fn allowed(ip: &str) -> bool {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            a == 127 || (a, b, c) == (10, 200, 0)
        }
        Ok(IpAddr::V6(v6)) => v6.is_loopback(),
        Err(_) => false,
    }
}

/// Reads the selected pair on both peers of `pair` and panics unless all four addresses are
/// allowed.
async fn assert_pair_stays_in_the_test_network(call: &str, pair: &LoopbackPair) {
    for (name, pc) in [("a", &pair.a), ("b", &pair.b)] {
        let selected: SelectedPair = wait_selected_pair(pc, name, CONNECT_MS).await;
        console_log!(
            "{}: {call}: peer {name}: selected pair {} ({}) -> {} ({})",
            support::browser(),
            selected.local,
            selected.local_type,
            selected.remote,
            selected.remote_type
        );
        for (end, ip) in [
            ("local", &selected.local_ip),
            ("remote", &selected.remote_ip),
        ] {
            assert!(
                allowed(ip),
                "{call}: peer {name}: the selected pair's {end} address {ip:?} is neither \
                 loopback (127.0.0.0/8) nor in the test network (10.200.0.0/24): {selected:?}"
            );
        }
    }
}

/// Negotiates `pair` with one video transceiver on `a` and waits until both are connected.
async fn connect(pair: &LoopbackPair) {
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pair.negotiate().await.unwrap();
    pair.connected(CONNECT_MS).await.unwrap();
}

#[wasm_bindgen_test]
fn the_allowed_ranges_are_exactly_loopback_and_the_test_network() {
    for ip in [
        "127.0.0.1",
        "127.1.2.3",
        "10.200.0.1",
        "10.200.0.254",
        "::1",
    ] {
        assert!(allowed(ip), "{ip} must be allowed");
    }
    for ip in [
        "10.200.1.1",
        "10.0.0.1",
        "192.168.1.10",
        "172.17.0.2",
        "0.0.0.0",
        "fe80::1",
        "",
        "abc.local",
    ] {
        assert!(!allowed(ip), "{ip:?} must not be allowed");
    }
}

#[wasm_bindgen_test]
async fn a_loopback_call_pairs_only_loopback_or_test_network_addresses() {
    let pair = LoopbackPair::new().unwrap();
    connect(&pair).await;
    assert_pair_stays_in_the_test_network("loopback call", &pair).await;
}

#[wasm_bindgen_test]
async fn a_turn_relay_call_pairs_only_loopback_or_test_network_addresses() {
    let server = turn_server();
    let pair = relay_pair(&relay_config(&server, server.credential));
    connect(&pair).await;
    assert_pair_stays_in_the_test_network("TURN relay call", &pair).await;
}
