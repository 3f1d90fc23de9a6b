//! Offer/answer in steps, for suites that look at the state between them; the next item of a
//! stream, bounded; a constructed `track` event.

use std::future::Future;

use rtc_peer::testing::{within, LoopbackPair, TrackLog};
use rtc_peer::{MediaKind, PeerConnection, SessionDescription, TrackEvent, TransceiverDirection};

use crate::WAIT_MS;

/// A fresh [`LoopbackPair`] (panics with the browser's reason if it cannot make one).
pub fn pair() -> LoopbackPair {
    LoopbackPair::new().expect("a loopback pair")
}

/// A fresh [`pair`] whose `a` offers a send-receive video transceiver, negotiated, and the
/// one `track` event `b` got (waits [`WAIT_MS`]; panics when there is not exactly one).
pub async fn video_track_event() -> (LoopbackPair, TrackEvent) {
    let pair = pair();
    let at_b = TrackLog::on(&pair.b);
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pair.negotiate().await.expect("the negotiation");
    let event = at_b.nth(1, WAIT_MS).await.expect("one track event");
    assert_eq!(at_b.len(), 1, "one track event");
    (pair, event)
}

/// The offer of `offerer`, applied locally, returned for the test to apply remotely (each
/// step bounded by [`WAIT_MS`]; panics naming the step).
pub async fn local_offer(offerer: &PeerConnection) -> SessionDescription {
    let offer = step("create_offer", offerer.create_offer()).await;
    step(
        "offerer set_local_description",
        offerer.set_local_description(&offer),
    )
    .await;
    offer
}

/// The answer of `answerer` (which has the remote offer), applied locally on it and remotely
/// on `offerer` (each step bounded by [`WAIT_MS`]; panics naming the step).
pub async fn finish_answer(offerer: &PeerConnection, answerer: &PeerConnection) {
    let answer = step("create_answer", answerer.create_answer()).await;
    step(
        "answerer set_local_description",
        answerer.set_local_description(&answer),
    )
    .await;
    step(
        "offerer set_remote_description(answer)",
        offerer.set_remote_description(&answer),
    )
    .await;
}

/// The value of a browser call that must succeed, bounded by [`WAIT_MS`] (panics naming
/// `what` when it fails or hangs).
pub async fn step<T>(what: &str, call: impl Future<Output = Result<T, rtc_peer::Error>>) -> T {
    match settled(what, call).await {
        Ok(value) => value,
        Err(error) => panic!("{what}: {error}"),
    }
}

/// What `future` settles to, bounded by [`WAIT_MS`] (panics naming `what` when it hangs).
pub async fn settled<F: Future>(what: &str, future: F) -> F::Output {
    within(WAIT_MS, what, future)
        .await
        .unwrap_or_else(|failure| panic!("{failure}"))
}

/// The next item of `stream`, or a panic naming `what` after `timeout_ms`.
pub async fn next_within<S>(stream: &mut S, timeout_ms: u32, what: &str) -> Option<S::Item>
where
    S: futures_util::Stream + Unpin,
{
    use futures_util::StreamExt;
    within(timeout_ms, what, stream.next())
        .await
        .unwrap_or_else(|failure| panic!("{failure}"))
}

/// Awaits `future` for at most `ms`; `None` when it did not complete in time (the future is
/// dropped, which is itself part of what the churn suite exercises).
pub async fn settles_within<T>(ms: u32, future: impl Future<Output = T>) -> Option<T> {
    within(ms, "the future to settle", future).await.ok()
}

/// Fires a constructed `track` event (a fresh receiving transceiver's objects, no stream) at
/// `pc`, synchronously, and returns it.
pub fn fire_track_event(pc: &PeerConnection) -> rtc_peer::TrackEvent {
    let transceiver = pc
        .add_transceiver(
            rtc_peer::MediaKind::Video,
            rtc_peer::TransceiverDirection::RecvOnly,
        )
        .expect("add_transceiver");
    let receiver = transceiver.receiver();
    let event = rtc_peer::TrackEvent::new(&receiver, &receiver.track(), &transceiver, &[])
        .expect("TrackEvent::new");
    pc.as_raw()
        .dispatch_event(event.as_raw())
        .expect("dispatchEvent");
    event
}

/// The seed of this run: `RTC_PEER_NEGOTIATION_SEED` when set at compile time, else the clock;
/// printed with `test`, so that a failing run can be replayed.
pub fn seed(test: &str) -> u64 {
    let seed = option_env!("RTC_PEER_NEGOTIATION_SEED")
        .and_then(|s| s.parse().ok())
        .unwrap_or(rtc_peer::testing::now_ms() as u64);
    web_sys::console::log_1(&format!("{test}: seed {seed}").into());
    seed
}

/// A [`NegotiatedPair`](rtc_peer::testing::NegotiatedPair) on the printed [`seed`] of `test`
/// (panics with the browser's reason if it cannot make one).
pub fn seeded_call(test: &str) -> rtc_peer::testing::NegotiatedPair {
    LoopbackPair::negotiated(seed(test)).expect("a negotiated pair")
}
