//! Every `track` event of one connection, kept in order for a test to look at.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::{wait_until_with, TestFailure};
use crate::{Listener, PeerConnection, TrackEvent};

/// Records every `track` event of a connection, in order, until dropped (its listener is
/// removed then).
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::{CanvasSource, Colour, LoopbackPair, TrackLog};
///
/// let pair = LoopbackPair::new()?;
/// let at_b = TrackLog::on(&pair.b);
/// let camera = CanvasSource::new(160, 120, Colour::rgb(0, 0, 200))?;
/// pair.a.add_track(camera.track(), &[camera.stream()])?;
/// pair.negotiate().await?;
/// let event = at_b.nth(1, 10_000).await?;
/// assert_eq!(event.first_stream().map(|s| s.id()), Some(camera.stream().id()));
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCPeerConnection track event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event).
pub struct TrackLog {
    events: Rc<RefCell<Vec<TrackEvent>>>,
    _track: Listener,
}

impl TrackLog {
    /// Starts recording the `track` events of `pc`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pc: rtc_peer::PeerConnection) {
    /// let log = rtc_peer::testing::TrackLog::on(&pc);
    /// assert!(log.events().is_empty());
    /// # }
    /// ```
    pub fn on(pc: &PeerConnection) -> TrackLog {
        let events: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
        let track = {
            let events = Rc::clone(&events);
            pc.on_track(move |event| events.borrow_mut().push(event))
        };
        TrackLog {
            events,
            _track: track,
        }
    }

    /// Every event so far, in order.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(log: rtc_peer::testing::TrackLog) {
    /// let mids: Vec<_> = log.events().iter().map(|e| e.transceiver().mid()).collect();
    /// # let _ = mids;
    /// # }
    /// ```
    pub fn events(&self) -> Vec<TrackEvent> {
        self.events.borrow().clone()
    }

    /// How many events so far.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(log: rtc_peer::testing::TrackLog) {
    /// assert_eq!(log.len(), 1, "one track, one event");
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.events.borrow().len()
    }

    /// Whether no event came yet.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(log: rtc_peer::testing::TrackLog) {
    /// assert!(log.is_empty(), "nothing negotiated yet");
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.events.borrow().is_empty()
    }

    /// The latest event, if any.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(log: rtc_peer::testing::TrackLog) {
    /// let remote = log.last().map(|event| event.remote_track());
    /// # let _ = remote;
    /// # }
    /// ```
    pub fn last(&self) -> Option<TrackEvent> {
        self.events.borrow().last().cloned()
    }

    /// Waits at most `ms` until there are at least `n` events and returns the `n`th
    /// (counting from 1).
    ///
    /// # Errors
    ///
    /// `timed out after 10000 ms waiting until: track event 2 (1 so far)`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example(log: rtc_peer::testing::TrackLog) -> Result<(), rtc_peer::testing::TestFailure> {
    /// let first = log.nth(1, 10_000).await?;
    /// # let _ = first;
    /// # Ok(()) }
    /// ```
    pub async fn nth(&self, n: usize, ms: u32) -> Result<TrackEvent, TestFailure> {
        let what = format!("track event {n}");
        wait_until_with(
            ms,
            &what,
            || self.len() >= n,
            || format!("{} so far", self.len()),
        )
        .await?;
        n.checked_sub(1)
            .and_then(|index| self.events.borrow().get(index).cloned())
            .ok_or_else(|| TestFailure::new(format!("there is no {what}")))
    }
}

impl fmt::Debug for TrackLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackLog")
            .field("events", &self.len())
            .finish()
    }
}
