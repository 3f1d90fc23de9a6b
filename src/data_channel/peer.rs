//! [`PeerConnection::create_data_channel`] and [`PeerConnection::on_data_channel`].

use wasm_bindgen::JsCast;
use web_sys::RtcDataChannelEvent;

use crate::{sys, DataChannel, DataChannelOptions, Error, Listener, PeerConnection};

impl PeerConnection {
    /// Creates a data channel named `label`.
    ///
    /// The other side gets it through [`on_data_channel`](Self::on_data_channel), unless the
    /// options make it [`negotiated`](DataChannelOptions::negotiated). The first channel of a
    /// connection triggers negotiation (`negotiationneeded`): create it before the offer.
    ///
    /// # Errors
    ///
    /// The browser's error for options it refuses, for example a `TypeError` for both
    /// [`max_retransmits`](DataChannelOptions::max_retransmits) and
    /// [`max_packet_life_time`](DataChannelOptions::max_packet_life_time), or a negotiated id
    /// out of range; [`Error::InvalidState`] when the connection is closed. The connection is
    /// left as it was.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::{DataChannelOptions, PeerConnection};
    ///
    /// let pc = PeerConnection::new()?;
    /// let chat = pc.create_data_channel("chat", &DataChannelOptions::new())?;
    /// assert_eq!(chat.label(), "chat");
    ///
    /// let refused = DataChannelOptions::new().max_retransmits(1).max_packet_life_time(100);
    /// assert!(pc.create_data_channel("bad", &refused).is_err());
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: createDataChannel](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel).
    pub fn create_data_channel(
        &self,
        label: &str,
        options: &DataChannelOptions,
    ) -> Result<DataChannel, Error> {
        let pc: &sys::Pc = self.as_raw().unchecked_ref();
        let raw = sys::Pc::create_data_channel(pc, label, &options.to_js())?;
        Ok(DataChannel::of(self.as_raw().clone(), raw))
    }

    /// Calls `callback` with each data channel the other side creates in-band (a
    /// `datachannel` event). Negotiated channels fire no event.
    ///
    /// Register the channel's own listeners inside `callback`: its first messages are
    /// delivered right after.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn main() -> Result<(), rtc_peer::Error> {
    /// use rtc_peer::PeerConnection;
    ///
    /// let pc = PeerConnection::new()?;
    /// let listener = pc.on_data_channel(|channel| {
    ///     channel
    ///         .on_message(move |message| {
    ///             web_sys::console::log_1(&message.len().into());
    ///         })
    ///         .forget(); // lives as long as the channel; or keep the Listener somewhere
    /// });
    /// # drop(listener);
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: datachannel event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/datachannel_event).
    pub fn on_data_channel<F>(&self, mut callback: F) -> Listener
    where
        F: FnMut(DataChannel) + 'static,
    {
        Listener::new(self.as_raw(), "datachannel", move |event| {
            if let Some(event) = event.dyn_ref::<RtcDataChannelEvent>() {
                let channel = match event.target().and_then(|t| t.dyn_into().ok()) {
                    Some(pc) => DataChannel::of(pc, event.channel()),
                    None => DataChannel::from(event.channel()),
                };
                callback(channel);
            }
        })
    }
}
