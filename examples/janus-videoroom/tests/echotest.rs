//! The EchoTest plugin of a real Janus: rtc-peer offers video, Janus answers and sends it back.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use janus_videoroom::echotest::Echo;
use janus_videoroom::Session;
use rtc_peer::testing::{
    media_flows_within, pixel_colour, wait_until, CanvasSource, Colour, TestFailure,
};
use rtc_peer::{MediaKind, PeerConnection, TrackEvent};
use wasm_bindgen_test::*;

use common::{fail, janus_url, play};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn janus_echoes_the_offered_video_back_and_it_decodes() -> Result<(), TestFailure> {
    let session = Session::create(&janus_url().await?)
        .await
        .map_err(fail("creating a session"))?;
    let red = Colour::rgb(200, 40, 40);
    let source = CanvasSource::new(320, 240, red)?;
    let connection = PeerConnection::new().map_err(|e| TestFailure::new(e.to_string()))?;
    let events: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
    let _on_track = {
        let events = Rc::clone(&events);
        connection.on_track(move |e| events.borrow_mut().push(e))
    };
    let echo = Echo::start(
        &session,
        connection.clone(),
        source.track(),
        source.stream(),
    )
    .await
    .map_err(fail("starting the echo test"))?;
    wait_until(10_000, "the echoed track's event", || {
        !events.borrow().is_empty()
    })
    .await?;
    let event = events.borrow()[0].clone();
    assert_eq!(event.kind(), MediaKind::Video);
    let video = play(&event.track()).await?;
    media_flows_within(15_000, &video).await?;
    let seen = pixel_colour(&video)?;
    assert!(
        seen.is_near(red, 40),
        "the echoed frame is the red source, got {seen}"
    );
    let stats = connection
        .stats_report()
        .await
        .map_err(|e| TestFailure::new(e.to_string()))?;
    let decoded: u32 = stats
        .inbound_rtp()
        .iter()
        .filter(|r| r.kind == Some(MediaKind::Video))
        .map(|r| r.frames_decoded.unwrap_or(0))
        .sum();
    assert!(
        decoded > 0,
        "the browser decoded echoed frames (inbound-rtp framesDecoded {decoded})"
    );
    echo.handle.hangup().await.map_err(fail("hanging up"))?;
    connection.close();
    Ok(())
}
