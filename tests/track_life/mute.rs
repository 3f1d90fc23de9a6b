//! The remote side pauses and stops: `replace_track(None)` mutes the remote track within a
//! bounded time and a track again makes it live (each browser's timing printed); stopping the
//! transceiver ends it.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::TrackState;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::kit::{engine, log, negotiate, now_ms, wait_until, CanvasSource, Pair, WAIT_MS};

/// How long a browser may take to notice that media stopped.
const MUTE_MS: u32 = 30_000;

#[wasm_bindgen_test]
async fn remote_replace_track_none_mutes_then_live() {
    let pair = Pair::new();
    let source = CanvasSource::new(320, 240, false);
    let sender = pair
        .a
        .add_track(&source.track, &[&source.stream])
        .expect("add_track");
    pair.negotiate().await;
    pair.connected().await;
    let remote = pair.last_track().remote_track();
    let states: Rc<RefCell<Vec<(TrackState, f64)>>> = Rc::default();
    let record = Rc::clone(&states);
    let _guard = remote.on_state_change(move |state| record.borrow_mut().push((state, now_ms())));
    wait_until(WAIT_MS, "the remote track to go live", || {
        remote.state() == TrackState::Live
    })
    .await;
    states.borrow_mut().clear();

    let paused_at = now_ms();
    sender
        .replace_track(None)
        .await
        .expect("replace_track(None)");
    assert!(sender.track().is_none(), "the sender has no track");
    wait_until(MUTE_MS, "Muted after replace_track(None)", || {
        remote.state() == TrackState::Muted
    })
    .await;
    let muted_after = now_ms() - paused_at;
    assert_eq!(
        states.borrow().first().map(|(state, _)| *state),
        Some(TrackState::Muted),
        "on_state_change reported Muted"
    );

    let resumed_at = now_ms();
    sender
        .replace_track(Some(&source.track))
        .await
        .expect("replace_track(Some)");
    wait_until(MUTE_MS, "Live after replacing the track back", || {
        remote.state() == TrackState::Live
    })
    .await;
    let live_after = now_ms() - resumed_at;
    log(&format!(
        "{:?}: replace_track(None) -> Muted after {muted_after:.0} ms; track back -> Live \
         after {live_after:.0} ms; reported: {:?}",
        engine(),
        states.borrow().iter().map(|(s, _)| *s).collect::<Vec<_>>()
    ));
    assert_eq!(
        states.borrow().iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![TrackState::Muted, TrackState::Live],
        "on_state_change saw exactly the two changes"
    );
}

#[wasm_bindgen_test]
async fn remote_stops_its_transceiver() {
    let pair = Pair::new();
    let source = CanvasSource::new(320, 240, false);
    pair.a
        .add_track(&source.track, &[&source.stream])
        .expect("add_track");
    pair.negotiate().await;
    pair.connected().await;
    let remote = pair.last_track().remote_track();
    let states: Rc<RefCell<Vec<TrackState>>> = Rc::default();
    let record = Rc::clone(&states);
    let _guard = remote.on_state_change(move |state| record.borrow_mut().push(state));
    let removed = Rc::new(std::cell::Cell::new(0u32));
    let count = Rc::clone(&removed);
    let _removed = remote.on_removed(move || count.set(count.get() + 1));

    let transceiver = pair
        .a
        .transceivers()
        .into_iter()
        .next()
        .expect("a's transceiver");
    transceiver.stop();
    negotiate(&pair.a, &pair.b).await;
    wait_until(
        WAIT_MS,
        "Ended after the remote transceiver stopped",
        || remote.state() == TrackState::Ended,
    )
    .await;
    wait_until(WAIT_MS, "on_state_change to report Ended", || {
        states.borrow().last() == Some(&TrackState::Ended)
    })
    .await;
    log(&format!(
        "{:?}: remote transceiver stopped: reported {:?}, on_removed fired {} time(s)",
        engine(),
        states.borrow(),
        removed.get()
    ));
    wait_until(WAIT_MS, "on_removed after the transceiver stopped", || {
        removed.get() == 1
    })
    .await;
}
