//! `close()` ends the futures of a [`Sender`](rtc_peer::Sender) too: a `replace_track` or
//! `set_max_bitrate` pending when the connection closes ends with `InvalidStateError` within a
//! bounded time, one started after close is refused with `InvalidStateError` (never a silent
//! success), and the sender works as before while the connection is open.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use rtc_peer::{Error, PeerConnection, Sender};
use support::{engine, within, CanvasSource, LoopbackPair, SUITE_COLOUR, WAIT_MS};
use wasm_bindgen_test::*;

/// The bound for a future to end once its connection is closed (it should end at once).
const AFTER_CLOSE_MS: u32 = 3_000;

/// A started sender call, its value dropped: only how it ends matters here.
type Call = Pin<Box<dyn Future<Output = Result<(), Error>>>>;

/// A negotiated pair whose `a` sends a canvas track: the sender has its encodings.
struct Sending {
    pair: LoopbackPair,
    sender: Sender,
    source: CanvasSource,
    other: CanvasSource,
}

async fn sending() -> Sending {
    let pair = support::pair();
    let source = CanvasSource::new(160, 120, SUITE_COLOUR).expect("a canvas source");
    let other = CanvasSource::new(160, 120, SUITE_COLOUR).expect("a second canvas source");
    let sender = pair
        .a
        .add_track(source.track(), &[source.stream()])
        .expect("add_track");
    within(WAIT_MS, "negotiation", pair.negotiate())
        .await
        .unwrap()
        .expect("negotiation");
    Sending {
        pair,
        sender,
        source,
        other,
    }
}

/// The two sender operations, each as a call on `s` (not yet polled).
fn calls(s: &Sending) -> [(&'static str, Call); 3] {
    let replace = {
        let (sender, track) = (s.sender.clone(), s.other.track().clone());
        Box::pin(async move { sender.replace_track(Some(&track)).await }) as Call
    };
    let unset = {
        let sender = s.sender.clone();
        Box::pin(async move { sender.replace_track(None).await }) as Call
    };
    let cap = {
        let sender = s.sender.clone();
        Box::pin(async move { sender.set_max_bitrate(Some(150_000)).await }) as Call
    };
    [
        ("replaceTrack", replace),
        ("replaceTrack", unset),
        ("setParameters", cap),
    ]
}

/// Polls `future` once, so the browser call inside it is made; `true` if it already ended.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx).is_ready())).await
}

/// Asserts `result` is an InvalidStateError that says the connection is closed.
fn assert_invalid_state(result: Result<(), Error>, what: &str) {
    match result {
        Err(err @ Error::InvalidState { .. }) => {
            web_sys::console::log_1(&format!("{:?}: {what}: {err}", engine()).into());
            assert!(
                err.to_string().contains("closed"),
                "{what}: the error does not say the connection is closed: {err}"
            );
        }
        other => panic!("{what}: expected InvalidStateError, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn close_while_a_sender_call_is_pending_ends_it_with_invalid_state() {
    for index in 0..3 {
        let s = sending().await;
        let [first, second, third] = calls(&s);
        let (method, mut call) = [first, second, third]
            .into_iter()
            .nth(index)
            .expect("a row");
        assert!(
            !poll_once(&mut call).await,
            "{method} completed before close(): nothing pending to test"
        );
        s.pair.a.close();
        let what = format!("{method} (row {index}) pending at close()");
        let result = within(AFTER_CLOSE_MS, &what, call).await.unwrap();
        match &result {
            Err(Error::InvalidState { message }) => assert_eq!(
                message,
                &format!("The RTCPeerConnection was closed while {method} was pending."),
                "{what}"
            ),
            other => panic!("{what}: expected InvalidStateError, got {other:?}"),
        }
        drop(s.source);
        drop(s.other);
        s.pair.b.close();
    }
}

#[wasm_bindgen_test]
async fn a_sender_call_after_close_is_refused_with_invalid_state() {
    for index in 0..3 {
        let s = sending().await;
        let track_before = s.sender.track();
        s.pair.a.close();
        let [first, second, third] = calls(&s);
        let (method, call) = [first, second, third]
            .into_iter()
            .nth(index)
            .expect("a row");
        let what = format!("{method} (row {index}) after close()");
        let result = within(AFTER_CLOSE_MS, &what, call).await.unwrap();
        assert_invalid_state(result, &what);
        assert_eq!(
            s.sender.track(),
            track_before,
            "{what}: the refused call changed the sender's track"
        );
        s.pair.b.close();
    }
}

#[wasm_bindgen_test]
async fn a_sender_from_a_closed_handle_of_the_same_connection_ends_too() {
    // Closing through another handle of the same RTCPeerConnection ends the pending call.
    let s = sending().await;
    let other_handle = PeerConnection::from(s.pair.a.as_raw().clone());
    let [(method, mut call), ..] = calls(&s);
    assert!(!poll_once(&mut call).await, "{method} completed at once");
    other_handle.close();
    let result = within(
        AFTER_CLOSE_MS,
        "replaceTrack after the other handle's close()",
        call,
    )
    .await
    .unwrap();
    assert_invalid_state(result, "replaceTrack pending at another handle's close()");
    s.pair.b.close();
}

#[wasm_bindgen_test]
async fn sender_calls_on_an_open_connection_still_work() {
    let s = sending().await;
    for (method, call) in calls(&s) {
        within(WAIT_MS, method, call)
            .await
            .unwrap()
            .unwrap_or_else(|err| panic!("{method} on an open connection: {err}"));
    }
    assert_eq!(s.sender.track(), None, "the last replace_track was None");
    s.sender
        .replace_track(Some(s.source.track()))
        .await
        .expect("replace_track back");
    assert_eq!(s.sender.track().as_ref(), Some(s.source.track()));
    s.pair.a.close();
    s.pair.b.close();
}
