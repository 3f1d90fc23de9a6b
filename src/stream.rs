//! The stream layer: [`TrackEvents`] and friends, `futures_core::Stream`s of a connection's
//! events, each built on one `on_*` [`Listener`] and a channel, cancelled on drop. Their
//! constructors ([`PeerConnection::track_events`], [`PeerConnection::ice_candidates`],
//! [`PeerConnection::connection_states`]) live here too.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_channel::mpsc::{unbounded, UnboundedReceiver};
use futures_core::Stream;
use web_sys::RtcIceCandidate;

use crate::{Listener, PeerConnection, PeerConnectionState, TrackEvent};

/// A stream of events fed by one listener; dropping it removes the listener.
struct EventStream<T> {
    receiver: UnboundedReceiver<T>,
    _listener: Listener,
}

impl<T: 'static> EventStream<T> {
    fn new(register: impl FnOnce(Box<dyn FnMut(T)>) -> Listener) -> Self {
        let (sender, receiver) = unbounded();
        let listener = register(Box::new(move |item| {
            // The receiver lives exactly as long as the listener, so this cannot fail while
            // the listener is registered; an error would only mean the stream is gone.
            let _ = sender.unbounded_send(item);
        }));
        EventStream {
            receiver,
            _listener: listener,
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.receiver).poll_next(cx)
    }
}

/// The `track` events of a connection, from [`PeerConnection::track_events`].
///
/// Never ends by itself (a closed connection simply fires no more events); drop it to stop.
/// Events are buffered without bound while not polled.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), rtc_peer::Error> {
/// use futures_util::StreamExt;
/// use rtc_peer::PeerConnection;
///
/// let pc = PeerConnection::new()?;
/// let mut tracks = pc.track_events();
/// if let Some(event) = tracks.next().await {
///     let _stream = event.first_stream();
/// }
/// # Ok(()) }
/// ```
pub struct TrackEvents {
    inner: EventStream<TrackEvent>,
}

impl Stream for TrackEvents {
    type Item = TrackEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TrackEvent>> {
        self.get_mut().inner.poll(cx)
    }
}

impl fmt::Debug for TrackEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackEvents").finish_non_exhaustive()
    }
}

/// The local ICE candidates of a connection, from [`PeerConnection::ice_candidates`]:
/// `Some(candidate)` for each, then `None` once when gathering completes.
pub struct IceCandidates {
    inner: EventStream<Option<RtcIceCandidate>>,
}

impl Stream for IceCandidates {
    type Item = Option<RtcIceCandidate>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().inner.poll(cx)
    }
}

impl fmt::Debug for IceCandidates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceCandidates").finish_non_exhaustive()
    }
}

/// The connection-state changes of a connection, from
/// [`PeerConnection::connection_states`].
pub struct ConnectionStates {
    inner: EventStream<PeerConnectionState>,
}

impl Stream for ConnectionStates {
    type Item = PeerConnectionState;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().inner.poll(cx)
    }
}

impl fmt::Debug for ConnectionStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionStates").finish_non_exhaustive()
    }
}

impl PeerConnection {
    /// The `track` events of this connection as a [`Stream`](futures_core::Stream).
    ///
    /// Events are buffered from the moment this is called, so none is missed between the
    /// call and the first poll. Dropping the stream removes its listener.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(pc: rtc_peer::PeerConnection) {
    /// use futures_util::StreamExt;
    ///
    /// let mut tracks = pc.track_events();
    /// while let Some(event) = tracks.next().await {
    ///     web_sys::console::log_1(&event.track().id().into());
    /// }
    /// # }
    /// ```
    pub fn track_events(&self) -> TrackEvents {
        TrackEvents {
            inner: EventStream::new(|send| self.on_track(send)),
        }
    }

    /// The local ICE candidates as a stream (see [`on_ice_candidate`](Self::on_ice_candidate)).
    pub fn ice_candidates(&self) -> IceCandidates {
        IceCandidates {
            inner: EventStream::new(|send| self.on_ice_candidate(send)),
        }
    }

    /// The connection-state changes as a stream (see
    /// [`on_connection_state_change`](Self::on_connection_state_change)).
    pub fn connection_states(&self) -> ConnectionStates {
        ConnectionStates {
            inner: EventStream::new(|send| self.on_connection_state_change(send)),
        }
    }
}
