//! Interop with simple-peer (9.11.1 from npm, its published browser bundle, unmodified): its
//! data channel talks to rtc-peer in both directions, text and binary, whichever side offers.
//!
//! simple-peer and the signalling bridge are the support crate's (`support::interop`), shared
//! with the media interop of the network suite.

use std::rc::Rc;

use futures_util::StreamExt;
use rtc_peer::{DataChannelOptions, Message, PeerConnection};
use support::interop::{Bridge, SimplePeer};
use support::{channel_open, engine, log, wait_until, within, TestFailure};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::bytes::pattern;
use crate::WAIT_MS;

fn messages() -> Vec<Message> {
    vec![
        Message::Text("hello from the other library".into()),
        Message::Text("ünïcödé ✓".into()),
        Message::Binary(vec![0, 1, 2, 254, 255]),
        Message::Binary(pattern(60 * 1024, 11)),
    ]
}

/// One call between simple-peer and rtc-peer: `rtc_offers` says which side creates the
/// channel and the offer.
async fn talk(rtc_offers: bool) -> Result<(), TestFailure> {
    let rtc = PeerConnection::new()?;
    let sp = Rc::new(SimplePeer::new(!rtc_offers, &[]));
    let bridge = Bridge::start(&sp, &rtc);
    let incoming = support::seen();
    let _datachannel = {
        let incoming = incoming.clone();
        rtc.on_data_channel(move |channel| incoming.borrow_mut().push(channel))
    };
    let errors = || {
        let mut all = bridge.errors.borrow().clone();
        all.extend(
            sp.errors
                .borrow()
                .iter()
                .map(|e| format!("simple-peer: {e}")),
        );
        all
    };
    let channel = if rtc_offers {
        let channel =
            rtc.create_data_channel("rtc-peer to simple-peer", &DataChannelOptions::new())?;
        let offer = within(WAIT_MS, "create_offer", rtc.create_offer()).await??;
        within(WAIT_MS, "local offer", rtc.set_local_description(&offer)).await??;
        sp.signal(&offer.to_js());
        channel
    } else {
        wait_until(WAIT_MS, "simple-peer's channel at rtc-peer", || {
            !incoming.borrow().is_empty() || !errors().is_empty()
        })
        .await?;
        assert!(errors().is_empty(), "errors: {:?}", errors());
        incoming.borrow()[0].clone()
    };
    channel_open(&channel, WAIT_MS, "rtc-peer's channel").await?;
    wait_until(WAIT_MS, "simple-peer's connect event", || {
        sp.connects.get() > 0
    })
    .await?;

    let mut at_rtc = channel.messages();
    for message in messages() {
        sp.send(&message);
        let got = within(WAIT_MS, "simple-peer's message at rtc-peer", at_rtc.next()).await?;
        assert_eq!(got.as_ref(), Some(&message), "simple-peer to rtc-peer");
    }
    for message in messages() {
        match &message {
            Message::Text(text) => channel.send_text(text),
            Message::Binary(bytes) => channel.send_bytes(bytes),
        }?;
    }
    wait_until(WAIT_MS, "rtc-peer's messages at simple-peer", || {
        sp.data.borrow().len() == messages().len()
    })
    .await?;
    assert_eq!(*sp.data.borrow(), messages(), "rtc-peer to simple-peer");
    assert!(errors().is_empty(), "errors: {:?}", errors());
    log(&format!(
        "{:?}: simple-peer <-> rtc-peer, {} offering: {} messages each way",
        engine(),
        if rtc_offers {
            "rtc-peer"
        } else {
            "simple-peer"
        },
        messages().len()
    ));
    drop(at_rtc);
    drop(bridge);
    drop(sp);
    rtc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn simple_peer_offers_and_both_sides_talk() -> Result<(), TestFailure> {
    talk(false).await
}

#[wasm_bindgen_test]
async fn rtc_peer_offers_and_both_sides_talk() -> Result<(), TestFailure> {
    talk(true).await
}
