//! [`Message`]: one message received on a data channel.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// One message received on a [`DataChannel`](crate::DataChannel): text or bytes, as the sender
/// sent it ([`send_text`](crate::DataChannel::send_text) or
/// [`send_bytes`](crate::DataChannel::send_bytes), or `send(string)` / `send(ArrayBuffer)` in
/// JavaScript).
///
/// # Examples
///
/// ```
/// use rtc_peer::Message;
///
/// let message = Message::Text("hello".into());
/// assert_eq!(message.as_text(), Some("hello"));
/// assert_eq!(Message::Binary(vec![1, 2, 3]).as_bytes(), Some(&[1u8, 2, 3][..]));
/// ```
///
/// See [MDN: message event](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/message_event).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text message (a JS string on the wire: UTF-8 in SCTP).
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

impl Message {
    /// The text, for a [`Message::Text`].
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text),
            Message::Binary(_) => None,
        }
    }

    /// The bytes, for a [`Message::Binary`].
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Message::Text(_) => None,
            Message::Binary(bytes) => Some(bytes),
        }
    }

    /// Its length in bytes (UTF-8 for text).
    pub fn len(&self) -> usize {
        match self {
            Message::Text(text) => text.len(),
            Message::Binary(bytes) => bytes.len(),
        }
    }

    /// `true` for an empty text or an empty binary message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads a `message` event's `data`: a string or an `ArrayBuffer` (the `binaryType` this
    /// crate sets). `None` for anything else (a `Blob`, when `binaryType` was changed to
    /// `"blob"` through the raw object).
    pub(crate) fn from_data(data: &JsValue) -> Option<Message> {
        if let Some(text) = data.as_string() {
            return Some(Message::Text(text));
        }
        let buffer = data.dyn_ref::<ArrayBuffer>()?;
        Some(Message::Binary(Uint8Array::new(buffer).to_vec()))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::Text(text.to_owned())
    }
}

impl From<Vec<u8>> for Message {
    fn from(bytes: Vec<u8>) -> Self {
        Message::Binary(bytes)
    }
}

impl From<&[u8]> for Message {
    fn from(bytes: &[u8]) -> Self {
        Message::Binary(bytes.to_vec())
    }
}
