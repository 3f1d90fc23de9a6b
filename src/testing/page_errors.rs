//! What the page reported as errors: `console.error`, uncaught exceptions, unhandled
//! rejections (recorded by the page probe since the kit was loaded).

use super::{probe, TestFailure};

/// The errors the page recorded since the last call (or since the kit was loaded), one per
/// entry, and forgets them.
///
/// # Examples
///
/// ```no_run
/// let errors = rtc_peer::testing::take_page_errors();
/// assert!(errors.is_empty(), "{errors:#?}");
/// ```
///
/// See [MDN: unhandledrejection](https://developer.mozilla.org/en-US/docs/Web/API/Window/unhandledrejection_event).
pub fn take_page_errors() -> Vec<String> {
    probe::take_errors()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks that the page recorded no error since the last call, and forgets them.
///
/// # Errors
///
/// `{what}: the page reported errors:` and each error on its own line.
///
/// # Examples
///
/// ```no_run
/// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// rtc_peer::testing::take_page_errors(); // forget what came before
/// // ... the code under test ...
/// rtc_peer::testing::no_page_errors("hang-up during negotiation")?;
/// # Ok(()) }
/// ```
pub fn no_page_errors(what: &str) -> Result<(), TestFailure> {
    let errors = probe::take_errors();
    if errors.is_empty() {
        return Ok(());
    }
    Err(TestFailure::new(format!(
        "{what}: the page reported errors:\n{errors}"
    )))
}

/// How many of the page's `RTCPeerConnection`s are not closed (raw `signalingState`), and
/// every connection's raw `signalingState/connectionState`, for leak checks.
///
/// # Examples
///
/// ```no_run
/// let (open, states) = rtc_peer::testing::open_connections();
/// assert_eq!(open, 0, "connections left open: {states}");
/// ```
pub fn open_connections() -> (u32, String) {
    (probe::open_connections(), probe::connection_states())
}

/// How many local tracks the page made (`getUserMedia`, `captureStream`, `clone`, Web Audio)
/// are still `live`.
///
/// # Examples
///
/// ```no_run
/// assert_eq!(rtc_peer::testing::live_local_tracks(), 0, "a track was never stopped");
/// ```
pub fn live_local_tracks() -> u32 {
    probe::live_local_tracks()
}
