//! `TrackEvent`: the constructor keeps the very JS objects it is given, streams come back in
//! order, and a browser-fired `track` event neither bubbles nor is cancelable.

use rtc_peer::{MediaKind, PeerConnection, TrackEvent, TransceiverDirection};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use support::{same, seen};

/// A receiving transceiver and its receiver and track, from a fresh connection.
fn parts() -> (
    PeerConnection,
    web_sys::RtcRtpTransceiver,
    web_sys::RtcRtpReceiver,
    web_sys::MediaStreamTrack,
) {
    let pc = PeerConnection::new().expect("a PeerConnection");
    let transceiver = pc
        .add_transceiver(MediaKind::Video, TransceiverDirection::RecvOnly)
        .expect("add_transceiver");
    let receiver = transceiver.receiver();
    let track = receiver.track();
    (pc, transceiver, receiver, track)
}

#[wasm_bindgen_test]
fn new_returns_the_same_js_objects_it_was_given() {
    let (pc, transceiver, receiver, track) = parts();
    let event = TrackEvent::new(&receiver, &track, &transceiver, &[]).expect("TrackEvent::new");

    assert!(same(&event.receiver(), &receiver));
    assert!(same(&event.track(), &track));
    assert!(same(&event.transceiver(), &transceiver));
    // JsValue equality (===) agrees with Object.is for objects.
    assert_eq!(
        JsValue::from(event.receiver()),
        JsValue::from(receiver.clone())
    );
    assert_eq!(JsValue::from(event.track()), JsValue::from(track));
    assert_eq!(
        JsValue::from(event.transceiver()),
        JsValue::from(transceiver)
    );
    assert_eq!(event.kind(), MediaKind::Video);
    pc.close();
}

#[wasm_bindgen_test]
fn new_with_no_stream_gives_empty_streams_and_no_first_stream() {
    let (pc, transceiver, receiver, track) = parts();
    let event = TrackEvent::new(&receiver, &track, &transceiver, &[]).expect("TrackEvent::new");
    assert!(event.streams().is_empty());
    assert!(event.first_stream().is_none());
    pc.close();
}

#[wasm_bindgen_test]
fn new_with_one_stream_gives_that_stream() {
    let (pc, transceiver, receiver, track) = parts();
    let s1 = support::new_stream();
    let event = TrackEvent::new(&receiver, &track, &transceiver, &[&s1]).expect("TrackEvent::new");
    let streams = event.streams();
    assert_eq!(streams.len(), 1);
    assert!(same(&streams[0], &s1));
    let first = event.first_stream().expect("first_stream with one stream");
    assert!(same(&first, &s1));
    pc.close();
}

#[wasm_bindgen_test]
fn new_with_two_streams_keeps_their_order() {
    let (pc, transceiver, receiver, track) = parts();
    let s1 = support::new_stream();
    let s2 = support::new_stream();
    let event =
        TrackEvent::new(&receiver, &track, &transceiver, &[&s1, &s2]).expect("TrackEvent::new");
    let streams = event.streams();
    assert_eq!(streams.len(), 2);
    assert!(same(&streams[0], &s1));
    assert!(same(&streams[1], &s2));
    let first = event.first_stream().expect("first_stream with two streams");
    assert!(same(&first, &s1));

    // And the reverse order comes back reversed: order is the caller's, not creation order.
    let event =
        TrackEvent::new(&receiver, &track, &transceiver, &[&s2, &s1]).expect("TrackEvent::new");
    let streams = event.streams();
    assert!(same(&streams[0], &s2));
    assert!(same(&streams[1], &s1));
    pc.close();
}

#[wasm_bindgen_test]
fn constructed_event_has_type_track() {
    let (pc, transceiver, receiver, track) = parts();
    let event = TrackEvent::new(&receiver, &track, &transceiver, &[]).expect("TrackEvent::new");
    assert_eq!(event.as_raw().type_(), "track");
    // The spec's constructor defaults: not bubbling, not cancelable, not trusted.
    assert!(!event.as_raw().bubbles());
    assert!(!event.as_raw().cancelable());
    assert!(!event.as_raw().is_trusted());
    pc.close();
}

#[wasm_bindgen_test]
fn constructed_event_is_delivered_to_on_track_as_the_same_object() {
    let (pc, transceiver, receiver, track) = parts();
    let event = TrackEvent::new(&receiver, &track, &transceiver, &[]).expect("TrackEvent::new");
    let got = seen();
    let sink = got.clone();
    let _listener = pc.on_track(move |e| sink.borrow_mut().push(e));
    pc.as_raw()
        .dispatch_event(event.as_raw())
        .expect("dispatchEvent");
    let got = got.borrow();
    assert_eq!(got.len(), 1, "dispatchEvent calls listeners synchronously");
    assert_eq!(got[0], event, "TrackEvent equality is JS identity");
    pc.close();
}

/// MDN's page for the `track` event says it bubbles; Chromium and Firefox both fire it with
/// `bubbles == false` and `cancelable == false` (the spec's plain "fire an event").
#[wasm_bindgen_test]
async fn browser_fired_track_event_does_not_bubble_and_is_not_cancelable() {
    let (_pair, event) = support::video_track_event().await;
    let raw = event.as_raw();
    assert_eq!(raw.type_(), "track");
    assert!(raw.is_trusted(), "fired by the browser");
    assert!(
        !raw.bubbles(),
        "a browser-fired track event does not bubble"
    );
    assert!(
        !raw.cancelable(),
        "a browser-fired track event is not cancelable"
    );
    assert_eq!(event.kind(), MediaKind::Video);
    assert!(event.mid().is_some(), "a negotiated transceiver has a mid");
}
