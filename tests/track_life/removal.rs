//! The remote side removes a track (`remove_track`, then renegotiates): `on_removed` fires
//! once, for a track sent in a stream and for one sent with no stream, whichever side offers
//! the renegotiation; the state afterwards is pinned per browser; adding a track again gives a
//! new `track` event.

use std::cell::Cell;
use std::rc::Rc;

use rtc_peer::{MediaStream, TrackState};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    engine, log, negotiate, same, sleep, wait_until, CanvasSource, LoopbackPair, TestFailure,
    TrackLog, SUITE_COLOUR,
};

use crate::media::{prop, record_events};
use crate::WAIT_MS;

#[wasm_bindgen_test]
async fn remote_removes_a_track() -> Result<(), TestFailure> {
    // The side that removed the track offers (the receiver's removal completes when it
    // applies its own answer), then the receiver offers (it completes when the answer comes).
    removal(true).await?;
    removal(false).await?;
    Ok(())
}

/// One removal, renegotiated by the removing side (`remote_offers`) or by the receiver.
async fn removal(remote_offers: bool) -> Result<(), TestFailure> {
    log(&format!(
        "{:?}: removal, remote side offers: {remote_offers}",
        engine()
    ));
    let pair = LoopbackPair::new()?;
    let at_b = TrackLog::on(&pair.b);
    let in_stream = CanvasSource::new(320, 240, SUITE_COLOUR)?;
    let bare = CanvasSource::new(160, 120, SUITE_COLOUR)?;
    let local_stream = MediaStream::new().expect("new MediaStream");
    let sender_in_stream = pair
        .a
        .add_track(in_stream.track(), &[&local_stream])
        .expect("add_track in a stream");
    let sender_bare = pair
        .a
        .add_track(bare.track(), &[])
        .expect("add_track with no stream");
    pair.negotiate().await?;
    pair.connected(WAIT_MS).await?;

    let events = at_b.events();
    assert_eq!(events.len(), 2, "one track event per sent track");
    let with_stream = events[0].remote_track();
    let no_stream = events[1].remote_track();
    assert_eq!(
        with_stream.streams().len(),
        1,
        "the first track came in one stream"
    );
    assert!(
        no_stream.streams().is_empty(),
        "the second track came in no stream"
    );

    let removed_with_stream = Rc::new(Cell::new(0u32));
    let removed_no_stream = Rc::new(Cell::new(0u32));
    let count = Rc::clone(&removed_with_stream);
    let _guard_with_stream = with_stream.on_removed(move || count.set(count.get() + 1));
    let count = Rc::clone(&removed_no_stream);
    let _guard_no_stream = no_stream.on_removed(move || count.set(count.get() + 1));

    // The browser's own order of events, recorded by plain JS listeners.
    let order_with_stream = js_sys::Array::new();
    let order_no_stream = js_sys::Array::new();
    let streams: js_sys::Array = with_stream.streams().into_iter().collect();
    record_events(
        &with_stream.track(),
        &streams,
        pair.b.as_raw(),
        &order_with_stream,
    );
    record_events(
        &no_stream.track(),
        &js_sys::Array::new(),
        pair.b.as_raw(),
        &order_no_stream,
    );

    assert!(!with_stream.is_removed() && !no_stream.is_removed());
    pair.a
        .remove_track(&sender_in_stream)
        .expect("remove_track in a stream");
    pair.a
        .remove_track(&sender_bare)
        .expect("remove_track with no stream");
    if remote_offers {
        negotiate(&pair.a, &pair.b).await?;
    } else {
        negotiate(&pair.b, &pair.a).await?;
    }
    wait_until(WAIT_MS, "on_removed for both remote tracks", || {
        removed_with_stream.get() > 0 && removed_no_stream.get() > 0
    })
    .await?;
    // Late or repeated events must not call it again.
    sleep(1_000).await;
    log(&format!(
        "{:?}: event order, track in a stream: {:?}; track with no stream: {:?}",
        engine(),
        order_with_stream.to_vec(),
        order_no_stream.to_vec()
    ));
    assert_eq!(
        removed_with_stream.get(),
        1,
        "on_removed fires once (track in a stream)"
    );
    assert_eq!(
        removed_no_stream.get(),
        1,
        "on_removed fires once (track with no stream)"
    );
    assert!(with_stream.is_removed() && no_stream.is_removed());
    assert!(
        streams
            .iter()
            .all(|s| s.unchecked_ref::<MediaStream>().get_tracks().length() == 0),
        "the remote track left its stream"
    );
    for remote in [&with_stream, &no_stream] {
        let direction = prop(&remote.transceiver().into(), "currentDirection").as_string();
        log(&format!(
            "{:?}: after removal: state {:?}, readyState {:?}, currentDirection {direction:?}",
            engine(),
            remote.state(),
            prop(&remote.track().into(), "readyState").as_string()
        ));
        // The specification: the receiving track is muted, not ended (it may come back).
        assert_eq!(remote.state(), TrackState::Muted, "state after removal");
        assert_eq!(
            direction.as_deref(),
            Some("inactive"),
            "b neither sends nor receives"
        );
    }

    // Adding a track again: a new track event.
    let again = CanvasSource::new(320, 240, SUITE_COLOUR)?;
    pair.a
        .add_track(again.track(), &[&local_stream])
        .expect("add_track again");
    negotiate(&pair.a, &pair.b).await?;
    wait_until(WAIT_MS, "a third track event", || at_b.len() == 3).await?;
    let event = at_b.last().expect("b received a track event");
    let reused = same(&event.transceiver(), &with_stream.transceiver())
        || same(&event.transceiver(), &no_stream.transceiver());
    let same_track = same(&event.track(), &with_stream.track());
    log(&format!(
        "{:?}: re-added track: transceiver reused: {reused}, same track object: {same_track}, \
         transceivers on b: {}",
        engine(),
        pair.b.transceivers().len()
    ));
    // A sender that has sent is never reused by addTrack (the specification), so the offer
    // has a new m-line and b a new transceiver and track, in both browsers.
    assert!(
        !reused,
        "{:?}: the re-added track came on a new transceiver",
        engine()
    );
    assert!(!same_track, "a new remote track object");
    assert_eq!(pair.b.transceivers().len(), 3);
    let remote_again = event.remote_track();
    wait_until(WAIT_MS, "the re-added track to go live", || {
        remote_again.state() == TrackState::Live
    })
    .await?;
    assert_eq!(removed_with_stream.get(), 1, "still once after re-adding");
    assert_eq!(removed_no_stream.get(), 1, "still once after re-adding");
    Ok(())
}
