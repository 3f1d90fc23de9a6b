//! The testing kit itself (`rtc_peer::testing`): each check passes on the real thing and fails,
//! with its documented message, when what it checks is absent.

use std::future::pending;

use rtc_peer::testing::{
    media_flows_within, pixel_colour, sleep, wait_until, within, CanvasSource, Colour,
    ListenerCount, LoopbackPair, ToneSource,
};
use rtc_peer::{attach_stream, MediaKind, PeerConnectionState, TrackEvent};
use support::{muted_video, seen, WAIT_MS};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlMediaElement, HtmlVideoElement};

const RED: Colour = Colour::rgb(220, 30, 30);
const BLUE: Colour = Colour::rgb(30, 30, 220);
/// How far a decoded colour may drift from the painted one (codec and colour-space rounding).
const TOLERANCE: u8 = 40;

#[wasm_bindgen_test]
async fn within_and_wait_until_fail_with_what_they_waited_for() {
    let failure = within(50, "a future that never ends", pending::<()>())
        .await
        .unwrap_err();
    assert_eq!(
        failure.message(),
        "timed out after 50 ms waiting for: a future that never ends"
    );
    assert_eq!(within(1_000, "ready", async { 7 }).await.unwrap(), 7);
    let failure = wait_until(50, "never", || false).await.unwrap_err();
    assert_eq!(
        failure.message(),
        "timed out after 50 ms waiting until: never"
    );
    wait_until(1_000, "at once", || true).await.unwrap();
}

#[wasm_bindgen_test]
async fn loopback_pair_connect_gives_two_connected_connections() {
    let pair = LoopbackPair::connect().await.unwrap();
    assert_eq!(pair.a.connection_state(), PeerConnectionState::Connected);
    assert_eq!(pair.b.connection_state(), PeerConnectionState::Connected);
    assert!(
        pair.gathered_by_a().iter().flatten().next().is_some(),
        "a gathered candidates: {:?}",
        pair.gathered_by_a()
    );
    assert!(
        pair.candidate_errors().is_empty(),
        "{:?}",
        pair.candidate_errors()
    );
}

/// Sends `source` from a new pair's `a` and plays what `b` receives in a new `<video>`.
async fn play_remote(source: &CanvasSource) -> (LoopbackPair, HtmlVideoElement) {
    let pair = LoopbackPair::new().unwrap();
    pair.a
        .add_track(source.track(), &[source.stream()])
        .unwrap();
    let events = seen::<TrackEvent>();
    let sink = events.clone();
    let _on_track = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    pair.negotiate().await.unwrap();
    pair.connected(WAIT_MS).await.unwrap();
    let stream = events.borrow()[0]
        .first_stream()
        .expect("the remote stream");
    let video = muted_video();
    let media: &HtmlMediaElement = video.unchecked_ref();
    within(WAIT_MS, "attach_stream", attach_stream(media, &stream))
        .await
        .unwrap()
        .unwrap();
    (pair, video)
}

#[wasm_bindgen_test]
async fn media_flows_and_pixel_colour_tell_two_sources_apart() {
    let red = CanvasSource::new(160, 120, RED).unwrap();
    let blue = CanvasSource::new(160, 120, BLUE).unwrap();
    let (_red_pair, red_video) = play_remote(&red).await;
    let (_blue_pair, blue_video) = play_remote(&blue).await;
    for (video, sent, other) in [(&red_video, RED, BLUE), (&blue_video, BLUE, RED)] {
        media_flows_within(WAIT_MS, video).await.unwrap();
        assert_eq!((video.video_width(), video.video_height()), (160, 120));
        let seen = pixel_colour(video).unwrap();
        assert!(
            seen.is_near(sent, TOLERANCE) && !seen.is_near(other, TOLERANCE),
            "sent {sent}, the remote centre is {seen}"
        );
    }
    red_video.remove();
    blue_video.remove();
}

#[wasm_bindgen_test]
async fn media_flows_and_pixel_colour_fail_on_a_video_without_frames() {
    let video = muted_video();
    let failure = media_flows_within(300, &video).await.unwrap_err();
    assert!(
        failure
            .message()
            .starts_with("no remote frame within 300 ms (videoWidth 0"),
        "{failure}"
    );
    let failure = pixel_colour(&video).unwrap_err();
    assert!(failure.message().contains("videoWidth 0"), "{failure}");

    // Frames that stop: the sending side closes after the first frames arrived (a stopped
    // track is not enough: Firefox keeps sending frames for it).
    let source = CanvasSource::new(160, 120, RED).unwrap();
    let (pair, remote) = play_remote(&source).await;
    media_flows_within(WAIT_MS, &remote).await.unwrap();
    pair.a.close();
    source.stop();
    sleep(500).await;
    let failure = media_flows_within(1_000, &remote).await.unwrap_err();
    assert!(failure.message().starts_with("frames stopped"), "{failure}");
    video.remove();
    remote.remove();
}

#[wasm_bindgen_test]
async fn tone_source_sends_a_live_audio_track() {
    let tone = ToneSource::new(440.0).unwrap();
    assert_eq!(tone.track().kind(), "audio");
    assert_eq!(
        tone.track().ready_state(),
        web_sys::MediaStreamTrackState::Live
    );
    let pair = LoopbackPair::new().unwrap();
    pair.a.add_track(tone.track(), &[tone.stream()]).unwrap();
    let events = seen::<TrackEvent>();
    let sink = events.clone();
    let _on_track = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    pair.negotiate().await.unwrap();
    pair.connected(WAIT_MS).await.unwrap();
    let kinds: Vec<MediaKind> = events.borrow().iter().map(TrackEvent::kind).collect();
    assert_eq!(kinds, [MediaKind::Audio]);
    // `Clone::clone`: web-sys's inherent `clone()` is `MediaStreamTrack.clone()`, a new track.
    let track = Clone::clone(tone.track());
    tone.stop();
    assert_eq!(track.ready_state(), web_sys::MediaStreamTrackState::Ended);
}

#[wasm_bindgen_test]
fn listener_count_sees_the_library_s_listeners_come_and_go() {
    let pc = rtc_peer::PeerConnection::new().unwrap();
    let count = ListenerCount::start();
    let listener = pc.on_track(|_| {});
    assert_eq!(ListenerCount::on(pc.as_raw()), 1);
    assert_eq!(ListenerCount::types_on(pc.as_raw()), "track");
    let failure = ListenerCount::none_left_on(pc.as_raw(), "while listening").unwrap_err();
    assert_eq!(
        failure.message(),
        "while listening: 1 listener(s) still registered: track"
    );
    let failure = count.balanced("while listening").unwrap_err();
    assert!(
        failure
            .message()
            .starts_with("while listening: 1 listener(s) added, 0 removed"),
        "{failure}"
    );
    drop(listener);
    ListenerCount::none_left_on(pc.as_raw(), "after drop").unwrap();
    count.balanced("after drop").unwrap();
    assert_eq!((count.added(), count.removed()), (1, 1));
    pc.close();
}
