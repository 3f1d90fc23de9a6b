//! `close()` ends every pending operation: the browser never settles the promise of a
//! createOffer / createAnswer / setLocalDescription / setRemoteDescription / addIceCandidate
//! (or, in Firefox, getStats) call pending at close, so without the library's help these
//! futures would wait forever. Each one must complete with `InvalidStateError` within a bounded
//! time, whichever handle closes the connection; operations started after close must end too,
//! and normal calls must still work.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use rtc_peer::{
    ice_candidate, Error, MediaKind, PeerConnection, SessionDescription, TransceiverDirection,
};
use support::{within, ConsoleCapture};
use wasm_bindgen_test::*;

/// The bound for a future to end once its connection is closed (it should end at once).
const AFTER_CLOSE_MS: u32 = 3_000;

/// Polls `future` once, so the browser call inside it is made; panics if it is already done
/// (the test could then not observe a *pending* operation).
async fn start<F: Future + Unpin>(future: &mut F, what: &str) {
    let done =
        std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx).is_ready())).await;
    assert!(
        !done,
        "{what} completed before close(): nothing pending to test"
    );
}

/// A connection with one video transceiver (so an offer has an m-line).
fn video_pc() -> PeerConnection {
    let pc = PeerConnection::new().expect("a PeerConnection");
    pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pc
}

/// An offer made by another (then closed) connection.
async fn remote_offer() -> SessionDescription {
    let other = video_pc();
    let offer = within(support::WAIT_MS, "create_offer", other.create_offer())
        .await
        .unwrap()
        .expect("create_offer");
    other.close();
    offer
}

/// A well-formed host candidate for the offer's first m-line.
fn candidate() -> rtc_peer::RtcIceCandidate {
    ice_candidate(
        "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host",
        Some("0"),
        Some(0),
    )
    .expect("ice_candidate")
}

/// Asserts `result` is the library's InvalidStateError naming `operation`.
fn assert_closed_while_pending<T: std::fmt::Debug>(result: Result<T, Error>, operation: &str) {
    match result {
        Err(Error::InvalidState { message }) => {
            let expected =
                format!("The RTCPeerConnection was closed while {operation} was pending.");
            assert_eq!(message, expected, "the error message for {operation}");
        }
        other => {
            panic!("{operation} pending at close(): expected InvalidStateError, got {other:?}")
        }
    }
}

#[wasm_bindgen_test]
async fn close_while_create_offer_is_pending_ends_it_with_invalid_state() {
    let pc = video_pc();
    let mut op = Box::pin(pc.create_offer());
    start(&mut op, "create_offer").await;
    pc.close();
    let result = within(AFTER_CLOSE_MS, "create_offer to end after close()", op)
        .await
        .unwrap();
    assert_closed_while_pending(result, "createOffer");
}

#[wasm_bindgen_test]
async fn close_while_create_answer_is_pending_ends_it_with_invalid_state() {
    let offer = remote_offer().await;
    let pc = PeerConnection::new().expect("a PeerConnection");
    within(
        support::WAIT_MS,
        "set_remote_description(offer)",
        pc.set_remote_description(&offer),
    )
    .await
    .unwrap()
    .expect("set_remote_description(offer)");
    let mut op = Box::pin(pc.create_answer());
    start(&mut op, "create_answer").await;
    pc.close();
    let result = within(AFTER_CLOSE_MS, "create_answer to end after close()", op)
        .await
        .unwrap();
    assert_closed_while_pending(result, "createAnswer");
}

#[wasm_bindgen_test]
async fn close_while_set_local_description_is_pending_ends_it_with_invalid_state() {
    let pc = video_pc();
    let offer = within(support::WAIT_MS, "create_offer", pc.create_offer())
        .await
        .unwrap()
        .expect("create_offer");
    let mut op = Box::pin(pc.set_local_description(&offer));
    start(&mut op, "set_local_description").await;
    pc.close();
    let result = within(
        AFTER_CLOSE_MS,
        "set_local_description to end after close()",
        op,
    )
    .await
    .unwrap();
    assert_closed_while_pending(result, "setLocalDescription");
}

#[wasm_bindgen_test]
async fn close_while_set_remote_description_is_pending_ends_it_with_invalid_state() {
    let offer = remote_offer().await;
    let pc = PeerConnection::new().expect("a PeerConnection");
    let mut op = Box::pin(pc.set_remote_description(&offer));
    start(&mut op, "set_remote_description").await;
    pc.close();
    let result = within(
        AFTER_CLOSE_MS,
        "set_remote_description to end after close()",
        op,
    )
    .await
    .unwrap();
    assert_closed_while_pending(result, "setRemoteDescription");
}

#[wasm_bindgen_test]
async fn close_while_add_ice_candidate_is_pending_ends_it_with_invalid_state() {
    let offer = remote_offer().await;
    let pc = PeerConnection::new().expect("a PeerConnection");
    within(
        support::WAIT_MS,
        "set_remote_description(offer)",
        pc.set_remote_description(&offer),
    )
    .await
    .unwrap()
    .expect("set_remote_description(offer)");
    let candidate = candidate();
    let mut op = Box::pin(pc.add_ice_candidate(&candidate));
    start(&mut op, "add_ice_candidate").await;
    pc.close();
    let result = within(AFTER_CLOSE_MS, "add_ice_candidate to end after close()", op)
        .await
        .unwrap();
    assert_closed_while_pending(result, "addIceCandidate");
}

#[wasm_bindgen_test]
async fn close_while_stats_is_pending_ends_it_with_invalid_state() {
    let pc = video_pc();
    let mut op = Box::pin(pc.stats());
    start(&mut op, "stats").await;
    pc.close();
    let result = within(AFTER_CLOSE_MS, "stats to end after close()", op)
        .await
        .unwrap();
    assert_closed_while_pending(result, "getStats");
}

#[wasm_bindgen_test]
async fn close_on_a_clone_ends_futures_started_on_another_clone() {
    let pc = video_pc();
    let other = pc.clone();
    let mut offer = Box::pin(pc.create_offer());
    let mut stats = Box::pin(pc.stats());
    start(&mut offer, "create_offer").await;
    start(&mut stats, "stats").await;
    other.close();
    let offer = within(
        AFTER_CLOSE_MS,
        "create_offer to end after a clone's close()",
        offer,
    )
    .await
    .unwrap();
    assert_closed_while_pending(offer, "createOffer");
    let stats = within(
        AFTER_CLOSE_MS,
        "stats to end after a clone's close()",
        stats,
    )
    .await
    .unwrap();
    assert_closed_while_pending(stats, "getStats");
}

#[wasm_bindgen_test]
async fn close_on_a_handle_made_from_the_raw_connection_ends_pending_futures() {
    let pc = video_pc();
    let mut op = Box::pin(pc.create_offer());
    start(&mut op, "create_offer").await;
    PeerConnection::from(pc.as_raw().clone()).close();
    let result = within(
        AFTER_CLOSE_MS,
        "create_offer to end after close() on PeerConnection::from(raw)",
        op,
    )
    .await
    .unwrap();
    assert_closed_while_pending(result, "createOffer");
}

#[wasm_bindgen_test]
async fn close_after_a_raw_close_ends_futures_the_raw_close_left_pending() {
    let pc = video_pc();
    let mut op = Box::pin(pc.create_offer());
    start(&mut op, "create_offer").await;
    // The documented bypass: the browser's own close() leaves the promise pending.
    pc.as_raw().close();
    support::sleep(300).await;
    start(&mut op, "create_offer after a raw close()").await;
    pc.close();
    let result = within(
        AFTER_CLOSE_MS,
        "create_offer to end after close() following a raw close()",
        op,
    )
    .await
    .unwrap();
    assert_closed_while_pending(result, "createOffer");
}

#[wasm_bindgen_test]
async fn operations_started_after_close_end_without_hanging() {
    let offer = remote_offer().await;
    let pc = video_pc();
    pc.close();
    let expect_invalid_state = |what: &str, result: Result<(), Error>| match result {
        Err(Error::InvalidState { .. }) => {}
        other => panic!("{what} after close(): expected InvalidStateError, got {other:?}"),
    };
    let r = within(
        AFTER_CLOSE_MS,
        "create_offer after close()",
        pc.create_offer(),
    )
    .await
    .unwrap();
    expect_invalid_state("create_offer", r.map(drop));
    let r = within(
        AFTER_CLOSE_MS,
        "create_answer after close()",
        pc.create_answer(),
    )
    .await
    .unwrap();
    expect_invalid_state("create_answer", r.map(drop));
    let r = within(
        AFTER_CLOSE_MS,
        "set_local_description after close()",
        pc.set_local_description(&offer),
    )
    .await
    .unwrap();
    expect_invalid_state("set_local_description", r);
    let r = within(
        AFTER_CLOSE_MS,
        "set_remote_description after close()",
        pc.set_remote_description(&offer),
    )
    .await
    .unwrap();
    expect_invalid_state("set_remote_description", r);
    let r = within(
        AFTER_CLOSE_MS,
        "add_ice_candidate after close()",
        pc.add_ice_candidate(&candidate()),
    )
    .await
    .unwrap();
    expect_invalid_state("add_ice_candidate", r);
    // getStats after close: Ok (the final report) or an error, but it must end.
    let _ = within(AFTER_CLOSE_MS, "stats after close()", pc.stats())
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn normal_calls_still_work_and_a_later_close_does_not_disturb_them() {
    let console = ConsoleCapture::start();
    let pair = support::pair();
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pair.negotiate().await.unwrap();
    for _ in 0..20 {
        let stats = within(support::WAIT_MS, "stats", pair.a.stats())
            .await
            .unwrap()
            .expect("stats of an open connection");
        assert!(
            stats.size() > 0,
            "an open connection's stats report is empty"
        );
    }
    // A future dropped before it completes, then close(): nothing is logged, nothing throws.
    let mut dropped = Box::pin(pair.b.create_offer());
    start(&mut dropped, "create_offer").await;
    drop(dropped);
    pair.a.close();
    pair.b.close();
    support::sleep(200).await;
    console.assert_no_closure_error();
    let errors: Vec<String> = console
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("uncaught") || l.starts_with("unhandledrejection"))
        .collect();
    assert!(
        errors.is_empty(),
        "uncaught errors after close(): {errors:?}"
    );
}
