//! A loopback pair with one data channel: rtc-peer's `writable()` and `send_bytes` on one side,
//! `on_message` on the other, for the throughput figure (figure 8); and whole data-channel
//! calls, opened and closed, for the leak figure (figure 5).

use std::cell::Cell;
use std::rc::Rc;

use futures_channel::oneshot;
use futures_util::StreamExt;
use js_sys::Promise;
use rtc_peer::{DataChannel, DataChannelOptions, Listener, Message, PeerConnection};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::RtcDataChannel;

use crate::call::{forward_candidates, negotiate};

/// Two connections in this page and a negotiated, ordered data channel (id 0) between them.
#[wasm_bindgen]
#[derive(Debug)]
pub struct DataPair {
    caller: PeerConnection,
    callee: PeerConnection,
    sender: DataChannel,
    receiver: DataChannel,
    _candidates: [Listener; 2],
}

/// Opens a [`DataPair`] and negotiates it (the channels open shortly after).
///
/// # Errors
///
/// The browser's error from creating or negotiating the connections.
#[wasm_bindgen]
pub async fn open_data_pair() -> Result<DataPair, JsValue> {
    let caller = PeerConnection::new()?;
    let callee = PeerConnection::new()?;
    let options = DataChannelOptions::new().negotiated(0);
    let sender = caller.create_data_channel("bench", &options)?;
    let receiver = callee.create_data_channel("bench", &options)?;
    let candidates = [
        forward_candidates(&caller, &callee),
        forward_candidates(&callee, &caller),
    ];
    let pair = DataPair {
        caller,
        callee,
        sender,
        receiver,
        _candidates: candidates,
    };
    if let Err(err) = negotiate(&pair.caller, &pair.callee).await {
        pair.close();
        return Err(err.into());
    }
    Ok(pair)
}

#[wasm_bindgen]
impl DataPair {
    /// The sending channel.
    pub fn sender(&self) -> RtcDataChannel {
        self.sender.as_raw().clone()
    }

    /// The receiving channel.
    pub fn receiver(&self) -> RtcDataChannel {
        self.receiver.as_raw().clone()
    }

    /// Sends `total` bytes in messages of `chunk` bytes, each after `writable()`, with the
    /// low-water mark at `threshold`; resolves once the receiver's `on_message` has seen them
    /// all, rejects with the first error.
    pub fn transfer(&self, total: u32, chunk: u32, threshold: u32) -> Promise {
        let sender = self.sender.clone();
        let receiver = self.receiver.clone();
        future_to_promise(async move {
            sender.set_low_water_mark(threshold);
            let (done, all_received) = oneshot::channel::<()>();
            let mut done = Some(done);
            let received = Rc::new(Cell::new(0u32));
            let counter = Rc::clone(&received);
            let _listener = receiver.on_message(move |message: Message| {
                counter.set(counter.get().saturating_add(message.len() as u32));
                if counter.get() >= total {
                    if let Some(done) = done.take() {
                        let _ = done.send(());
                    }
                }
            });
            let data = vec![0x5a_u8; chunk as usize];
            let mut sent = 0u32;
            while sent < total {
                sender.writable().await?;
                let n = chunk.min(total - sent) as usize;
                sender.send_bytes(&data[..n])?;
                sent += n as u32;
            }
            all_received
                .await
                .map_err(|_| JsValue::from_str("the receiver went away"))?;
            Ok(JsValue::from(received.get()))
        })
    }

    /// Closes both connections.
    pub fn close(&self) {
        self.caller.close();
        self.callee.close();
    }
}

/// One data-channel call of the leak figure (figure 5): a pair with its channel, `writable()`,
/// a text message one way (read from `messages()`), a binary reply the other way (read by
/// `on_message`), open/close/error listeners, the channel closed (the stream ends), and both
/// connections closed.
///
/// # Errors
///
/// The browser's error, or a `TypeError` naming the step whose message was wrong.
#[wasm_bindgen]
pub async fn data_cycle() -> Result<(), JsValue> {
    let pair = open_data_pair().await?;
    let result = exchange(&pair).await;
    pair.close();
    result
}

async fn exchange(pair: &DataPair) -> Result<(), JsValue> {
    let wrong = |what: &str| JsValue::from(js_sys::TypeError::new(what));
    let (a, b) = (&pair.sender, &pair.receiver);
    let _opened = a.on_open(|| {});
    let _closed = b.on_close(|| {});
    let _failed = b.on_error(|_| {});
    let mut at_b = b.messages();
    a.writable().await?;
    a.send_text("ping")?;
    if at_b.next().await != Some(Message::Text("ping".into())) {
        return Err(wrong("ping"));
    }
    let (reply_sender, reply) = oneshot::channel();
    let mut reply_sender = Some(reply_sender);
    let _reply = a.on_message(move |message| {
        if let Some(sender) = reply_sender.take() {
            let _ = sender.send(message);
        }
    });
    b.writable().await?;
    b.send_bytes(&[1, 2, 3, 4])?;
    if reply.await.ok() != Some(Message::Binary(vec![1, 2, 3, 4])) {
        return Err(wrong("pong"));
    }
    a.close();
    if at_b.next().await.is_some() {
        return Err(wrong("the stream to end"));
    }
    Ok(())
}
