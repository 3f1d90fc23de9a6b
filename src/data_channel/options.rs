//! [`DataChannelOptions`]: what `createDataChannel(label, options)` takes.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// How a data channel delivers its messages, and whether both sides create it themselves.
///
/// Every option is left to the browser's default unless set: ordered, reliable (retransmitted
/// without limit), announced to the other side in-band (the other side gets a
/// [`datachannel` event](crate::PeerConnection::on_data_channel)), no sub-protocol.
///
/// The browser checks the combination when the channel is created:
/// [`create_data_channel`](crate::PeerConnection::create_data_channel) returns its error (for
/// example a `TypeError` when both [`max_retransmits`](Self::max_retransmits) and
/// [`max_packet_life_time`](Self::max_packet_life_time) are set, since a message can only have
/// one limit).
///
/// # Examples
///
/// An unordered channel that gives up on a message after 3 retransmissions, for game state:
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// use rtc_peer::{DataChannelOptions, PeerConnection};
///
/// let pc = PeerConnection::new()?;
/// let options = DataChannelOptions::new().ordered(false).max_retransmits(3);
/// let channel = pc.create_data_channel("positions", &options)?;
/// # drop(channel);
/// # Ok(()) }
/// ```
///
/// A channel both sides create with the same id (no `datachannel` event, usable as soon as the
/// transport is up):
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// use rtc_peer::{DataChannelOptions, PeerConnection};
///
/// # let (a, b) = (PeerConnection::new()?, PeerConnection::new()?);
/// let options = DataChannelOptions::new().negotiated(7).protocol("chat/1");
/// let on_a = a.create_data_channel("chat", &options)?;
/// let on_b = b.create_data_channel("chat", &options)?;
/// # drop((on_a, on_b));
/// # Ok(()) }
/// ```
///
/// See [MDN: createDataChannel options](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel#options).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataChannelOptions {
    ordered: Option<bool>,
    max_retransmits: Option<u16>,
    max_packet_life_time: Option<u16>,
    negotiated_id: Option<u16>,
    protocol: Option<String>,
}

impl DataChannelOptions {
    /// The browser's defaults: ordered, reliable, announced in-band, no sub-protocol.
    pub fn new() -> Self {
        DataChannelOptions::default()
    }

    /// Whether messages must arrive in the order they were sent (`true` by default).
    pub fn ordered(mut self, ordered: bool) -> Self {
        self.ordered = Some(ordered);
        self
    }

    /// How many times a message is retransmitted before it is given up (partial reliability).
    /// Not together with [`max_packet_life_time`](Self::max_packet_life_time).
    pub fn max_retransmits(mut self, count: u16) -> Self {
        self.max_retransmits = Some(count);
        self
    }

    /// For how many milliseconds a message is retransmitted before it is given up (partial
    /// reliability). Not together with [`max_retransmits`](Self::max_retransmits).
    pub fn max_packet_life_time(mut self, milliseconds: u16) -> Self {
        self.max_packet_life_time = Some(milliseconds);
        self
    }

    /// Both sides create this channel themselves, with the same `id` (an SCTP stream id,
    /// 0 to 65534): no `datachannel` event fires, and each side's channel opens when the
    /// transport is up.
    pub fn negotiated(mut self, id: u16) -> Self {
        self.negotiated_id = Some(id);
        self
    }

    /// The sub-protocol name the other side sees on its channel (empty by default; at most
    /// 65535 bytes).
    pub fn protocol(mut self, protocol: &str) -> Self {
        self.protocol = Some(protocol.to_owned());
        self
    }

    /// The `RTCDataChannelInit` dictionary, with only the members that were set.
    pub(crate) fn to_js(&self) -> JsValue {
        let init = Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&init, &JsValue::from_str(key), &value);
        };
        if let Some(ordered) = self.ordered {
            set("ordered", JsValue::from_bool(ordered));
        }
        if let Some(count) = self.max_retransmits {
            set("maxRetransmits", JsValue::from(count));
        }
        if let Some(milliseconds) = self.max_packet_life_time {
            set("maxPacketLifeTime", JsValue::from(milliseconds));
        }
        if let Some(id) = self.negotiated_id {
            set("negotiated", JsValue::TRUE);
            set("id", JsValue::from(id));
        }
        if let Some(protocol) = &self.protocol {
            set("protocol", JsValue::from_str(protocol));
        }
        init.into()
    }
}
