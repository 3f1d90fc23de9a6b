//! The streams of a remote track: `add_track` with 0, 1 and 2 local streams gives `streams()`
//! of length 0, 1 and 2 whose ids are the local stream ids in order (stream ids travel in the
//! SDP's `a=msid` lines; track ids are not compared), and two tracks of one stream arrive in
//! the very same remote `MediaStream` object.

use rtc_peer::TrackEvent;
use wasm_bindgen_test::*;
use web_sys::MediaStream;

use support::{new_stream, same, seen, sleep, wait_until, CanvasSource, LoopbackPair, WAIT_MS};

/// Sends one canvas track from `a` to `b` in `streams` and returns `b`'s one track event.
async fn send_in(streams: &[&MediaStream]) -> (LoopbackPair, CanvasSource, TrackEvent) {
    let pair = support::pair();
    let source = support::canvas();
    let got = seen::<TrackEvent>();
    let sink = got.clone();
    let listener = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    pair.a
        .add_track(source.track(), streams)
        .expect("add_track");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "the track event", || !got.borrow().is_empty())
        .await
        .unwrap();
    sleep(200).await;
    drop(listener);
    let got = got.borrow();
    assert_eq!(got.len(), 1, "one track event for one added track");
    let event = got[0].clone();
    (pair, source, event)
}

fn assert_every_stream_has_the_track(event: &TrackEvent) {
    for stream in event.streams() {
        assert!(
            stream.get_tracks().iter().any(|t| same(&t, &event.track())),
            "remote stream {} contains the event's track",
            stream.id()
        );
    }
}

#[wasm_bindgen_test]
async fn add_track_with_no_stream_gives_no_stream() {
    let (_pair, _source, event) = send_in(&[]).await;
    assert_eq!(event.streams().len(), 0, "a=msid:- gives an empty list");
    assert!(event.first_stream().is_none());
}

#[wasm_bindgen_test]
async fn add_track_with_one_stream_gives_one_stream_with_its_id() {
    let local = new_stream();
    let (_pair, _source, event) = send_in(&[&local]).await;
    let streams = event.streams();
    assert_eq!(streams.len(), 1);
    assert_eq!(
        streams[0].id(),
        local.id(),
        "the stream id travels in a=msid"
    );
    let first = event.first_stream().expect("first_stream");
    assert!(same(&first, &streams[0]));
    assert!(
        !same(&first, &local),
        "the remote stream is a new object on the other side"
    );
    assert_every_stream_has_the_track(&event);
}

#[wasm_bindgen_test]
async fn add_track_with_two_streams_gives_both_ids_in_order() {
    let s1 = new_stream();
    let s2 = new_stream();
    let (_pair, _source, event) = send_in(&[&s1, &s2]).await;
    let ids: Vec<String> = event.streams().iter().map(MediaStream::id).collect();
    assert_eq!(
        ids,
        vec![s1.id(), s2.id()],
        "remote stream ids in the local order"
    );
    assert_eq!(
        event.first_stream().map(|s| s.id()),
        Some(s1.id()),
        "first_stream is the first stream given to add_track"
    );
    assert_every_stream_has_the_track(&event);
}

#[wasm_bindgen_test]
async fn two_tracks_of_one_stream_arrive_in_the_same_remote_stream_object() {
    let pair = support::pair();
    let one = support::canvas();
    let two = support::canvas();
    let local = new_stream();
    let got = seen::<TrackEvent>();
    let sink = got.clone();
    let _l = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    pair.a
        .add_track(one.track(), &[&local])
        .expect("add_track one");
    pair.a
        .add_track(two.track(), &[&local])
        .expect("add_track two");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "two track events", || got.borrow().len() >= 2)
        .await
        .unwrap();
    sleep(200).await;

    let got = got.borrow();
    assert_eq!(got.len(), 2);
    let first = got[0].first_stream().expect("the first track's stream");
    let second = got[1].first_stream().expect("the second track's stream");
    assert!(
        same(&first, &second),
        "both events carry the same remote MediaStream object"
    );
    assert_eq!(first.id(), local.id());
    assert!(
        !same(&got[0].track(), &got[1].track()),
        "two distinct tracks"
    );
    let tracks = first.get_tracks();
    assert_eq!(
        tracks.length(),
        2,
        "the remote stream ends up holding both tracks"
    );
    for event in got.iter() {
        assert!(tracks.iter().any(|t| same(&t, &event.track())));
    }
}

#[wasm_bindgen_test]
async fn streams_of_different_tracks_are_different_objects() {
    let pair = support::pair();
    let one = support::canvas();
    let two = support::canvas();
    let (s1, s2) = (new_stream(), new_stream());
    let got = seen::<TrackEvent>();
    let sink = got.clone();
    let _l = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    pair.a
        .add_track(one.track(), &[&s1])
        .expect("add_track one");
    pair.a
        .add_track(two.track(), &[&s2])
        .expect("add_track two");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "two track events", || got.borrow().len() >= 2)
        .await
        .unwrap();

    let got = got.borrow();
    let first = got[0].first_stream().expect("stream of track one");
    let second = got[1].first_stream().expect("stream of track two");
    assert!(!same(&first, &second));
    assert_eq!((first.id(), second.id()), (s1.id(), s2.id()));
}

/// A trap when comparing by identity: web-sys gives `MediaStream` and `MediaStreamTrack` an
/// inherent `clone()` that is the JS `clone()` (a new object with a new id), which shadows
/// `Clone::clone`. Copy the handle with `JsValue::from(&x)` or `Clone::clone(&x)` instead.
#[wasm_bindgen_test]
fn inherent_clone_on_media_objects_makes_a_new_js_object() {
    let source = support::canvas();
    let track = source.track();
    let js_clone = track.clone();
    assert!(
        !same(&js_clone, track),
        "track.clone() is MediaStreamTrack.clone()"
    );
    assert_ne!(js_clone.id(), track.id());
    js_clone.stop();
    let handle = Clone::clone(track);
    assert!(same(&handle, track), "Clone::clone copies the handle");

    let stream = new_stream();
    assert!(
        !same(&stream.clone(), &stream),
        "stream.clone() is MediaStream.clone()"
    );
    assert!(same(&Clone::clone(&stream), &stream));
}
