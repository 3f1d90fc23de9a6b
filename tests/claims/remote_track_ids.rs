//! What a remote track's `id` is (README: "compare JS objects by identity, never by `track.id`
//! (remote ids differ across browsers)"): the same loopback call, measured in each browser.

use rtc_peer::TrackEvent;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::{canvas, engine, pair, seen, wait_until, Engine, WAIT_MS};

#[wasm_bindgen_test]
async fn a_remote_tracks_id_is_the_senders_in_one_browser_only() {
    let pair = pair();
    let source = canvas();
    pair.a
        .add_track(source.track(), &[source.stream()])
        .expect("add_track");
    let events = seen::<TrackEvent>();
    let _listener = {
        let events = events.clone();
        pair.b
            .on_track(move |event| events.borrow_mut().push(event))
    };
    pair.negotiate().await.expect("offer/answer");
    wait_until(WAIT_MS, "a track event", || !events.borrow().is_empty())
        .await
        .expect("the track event");
    let event = events.borrow()[0].clone();
    let remote = event.track().id();
    let local = source.track().id();
    let stream = event.first_stream().map(|s| s.id());
    console_log!(
        "NOTE: claims remote track id [{:?}]: local {local}, remote {remote}",
        engine()
    );
    // The stream id travels in both (a=msid); the track id is the sender's in Chromium only:
    // Firefox gives the remote track an id of its own.
    assert_eq!(stream, Some(source.stream().id()), "the stream id travels");
    match engine() {
        Engine::Chromium => assert_eq!(remote, local, "Chromium: the sender's track id"),
        Engine::Firefox => assert_ne!(remote, local, "Firefox: an id of its own"),
    }
}
