//! Every synchronous getter of a closed connection answers without throwing.
//!
//! Firefox's `localDescription` / `remoteDescription` getters throw "Peer connection is closed"
//! after `close()`; Chromium's keep returning the last descriptions. Both behaviours are pinned.

use rtc_peer::{MediaKind, PeerConnectionState, SignalingState, TransceiverDirection};
use support::{engine, Engine, WAIT_MS};
use wasm_bindgen_test::*;

/// A pair negotiated over one send-receive video transceiver (bounded by [`WAIT_MS`]).
async fn video_pair() -> support::LoopbackPair {
    let pair = support::pair();
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    support::within(WAIT_MS, "negotiation", pair.negotiate())
        .await
        .unwrap()
        .unwrap();
    pair
}

#[wasm_bindgen_test]
async fn descriptions_of_a_closed_connection_are_readable_in_both_browsers() {
    let pair = video_pair().await;
    assert!(pair.b.remote_description().is_some(), "before close");
    pair.b.close();

    // Before the fix, Firefox's throwing getter unwound through wasm here.
    let local = pair.b.local_description();
    let remote = pair.b.remote_description();
    match engine() {
        Engine::Firefox => {
            assert!(local.is_none(), "Firefox's getter throws after close: None");
            assert!(
                remote.is_none(),
                "Firefox's getter throws after close: None"
            );
        }
        _ => {
            assert!(local.is_some(), "Chromium keeps the last local description");
            assert!(
                remote.is_some(),
                "Chromium keeps the last remote description"
            );
        }
    }
}

#[wasm_bindgen_test]
async fn lists_and_states_of_a_closed_connection_are_readable() {
    let pair = video_pair().await;
    pair.a.close();
    assert_eq!(pair.a.signaling_state(), SignalingState::Closed);
    assert_eq!(pair.a.connection_state(), PeerConnectionState::Closed);
    // Both keep the (stopped) transceiver listed. The specification lists only the senders and
    // receivers of transceivers that are not stopped, and close() stops them all: Firefox
    // follows that (0), Chromium keeps listing them (1).
    assert_eq!(pair.a.transceivers().len(), 1, "transceivers after close");
    let expected = match engine() {
        Engine::Firefox => 0,
        Engine::Chromium => 1,
    };
    assert_eq!(pair.a.receivers().len(), expected, "receivers after close");
    assert_eq!(pair.a.senders().len(), expected, "senders after close");
    assert!(format!("{:?}", pair.a).contains("Closed"));
}
