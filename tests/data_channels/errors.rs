//! Errors, not panics: sending before open, after close, oversize; `messages()` and
//! `writable()` end when the channel closes.

use futures_util::StreamExt;
use js_sys::Reflect;
use rtc_peer::{DataChannelOptions, DataChannelState, Message, SessionDescription};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{channel_open, engine, log, wait_until, within, LoopbackPair, TestFailure};

use crate::bytes::pattern;
use crate::WAIT_MS;

/// `pc.sctp.maxMessageSize`, once the SCTP transport exists.
fn max_message_size(pc: &rtc_peer::PeerConnection) -> Option<f64> {
    let sctp = Reflect::get(pc.as_raw(), &JsValue::from_str("sctp")).ok()?;
    Reflect::get(&sctp, &JsValue::from_str("maxMessageSize"))
        .ok()?
        .as_f64()
}

#[wasm_bindgen_test]
async fn sending_before_open_and_after_close_is_an_invalid_state_error() -> Result<(), TestFailure>
{
    let pair = LoopbackPair::new()?;
    let channel = pair
        .a
        .create_data_channel("early", &DataChannelOptions::new())
        .expect("create_data_channel");
    assert_eq!(channel.state(), DataChannelState::Connecting);
    let err = channel
        .send_text("too early")
        .expect_err("send before open");
    log(&format!("{:?}: send_text before open: {err}", engine()));
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    let err = channel.send_bytes(&[1]).expect_err("send before open");
    assert_eq!(err.name(), "InvalidStateError", "{err}");

    let received = std::rc::Rc::new(std::cell::RefCell::new(None));
    let _incoming = {
        let received = received.clone();
        pair.b
            .on_data_channel(move |c| *received.borrow_mut() = Some(c))
    };
    pair.negotiate().await?;
    channel_open(&channel, WAIT_MS, "a's channel").await?;
    channel.send_text("on time").expect("send when open");

    channel.close();
    wait_until(WAIT_MS, "a's channel closed", || {
        channel.state() == DataChannelState::Closed
    })
    .await?;
    log(&format!(
        "{:?}: the raw send() after close: {:?}",
        engine(),
        channel
            .as_raw()
            .send_with_str("raw")
            .map_err(rtc_peer::Error::from)
    ));
    let err = channel.send_text("too late").expect_err("send after close");
    log(&format!("{:?}: send_text after close: {err}", engine()));
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    let err = channel.send_bytes(&[1]).expect_err("send after close");
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    let err = within(WAIT_MS, "writable() after close", channel.writable())
        .await?
        .expect_err("writable after close");
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    Ok(())
}

/// Offer/answer where the answer announces `max-message-size: limit` to the offerer.
async fn negotiate_with_limit(pair: &LoopbackPair, limit: u32) {
    let offer = pair.a.create_offer().await.expect("create_offer");
    pair.a
        .set_local_description(&offer)
        .await
        .expect("a: local offer");
    pair.b
        .set_remote_description(&offer)
        .await
        .expect("b: remote offer");
    let answer = pair.b.create_answer().await.expect("create_answer");
    pair.b
        .set_local_description(&answer)
        .await
        .expect("b: local answer");
    let line = format!("a=max-message-size:{limit}");
    let mut sdp: Vec<String> = Vec::new();
    let mut found = false;
    for l in answer.sdp.split("\r\n") {
        if l.starts_with("a=max-message-size:") {
            sdp.push(line.clone());
            found = true;
        } else {
            sdp.push(l.to_owned());
            if l.starts_with("a=sctp-port:") && !answer.sdp.contains("a=max-message-size:") {
                sdp.push(line.clone());
                found = true;
            }
        }
    }
    assert!(found, "the answer has an SCTP section:\n{}", answer.sdp);
    let munged = SessionDescription::answer(sdp.join("\r\n"));
    pair.a
        .set_remote_description(&munged)
        .await
        .expect("a: the answer with a smaller max-message-size");
}

#[wasm_bindgen_test]
async fn an_oversize_message_is_an_error_and_loses_nothing() -> Result<(), TestFailure> {
    const LIMIT: u32 = 65_536;
    let pair = LoopbackPair::new()?;
    let received = std::rc::Rc::new(std::cell::RefCell::new(None));
    let _incoming = {
        let received = received.clone();
        pair.b
            .on_data_channel(move |c| *received.borrow_mut() = Some(c))
    };
    let a = pair
        .a
        .create_data_channel("big", &DataChannelOptions::new())
        .expect("create_data_channel");
    negotiate_with_limit(&pair, LIMIT).await;
    channel_open(&a, WAIT_MS, "a's channel").await?;
    wait_until(WAIT_MS, "b's channel", || received.borrow().is_some()).await?;
    let b = received.borrow_mut().take().expect("b's channel");
    channel_open(&b, WAIT_MS, "b's channel").await?;
    log(&format!(
        "{:?}: maxMessageSize a (remote said {LIMIT}) {:?}, b (browser default) {:?}",
        engine(),
        max_message_size(&pair.a),
        max_message_size(&pair.b)
    ));
    assert_eq!(max_message_size(&pair.a), Some(f64::from(LIMIT)));

    let mut at_b = b.messages();
    let too_big = pattern(LIMIT as usize + 1, 3);
    let err = a
        .send_bytes(&too_big)
        .expect_err("a message over maxMessageSize");
    log(&format!(
        "{:?}: send_bytes of {} bytes: {err}",
        engine(),
        too_big.len()
    ));
    assert_eq!(err.name(), "TypeError", "{err}");
    let text: String = "t".repeat(LIMIT as usize + 1);
    let err = a.send_text(&text).expect_err("a text over maxMessageSize");
    log(&format!(
        "{:?}: send_text of {} bytes: {err}",
        engine(),
        text.len()
    ));
    assert_eq!(err.name(), "TypeError", "{err}");
    assert_eq!(
        a.buffered_amount(),
        0,
        "nothing of the refused messages was queued"
    );

    // The channel is unharmed: a message at the limit goes through.
    let at_limit = pattern(LIMIT as usize, 4);
    a.send_bytes(&at_limit)
        .expect("a message of exactly maxMessageSize");
    let got = within(WAIT_MS, "the message at the limit", at_b.next()).await?;
    assert_eq!(
        got,
        Some(Message::Binary(at_limit)),
        "the next message arrives intact"
    );
    assert_eq!(a.state(), DataChannelState::Open);
    Ok(())
}

#[wasm_bindgen_test]
async fn messages_end_when_the_remote_side_closes_the_channel() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, b) = pair
        .open_channel("ending", &DataChannelOptions::new())
        .await?;
    let mut at_a = a.messages();
    let mut at_b = b.messages();
    a.send_text("last words").expect("send");
    // Chromium can drop what is still buffered at close() (see the next test).
    wait_until(WAIT_MS, "a's buffer to drain", || a.buffered_amount() == 0).await?;
    a.close();
    assert_eq!(
        within(WAIT_MS, "the message sent before close", at_b.next()).await?,
        Some(Message::Text("last words".into())),
        "a message sent before close() is delivered, before the end"
    );
    assert_eq!(
        within(WAIT_MS, "b's stream to end", at_b.next()).await?,
        None
    );
    assert_eq!(
        within(WAIT_MS, "a's stream to end", at_a.next()).await?,
        None
    );
    // A stream made after the close ends at once.
    assert_eq!(
        within(WAIT_MS, "a stream of a closed channel", b.messages().next()).await?,
        None
    );
    Ok(())
}

/// What each browser does with a message still in `bufferedAmount` when `close()` is called
/// (recorded, not asserted: it is the browser's behaviour, not ours).
#[wasm_bindgen_test]
async fn what_close_does_with_a_message_still_buffered() -> Result<(), TestFailure> {
    const RUNS: u32 = 20;
    let mut lost = 0;
    for _ in 0..RUNS {
        let pair = LoopbackPair::new()?;
        let (a, b) = pair
            .open_channel("close-buffered", &DataChannelOptions::new())
            .await?;
        let mut at_b = b.messages();
        a.send_text("last words").expect("send");
        a.close();
        let first = within(WAIT_MS, "b's first item", at_b.next()).await?;
        if first.is_none() {
            lost += 1;
        } else {
            assert_eq!(
                within(WAIT_MS, "b's stream to end", at_b.next()).await?,
                None
            );
        }
    }
    log(&format!(
        "{:?}: a message sent right before close() was lost in {lost} of {RUNS} runs",
        engine()
    ));
    Ok(())
}

#[wasm_bindgen_test]
async fn messages_and_writable_end_when_the_remote_connection_closes() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, _b) = pair
        .open_channel("remote-close", &DataChannelOptions::new())
        .await?;
    let mut at_a = a.messages();
    let started = support::now_ms();
    pair.b.close();
    assert_eq!(
        within(WAIT_MS, "a's stream to end", at_a.next()).await?,
        None
    );
    log(&format!(
        "{:?}: a's channel closed {} ms after the remote connection's close()",
        engine(),
        support::now_ms() - started
    ));
    let err = within(WAIT_MS, "writable()", a.writable())
        .await?
        .expect_err("writable on a closed channel");
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    Ok(())
}

#[wasm_bindgen_test]
async fn a_pending_writable_ends_when_the_local_connection_closes() -> Result<(), TestFailure> {
    // While connecting.
    let pair = LoopbackPair::new()?;
    let channel = pair
        .a
        .create_data_channel("never-open", &DataChannelOptions::new())
        .expect("create_data_channel");
    let mut messages = channel.messages();
    let pending = pending_writable(&channel).await;
    pair.a.close();
    let outcome = within(WAIT_MS, "the future to settle", pending).await.ok();
    log(&format!(
        "{:?}: connecting channel after the local close(): state {:?}, writable {outcome:?}",
        engine(),
        channel.state()
    ));
    assert_closed_ends(outcome, &mut messages).await;

    // While waiting for bufferedamountlow.
    let pair = LoopbackPair::new()?;
    let (a, _b) = pair
        .open_channel("buffered", &DataChannelOptions::new())
        .await?;
    a.set_low_water_mark(0);
    let chunk = pattern(16 * 1024, 9);
    for _ in 0..256 {
        a.send_bytes(&chunk).expect("send");
    }
    let mut messages = a.messages();
    let pending = pending_writable(&a).await;
    pair.a.close();
    let outcome = within(WAIT_MS, "the future to settle", pending).await.ok();
    log(&format!(
        "{:?}: open channel with {} bytes buffered after the local close(): state {:?}, writable {outcome:?}",
        engine(),
        a.buffered_amount(),
        a.state()
    ));
    assert_closed_ends(outcome, &mut messages).await;
    Ok(())
}

/// After the local `close()`: the pending `writable()` ended with `InvalidStateError`, and
/// `messages()` ends (bounded by [`WAIT_MS`]).
async fn assert_closed_ends(
    outcome: Option<Result<(), rtc_peer::Error>>,
    messages: &mut rtc_peer::Messages,
) {
    let err = outcome
        .expect("writable() ended")
        .expect_err("writable on a closed connection");
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    assert_eq!(
        within(WAIT_MS, "the future to settle", messages.next())
            .await
            .ok(),
        Some(None),
        "messages() ended"
    );
}

/// Starts `channel.writable()` in a task of its own and lets it register its listeners; the
/// returned future gives its outcome.
async fn pending_writable(
    channel: &rtc_peer::DataChannel,
) -> impl std::future::Future<Output = Result<(), rtc_peer::Error>> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    let channel = channel.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = sender.send(channel.writable().await);
    });
    support::sleep(0).await;
    async move { receiver.await.expect("the writable() task ran") }
}
