//! Text and binary messages both ways: empty, 1 byte, 64 KiB, non-ASCII, a lone NUL.

use futures_util::StreamExt;
use rtc_peer::{DataChannel, DataChannelOptions, Message};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{no_page_errors, take_page_errors, within, LoopbackPair, TestFailure};

use crate::bytes::pattern;
use crate::WAIT_MS;

fn payloads() -> Vec<Message> {
    let long_text: String = (0..64 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    vec![
        Message::Text(String::new()),
        Message::Text("x".into()),
        Message::Text(long_text),
        Message::Text("héllo — 你好, мир 🎉".into()),
        Message::Text("\0".into()),
        Message::Binary(Vec::new()),
        Message::Binary(vec![0x7f]),
        Message::Binary(pattern(64 * 1024, 7)),
        Message::Binary(vec![0]),
    ]
}

fn send(channel: &DataChannel, message: &Message) {
    match message {
        Message::Text(text) => channel.send_text(text),
        Message::Binary(bytes) => channel.send_bytes(bytes),
    }
    .unwrap_or_else(|err| panic!("sending {} bytes: {err}", message.len()));
}

async fn round_trip(
    from: &DataChannel,
    to: &DataChannel,
    direction: &str,
) -> Result<(), TestFailure> {
    let mut received = to.messages();
    for message in payloads() {
        send(from, &message);
        let got = within(
            WAIT_MS,
            &format!("{direction}: a {}-byte message", message.len()),
            received.next(),
        )
        .await?
        .expect("the stream ended early");
        assert_eq!(
            got,
            message,
            "{direction}: the message changed on the way ({} bytes sent, {} received)",
            message.len(),
            got.len()
        );
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn text_and_bytes_arrive_unchanged_both_ways() -> Result<(), TestFailure> {
    let _ = take_page_errors(); // what earlier tests logged is theirs
    let pair = LoopbackPair::new()?;
    let (a, b) = pair
        .open_channel("round-trips", &DataChannelOptions::new())
        .await?;
    round_trip(&a, &b, "a to b").await?;
    round_trip(&b, &a, "b to a").await?;
    no_page_errors("the page")?;
    Ok(())
}

#[wasm_bindgen_test]
async fn binary_arrives_as_bytes_even_when_the_raw_channel_said_blob() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, b) = pair
        .open_channel("binary-type", &DataChannelOptions::new())
        .await?;
    // The browser's default is "blob"; wrapping (again) sets "arraybuffer".
    let key = wasm_bindgen::JsValue::from_str("binaryType");
    js_sys::Reflect::set(b.as_raw(), &key, &"blob".into()).expect("binaryType = blob");
    let b = DataChannel::from(rtc_peer::RtcDataChannel::from(b));
    let binary_type = js_sys::Reflect::get(b.as_raw(), &key).expect("binaryType");
    assert_eq!(binary_type.as_string().as_deref(), Some("arraybuffer"));
    let mut received = b.messages();
    a.send_bytes(&[1, 2, 3]).expect("send_bytes");
    let got = within(WAIT_MS, "the binary message", received.next()).await?;
    assert_eq!(got, Some(Message::Binary(vec![1, 2, 3])));
    Ok(())
}
