//! Dropping every `RemoteTrack` listener guard leaves no listener on the track, its stream or
//! the connection (the page probe counts the browser's own registrations).

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{probe, LoopbackPair, TestFailure};

use crate::canvas_call::CanvasCall;

#[wasm_bindgen_test]
async fn dropping_remote_track_guards_leaves_no_listeners() -> Result<(), TestFailure> {
    let call = CanvasCall::negotiated(LoopbackPair::new()?).await?;
    let remote = call.remote();
    let pair = &call.pair;
    let track: JsValue = remote.track().into();
    let stream: JsValue = remote
        .streams()
        .into_iter()
        .next()
        .expect("a stream")
        .into();
    let pc: JsValue = pair.b.as_raw().into();
    let pc_before = probe::listeners(&pc);
    assert_eq!(
        probe::listeners(&track),
        0,
        "no listener on the track yet: {}",
        probe::listener_types(&track)
    );
    assert_eq!(probe::listeners(&stream), 0, "none on the stream yet");

    let clone = remote.clone();
    let guards = vec![
        remote.on_state_change(|_| {}),
        remote.on_removed(|| {}),
        clone.on_state_change(|_| {}),
        clone.on_removed(|| {}),
    ];
    // Per pair of guards: mute, unmute, ended (state) + mute, ended (removed) on the track,
    // removetrack on the stream, signalingstatechange on the connection.
    assert_eq!(
        probe::listeners(&track),
        10,
        "{}",
        probe::listener_types(&track)
    );
    assert_eq!(
        probe::listeners(&stream),
        2,
        "{}",
        probe::listener_types(&stream)
    );
    assert_eq!(
        probe::listeners(&pc),
        pc_before + 2,
        "{}",
        probe::listener_types(&pc)
    );

    drop(guards);
    assert_eq!(
        probe::listeners(&track),
        0,
        "left on the track: {}",
        probe::listener_types(&track)
    );
    assert_eq!(
        probe::listeners(&stream),
        0,
        "left on the stream: {}",
        probe::listener_types(&stream)
    );
    assert_eq!(
        probe::listeners(&pc),
        pc_before,
        "left on the connection: {}",
        probe::listener_types(&pc)
    );

    // `forget` keeps them all (the opt-out), so the count can tell the difference.
    remote.on_removed(|| {}).forget();
    assert_eq!(
        probe::listeners(&track),
        2,
        "{}",
        probe::listener_types(&track)
    );
    Ok(())
}
