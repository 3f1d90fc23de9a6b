//! [`DataChannel`]: one `RTCDataChannel`, typed.

use core::fmt;

use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, RtcDataChannel};

use crate::{sys, DataChannelState, Error, Listener, Message};

/// A handle to one browser `RTCDataChannel`: messages of text or bytes between two peers.
///
/// Cloning is cheap and gives another handle to the *same* channel. Made by
/// [`PeerConnection::create_data_channel`](crate::PeerConnection::create_data_channel), given
/// by [`PeerConnection::on_data_channel`](crate::PeerConnection::on_data_channel) for the
/// channels the other side creates, or wrapped from a raw `RtcDataChannel` with `From`.
///
/// Every way of getting one sets the channel's `binaryType` to `"arraybuffer"` (Chromium 156
/// and Firefox 153 start with it, but older browsers, and code that changed it on the raw
/// object, say `"blob"`, whose bytes can only be read asynchronously), so binary messages
/// arrive as [`Message::Binary`] bytes in every browser, and sets its low-water mark to
/// [`DEFAULT_LOW_WATER_MARK`](Self::DEFAULT_LOW_WATER_MARK) unless one was set already (see
/// [`writable`](Self::writable)).
///
/// Listeners that the channel's messages need must be registered before the task that gave
/// the channel returns (inside the `on_data_channel` callback, or right after
/// `create_data_channel`): the browser delivers messages in later tasks, so none is missed.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> Result<(), rtc_peer::Error> {
/// use futures_util::StreamExt;
/// use rtc_peer::{DataChannelOptions, Message, PeerConnection};
///
/// let pc = PeerConnection::new()?;
/// let channel = pc.create_data_channel("chat", &DataChannelOptions::new())?;
/// let mut messages = channel.messages();
/// let _opened = channel.on_open({
///     let channel = channel.clone();
///     move || {
///         let _ = channel.send_text("hello");
///     }
/// });
/// // ... negotiate the connection ...
/// while let Some(message) = messages.next().await {
///     if let Message::Text(text) = message {
///         web_sys::console::log_1(&text.into());
///     }
/// }
/// // The stream ended: the channel closed.
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCDataChannel](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel).
#[derive(Clone)]
pub struct DataChannel {
    raw: RtcDataChannel,
    /// The connection it belongs to, when known: the browsers keep a channel `open` for a
    /// moment after the connection's `close()`, and accept (and drop) sends meanwhile.
    pc: Option<web_sys::RtcPeerConnection>,
}

impl PartialEq for DataChannel {
    /// Two handles are equal when they hold the same `RTCDataChannel`.
    fn eq(&self, other: &DataChannel) -> bool {
        self.raw == other.raw
    }
}

impl Eq for DataChannel {}

impl DataChannel {
    /// The low-water mark set on every channel this crate hands out, in bytes (256 KiB):
    /// [`writable`](Self::writable) waits while more than this is buffered. Big enough to keep
    /// the transport busy between two `bufferedamountlow` events, small enough that a
    /// sender never holds much more than this plus one message in the browser's queue.
    pub const DEFAULT_LOW_WATER_MARK: u32 = 256 * 1024;

    /// The channel's label, as given to `create_data_channel` on the side that created it.
    ///
    /// See [MDN: label](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/label).
    pub fn label(&self) -> String {
        self.raw.label()
    }

    /// The channel's SCTP stream id; `None` until the browser assigns one (an in-band channel
    /// created before the DTLS role is known).
    ///
    /// See [MDN: id](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/id).
    pub fn id(&self) -> Option<u16> {
        self.raw.id()
    }

    /// Where the channel stands.
    ///
    /// See [MDN: readyState](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/readyState).
    pub fn state(&self) -> DataChannelState {
        sys::Dc::ready_state(self.dc())
            .as_string()
            .and_then(|state| DataChannelState::parse(&state))
            .unwrap_or(DataChannelState::Closed)
    }

    /// Whether messages arrive in the order they were sent.
    ///
    /// See [MDN: ordered](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/ordered).
    pub fn ordered(&self) -> bool {
        sys::Dc::ordered(self.dc()).as_bool().unwrap_or(true)
    }

    /// The retransmission limit, when the channel has one.
    ///
    /// See [MDN: maxRetransmits](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/maxRetransmits).
    pub fn max_retransmits(&self) -> Option<u16> {
        self.raw.max_retransmits()
    }

    /// The lifetime limit in milliseconds, when the channel has one.
    ///
    /// See [MDN: maxPacketLifeTime](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/maxPacketLifeTime).
    pub fn max_packet_life_time(&self) -> Option<u16> {
        self.raw.max_packet_life_time()
    }

    /// Whether both sides created the channel themselves (`negotiated`).
    ///
    /// See [MDN: negotiated](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/negotiated).
    pub fn negotiated(&self) -> bool {
        sys::Dc::negotiated(self.dc()).as_bool().unwrap_or(false)
    }

    /// The sub-protocol name (empty when none was given).
    ///
    /// See [MDN: protocol](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/protocol).
    pub fn protocol(&self) -> String {
        sys::Dc::protocol(self.dc()).as_string().unwrap_or_default()
    }

    /// Sends a text message.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the channel is not open (still connecting, closing or
    /// closed); the browser's error when the message is larger than the connection's
    /// `sctp.maxMessageSize` (a `TypeError`) or the send queue is full (an `OperationError`).
    /// Nothing is sent then.
    ///
    /// See [MDN: send](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/send).
    pub fn send_text(&self, text: &str) -> Result<(), Error> {
        self.check_open()?;
        Ok(sys::Dc::send_str(self.dc(), text)?)
    }

    /// Sends a binary message (the browser copies `bytes` before this returns).
    ///
    /// # Errors
    ///
    /// As for [`send_text`](Self::send_text).
    ///
    /// See [MDN: send](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/send).
    pub fn send_bytes(&self, bytes: &[u8]) -> Result<(), Error> {
        self.check_open()?;
        Ok(sys::Dc::send_u8(self.dc(), bytes)?)
    }

    /// `Err(InvalidState)` unless open. Chromium throws that itself; Firefox (153) accepts
    /// `send()` on a closed channel without a word and drops the message.
    fn check_open(&self) -> Result<(), Error> {
        self.check_connection_open()?;
        let state = self.state();
        if state == DataChannelState::Open {
            return Ok(());
        }
        let message = crate::text::join(&[
            "The RTCDataChannel is not open (its readyState is '",
            state.as_str(),
            "'); nothing was sent.",
        ]);
        Err(Error::InvalidState { message })
    }

    /// Starts closing the channel, on both sides; `close` events follow on both sides.
    /// Closing a closed channel does nothing.
    ///
    /// Chromium can drop messages still counted in [`buffered_amount`](Self::buffered_amount)
    /// at this point (the receiving side's channel closes without them); to be sure the last
    /// message arrives, wait until `buffered_amount()` is 0, or for the other side to answer.
    ///
    /// See [MDN: close](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/close).
    pub fn close(&self) {
        self.raw.close();
    }

    /// Calls `callback` when the channel opens.
    ///
    /// See [MDN: open event](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/open_event).
    pub fn on_open<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut() + 'static,
    {
        Listener::new(&self.raw, "open", move |_| callback())
    }

    /// Calls `callback` when the channel has closed (either side's `close()`, the connection's
    /// transport going away).
    ///
    /// See [MDN: close event](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/close_event).
    pub fn on_close<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut() + 'static,
    {
        Listener::new(&self.raw, "close", move |_| callback())
    }

    /// Calls `callback` with the error when the channel fails (an `RTCErrorEvent`; the
    /// channel closes right after).
    ///
    /// See [MDN: error event](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/error_event).
    pub fn on_error<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(Error) + 'static,
    {
        Listener::new(&self.raw, "error", move |event| {
            let error = js_sys::Reflect::get(&event, &"error".into())
                .ok()
                .filter(|error| error.is_object())
                .map_or_else(
                    || Error::Operation {
                        message: "The RTCDataChannel failed.".to_owned(),
                    },
                    Error::from,
                );
            callback(error);
        })
    }

    /// Calls `callback` with every message received.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn demo(channel: rtc_peer::DataChannel) {
    /// use rtc_peer::Message;
    ///
    /// let listener = channel.on_message(|message| match message {
    ///     Message::Text(text) => web_sys::console::log_1(&text.into()),
    ///     Message::Binary(bytes) => web_sys::console::log_1(&bytes.len().into()),
    /// });
    /// # drop(listener);
    /// # }
    /// ```
    ///
    /// See [MDN: message event](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/message_event).
    pub fn on_message<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(Message) + 'static,
    {
        Listener::new(&self.raw, "message", move |event| {
            let message = event
                .dyn_ref::<MessageEvent>()
                .and_then(|event| Message::from_data(&event.data()));
            if let Some(message) = message {
                callback(message);
            }
        })
    }

    /// `raw` of the connection `pc`.
    pub(crate) fn of(pc: web_sys::RtcPeerConnection, raw: RtcDataChannel) -> DataChannel {
        DataChannel {
            pc: Some(pc),
            ..DataChannel::from(raw)
        }
    }

    /// `Err(InvalidState)` when the channel's connection is closed.
    pub(crate) fn check_connection_open(&self) -> Result<(), Error> {
        let closed = self.pc.as_ref().is_some_and(|pc| {
            let pc: &sys::Pc = pc.unchecked_ref();
            sys::Pc::signaling_state(pc).map_or(true, |state| state == "closed")
        });
        if closed {
            return Err(Error::InvalidState {
                message: "The RTCPeerConnection of this RTCDataChannel is closed; nothing was \
                          sent."
                    .to_owned(),
            });
        }
        Ok(())
    }

    /// The underlying `RtcDataChannel`.
    ///
    /// Register listeners through this type (`on_*`), not the raw `on*` properties, and leave
    /// `binaryType` as it is: with `"blob"`, binary messages are not delivered as
    /// [`Message`]s.
    pub fn as_raw(&self) -> &RtcDataChannel {
        &self.raw
    }

    pub(crate) fn dc(&self) -> &sys::Dc {
        self.raw.unchecked_ref()
    }
}

impl fmt::Debug for DataChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataChannel")
            .field("label", &self.label())
            .field("id", &self.id())
            .field("state", &self.state())
            .finish()
    }
}

impl AsRef<RtcDataChannel> for DataChannel {
    fn as_ref(&self) -> &RtcDataChannel {
        &self.raw
    }
}

/// Wraps a raw channel: sets its `binaryType` to `"arraybuffer"` and, when its
/// `bufferedAmountLowThreshold` is still the browser's 0, its low-water mark to
/// [`DataChannel::DEFAULT_LOW_WATER_MARK`].
impl From<RtcDataChannel> for DataChannel {
    fn from(raw: RtcDataChannel) -> Self {
        let dc: &sys::Dc = raw.unchecked_ref();
        if sys::Dc::binary_type(dc).as_string().as_deref() != Some("arraybuffer") {
            sys::Dc::set_binary_type(dc, "arraybuffer");
        }
        if raw.buffered_amount_low_threshold() == 0 {
            raw.set_buffered_amount_low_threshold(DataChannel::DEFAULT_LOW_WATER_MARK);
        }
        DataChannel { raw, pc: None }
    }
}

impl From<DataChannel> for RtcDataChannel {
    fn from(channel: DataChannel) -> Self {
        channel.raw
    }
}
