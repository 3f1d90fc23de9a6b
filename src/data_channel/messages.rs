//! [`Messages`]: a data channel's messages as a `Stream` that ends when the channel closes.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_channel::mpsc::{unbounded, UnboundedReceiver};
use futures_core::Stream;

use crate::{DataChannel, DataChannelState, Listener, Message};

/// The messages of a channel, from [`DataChannel::messages`].
///
/// Yields every message received from the moment it was made, in order, then ends (`None`)
/// once the channel has closed. Messages are buffered without bound while not polled.
/// Dropping it removes its listeners.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(channel: rtc_peer::DataChannel) {
/// use futures_util::StreamExt;
///
/// let mut messages = channel.messages();
/// while let Some(message) = messages.next().await {
///     let _ = message.len();
/// }
/// # }
/// ```
pub struct Messages {
    receiver: UnboundedReceiver<Message>,
    _message: Listener,
    _close: Listener,
}

impl Messages {
    fn new(channel: &DataChannel) -> Messages {
        let (sender, mut receiver) = unbounded();
        let closer = sender.clone();
        let message = channel.on_message(move |message| {
            // The receiver lives as long as this listener; an error only means it is gone.
            let _ = sender.unbounded_send(message);
        });
        // `close` is dispatched after every message the channel received.
        let close = channel.on_close(move || closer.close_channel());
        if channel.state() == DataChannelState::Closed {
            receiver.close();
        }
        Messages {
            receiver,
            _message: message,
            _close: close,
        }
    }
}

impl Stream for Messages {
    type Item = Message;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        Pin::new(&mut self.get_mut().receiver).poll_next(cx)
    }
}

impl fmt::Debug for Messages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Messages").finish_non_exhaustive()
    }
}

impl DataChannel {
    /// The messages received from now on, as a [`Stream`](futures_core::Stream) that ends
    /// when the channel closes (see [`Messages`]).
    pub fn messages(&self) -> Messages {
        Messages::new(self)
    }
}
