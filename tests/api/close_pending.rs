//! `close()` ends every pending operation: the browser never settles the promise of a
//! createOffer / createAnswer / setLocalDescription / setRemoteDescription / addIceCandidate
//! (or, in Firefox, getStats) call pending at close, so without the library's help these
//! futures would wait forever. Each one must complete with `InvalidStateError` within a bounded
//! time, whichever handle closes the connection; operations started after close must end too,
//! and normal calls must still work.
//!
//! Table-driven: [`Operation`] lists the six operations, how to bring a connection to where
//! each can be pending, and how to start it; the tests run rows of that table.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use rtc_peer::{
    ice_candidate, Error, MediaKind, PeerConnection, SessionDescription, TransceiverDirection,
};
use support::{within, ConsoleCapture, WAIT_MS};
use wasm_bindgen_test::*;

/// The bound for a future to end once its connection is closed (it should end at once).
const AFTER_CLOSE_MS: u32 = 3_000;

/// A started library call, its value dropped: only how it ends matters here.
type Call = Pin<Box<dyn Future<Output = Result<(), Error>>>>;

/// The operations a `close()` must end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    CreateOffer,
    CreateAnswer,
    SetLocalDescription,
    SetRemoteDescription,
    AddIceCandidate,
    Stats,
}

impl Operation {
    /// Every row of the table.
    const ALL: [Operation; 6] = [
        Operation::CreateOffer,
        Operation::CreateAnswer,
        Operation::SetLocalDescription,
        Operation::SetRemoteDescription,
        Operation::AddIceCandidate,
        Operation::Stats,
    ];

    /// The browser method, as the library's error message names it.
    fn method(self) -> &'static str {
        match self {
            Operation::CreateOffer => "createOffer",
            Operation::CreateAnswer => "createAnswer",
            Operation::SetLocalDescription => "setLocalDescription",
            Operation::SetRemoteDescription => "setRemoteDescription",
            Operation::AddIceCandidate => "addIceCandidate",
            Operation::Stats => "getStats",
        }
    }

    /// A fresh connection where this operation can be made, and the description it applies
    /// (for the two `set_*_description` rows).
    async fn ready(self) -> (PeerConnection, Option<SessionDescription>) {
        match self {
            Operation::CreateOffer | Operation::Stats => (video_pc(), None),
            Operation::SetLocalDescription => {
                let pc = video_pc();
                let offer = within(WAIT_MS, "create_offer", pc.create_offer())
                    .await
                    .unwrap()
                    .expect("create_offer");
                (pc, Some(offer))
            }
            Operation::SetRemoteDescription => {
                let offer = remote_offer().await;
                (
                    PeerConnection::new().expect("a PeerConnection"),
                    Some(offer),
                )
            }
            Operation::CreateAnswer | Operation::AddIceCandidate => {
                let offer = remote_offer().await;
                let pc = PeerConnection::new().expect("a PeerConnection");
                within(
                    WAIT_MS,
                    "set_remote_description(offer)",
                    pc.set_remote_description(&offer),
                )
                .await
                .unwrap()
                .expect("set_remote_description(offer)");
                (pc, None)
            }
        }
    }

    /// The operation on `pc` (not yet polled); the `set_*_description` rows apply
    /// `description`.
    fn call(self, pc: &PeerConnection, description: Option<&SessionDescription>) -> Call {
        let pc = pc.clone();
        let description = description.cloned();
        let needs = move || description.expect("this row applies a description");
        match self {
            Operation::CreateOffer => Box::pin(async move { pc.create_offer().await.map(drop) }),
            Operation::CreateAnswer => Box::pin(async move { pc.create_answer().await.map(drop) }),
            Operation::SetLocalDescription => {
                let description = needs();
                Box::pin(async move { pc.set_local_description(&description).await })
            }
            Operation::SetRemoteDescription => {
                let description = needs();
                Box::pin(async move { pc.set_remote_description(&description).await })
            }
            Operation::AddIceCandidate => {
                Box::pin(async move { pc.add_ice_candidate(&candidate()).await })
            }
            Operation::Stats => Box::pin(async move { pc.stats().await.map(drop) }),
        }
    }
}

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
    let offer = within(WAIT_MS, "create_offer", other.create_offer())
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
fn assert_closed_while_pending(result: Result<(), Error>, operation: Operation) {
    let method = operation.method();
    match result {
        Err(Error::InvalidState { message }) => {
            let expected = format!("The RTCPeerConnection was closed while {method} was pending.");
            assert_eq!(message, expected, "the error message for {method}");
        }
        other => {
            panic!("{method} pending at close(): expected InvalidStateError, got {other:?}")
        }
    }
}

/// One row: `operation` pending on a fresh connection, then `close()`: it must end with the
/// library's InvalidStateError within [`AFTER_CLOSE_MS`].
async fn close_ends_pending(operation: Operation) {
    let (pc, description) = operation.ready().await;
    let mut call = operation.call(&pc, description.as_ref());
    start(&mut call, operation.method()).await;
    pc.close();
    let what = format!("{} to end after close()", operation.method());
    let result = within(AFTER_CLOSE_MS, &what, call).await.unwrap();
    assert_closed_while_pending(result, operation);
}

#[wasm_bindgen_test]
async fn close_while_create_offer_is_pending_ends_it_with_invalid_state() {
    close_ends_pending(Operation::CreateOffer).await;
}

#[wasm_bindgen_test]
async fn close_while_create_answer_is_pending_ends_it_with_invalid_state() {
    close_ends_pending(Operation::CreateAnswer).await;
}

#[wasm_bindgen_test]
async fn close_while_set_local_description_is_pending_ends_it_with_invalid_state() {
    close_ends_pending(Operation::SetLocalDescription).await;
}

#[wasm_bindgen_test]
async fn close_while_set_remote_description_is_pending_ends_it_with_invalid_state() {
    close_ends_pending(Operation::SetRemoteDescription).await;
}

#[wasm_bindgen_test]
async fn close_while_add_ice_candidate_is_pending_ends_it_with_invalid_state() {
    close_ends_pending(Operation::AddIceCandidate).await;
}

#[wasm_bindgen_test]
async fn close_while_stats_is_pending_ends_it_with_invalid_state() {
    close_ends_pending(Operation::Stats).await;
}

/// Every row: the operation started on one handle ends when `close` (given the connection)
/// closes it through another path.
async fn every_pending_operation_ends_when(how: &str, close: impl Fn(&PeerConnection)) {
    for operation in Operation::ALL {
        let (pc, description) = operation.ready().await;
        let mut call = operation.call(&pc, description.as_ref());
        start(&mut call, operation.method()).await;
        close(&pc);
        let what = format!("{} to end after {how}", operation.method());
        let result = within(AFTER_CLOSE_MS, &what, call).await.unwrap();
        assert_closed_while_pending(result, operation);
    }
}

#[wasm_bindgen_test]
async fn close_on_a_clone_ends_futures_started_on_another_clone() {
    // Two at once on one connection, as before; then every row.
    let pc = video_pc();
    let other = pc.clone();
    let mut offer = Operation::CreateOffer.call(&pc, None);
    let mut stats = Operation::Stats.call(&pc, None);
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
    assert_closed_while_pending(offer, Operation::CreateOffer);
    let stats = within(
        AFTER_CLOSE_MS,
        "stats to end after a clone's close()",
        stats,
    )
    .await
    .unwrap();
    assert_closed_while_pending(stats, Operation::Stats);
    every_pending_operation_ends_when("a clone's close()", |pc| pc.clone().close()).await;
}

#[wasm_bindgen_test]
async fn close_on_a_handle_made_from_the_raw_connection_ends_pending_futures() {
    every_pending_operation_ends_when("close() on PeerConnection::from(raw)", |pc| {
        PeerConnection::from(pc.as_raw().clone()).close()
    })
    .await;
}

#[wasm_bindgen_test]
async fn close_after_a_raw_close_ends_futures_the_raw_close_left_pending() {
    let pc = video_pc();
    let mut call = Operation::CreateOffer.call(&pc, None);
    start(&mut call, "create_offer").await;
    // The documented bypass: the browser's own close() leaves the promise pending.
    pc.as_raw().close();
    support::sleep(300).await;
    start(&mut call, "create_offer after a raw close()").await;
    pc.close();
    let result = within(
        AFTER_CLOSE_MS,
        "create_offer to end after close() following a raw close()",
        call,
    )
    .await
    .unwrap();
    assert_closed_while_pending(result, Operation::CreateOffer);
}

#[wasm_bindgen_test]
async fn operations_started_after_close_end_without_hanging() {
    let offer = remote_offer().await;
    let pc = video_pc();
    pc.close();
    for operation in Operation::ALL {
        let what = format!("{} after close()", operation.method());
        let result = within(AFTER_CLOSE_MS, &what, operation.call(&pc, Some(&offer)))
            .await
            .unwrap();
        match (operation, result) {
            // getStats after close: Ok (the final report) or an error, but it must end.
            (Operation::Stats, _) | (_, Err(Error::InvalidState { .. })) => {}
            (_, other) => panic!("{what}: expected InvalidStateError, got {other:?}"),
        }
    }
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
