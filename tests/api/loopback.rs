//! A loopback pair in one page: `track` fires once per new remote track, on the other side,
//! during `set_remote_description`, with receiver/transceiver already on the connection; in
//! m-line order; and again for the same receiver when renegotiation brings it back.

use std::cell::Cell;
use std::rc::Rc;

use rtc_peer::{MediaKind, TrackEvent, TransceiverDirection};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use support::{finish_answer, local_offer, same, seen, sleep, wait_until, WAIT_MS};

/// How long to keep watching for a stray extra event after the expected ones arrived.
const QUIET_MS: u32 = 300;

#[wasm_bindgen_test]
async fn add_transceiver_fires_on_track_exactly_once_on_the_other_side() {
    let pair = support::pair();
    let on_b = seen::<TrackEvent>();
    let on_a = seen::<TrackEvent>();
    let (sink_b, sink_a) = (on_b.clone(), on_a.clone());
    let _lb = pair.b.on_track(move |e| sink_b.borrow_mut().push(e));
    let _la = pair.a.on_track(move |e| sink_a.borrow_mut().push(e));

    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "the track event on the answerer", || {
        !on_b.borrow().is_empty()
    })
    .await
    .unwrap();
    sleep(QUIET_MS).await;

    assert_eq!(
        on_b.borrow().len(),
        1,
        "exactly one track event on the answerer"
    );
    assert_eq!(
        on_a.borrow().len(),
        0,
        "the answerer sends nothing (its transceiver answers recvonly), so no track on the offerer"
    );
    assert_eq!(on_b.borrow()[0].kind(), MediaKind::Video);
}

#[wasm_bindgen_test]
async fn event_objects_are_linked_receiver_track_transceiver_and_streams() {
    let (pair, event) = support::video_track_event().await;
    let receiver = event.receiver();
    assert!(
        same(&receiver, &event.transceiver().receiver()),
        "receiver() is transceiver().receiver"
    );
    assert!(
        same(&event.track(), &receiver.track()),
        "track() is receiver.track"
    );
    // A transceiver added without streams is offered with `a=msid:-`: no remote stream.
    // (streams.rs checks non-empty lists.) Every stream listed contains the track.
    assert!(
        event.streams().is_empty(),
        "add_transceiver without streams gives no remote stream in both browsers"
    );
    for stream in event.streams() {
        let tracks = stream.get_tracks();
        assert!(
            tracks.iter().any(|t| same(&t, &event.track())),
            "stream {} contains the event's track",
            stream.id()
        );
    }
    // The same transceiver object is in the answerer's list.
    let transceivers = pair.b.transceivers();
    assert_eq!(transceivers.len(), 1);
    assert!(same(&transceivers[0], &event.transceiver()));
}

#[wasm_bindgen_test]
async fn receiver_and_transceiver_are_on_the_connection_at_callback_time() {
    let pair = support::pair();
    // (receiver in receivers(), transceiver in transceivers()) as seen inside the callback.
    let checks = seen::<(bool, bool)>();
    let sink = checks.clone();
    let b = pair.b.clone();
    let _l = pair.b.on_track(move |e| {
        let receiver = e.receiver();
        let transceiver = e.transceiver();
        let has_receiver = b.receivers().iter().any(|r| same(r, &receiver));
        let has_transceiver = b.transceivers().iter().any(|t| same(t, &transceiver));
        sink.borrow_mut().push((has_receiver, has_transceiver));
    });
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "one track event", || checks.borrow().len() == 1)
        .await
        .unwrap();
    assert_eq!(
        checks.borrow()[0],
        (true, true),
        "(receiver in getReceivers(), transceiver in getTransceivers()) at callback time"
    );
}

#[wasm_bindgen_test]
async fn on_track_has_run_before_set_remote_description_returns() {
    let pair = support::pair();
    let count = Rc::new(Cell::new(0u32));
    let counter = count.clone();
    let _l = pair.b.on_track(move |_| counter.set(counter.get() + 1));
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    let offer = local_offer(&pair.a).await;
    assert_eq!(count.get(), 0, "nothing fires before the offer is applied");
    support::settled(
        "pair.b.set_remote_description",
        pair.b.set_remote_description(&offer),
    )
    .await
    .expect("set_remote_description(offer)");
    // No sleep, no wait: the event fired inside setRemoteDescription.
    assert_eq!(
        count.get(),
        1,
        "on_track ran before set_remote_description(..).await returned"
    );
    finish_answer(&pair.a, &pair.b).await;
}

#[wasm_bindgen_test]
async fn a_listener_registered_after_set_remote_description_misses_the_event() {
    let pair = support::pair();
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    let offer = local_offer(&pair.a).await;
    support::settled(
        "pair.b.set_remote_description",
        pair.b.set_remote_description(&offer),
    )
    .await
    .expect("set_remote_description(offer)");
    let count = Rc::new(Cell::new(0u32));
    let counter = count.clone();
    let _late = pair.b.on_track(move |_| counter.set(counter.get() + 1));
    finish_answer(&pair.a, &pair.b).await;
    sleep(QUIET_MS).await;
    assert_eq!(
        count.get(),
        0,
        "the event fired before the listener existed"
    );
    assert_eq!(
        pair.b.receivers().len(),
        1,
        "the receiver is there all the same"
    );
}

#[wasm_bindgen_test]
async fn four_transceivers_give_four_events_in_m_line_order() {
    let pair = support::pair();
    let got = seen::<TrackEvent>();
    let sink = got.clone();
    let _l = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    let kinds = [
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Audio,
        MediaKind::Video,
    ];
    for kind in kinds {
        pair.a
            .add_transceiver(kind, TransceiverDirection::SendOnly)
            .expect("add_transceiver");
    }
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "four track events", || got.borrow().len() >= 4)
        .await
        .unwrap();
    sleep(QUIET_MS).await;

    let got = got.borrow();
    assert_eq!(got.len(), 4, "one event per transceiver");
    let remote = pair.b.transceivers();
    let local = pair.a.transceivers();
    assert_eq!(remote.len(), 4);
    for (i, event) in got.iter().enumerate() {
        assert_eq!(
            event.kind(),
            kinds[i],
            "event {i} has the kind of m-line {i}"
        );
        assert!(
            same(&event.transceiver(), &remote[i]),
            "event {i} belongs to the answerer's transceiver {i}"
        );
        assert_eq!(
            event.mid(),
            local[i].mid(),
            "event {i} carries the mid of the offerer's m-line {i}"
        );
    }
}

fn set_direction(transceiver: &web_sys::RtcRtpTransceiver, direction: &str) {
    js_sys::Reflect::set(
        transceiver,
        &JsValue::from_str("direction"),
        &JsValue::from_str(direction),
    )
    .expect("set transceiver.direction");
}

/// No state may assume one event per transceiver: taking a sending transceiver to `inactive`
/// and back to `sendrecv` fires `track` a second time for the same receiver.
#[wasm_bindgen_test]
async fn renegotiation_fires_track_again_for_the_same_receiver() {
    let pair = support::pair();
    let got = seen::<TrackEvent>();
    let sink = got.clone();
    let _l = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    let transceiver = pair
        .a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "the first track event", || got.borrow().len() == 1)
        .await
        .unwrap();

    set_direction(&transceiver, "inactive");
    pair.negotiate().await.unwrap();
    sleep(QUIET_MS).await;
    assert_eq!(got.borrow().len(), 1, "going inactive fires no track event");

    set_direction(&transceiver, "sendrecv");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "the second track event", || {
        got.borrow().len() == 2
    })
    .await
    .unwrap();
    sleep(QUIET_MS).await;

    let got = got.borrow();
    assert_eq!(got.len(), 2, "two events in all for one transceiver");
    assert_ne!(got[0], got[1], "two distinct event objects");
    assert!(
        same(&got[0].receiver(), &got[1].receiver()),
        "the second event is for the same receiver"
    );
    assert!(same(&got[0].transceiver(), &got[1].transceiver()));
    assert_eq!(
        pair.b.transceivers().len(),
        1,
        "no new transceiver was made"
    );
}
