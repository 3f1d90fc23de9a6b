//! The browser's own listener registry on WebRTC and media objects, read through the page
//! probe, so a test can assert that code leaves no event listener behind.

use wasm_bindgen::JsValue;

use super::{probe, TestFailure};

/// Counts of `addEventListener` / `removeEventListener` registrations on the page's WebRTC
/// and media objects (`RTCPeerConnection`, `RTCDataChannel`, `MediaStreamTrack`,
/// `MediaStream`, the ICE, DTLS and SCTP transports, `RTCDTMFSender`), with the DOM's own
/// de-duplication rule (same type, callback and capture flag).
///
/// The counts come from the page probe, which wraps `EventTarget.prototype`'s two methods
/// (calling the browser's own) as soon as the kit is loaded, before any code of the test
/// runs. It sees every listener: the library's, the application's, `onX = f` handlers do not
/// count (they are attributes, not registrations).
///
/// A `ListenerCount` is a snapshot of the totals, so [`added`](Self::added) and
/// [`removed`](Self::removed) count what happened since it was taken.
///
/// # Examples
///
/// ```no_run
/// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::{testing::ListenerCount, PeerConnection};
///
/// let pc = PeerConnection::new()?;
/// let count = ListenerCount::start();
/// let listener = pc.on_track(|_| {});
/// assert_eq!(ListenerCount::on(pc.as_raw()), 1);
/// drop(listener);
/// ListenerCount::none_left_on(pc.as_raw(), "after dropping the listener")?;
/// count.balanced("on_track, then drop")?;
/// # Ok(()) }
/// ```
///
/// See [MDN: addEventListener](https://developer.mozilla.org/en-US/docs/Web/API/EventTarget/addEventListener).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenerCount {
    added: u32,
    removed: u32,
}

impl ListenerCount {
    /// A snapshot of the totals now.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let count = rtc_peer::testing::ListenerCount::start();
    /// assert_eq!(count.added(), 0);
    /// ```
    pub fn start() -> ListenerCount {
        ListenerCount {
            added: probe::added_total(),
            removed: probe::removed_total(),
        }
    }

    /// Registrations added since [`start`](Self::start).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let count = rtc_peer::testing::ListenerCount::start();
    /// println!("{} listeners registered", count.added());
    /// ```
    pub fn added(&self) -> u32 {
        probe::added_total().saturating_sub(self.added)
    }

    /// Registrations removed since [`start`](Self::start).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # let count = rtc_peer::testing::ListenerCount::start();
    /// assert_eq!(count.removed(), count.added());
    /// ```
    pub fn removed(&self) -> u32 {
        probe::removed_total().saturating_sub(self.removed)
    }

    /// Checks that every registration added since [`start`](Self::start) was removed again.
    ///
    /// # Errors
    ///
    /// `{what}: 3 listener(s) added, 1 removed (still registered: track,icecandidate)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// let count = rtc_peer::testing::ListenerCount::start();
    /// // ... start a call, hang up ...
    /// count.balanced("a call and its hang-up")?;
    /// # Ok(()) }
    /// ```
    pub fn balanced(&self, what: &str) -> Result<(), TestFailure> {
        let (added, removed) = (self.added(), self.removed());
        if added == removed {
            return Ok(());
        }
        Err(TestFailure::new(format!(
            "{what}: {added} listener(s) added, {removed} removed (still registered: {})",
            probe::listener_types(&JsValue::UNDEFINED)
        )))
    }

    /// Live registrations on `target` now.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pc: rtc_peer::PeerConnection) {
    /// let live = rtc_peer::testing::ListenerCount::on(pc.as_raw());
    /// # let _ = live;
    /// # }
    /// ```
    pub fn on(target: &JsValue) -> u32 {
        probe::listeners(target)
    }

    /// The event types of the live registrations on `target`, comma-separated (for
    /// messages).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pc: rtc_peer::PeerConnection) {
    /// println!("left on the connection: {}", rtc_peer::testing::ListenerCount::types_on(pc.as_raw()));
    /// # }
    /// ```
    pub fn types_on(target: &JsValue) -> String {
        probe::listener_types(target)
    }

    /// Live registrations on every watched object of the page now.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let everywhere = rtc_peer::testing::ListenerCount::live_total();
    /// # let _ = everywhere;
    /// ```
    pub fn live_total() -> u32 {
        probe::listeners(&JsValue::UNDEFINED)
    }

    /// Checks that no listener is registered on `target`.
    ///
    /// # Errors
    ///
    /// `{what}: 2 listener(s) still registered: track,connectionstatechange`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
    /// pc.close();
    /// rtc_peer::testing::ListenerCount::none_left_on(pc.as_raw(), "after close")?;
    /// # Ok(()) }
    /// ```
    pub fn none_left_on(target: &JsValue, what: &str) -> Result<(), TestFailure> {
        match probe::listeners(target) {
            0 => Ok(()),
            live => Err(TestFailure::new(format!(
                "{what}: {live} listener(s) still registered: {}",
                probe::listener_types(target)
            ))),
        }
    }
}
