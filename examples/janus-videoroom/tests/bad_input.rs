//! Bad input from (or to) a real Janus: error replies, malformed events, a forged offer.
//! Each gives a clear `Err`, loses nothing, never hangs or panics.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use janus_videoroom::videoroom::{self, Publisher, Subscription};
use janus_videoroom::{Event, JanusError, Session};
use rtc_peer::testing::{media_flows_within, wait_until, CanvasSource, Colour, TestFailure};
use rtc_peer::{PeerConnection, SignalingState, TrackEvent};
use serde_json::json;
use wasm_bindgen_test::*;

use common::{fail, janus_url, play};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn janus_error_replies_are_typed_errors() -> Result<(), TestFailure> {
    let session = Session::create(&janus_url().await?)
        .await
        .map_err(fail("creating a session"))?;
    match session.attach("janus.plugin.nonexistent").await {
        Err(JanusError::Janus { code: 460, reason }) => assert!(!reason.is_empty()),
        other => panic!("attaching an unknown plugin: {:?}", other.map(|h| h.id())),
    }
    let handle = session
        .attach(videoroom::PLUGIN)
        .await
        .map_err(fail("attaching the videoroom"))?;
    let joined = handle
        .send(
            json!({"request": "join", "ptype": "publisher", "room": 1}),
            None,
            10_000,
        )
        .await;
    assert!(
        matches!(joined, Err(JanusError::Plugin { code: 426, .. })),
        "joining a room that does not exist: {joined:?}"
    );
    let unknown = handle.request(json!({"request": "no-such-request"})).await;
    assert!(
        matches!(unknown, Err(JanusError::Plugin { .. })),
        "an unknown request: {unknown:?}"
    );
    // The session is still fine after the errors.
    session.keepalive().await.map_err(fail("keepalive"))?;
    let gone = Session::create("http://127.0.0.1:9/janus").await;
    assert!(
        matches!(gone, Err(JanusError::Transport(_))),
        "no server: {:?}",
        gone.map(|s| s.id())
    );
    Ok(())
}

#[wasm_bindgen_test]
fn malformed_events_are_errors_not_panics() {
    for bad in [
        r#"{"janus":"event","jsep":{"type":"banana","sdp":"v=0"}}"#,
        r#"{"janus":"event","jsep":{"type":"offer"}}"#,
        r#"{"janus":"event","jsep":{"type":"offer","sdp":42}}"#,
        r#"{"janus":"event","jsep":"offer"}"#,
        r#"{"janus":7}"#,
        r#"[1,2"#,
        "",
    ] {
        let parsed = Event::from_json(bad);
        assert!(
            matches!(parsed, Err(JanusError::Malformed(_))),
            "{bad:?} gave {parsed:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_forged_offer_is_refused_and_the_subscription_keeps_playing() -> Result<(), TestFailure> {
    let session = Session::create(&janus_url().await?)
        .await
        .map_err(fail("creating a session"))?;
    let admin = session
        .attach(videoroom::PLUGIN)
        .await
        .map_err(fail("attaching the videoroom"))?;
    let room = 10_000 + (js_sys::Math::random() * 1e9) as u64;
    videoroom::create_room(&admin, room, 4)
        .await
        .map_err(fail("creating the room"))?;
    let source = CanvasSource::new(320, 240, Colour::rgb(40, 40, 200))?;
    let publisher = Publisher::join(&session, room, "p", source.track(), source.stream())
        .await
        .map_err(fail("publishing"))?;
    let connection = PeerConnection::new().map_err(|e| TestFailure::new(e.to_string()))?;
    let events: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
    let _on_track = {
        let events = Rc::clone(&events);
        connection.on_track(move |e| events.borrow_mut().push(e))
    };
    let subscription = Subscription::join(&session, room, connection.clone(), &[publisher.feed])
        .await
        .map_err(fail("subscribing"))?;
    wait_until(10_000, "the track event", || !events.borrow().is_empty()).await?;
    let track = events.borrow()[0].track();
    let video = play(&track).await?;
    media_flows_within(15_000, &video).await?;
    let before = subscription.streams();

    // An offer whose SDP is not SDP: the browser refuses it, nothing changes.
    let forged = Event::from_json(
        r#"{"janus":"event","plugindata":{"data":{"videoroom":"updated",
            "streams":[{"mid":"0","feed_id":1,"active":true}]}},
            "jsep":{"type":"offer","sdp":"this is not SDP"}}"#,
    )
    .map_err(fail("reading the forged event"))?;
    let refused = subscription.answer(&forged).await;
    assert!(
        matches!(refused, Err(JanusError::Rtc(_))),
        "garbage SDP: {refused:?}"
    );
    // An offer without a streams list: refused before the connection is touched.
    let no_streams = Event::from_json(
        r#"{"janus":"event","plugindata":{"data":{"videoroom":"updated"}},
            "jsep":{"type":"offer","sdp":"v=0\r\n"}}"#,
    )
    .map_err(fail("reading the second forged event"))?;
    let refused = subscription.answer(&no_streams).await;
    assert!(
        matches!(refused, Err(JanusError::Malformed(_))),
        "no streams: {refused:?}"
    );
    // An answer where an offer belongs.
    let answer = Event::from_json(r#"{"janus":"event","jsep":{"type":"answer","sdp":"v=0\r\n"}}"#)
        .map_err(fail("reading the third forged event"))?;
    assert!(matches!(
        subscription.answer(&answer).await,
        Err(JanusError::Malformed(_))
    ));

    assert_eq!(subscription.streams(), before, "the mid map is unchanged");
    assert_eq!(connection.signaling_state(), SignalingState::Stable);
    media_flows_within(5_000, &video)
        .await
        .map_err(|e| e.context("the subscription after the forged offers"))?;
    assert_eq!(
        events.borrow().len(),
        1,
        "no track event from refused offers"
    );
    publisher.connection.close();
    connection.close();
    Ok(())
}
