//! Interop with simple-peer (9.11.1 from npm, unmodified, its published browser bundle): one
//! peer is simple-peer, the other rtc-peer, in one page, signalling passed directly (trickle
//! ICE on: simple-peer's `{type: 'offer'|'answer', sdp}` and `{type: 'candidate', candidate}`
//! messages are applied through rtc-peer's typed API, rtc-peer's candidates go back through
//! `peer.signal()`).
//!
//! Needs `tests/interop/node_modules` (`cargo xtask setup` runs `npm ci` there); see
//! `tests/support/src/interop.rs`.

use std::rc::Rc;

use rtc_peer::{attach_stream, MediaKind, PeerConnection};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use support::interop::{Bridge, SimplePeer};
use support::turn::assert_video_flows;
use support::{muted_video, wait_until, within, WAIT_MS};

use crate::show_remote::show_remote;

/// Fails with everything both sides reported.
fn state(sp: &SimplePeer, bridge: &Bridge, rtc: &PeerConnection) -> String {
    format!(
        "rtc-peer {rtc:?}; simple-peer sent {:?}; bridge errors {:?}; simple-peer errors {:?}; \
         simple-peer saw {} track / {} stream events",
        bridge.received.borrow(),
        bridge.errors.borrow(),
        sp.errors.borrow(),
        sp.tracks.borrow().len(),
        sp.streams.borrow().len(),
    )
}

fn assert_clean(sp: &SimplePeer, bridge: &Bridge) {
    assert!(
        bridge.errors.borrow().is_empty(),
        "rtc-peer refused simple-peer's signalling: {:?}",
        bridge.errors.borrow()
    );
    assert!(
        sp.errors.borrow().is_empty(),
        "simple-peer emitted errors: {:?}",
        sp.errors.borrow()
    );
}

#[wasm_bindgen_test]
async fn simple_peer_canvas_video_reaches_rtc_peer_on_track() {
    let source = support::canvas();
    let sp = Rc::new(SimplePeer::new(true, &[source.stream()]));
    let rtc = PeerConnection::new().expect("a PeerConnection");
    let video = muted_video();
    let (events, attached, _on_track) = show_remote(&rtc, &video);
    let bridge = Bridge::start(&sp, &rtc);

    wait_until(WAIT_MS, "rtc-peer on_track for simple-peer's video", || {
        !events.borrow().is_empty()
    })
    .await
    .unwrap();
    {
        let events = events.borrow();
        let event = &events[0];
        assert_eq!(event.kind(), MediaKind::Video);
        assert_eq!(
            event.first_stream().map(|s| s.id()),
            Some(source.stream().id()),
            "the remote stream carries simple-peer's stream id"
        );
        assert!(
            rtc.receivers().iter().any(|r| r == &event.receiver()),
            "the event's receiver is one of rtc-peer's receivers"
        );
    }
    wait_until(
        WAIT_MS,
        "simple-peer's data channel opens (`connect`)",
        || sp.connects.get() > 0,
    )
    .await
    .unwrap();
    assert_video_flows(&rtc, &video, "simple-peer → rtc-peer").await;
    assert!(
        matches!(*attached.borrow(), Some(Ok(_))),
        "attach_stream(first_stream): {:?}; {}",
        attached.borrow(),
        state(&sp, &bridge, &rtc)
    );
    assert_eq!(
        bridge.received.borrow().first().map(String::as_str),
        Some("offer"),
        "simple-peer (initiator) opened with an offer"
    );
    assert_clean(&sp, &bridge);

    drop(bridge);
    rtc.close();
    video.remove();
}

#[wasm_bindgen_test]
async fn rtc_peer_track_fires_simple_peer_track_and_stream_events() {
    let source = support::canvas();
    let sp = Rc::new(SimplePeer::new(false, &[]));
    let rtc = PeerConnection::new().expect("a PeerConnection");
    rtc.add_track(source.track(), &[source.stream()])
        .expect("add_track");
    let bridge = Bridge::start(&sp, &rtc);

    let offer = within(10_000, "rtc.create_offer", rtc.create_offer())
        .await
        .expect("the wait is bounded")
        .expect("create_offer");
    within(
        10_000,
        "rtc.set_local_description",
        rtc.set_local_description(&offer),
    )
    .await
    .expect("the wait is bounded")
    .expect("set_local_description(offer)");
    sp.signal(&offer.to_js());

    wait_until(
        WAIT_MS,
        "simple-peer's `track` and `stream` events for rtc-peer's track",
        || !sp.tracks.borrow().is_empty() && !sp.streams.borrow().is_empty(),
    )
    .await
    .unwrap();
    let want = source.stream().id();
    {
        let tracks = sp.tracks.borrow();
        let (track, stream) = &tracks[0];
        assert_eq!(track.kind(), "video");
        assert_eq!(stream.id(), want, "`track` event's stream id");
        let streams = sp.streams.borrow();
        assert_eq!(streams[0].id(), want, "`stream` event's stream id");
        assert!(
            js_sys::Object::is(&streams[0], stream),
            "`stream` hands over the same MediaStream as `track`"
        );
    }

    let video = muted_video();
    let stream = sp.streams.borrow()[0].clone();
    let played = attach_stream(video.unchecked_ref(), &stream).await;
    assert!(
        played.is_ok(),
        "play simple-peer's remote stream: {played:?}"
    );
    wait_until(WAIT_MS, "rtc-peer connected to simple-peer", || {
        rtc.connection_state() == rtc_peer::PeerConnectionState::Connected
    })
    .await
    .unwrap();
    assert_video_flows(sp.connection(), &video, "rtc-peer → simple-peer").await;
    assert_eq!(
        bridge.received.borrow().first().map(String::as_str),
        Some("answer"),
        "simple-peer (not initiator) answered rtc-peer's offer: {}",
        state(&sp, &bridge, &rtc)
    );
    assert_clean(&sp, &bridge);

    drop(bridge);
    rtc.close();
    video.remove();
}

#[wasm_bindgen_test]
async fn both_directions_in_one_call() {
    let from_sp = support::canvas();
    let from_rtc = support::canvas();
    assert_ne!(from_sp.stream().id(), from_rtc.stream().id());
    let sp = Rc::new(SimplePeer::new(true, &[from_sp.stream()]));
    let rtc = PeerConnection::new().expect("a PeerConnection");
    // Added before simple-peer's offer arrives: set_remote_description pairs it with the
    // offered video m-line, so the answer sends it back on the same transceiver.
    rtc.add_track(from_rtc.track(), &[from_rtc.stream()])
        .expect("add_track");
    let rtc_video = muted_video();
    let (events, attached, _on_track) = show_remote(&rtc, &rtc_video);
    let bridge = Bridge::start(&sp, &rtc);

    wait_until(
        WAIT_MS,
        "rtc-peer on_track and simple-peer track + stream events",
        || {
            !events.borrow().is_empty()
                && !sp.tracks.borrow().is_empty()
                && !sp.streams.borrow().is_empty()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        events.borrow()[0].first_stream().map(|s| s.id()),
        Some(from_sp.stream().id()),
        "rtc-peer receives simple-peer's stream"
    );
    assert_eq!(
        sp.tracks.borrow()[0].1.id(),
        from_rtc.stream().id(),
        "simple-peer's `track` names rtc-peer's stream"
    );
    assert_eq!(
        sp.streams.borrow()[0].id(),
        from_rtc.stream().id(),
        "simple-peer's `stream` names rtc-peer's stream"
    );

    let sp_video = muted_video();
    let stream = sp.streams.borrow()[0].clone();
    let played = attach_stream(sp_video.unchecked_ref(), &stream).await;
    assert!(
        played.is_ok(),
        "play simple-peer's remote stream: {played:?}"
    );
    assert_video_flows(&rtc, &rtc_video, "simple-peer → rtc-peer (both ways)").await;
    assert_video_flows(
        sp.connection(),
        &sp_video,
        "rtc-peer → simple-peer (both ways)",
    )
    .await;
    assert!(
        matches!(*attached.borrow(), Some(Ok(_))),
        "attach_stream(first_stream): {:?}",
        attached.borrow()
    );
    assert_eq!(
        rtc.transceivers().len(),
        1,
        "rtc-peer's add_track transceiver was paired with simple-peer's offered video m-line \
         (one transceiver, both directions): {}",
        state(&sp, &bridge, &rtc)
    );
    assert_clean(&sp, &bridge);

    drop(bridge);
    rtc.close();
    rtc_video.remove();
    sp_video.remove();
}
