//! Camera → canvas through `replace_track`: no new `track` event, no `negotiationneeded`,
//! frames keep arriving and the remote frame size becomes the canvas's. Bad input first: an
//! audio track on the video sender is refused with the browser's `TypeError` and changes
//! nothing.

use std::cell::Cell;
use std::rc::Rc;

use rtc_peer::{MediaKind, PeerConnection};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    engine, log, same, sleep, wait_until, wait_until_async, CanvasSource, LoopbackPair,
    TestFailure, TrackLog, SUITE_COLOUR,
};

use crate::media::{first_track, user_media, video_of};
use crate::WAIT_MS;

/// The remote inbound video's (frames decoded, frame width, frame height).
async fn inbound_video(pc: &PeerConnection) -> (u32, u32, u32) {
    let report = pc.stats_report().await.expect("stats_report");
    report
        .inbound_rtp()
        .into_iter()
        .find(|rtp| rtp.kind == Some(MediaKind::Video))
        .map(|rtp| {
            (
                rtp.frames_decoded.unwrap_or(0),
                rtp.frame_width.unwrap_or(0),
                rtp.frame_height.unwrap_or(0),
            )
        })
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn camera_to_canvas_without_renegotiation() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let at_b = TrackLog::on(&pair.b);
    let camera_stream = user_media(true, false).await?;
    let camera = first_track(&camera_stream, MediaKind::Video);
    let sender = pair
        .a
        .add_track(&camera, &[&camera_stream])
        .expect("add_track(camera)");
    pair.negotiate().await?;
    pair.connected(WAIT_MS).await?;
    let remote = at_b.last().expect("b received a track event");
    let video = video_of(&remote.first_stream().expect("the camera's stream"));
    wait_until(WAIT_MS, "camera frames on b's <video>", || {
        video.video_width() > 0
    })
    .await?;
    let (camera_w, camera_h) = (video.video_width(), video.video_height());
    log(&format!("{:?}: camera {camera_w}x{camera_h}", engine()));

    let negotiation_needed = Rc::new(Cell::new(0u32));
    let count = Rc::clone(&negotiation_needed);
    let _nn = pair
        .a
        .on_negotiation_needed(move || count.set(count.get() + 1));
    let tracks_before = at_b.len();

    // Bad input: an audio track on a video sender.
    let microphone_stream = user_media(false, true).await?;
    let microphone = first_track(&microphone_stream, MediaKind::Audio);
    let err = sender
        .replace_track(Some(&microphone))
        .await
        .expect_err("an audio track on a video sender is refused");
    log(&format!("{:?}: audio on a video sender: {err}", engine()));
    assert_eq!(err.name(), "TypeError", "{err}");
    assert!(
        sender.track().is_some_and(|track| same(&track, &camera)),
        "the sender still sends the camera"
    );
    microphone.stop();

    // The canvas's size differs from the camera's in both dimensions.
    let canvas = CanvasSource::new(400, 224, SUITE_COLOUR)?;
    assert!(
        camera_w != 400 && camera_h != 224,
        "the camera is not 400x224"
    );
    let (frames_before, _, _) = inbound_video(&pair.b).await;
    sender
        .replace_track(Some(canvas.track()))
        .await
        .expect("replace_track(canvas)");
    assert!(sender
        .track()
        .is_some_and(|track| same(&track, canvas.track())));
    camera.stop();
    wait_until(WAIT_MS, "b's <video> at the canvas's size", || {
        video.video_width() == 400 && video.video_height() == 224
    })
    .await?;
    wait_until_async(
        WAIT_MS,
        200,
        "inbound frames at the canvas's size, still growing",
        || async {
            let (frames, width, height) = inbound_video(&pair.b).await;
            width == 400 && height == 224 && frames > frames_before + 30
        },
    )
    .await?;
    // Let any queued negotiationneeded or track event fire.
    sleep(1_000).await;
    assert_eq!(
        negotiation_needed.get(),
        0,
        "replace_track needs no renegotiation"
    );
    assert_eq!(at_b.len(), tracks_before, "no new track event");
    video.remove();
    Ok(())
}
