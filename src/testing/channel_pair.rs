//! A data channel between the two sides of a [`LoopbackPair`], open at both ends.

use std::cell::RefCell;
use std::rc::Rc;

use super::{wait_until, wait_until_with, LoopbackPair, TestFailure};
use crate::{DataChannel, DataChannelOptions, DataChannelState};

/// How long the other side's `datachannel` event and each end's `open` may take.
const OPEN_MS: u32 = 10_000;

impl LoopbackPair {
    /// A data channel made on `a` with `options`, then an offer/answer
    /// ([`negotiate`](Self::negotiate)), and the channel `b` receives; both ends open.
    ///
    /// # Errors
    ///
    /// When the browser refuses the channel, a negotiation step fails, or `b`'s
    /// `datachannel` event or either end's `open` takes more than 10 s; the message names
    /// which, with the channel's state.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::{testing::LoopbackPair, DataChannelOptions};
    ///
    /// let pair = LoopbackPair::new()?;
    /// let (ours, theirs) = pair.open_channel("chat", &DataChannelOptions::new()).await?;
    /// ours.send_text("hello")?;
    /// # drop(theirs);
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: RTCPeerConnection.createDataChannel](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel).
    pub async fn open_channel(
        &self,
        label: &str,
        options: &DataChannelOptions,
    ) -> Result<(DataChannel, DataChannel), TestFailure> {
        let received: Rc<RefCell<Option<DataChannel>>> = Rc::default();
        let _incoming = {
            let received = Rc::clone(&received);
            self.b
                .on_data_channel(move |channel| *received.borrow_mut() = Some(channel))
        };
        let local = self
            .a
            .create_data_channel(label, options)
            .map_err(|e| TestFailure::from(e).context("create_data_channel"))?;
        self.negotiate().await?;
        wait_until(OPEN_MS, "b's datachannel event", || {
            received.borrow().is_some()
        })
        .await?;
        let remote = received
            .borrow_mut()
            .take()
            .ok_or_else(|| TestFailure::new("b's datachannel event carried no channel"))?;
        channel_open(&local, OPEN_MS, "a's channel").await?;
        channel_open(&remote, OPEN_MS, "b's channel").await?;
        Ok((local, remote))
    }
}

/// Waits at most `ms` until `channel` is open.
///
/// # Errors
///
/// `timed out after 10000 ms waiting until: {what} is open (Connecting)`.
///
/// # Examples
///
/// ```no_run
/// # async fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::{testing::channel_open, DataChannelOptions};
///
/// let channel = pc.create_data_channel("chat", &DataChannelOptions::new())?;
/// // ... negotiate ...
/// channel_open(&channel, 10_000, "the chat channel").await?;
/// # Ok(()) }
/// ```
pub async fn channel_open(channel: &DataChannel, ms: u32, what: &str) -> Result<(), TestFailure> {
    wait_until_with(
        ms,
        &format!("{what} is open"),
        || channel.state() == DataChannelState::Open,
        || format!("{:?}", channel.state()),
    )
    .await
}
