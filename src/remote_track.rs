//! [`RemoteTrack`]: a remote track's life after its `track` event (muted, live again, ended,
//! removed by the remote side), and [`TrackState`].
//!
//! # What the browsers fire, and in which order
//!
//! Seen in Chromium 156 and Firefox 153 (the `track_life` test suite prints and pins it):
//!
//! - **The remote side removes the track** (`remove_track`, then a renegotiation). The track is
//!   muted, not ended: `mute` fires, then `removetrack` on each stream it was in; it stays
//!   `readyState == "live"` (so [`TrackState::Muted`]) and `currentDirection` becomes
//!   `"inactive"` (or `"sendonly"` when this side still sends). When the removing side offers,
//!   `mute` and `removetrack` fire while this side applies the offer, but `currentDirection`
//!   changes only when this side applies its own answer (`signalingstatechange` to `stable`,
//!   last). When this side offers, the answer brings `signalingstatechange` first, then `mute`,
//!   then `removetrack`. Both browsers fire the same events in the same order; a track sent
//!   with no stream gets no `removetrack`. [`RemoteTrack::on_removed`] checks on each of these
//!   events and fires once, on the one that completes the removal.
//! - **The remote side stops its transceiver.** `ended` fires ([`TrackState::Ended`]) and
//!   `currentDirection` becomes `"stopped"`. Chromium takes the track out of its stream;
//!   Firefox leaves the ended track in it. Either way `on_removed` fires once.
//! - **The remote side sends again** (`add_track` after a removal). A sender that has sent is
//!   never reused, so the offer has a new media section: a new transceiver, a new track, a new
//!   `track` event (and a new `RemoteTrack`), in both browsers.
//! - **The remote side sends nothing** (`Sender::replace_track(None)`). No renegotiation, and
//!   neither browser mutes the track: no more video arrives (Firefox has kept a trickle of
//!   about 100 B/s in some runs), and `muted` stays false (watched for 30 s). Replacing the
//!   track back brings frames within about a second. A "paused" indicator for that case has to come from the app's own
//!   signalling, or from [`StatsReport`](crate::StatsReport) counters that stop growing.

use core::cell::{Cell, RefCell};
use core::fmt;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    EventTarget, MediaStream, MediaStreamTrack, RtcRtpReceiver, RtcRtpTransceiver, RtcTrackEvent,
};

use crate::{sys, Listener, TrackEvent};

/// Where a remote track stands: receiving media, paused, or over for good.
///
/// Derived from the track's `readyState` and `muted`: `Ended` when the track has ended,
/// otherwise `Muted` while the browser receives no media for it, otherwise `Live`.
///
/// # Examples
///
/// ```
/// use rtc_peer::TrackState;
///
/// let badge = |state: TrackState| match state {
///     TrackState::Live => "",
///     TrackState::Muted => "camera paused",
///     TrackState::Ended => "left",
/// };
/// assert_eq!(badge(TrackState::Muted), "camera paused");
/// ```
///
/// See [MDN: MediaStreamTrack.muted](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/muted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrackState {
    /// `readyState` is `"live"` and the track is not muted: media arrives.
    Live,
    /// `readyState` is `"live"` but `muted` is true: no media arrives for now (before the
    /// first packet, or after the remote side removed the track), and it may come back.
    Muted,
    /// `readyState` is `"ended"`: the track will never carry media again (the remote side
    /// stopped its transceiver, or the connection was closed).
    Ended,
}

/// A remote track and its life: state changes and removal by the remote side.
///
/// Made from the `track` event that announced it ([`TrackEvent::remote_track`]); cloning gives
/// another handle to the same track. The track, its transceiver and the streams it was
/// announced in are the event's: [`as_raw`](RemoteTrack::as_raw) is that `RTCTrackEvent`.
///
/// # Examples
///
/// Show a "camera paused" badge while the remote track is muted, and remove the tile when the
/// remote side stops sending it:
///
/// ```no_run
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use rtc_peer::{Listener, PeerConnection, RemoteTrack, TrackState};
/// use web_sys::Element;
///
/// /// Shows each remote track in a tile made by `tile_for`: a "camera paused" badge while the
/// /// track is muted, and the tile removed when the remote side stops sending the track.
/// fn follow_tiles(
///     pc: &PeerConnection,
///     tile_for: impl Fn(&RemoteTrack) -> Element + 'static,
/// ) -> (Listener, Rc<RefCell<Vec<Listener>>>) {
///     let guards: Rc<RefCell<Vec<Listener>>> = Rc::default();
///     let keep = Rc::clone(&guards);
///     let on_track = pc.on_track(move |event| {
///         let remote = event.remote_track();
///         let tile = tile_for(&remote);
///         let badge = tile.clone();
///         // CSS shows the badge: [data-paused]::after { content: "camera paused" }
///         let state = remote.on_state_change(move |state| {
///             let _ = badge.toggle_attribute_with_force("data-paused", state == TrackState::Muted);
///         });
///         let removed = remote.on_removed(move || tile.remove());
///         keep.borrow_mut().extend([state, removed]);
///     });
///     // Keep both while the call lasts; dropping them removes every listener.
///     (on_track, guards)
/// }
/// # fn main() {}
/// ```
///
/// See [MDN: MediaStreamTrack](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack).
#[derive(Clone)]
pub struct RemoteTrack {
    event: RtcTrackEvent,
}

impl RemoteTrack {
    /// The remote `MediaStreamTrack`.
    pub fn track(&self) -> MediaStreamTrack {
        self.event.track()
    }

    /// The transceiver that receives it.
    pub fn transceiver(&self) -> RtcRtpTransceiver {
        self.event.transceiver()
    }

    /// The receiver that receives it.
    pub fn receiver(&self) -> RtcRtpReceiver {
        self.event.receiver()
    }

    /// The remote streams the `track` event named (possibly none: a track sent with no
    /// stream).
    pub fn streams(&self) -> Vec<MediaStream> {
        self.event
            .streams()
            .iter()
            .map(JsCast::unchecked_into::<MediaStream>)
            .collect()
    }

    /// The transceiver's media id (`mid`), once negotiated.
    pub fn mid(&self) -> Option<String> {
        self.event.transceiver().mid()
    }

    /// The track's state now.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn demo(event: rtc_peer::TrackEvent) {
    /// use rtc_peer::TrackState;
    ///
    /// if event.remote_track().state() == TrackState::Muted {
    ///     web_sys::console::log_1(&"no media yet".into());
    /// }
    /// # }
    /// ```
    pub fn state(&self) -> TrackState {
        state_of(&self.event.track())
    }

    /// Whether the remote side has stopped sending this track: the transceiver no longer
    /// receives (`currentDirection` is `sendonly`, `inactive` or `stopped`) and the track has
    /// left every stream its `track` event named, or has ended (a stopped transceiver).
    pub fn is_removed(&self) -> bool {
        is_removed(
            &self.event.track(),
            &self.event.transceiver(),
            &self.streams(),
        )
    }

    /// Calls `callback` with the new [`TrackState`] each time it changes: on the track's
    /// `mute`, `unmute` and `ended` events.
    ///
    /// Consecutive events that leave the state as it was (an `ended` while muted is a change;
    /// a second `mute` is not) call it once. Dropping the [`Listener`] removes all three
    /// listeners.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn demo(remote: rtc_peer::RemoteTrack) {
    /// let listener = remote.on_state_change(|state| {
    ///     web_sys::console::log_1(&format!("remote track: {state:?}").into());
    /// });
    /// # drop(listener);
    /// # }
    /// ```
    ///
    /// See [MDN: mute event](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/mute_event).
    pub fn on_state_change<F>(&self, callback: F) -> Listener
    where
        F: FnMut(TrackState) + 'static,
    {
        let track = self.event.track();
        let callback = Rc::new(RefCell::new(callback));
        let last = Rc::new(Cell::new(state_of(&track)));
        let listen = |event_type: &'static str| {
            let callback = Rc::clone(&callback);
            let last = Rc::clone(&last);
            let source = Clone::clone(&track);
            Listener::new(&track, event_type, move |_| {
                let now = state_of(&source);
                if now == last.get() {
                    return;
                }
                last.set(now);
                if let Ok(mut callback) = callback.try_borrow_mut() {
                    callback(now);
                }
            })
        };
        listen("mute").with_companions(vec![listen("unmute"), listen("ended")])
    }

    /// Calls `callback` once, when the remote side has stopped sending this track (see
    /// [`is_removed`](Self::is_removed)), whichever order the browser fires its events in.
    ///
    /// Checked on every event that can complete the removal: the track's `mute` and `ended`,
    /// `removetrack` on each of its streams, and the connection's `signalingstatechange`
    /// (an answerer's `currentDirection` changes only when it applies its own answer). Works for
    /// a track sent with no stream. Registered after the removal, it never fires: check
    /// [`is_removed`](Self::is_removed) first. Dropping the [`Listener`] removes every one of
    /// its listeners.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn demo(event: rtc_peer::TrackEvent, tile: web_sys::Element) {
    /// let listener = event.remote_track().on_removed(move || tile.remove());
    /// # drop(listener);
    /// # }
    /// ```
    ///
    /// See [MDN: removetrack event](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/removetrack_event).
    pub fn on_removed<F>(&self, callback: F) -> Listener
    where
        F: FnMut() + 'static,
    {
        let track = self.event.track();
        let transceiver = self.event.transceiver();
        let streams = self.streams();
        let fired = Rc::new(Cell::new(false));
        let callback = Rc::new(RefCell::new(callback));
        let check = {
            let track = Clone::clone(&track);
            let streams = streams.clone();
            Rc::new(move || {
                if fired.get() || !is_removed(&track, &transceiver, &streams) {
                    return;
                }
                fired.set(true);
                if let Ok(mut callback) = callback.try_borrow_mut() {
                    callback();
                }
            })
        };
        let listen = |target: &EventTarget, event_type: &'static str| {
            let check = Rc::clone(&check);
            Listener::new(target, event_type, move |_| check())
        };
        let mut others = vec![listen(&track, "ended")];
        for stream in &streams {
            others.push(listen(stream, "removetrack"));
        }
        if let Some(connection) = self.event.target() {
            others.push(listen(&connection, "signalingstatechange"));
        }
        listen(&track, "mute").with_companions(others)
    }

    /// The `RTCTrackEvent` this track was announced by.
    pub fn as_raw(&self) -> &RtcTrackEvent {
        &self.event
    }
}

fn state_of(track: &MediaStreamTrack) -> TrackState {
    if ended(track) {
        return TrackState::Ended;
    }
    let muted = sys::Track::muted(track.unchecked_ref())
        .ok()
        .and_then(|muted| muted.as_bool())
        .unwrap_or(false);
    if muted {
        TrackState::Muted
    } else {
        TrackState::Live
    }
}

/// The transceiver no longer receives, and `track` is in none of `streams` or has ended.
fn is_removed(
    track: &MediaStreamTrack,
    transceiver: &RtcRtpTransceiver,
    streams: &[MediaStream],
) -> bool {
    let direction = sys::RtpTransceiver::current_direction(transceiver.unchecked_ref())
        .ok()
        .and_then(|direction| direction.as_string());
    let receives = match direction.as_deref() {
        Some("sendonly" | "inactive" | "stopped") => false,
        // Receiving, or never negotiated (`null`).
        _ => true,
    };
    if receives {
        return false;
    }
    // A remotely stopped transceiver ends the track, and Firefox leaves it in its streams.
    ended(track) || !streams.iter().any(|stream| contains(stream, track))
}

fn ended(track: &MediaStreamTrack) -> bool {
    sys::Track::ready_state(track.unchecked_ref())
        .ok()
        .and_then(|state| state.as_string())
        .is_some_and(|state| state == "ended")
}

fn contains(stream: &MediaStream, track: &MediaStreamTrack) -> bool {
    let track = JsValue::from(track);
    sys::Stream::get_tracks(stream.unchecked_ref())
        .map(|tracks| tracks.iter().any(|t| t == track))
        .unwrap_or(false)
}

impl fmt::Debug for RemoteTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTrack")
            .field("kind", &self.event.track().kind())
            .field("mid", &self.mid())
            .field("state", &self.state())
            .finish()
    }
}

impl PartialEq for RemoteTrack {
    /// Two `RemoteTrack`s are equal when they come from the same `track` event.
    fn eq(&self, other: &Self) -> bool {
        JsValue::from(&self.event) == JsValue::from(&other.event)
    }
}

impl AsRef<RtcTrackEvent> for RemoteTrack {
    fn as_ref(&self) -> &RtcTrackEvent {
        &self.event
    }
}

impl From<RtcTrackEvent> for RemoteTrack {
    fn from(event: RtcTrackEvent) -> Self {
        RemoteTrack { event }
    }
}

impl From<TrackEvent> for RemoteTrack {
    fn from(event: TrackEvent) -> Self {
        RemoteTrack {
            event: event.into(),
        }
    }
}

impl From<RemoteTrack> for RtcTrackEvent {
    fn from(track: RemoteTrack) -> Self {
        track.event
    }
}
