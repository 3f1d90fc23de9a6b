//! [`Liveness`]: knowing that the other side has gone, without a server.

use core::cell::RefCell;
use core::fmt;
use std::rc::Rc;

use crate::{DataChannel, DataChannelOptions, Error, Listener, PeerConnection, SignalingState};

/// Watches one negotiated data channel and reports, once, that the other side has gone when
/// that channel closes or fails.
///
/// Both sides create the same channel ([`CHANNEL_ID`](Self::CHANNEL_ID),
/// [`LABEL`](Self::LABEL)) when they start watching: no `datachannel` event, no signalling.
/// When the other side calls `close()` on its connection (or on this channel), the browser
/// ends the SCTP association or resets the stream, and this side's channel closes: measured
/// within a few milliseconds on loopback in Chromium 156 and Firefox 153, where nothing else
/// tells (the connection state stays `connected` for seconds). A local `close()` of the
/// connection is not reported.
///
/// It only works when both sides watch: with one side only, its channel never opens and
/// nothing is reported. It does not detect a peer that vanishes without closing (a crashed
/// tab, a lost network); the connection's state reports that, after the browser's ICE
/// timeouts.
///
/// The cost: one SCTP stream (id 1023), no messages ever sent on it, two event listeners;
/// the connection gets an `m=application` section (as with any data channel).
///
/// Create it before the first offer, so the `m=application` section is in it.
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// use rtc_peer::{Liveness, PeerConnection};
///
/// let pc = PeerConnection::new()?;
/// let liveness = Liveness::watch(&pc, || {
///     web_sys::console::log_1(&"the other side hung up".into());
/// })?;
/// // ... offer/answer; keep `liveness` for the call; dropping it stops watching (the channel
/// // stays open, so the other side is not told anything).
/// # drop(liveness);
/// # Ok(()) }
/// ```
#[must_use = "watching stops when the Liveness is dropped"]
pub struct Liveness {
    channel: DataChannel,
    _close: Listener,
    _error: Listener,
}

impl Liveness {
    /// The SCTP stream id of the liveness channel. Do not use it for a channel of your own.
    pub const CHANNEL_ID: u16 = 1023;

    /// The label of the liveness channel.
    pub const LABEL: &'static str = "rtc-peer/liveness";

    /// Creates the liveness channel on `pc` and calls `on_gone` once, when it closes or fails
    /// while `pc` itself is not closed.
    ///
    /// # Errors
    ///
    /// The browser's error from `createDataChannel`, for example [`Error::InvalidState`] on a
    /// closed connection, or an `OperationError` when `pc` already has a channel with id
    /// [`CHANNEL_ID`](Self::CHANNEL_ID).
    pub fn watch<F>(pc: &PeerConnection, on_gone: F) -> Result<Liveness, Error>
    where
        F: FnOnce() + 'static,
    {
        let options = DataChannelOptions::new().negotiated(Self::CHANNEL_ID);
        let channel = pc.create_data_channel(Self::LABEL, &options)?;
        let on_gone: Rc<RefCell<Option<F>>> = Rc::new(RefCell::new(Some(on_gone)));
        let report = || {
            let pc = pc.clone();
            let on_gone = Rc::clone(&on_gone);
            move || {
                if pc.signaling_state() == SignalingState::Closed {
                    return;
                }
                let callback = on_gone.try_borrow_mut().ok().and_then(|mut f| f.take());
                if let Some(callback) = callback {
                    callback();
                }
            }
        };
        let close = channel.on_close(report());
        let gone = report();
        let error = channel.on_error(move |_| gone());
        Ok(Liveness {
            channel,
            _close: close,
            _error: error,
        })
    }

    /// The liveness channel (for reading its state; sending on it is not part of the
    /// protocol).
    pub fn channel(&self) -> &DataChannel {
        &self.channel
    }
}

impl fmt::Debug for Liveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Liveness")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}
