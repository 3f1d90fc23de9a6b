//! [`TrackEvent`]: the typed `track` event, its accessors and its constructor.

use core::fmt;

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, MediaStreamTrack, RtcRtpReceiver, RtcRtpTransceiver, RtcTrackEvent};

use crate::config::set;
use crate::sys;
use crate::{Error, MediaKind, RemoteTrack};

/// A `track` event: a remote track has been negotiated on a connection.
///
/// The browser fires it on the receiving [`PeerConnection`](crate::PeerConnection) *inside*
/// `setRemoteDescription`, before its promise resolves, once per new remote track (and again
/// for the same receiver when renegotiation adds it to streams). When it fires, the receiver
/// and transceiver are already in the connection's `getReceivers()` / `getTransceivers()`.
///
/// The event does **not** bubble and is **not** cancelable, in Chromium and Firefox alike
/// (MDN's page for `track` says it bubbles; the browsers and the specification's
/// "fire an event" steps say otherwise, and this crate's tests check it).
///
/// # Which streams an event carries (the msid rules)
///
/// [`streams`](TrackEvent::streams) holds the remote `MediaStream`s the track was added to,
/// as the WebRTC specification derives them from the SDP: each `a=msid:<stream id> <track id>`
/// line of the media section names one stream (the specification's "associated remote
/// streams"), and the browser creates one `MediaStream` per distinct stream id per connection,
/// reusing the same object for every track that names it. A media section with `a=msid:-`
/// (a track added with no stream) gives an empty list; a section from an endpoint that sends
/// no `a=msid` line at all gives one stream with a random id, so that legacy endpoints still
/// play. Remote track and stream ids need not match the sender's; compare objects, not ids.
///
/// # Identity, and a `clone()` trap
///
/// Compare JS objects by identity (`JsValue::from(&a) == JsValue::from(&b)`, which is
/// `Object.is`), never by `id()`. Beware: `web_sys::MediaStream` and `MediaStreamTrack` have an
/// inherent `clone()` that calls the *JS* `clone()` method and returns a **new** object with a
/// new id. To copy the handle, write `Clone::clone(&stream)`.
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// use rtc_peer::PeerConnection;
///
/// let pc = PeerConnection::new()?;
/// let _listener = pc.on_track(|event| match event.first_stream() {
///     Some(stream) => web_sys::console::log_1(&stream.id().into()),
///     None => web_sys::console::log_1(&"a track with no stream".into()),
/// });
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCTrackEvent](https://developer.mozilla.org/en-US/docs/Web/API/RTCTrackEvent).
#[derive(Clone)]
pub struct TrackEvent {
    raw: RtcTrackEvent,
}

impl TrackEvent {
    /// Builds a `track` event with the spec's `RTCTrackEvent` constructor (useful in tests and
    /// to re-dispatch an event).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] (from the browser) when the objects are not what the constructor accepts.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{MediaKind, PeerConnection, TrackEvent, TransceiverDirection};
    ///
    /// let pc = PeerConnection::new()?;
    /// let transceiver = pc.add_transceiver(MediaKind::Video, TransceiverDirection::RecvOnly)?;
    /// let receiver = transceiver.receiver();
    /// let event = TrackEvent::new(&receiver, &receiver.track(), &transceiver, &[])?;
    /// assert!(event.first_stream().is_none());
    /// # Ok(()) }
    /// ```
    pub fn new(
        receiver: &RtcRtpReceiver,
        track: &MediaStreamTrack,
        transceiver: &RtcRtpTransceiver,
        streams: &[&MediaStream],
    ) -> Result<TrackEvent, Error> {
        let init = Object::new();
        set(&init, "receiver", receiver);
        set(&init, "track", track);
        set(&init, "transceiver", transceiver);
        let list: Array = streams.iter().map(|s| JsValue::from(*s)).collect();
        set(&init, "streams", &list);
        let raw = RtcTrackEvent::new("track", init.unchecked_ref())?;
        Ok(TrackEvent { raw })
    }

    /// The remote track.
    pub fn track(&self) -> MediaStreamTrack {
        self.raw.track()
    }

    /// The receiver that receives the track.
    pub fn receiver(&self) -> RtcRtpReceiver {
        self.raw.receiver()
    }

    /// The transceiver the receiver belongs to.
    pub fn transceiver(&self) -> RtcRtpTransceiver {
        self.raw.transceiver()
    }

    /// The remote streams the track belongs to, in the order the browser gives them (possibly
    /// none; see the msid rules above).
    pub fn streams(&self) -> Vec<MediaStream> {
        self.raw
            .streams()
            .iter()
            .map(JsCast::unchecked_into::<MediaStream>)
            .collect()
    }

    /// `streams[0]`, or `None` when the track belongs to no stream.
    pub fn first_stream(&self) -> Option<MediaStream> {
        // Track dispatch runs this per event: one call reading `streams[0]` in JS, one
        // `undefined` check, no allocation. `streams` is a frozen array of `MediaStream`s, so
        // an entry is never `null` or anything else.
        let first = sys::first_stream(&self.raw);
        (!first.is_undefined()).then(|| first.unchecked_into())
    }

    /// The track's kind (audio or video; the specification allows no other).
    pub fn kind(&self) -> MediaKind {
        MediaKind::parse(&self.raw.track().kind()).unwrap_or(MediaKind::Video)
    }

    /// The transceiver's media id (`mid`), once negotiated.
    pub fn mid(&self) -> Option<String> {
        self.raw.transceiver().mid()
    }

    /// The remote track this event announced, to follow its life
    /// ([`RemoteTrack::on_state_change`], [`RemoteTrack::on_removed`]).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// let pc = rtc_peer::PeerConnection::new()?;
    /// let _listener = pc.on_track(|event| {
    ///     let remote = event.remote_track();
    ///     web_sys::console::log_1(&format!("{:?}", remote.state()).into());
    /// });
    /// # Ok(()) }
    /// ```
    pub fn remote_track(&self) -> RemoteTrack {
        RemoteTrack::from(self.raw.clone())
    }

    /// The underlying `RTCTrackEvent`.
    pub fn as_raw(&self) -> &RtcTrackEvent {
        &self.raw
    }
}

impl fmt::Debug for TrackEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackEvent")
            .field("kind", &self.raw.track().kind())
            .field("mid", &self.mid())
            .field("streams", &self.raw.streams().length())
            .finish()
    }
}

impl AsRef<RtcTrackEvent> for TrackEvent {
    fn as_ref(&self) -> &RtcTrackEvent {
        &self.raw
    }
}

impl From<RtcTrackEvent> for TrackEvent {
    fn from(raw: RtcTrackEvent) -> Self {
        TrackEvent { raw }
    }
}

impl From<TrackEvent> for RtcTrackEvent {
    fn from(event: TrackEvent) -> Self {
        event.raw
    }
}

impl PartialEq for TrackEvent {
    /// Two `TrackEvent`s are equal when they wrap the same JS event object.
    fn eq(&self, other: &Self) -> bool {
        JsValue::from(&self.raw) == JsValue::from(&other.raw)
    }
}
