//! Bounded waits: every wait of a test has a deadline and says what it waited for.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

use super::TestFailure;

/// Milliseconds since the epoch (`Date.now()`), for deadlines and run times.
///
/// # Examples
///
/// ```no_run
/// let deadline = rtc_peer::testing::now_ms() + 5_000.0;
/// # let _ = deadline;
/// ```
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after `ms` milliseconds (a `setTimeout`), letting the browser run its tasks.
///
/// Outside a page (no `window`) it resolves at once.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// rtc_peer::testing::sleep(100).await;
/// # }
/// ```
///
/// See [MDN: setTimeout](https://developer.mozilla.org/en-US/docs/Web/API/Window/setTimeout).
pub async fn sleep(ms: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let delay = i32::try_from(ms).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        // setTimeout cannot fail in a page; when it does, the promise resolves at once.
        if window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, delay)
            .is_err()
        {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Awaits `future` for at most `ms` milliseconds.
///
/// The future is dropped when time runs out (which cancels what it was doing, if it can be
/// cancelled).
///
/// # Errors
///
/// A [`TestFailure`] `timed out after {ms} ms waiting for: {what}`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::within;
///
/// let offer = within(5_000, "create_offer", pc.create_offer()).await??;
/// # let _ = offer;
/// # Ok(()) }
/// ```
pub async fn within<F: Future>(ms: u32, what: &str, future: F) -> Result<F::Output, TestFailure> {
    let mut future = pin!(future);
    let mut timer = pin!(sleep(ms));
    let outcome = poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await;
    outcome.ok_or_else(|| TestFailure::new(format!("timed out after {ms} ms waiting for: {what}")))
}

/// Polls `condition` every 20 ms until it holds, for at most `ms` milliseconds.
///
/// # Errors
///
/// A [`TestFailure`] `timed out after {ms} ms waiting until: {what}`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::{testing::wait_until, PeerConnectionState};
///
/// wait_until(10_000, "the connection is connected", || {
///     pc.connection_state() == PeerConnectionState::Connected
/// })
/// .await?;
/// # Ok(()) }
/// ```
pub async fn wait_until(
    ms: u32,
    what: &str,
    mut condition: impl FnMut() -> bool,
) -> Result<(), TestFailure> {
    let deadline = now_ms() + f64::from(ms);
    while !condition() {
        if now_ms() > deadline {
            return Err(TestFailure::new(format!(
                "timed out after {ms} ms waiting until: {what}"
            )));
        }
        sleep(20).await;
    }
    Ok(())
}

/// [`wait_until`], its failure message ending with `reading()` taken at the deadline: what the
/// test saw instead (`timed out after 5000 ms waiting until: both stable (polite
/// have-local-offer, …)`).
///
/// # Errors
///
/// A [`TestFailure`] `timed out after {ms} ms waiting until: {what} ({reading})`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::{testing::wait_until_with, SignalingState};
///
/// wait_until_with(
///     10_000,
///     "the connection is stable",
///     || pc.signaling_state() == SignalingState::Stable,
///     || format!("{:?}", pc.signaling_state()),
/// )
/// .await?;
/// # Ok(()) }
/// ```
pub async fn wait_until_with(
    ms: u32,
    what: &str,
    condition: impl FnMut() -> bool,
    reading: impl FnOnce() -> String,
) -> Result<(), TestFailure> {
    match wait_until(ms, what, condition).await {
        Ok(()) => Ok(()),
        Err(failure) => Err(TestFailure::new(format!("{failure} ({})", reading()))),
    }
}

/// Polls the async `condition` every `every_ms` until it holds, for at most `ms`
/// milliseconds (for conditions read from `getStats()` and the like).
///
/// # Errors
///
/// A [`TestFailure`] `timed out after {ms} ms waiting until: {what}`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::wait_until_async;
///
/// wait_until_async(10_000, 200, "a selected candidate pair", || async {
///     pc.stats_report().await.is_ok_and(|r| r.selected_candidate_pair().is_some())
/// })
/// .await?;
/// # Ok(()) }
/// ```
pub async fn wait_until_async<F, Fut>(
    ms: u32,
    every_ms: u32,
    what: &str,
    mut condition: F,
) -> Result<(), TestFailure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = now_ms() + f64::from(ms);
    while !condition().await {
        if now_ms() > deadline {
            return Err(TestFailure::new(format!(
                "timed out after {ms} ms waiting until: {what}"
            )));
        }
        sleep(every_ms).await;
    }
    Ok(())
}
