//! Janus killed mid-call (SIGKILL, as a crash): the client reports it as an `Err` within
//! seconds, never a hang or a panic. The run starts Janus again afterwards, on the same port.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use janus_videoroom::echotest::Echo;
use janus_videoroom::{JanusError, Session};
use rtc_peer::testing::{
    media_flows_within, now_ms, wait_until, CanvasSource, Colour, TestFailure,
};
use rtc_peer::{PeerConnection, TrackEvent};
use wasm_bindgen_test::*;

use common::{fail, janus_url, kill_janus, play};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_killed_janus_is_an_error_on_every_waiting_call() -> Result<(), TestFailure> {
    let session = Session::create(&janus_url().await?)
        .await
        .map_err(fail("creating a session"))?;
    let source = CanvasSource::new(320, 240, Colour::rgb(200, 40, 40))?;
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
    let echoed = events.borrow()[0].track();
    let video = play(&echoed).await?;
    media_flows_within(15_000, &video).await?;
    // Drain what Janus said so far (webrtcup, media).
    while echo.handle.next_event(200).await.is_ok() {}

    let killed = kill_janus().await?;
    let started = now_ms();
    let waited = echo.handle.next_event(20_000).await;
    let took = now_ms() - started;
    assert!(
        matches!(waited, Err(JanusError::Transport(_))),
        "a waiting handle after Janus (pid {killed}) was killed: {waited:?}"
    );
    assert!(took < 15_000.0, "reported after {took} ms");
    assert!(
        matches!(session.ended(), Some(JanusError::Transport(_))),
        "the session knows it ended: {:?}",
        session.ended()
    );
    // Requests after it fail too (the restarted Janus does not know the session: 458).
    let keepalive = session.keepalive().await;
    assert!(
        keepalive.is_err(),
        "keepalive after the kill: {keepalive:?}"
    );
    let next = echo.handle.next_event(1_000).await;
    assert!(next.is_err(), "a later wait: {next:?}");
    connection.close();
    Ok(())
}
