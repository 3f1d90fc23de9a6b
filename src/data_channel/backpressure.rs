//! Backpressure: [`DataChannel::writable`] waits for `bufferedamountlow`.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;

use crate::{DataChannel, DataChannelState, Error, Listener};

impl DataChannel {
    /// Completes once the channel can take more data: it is open and at most
    /// [`low_water_mark`](Self::low_water_mark) bytes are waiting in the browser's send queue.
    ///
    /// Call it before each send of a large transfer, so the queue never holds much more than
    /// the low-water mark plus one message. It does not poll: when more than the mark is
    /// buffered it waits for the browser's `bufferedamountlow` event (and for `open` while the
    /// channel is connecting). Dropping the future stops waiting and removes its listeners.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] when the channel is closing or closed, or closes while this is
    /// pending: the future then completes at once, it never waits forever.
    ///
    /// # Examples
    ///
    /// Send a large buffer in 16 KiB messages without filling the browser's queue:
    ///
    /// ```no_run
    /// # async fn demo(channel: rtc_peer::DataChannel, data: Vec<u8>) -> Result<(), rtc_peer::Error> {
    /// for chunk in data.chunks(16 * 1024) {
    ///     channel.writable().await?;
    ///     channel.send_bytes(chunk)?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: bufferedamountlow event](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/bufferedamountlow_event).
    pub async fn writable(&self) -> Result<(), Error> {
        loop {
            self.check_connection_open()?;
            match self.state() {
                DataChannelState::Open => {
                    if self.buffered_amount() <= self.low_water_mark() {
                        return Ok(());
                    }
                    self.wait_for("bufferedamountlow").await?;
                }
                DataChannelState::Connecting => self.wait_for("open").await?,
                DataChannelState::Closing | DataChannelState::Closed => {
                    return Err(Error::InvalidState {
                        message:
                            "The RTCDataChannel is closing or closed; it cannot be written to."
                                .to_owned(),
                    });
                }
            }
        }
    }

    /// How many bytes are queued by `send_*` and not yet handed to the network.
    ///
    /// See [MDN: bufferedAmount](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/bufferedAmount).
    pub fn buffered_amount(&self) -> u32 {
        self.as_raw().buffered_amount()
    }

    /// The low-water mark in bytes (`bufferedAmountLowThreshold`): [`writable`](Self::writable)
    /// waits while more than this is buffered.
    /// [`DEFAULT_LOW_WATER_MARK`](Self::DEFAULT_LOW_WATER_MARK) unless changed.
    ///
    /// See [MDN: bufferedAmountLowThreshold](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/bufferedAmountLowThreshold).
    pub fn low_water_mark(&self) -> u32 {
        self.as_raw().buffered_amount_low_threshold()
    }

    /// Sets the low-water mark in bytes. Set it before waiting: a `writable()` already
    /// pending keeps waiting for the browser's next `bufferedamountlow` event.
    pub fn set_low_water_mark(&self, bytes: u32) {
        self.as_raw().set_buffered_amount_low_threshold(bytes);
    }

    /// Waits for one `event` on the channel; `Err` if it closes (or fails) first.
    async fn wait_for(&self, event: &'static str) -> Result<(), Error> {
        let (sender, receiver) = oneshot::channel::<bool>();
        let sender = Rc::new(RefCell::new(Some(sender)));
        let settle = |outcome: bool| {
            let sender = Rc::clone(&sender);
            move |_: web_sys::Event| {
                if let Some(sender) = sender.borrow_mut().take() {
                    let _ = sender.send(outcome);
                }
            }
        };
        let _ready = Listener::new(self.as_raw(), event, settle(true));
        let _closed = Listener::new(self.as_raw(), "close", settle(false));
        let _failed = Listener::new(self.as_raw(), "error", settle(false));
        match receiver.await {
            Ok(true) => Ok(()),
            _ => Err(Error::InvalidState {
                message: "The RTCDataChannel closed while writable() was pending.".to_owned(),
            }),
        }
    }
}
