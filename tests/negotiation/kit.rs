//! The kit's negotiated pair and what it is made of: the seeded signalling channel (in order,
//! or reordering; the same seed, the same deliveries), the pair itself carrying video between
//! two negotiators, and the failure messages of its waits.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::testing::{
    frames_grow, wait_until, wait_until_with, CanvasSource, Colour, LoopbackPair, SignalChannel,
    SignalDelay, TrackLog,
};
use wasm_bindgen_test::wasm_bindgen_test;

const MESSAGES: usize = 40;

/// The order in which `MESSAGES` numbered messages sent at once arrive through a channel.
async fn arrival_order(seed: u64, delay: SignalDelay) -> Vec<usize> {
    let channel = SignalChannel::new(seed, delay);
    let arrived: Rc<RefCell<Vec<usize>>> = Rc::default();
    {
        let arrived = Rc::clone(&arrived);
        channel.connect(move |text| arrived.borrow_mut().push(text.parse().unwrap()));
    }
    for n in 0..MESSAGES {
        channel.send(n.to_string());
    }
    assert_eq!(
        channel.in_flight(),
        MESSAGES,
        "nothing is delivered at once"
    );
    wait_until(5_000, "every message arrives", || {
        arrived.borrow().len() == MESSAGES
    })
    .await
    .unwrap();
    assert_eq!(channel.in_flight(), 0);
    assert_eq!(channel.log().len(), MESSAGES);
    let order = arrived.borrow().clone();
    order
}

#[wasm_bindgen_test]
async fn the_signal_channel_keeps_the_order_unless_asked_to_reorder() {
    let in_order = arrival_order(7, SignalDelay::up_to(30)).await;
    assert_eq!(in_order, (0..MESSAGES).collect::<Vec<_>>(), "in order");
    let shuffled = arrival_order(7, SignalDelay::up_to(60).reordering()).await;
    assert_ne!(
        shuffled,
        (0..MESSAGES).collect::<Vec<_>>(),
        "some overtook others"
    );
    let mut sorted = shuffled.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..MESSAGES).collect::<Vec<_>>(),
        "none lost, none twice"
    );
}

#[wasm_bindgen_test]
async fn messages_sent_before_connect_wait_for_it() {
    let channel = SignalChannel::new(1, SignalDelay::up_to(5));
    channel.send("early".into());
    rtc_peer::testing::sleep(50).await;
    assert_eq!(channel.in_flight(), 1, "held, not lost");
    let got: Rc<RefCell<Vec<String>>> = Rc::default();
    {
        let got = Rc::clone(&got);
        channel.connect(move |text| got.borrow_mut().push(text));
    }
    assert_eq!(*got.borrow(), ["early"]);
    assert_eq!(channel.in_flight(), 0);
}

#[wasm_bindgen_test]
async fn a_negotiated_pair_carries_video_between_two_negotiators() {
    let call = LoopbackPair::negotiated(42).unwrap();
    let at_impolite = TrackLog::on(call.impolite.pc());
    let camera = CanvasSource::new(160, 120, Colour::rgb(0, 120, 0)).unwrap();
    call.polite
        .pc()
        .add_track(camera.track(), &[camera.stream()])
        .unwrap();
    call.settle(
        crate::WAIT_MS,
        "a track event on the impolite side",
        |call| call.impolite.track_events().len() == 1,
    )
    .await
    .unwrap();
    call.connected(crate::WAIT_MS).await.unwrap();
    assert_eq!(at_impolite.len(), 1, "the TrackLog saw the same event");
    let event = at_impolite.nth(1, 1_000).await.unwrap();
    assert_eq!(
        event.first_stream().map(|s| s.id()),
        Some(camera.stream().id())
    );
    frames_grow(call.impolite.pc(), 0, crate::WAIT_MS, "video")
        .await
        .unwrap();
    assert!(
        !call.to_impolite.log().is_empty(),
        "the offer went through the channel"
    );
    call.no_errors("the call").unwrap();
}

#[wasm_bindgen_test]
async fn the_negotiated_pair_and_its_waits_fail_with_what_they_saw() {
    let call = LoopbackPair::negotiated(3).unwrap();
    let failure = call
        .settle(100, "a track that never comes", |call| {
            !call.polite.track_events().is_empty()
        })
        .await
        .unwrap_err();
    assert!(
        failure
            .message()
            .starts_with("timed out after 100 ms waiting until: a track that never comes (polite "),
        "{failure}"
    );
    let log = TrackLog::on(call.polite.pc());
    let failure = log.nth(1, 50).await.unwrap_err();
    assert_eq!(
        failure.message(),
        "timed out after 50 ms waiting until: track event 1 (0 so far)"
    );
    let failure = frames_grow(call.polite.pc(), 0, 100, "no video")
        .await
        .unwrap_err();
    assert_eq!(
        failure.message(),
        "no video: framesDecoded stayed at 0 (not above 0) for 100 ms"
    );
    let failure = wait_until_with(50, "never", || false, || "the reading".into())
        .await
        .unwrap_err();
    assert_eq!(
        failure.message(),
        "timed out after 50 ms waiting until: never (the reading)"
    );
}
