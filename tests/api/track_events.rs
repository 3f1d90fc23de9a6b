//! `track_events()`: a `Stream` of the same `track` events `on_track` sees, in the same order,
//! buffered from creation, that removes its listener when dropped.

use rtc_peer::{MediaKind, TrackEvent, TransceiverDirection};
use wasm_bindgen_test::*;

use support::{
    fire_track_event, next_within, record_removals, same, seen, sleep, wait_until, ConsoleCapture,
    WAIT_MS,
};

#[wasm_bindgen_test]
async fn yields_the_same_events_as_on_track_in_order() {
    let pair = support::pair();
    let mut events = pair.b.track_events();
    let via_callback = seen::<TrackEvent>();
    let sink = via_callback.clone();
    let _l = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    for kind in [MediaKind::Audio, MediaKind::Video, MediaKind::Video] {
        pair.a
            .add_transceiver(kind, TransceiverDirection::SendOnly)
            .unwrap();
    }
    pair.negotiate().await.unwrap();

    let mut from_stream = Vec::new();
    for i in 0..3 {
        let what = format!("track event {i} from the stream");
        from_stream.push(
            next_within(&mut events, WAIT_MS, &what)
                .await
                .expect("not ended"),
        );
    }
    wait_until(WAIT_MS, "three callback events", || {
        via_callback.borrow().len() == 3
    })
    .await
    .unwrap();
    let via_callback = via_callback.borrow();
    for (i, (a, b)) in from_stream.iter().zip(via_callback.iter()).enumerate() {
        assert_eq!(a, b, "event {i} is the same JS event object in both");
        assert!(
            same(&a.transceiver(), &pair.b.transceivers()[i]),
            "event {i} in m-line order"
        );
    }
    let kinds: Vec<MediaKind> = from_stream.iter().map(TrackEvent::kind).collect();
    assert_eq!(
        kinds,
        [MediaKind::Audio, MediaKind::Video, MediaKind::Video]
    );
}

#[wasm_bindgen_test]
async fn buffers_events_fired_before_the_first_poll() {
    let pair = support::pair();
    let mut events = pair.b.track_events();
    let fired: Vec<TrackEvent> = (0..3).map(|_| fire_track_event(&pair.b)).collect();
    for (i, expected) in fired.iter().enumerate() {
        let got = next_within(&mut events, WAIT_MS, "a buffered event")
            .await
            .expect("not ended");
        assert_eq!(&got, expected, "buffered event {i} in firing order");
    }
}

#[wasm_bindgen_test]
async fn dropping_the_stream_removes_its_listener() {
    let capture = ConsoleCapture::start();
    let pair = support::pair();
    let removed = record_removals(pair.b.as_raw());
    let mut events = pair.b.track_events();
    fire_track_event(&pair.b);
    next_within(&mut events, WAIT_MS, "the first event").await;
    assert_eq!(
        removed.length(),
        0,
        "nothing removed while the stream lives"
    );

    drop(events);
    let types: Vec<String> = removed.iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(types, ["track"], "drop removed exactly the track listener");

    // Events after the drop reach no freed closure, real or constructed.
    fire_track_event(&pair.b);
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pair.negotiate().await.unwrap();
    sleep(300).await;
    capture.assert_no_closure_error();
}

#[wasm_bindgen_test]
async fn a_new_stream_sees_only_events_after_its_creation() {
    let pair = support::pair();
    let old = pair.b.track_events();
    fire_track_event(&pair.b);
    drop(old);
    let mut fresh = pair.b.track_events();
    let later = fire_track_event(&pair.b);
    let got = next_within(&mut fresh, WAIT_MS, "the event after creation")
        .await
        .expect("not ended");
    assert_eq!(
        got, later,
        "the first item is the event fired after creation"
    );
}
