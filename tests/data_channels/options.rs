//! Options seen on the remote channel, refused combinations, and a negotiated pair.

use std::cell::Cell;
use std::rc::Rc;

use futures_util::StreamExt;
use rtc_peer::{DataChannelOptions, Message};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{channel_open, engine, log, within, LoopbackPair, TestFailure};

use crate::WAIT_MS;

#[wasm_bindgen_test]
async fn max_retransmits_unordered_and_protocol_reach_the_remote_channel() -> Result<(), TestFailure>
{
    let pair = LoopbackPair::new()?;
    let options = DataChannelOptions::new()
        .ordered(false)
        .max_retransmits(3)
        .protocol("game/2");
    let (a, b) = pair.open_channel("positions", &options).await?;
    assert_eq!(b.label(), "positions");
    assert!(!b.ordered(), "ordered");
    assert_eq!(b.max_retransmits(), Some(3));
    assert_eq!(b.max_packet_life_time(), None);
    assert_eq!(b.protocol(), "game/2");
    assert!(!b.negotiated(), "negotiated");
    assert_eq!(b.id(), a.id(), "both sides name the same SCTP stream");
    assert!(a.id().is_some(), "an id once open");
    Ok(())
}

#[wasm_bindgen_test]
async fn max_packet_life_time_reaches_the_remote_channel() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let options = DataChannelOptions::new().max_packet_life_time(150);
    let (_a, b) = pair.open_channel("lifetime", &options).await?;
    assert_eq!(b.max_packet_life_time(), Some(150));
    assert_eq!(b.max_retransmits(), None);
    assert!(b.ordered(), "ordered by default");
    assert_eq!(b.protocol(), "");
    Ok(())
}

#[wasm_bindgen_test]
fn refused_combinations_give_the_browsers_error() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let both = DataChannelOptions::new()
        .max_retransmits(1)
        .max_packet_life_time(100);
    let err = pair
        .a
        .create_data_channel("both", &both)
        .expect_err("maxRetransmits together with maxPacketLifeTime");
    log(&format!("{:?}: both limits: {err}", engine()));
    assert_eq!(err.name(), "TypeError", "{err}");
    assert!(!err.message().is_empty());

    let err = pair
        .a
        .create_data_channel("id", &DataChannelOptions::new().negotiated(65535))
        .expect_err("negotiated id 65535 (the spec's limit is 65534)");
    log(&format!("{:?}: negotiated(65535): {err}", engine()));
    assert_eq!(err.name(), "TypeError", "{err}");

    let high = pair
        .a
        .create_data_channel("id", &DataChannelOptions::new().negotiated(1024));
    log(&format!("{:?}: negotiated(1024): {high:?}", engine()));

    let long_label = "l".repeat(65536);
    let err = pair
        .a
        .create_data_channel(&long_label, &DataChannelOptions::new())
        .expect_err("a label over 65535 bytes");
    log(&format!("{:?}: 65536-byte label: {err}", engine()));
    assert_eq!(err.name(), "TypeError", "{err}");

    // Nothing was lost: the connection still makes channels.
    let fine = pair
        .a
        .create_data_channel("fine", &DataChannelOptions::new())
        .expect("a valid channel after the refused ones");
    assert_eq!(fine.label(), "fine");

    pair.a.close();
    let err = pair
        .a
        .create_data_channel("closed", &DataChannelOptions::new())
        .expect_err("a closed connection");
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    Ok(())
}

#[wasm_bindgen_test]
async fn a_negotiated_pair_opens_without_a_datachannel_event() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let events = Rc::new(Cell::new(0u32));
    let count = |events: &Rc<Cell<u32>>| {
        let events = events.clone();
        move |_| events.set(events.get() + 1)
    };
    let _on_a = pair.a.on_data_channel(count(&events));
    let _on_b = pair.b.on_data_channel(count(&events));
    let options = DataChannelOptions::new().negotiated(5).protocol("p");
    let a = pair
        .a
        .create_data_channel("side", &options)
        .expect("a's channel");
    let b = pair
        .b
        .create_data_channel("side", &options)
        .expect("b's channel");
    assert_eq!(a.id(), Some(5));
    assert!(a.negotiated() && b.negotiated());
    // A data channel needs an m=application section; the negotiated one gives it.
    pair.negotiate().await?;
    channel_open(&a, WAIT_MS, "a's negotiated channel").await?;
    channel_open(&b, WAIT_MS, "b's negotiated channel").await?;
    let mut at_b = b.messages();
    let mut at_a = a.messages();
    a.send_text("to b").expect("send a");
    b.send_bytes(b"to a").expect("send b");
    assert_eq!(
        within(WAIT_MS, "b receives", at_b.next()).await?,
        Some(Message::Text("to b".into()))
    );
    assert_eq!(
        within(WAIT_MS, "a receives", at_a.next()).await?,
        Some(Message::Binary(b"to a".to_vec()))
    );
    assert_eq!(
        events.get(),
        0,
        "negotiated channels fire no datachannel event"
    );
    Ok(())
}
