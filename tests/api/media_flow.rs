//! Media really flows over a loopback pair: a `canvas.captureStream()` track sent from one
//! side and attached with `rtc_peer::attach_stream` plays in a `<video>` on the other.

use futures_util::StreamExt;
use rtc_peer::{attach_stream, detach_stream, PeerConnectionState, Playback, TrackEvent};
use wasm_bindgen_test::*;
use web_sys::HtmlMediaElement;

use support::{
    muted_video, new_stream, next_within, same, seen, sleep, wait_until, within, CanvasSource,
    LoopbackPair, WAIT_MS,
};

/// A pair with a canvas track flowing from `a` to `b` (in the canvas's stream when
/// `in_stream`, in none otherwise); returns `b`'s track event.
async fn call_with_canvas(in_stream: bool) -> (LoopbackPair, CanvasSource, TrackEvent) {
    let pair = support::pair();
    let source = support::canvas();
    let got = seen::<TrackEvent>();
    let sink = got.clone();
    let _l = pair.b.on_track(move |e| sink.borrow_mut().push(e));
    let streams = if in_stream {
        vec![source.stream()]
    } else {
        Vec::new()
    };
    pair.a
        .add_track(source.track(), &streams)
        .expect("add_track");
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "the remote track event", || {
        !got.borrow().is_empty()
    })
    .await
    .unwrap();
    let event = got.borrow()[0].clone();
    (pair, source, event)
}

#[wasm_bindgen_test]
async fn canvas_track_reaches_a_remote_video_with_nonzero_size() {
    let (pair, _source, event) = call_with_canvas(true).await;
    let stream = event
        .first_stream()
        .expect("the canvas stream arrives as a remote stream");
    let video = muted_video();
    let media: &HtmlMediaElement = &video;
    let playback = within(WAIT_MS, "attach_stream", attach_stream(media, &stream))
        .await
        .unwrap()
        .expect("attach_stream");
    assert_eq!(playback, Playback::Playing, "a muted video may autoplay");
    assert!(same(&media.src_object().expect("srcObject set"), &stream));
    assert!(media.autoplay());

    wait_until(
        WAIT_MS,
        "the remote <video> to get a non-zero videoWidth",
        || video.video_width() > 0 && video.video_height() > 0,
    )
    .await
    .unwrap();
    // Frames keep coming: playback time advances.
    let t0 = media.current_time();
    wait_until(
        WAIT_MS,
        "the remote <video>'s currentTime to advance",
        || media.current_time() > t0 + 0.2,
    )
    .await
    .unwrap();
    assert_eq!(pair.b.connection_state(), PeerConnectionState::Connected);
    detach_stream(media);
    assert!(
        media.src_object().is_none(),
        "detach_stream clears srcObject"
    );
    video.remove();
}

#[wasm_bindgen_test]
async fn both_sides_reach_connected() {
    let pair = support::pair();
    let source = support::canvas();
    let mut states_a = pair.a.connection_states();
    let mut states_b = pair.b.connection_states();
    pair.a
        .add_track(source.track(), &[source.stream()])
        .expect("add_track");
    pair.negotiate().await.unwrap();
    for (name, states) in [("offerer", &mut states_a), ("answerer", &mut states_b)] {
        loop {
            let what = format!("the {name} to reach connected");
            let state = next_within(states, WAIT_MS, &what)
                .await
                .expect("not ended");
            assert_ne!(state, PeerConnectionState::Failed, "{name} failed");
            if state == PeerConnectionState::Connected {
                break;
            }
        }
    }
    pair.a.close();
    assert_eq!(pair.a.connection_state(), PeerConnectionState::Closed);
    // close() fires no event: the stream has nothing new (bounded check).
    sleep(100).await;
    let pending = futures_util::FutureExt::now_or_never(states_a.next());
    assert!(
        pending.is_none(),
        "no state event after close(): got {pending:?}"
    );
}

#[wasm_bindgen_test]
async fn a_track_sent_without_stream_plays_in_a_stream_built_by_the_receiver() {
    let (_pair, _source, event) = call_with_canvas(false).await;
    assert!(event.first_stream().is_none(), "no stream was sent");

    let stream = new_stream();
    stream.add_track(&event.track());
    let video = muted_video();
    within(WAIT_MS, "attach_stream", attach_stream(&video, &stream))
        .await
        .unwrap()
        .expect("attach_stream");
    wait_until(
        WAIT_MS,
        "the remote <video> to get a non-zero videoWidth",
        || video.video_width() > 0,
    )
    .await
    .unwrap();
    video.remove();
}
