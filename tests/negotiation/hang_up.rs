//! How a call ends: `Bye`, `hang_up`, `receive` after the end, dropping the negotiator.

use rtc_peer::{CallEnd, Error, PeerConnection, Role, Signal, SignalingState};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    now_ms, probe, seeded_call, sleep, wait_until_with, within, CanvasSource, NegotiatedPair,
    TestFailure,
};

use crate::{call_is_up, camera, WAIT_MS};

/// `true` for an `Err` named `name`.
fn is_error(result: &Result<(), Error>, name: &str) -> bool {
    matches!(result, Err(err) if err.name() == name)
}

async fn live_call(test: &str) -> Result<(NegotiatedPair, CanvasSource), TestFailure> {
    let call = seeded_call(test);
    let camera = camera()?;
    call_is_up(&call, &camera).await?;
    Ok((call, camera))
}

#[wasm_bindgen_test]
async fn bye_gives_remote_hang_up_within_a_second() -> Result<(), TestFailure> {
    let (call, _camera) = live_call("hang up").await?;
    call.no_errors("before hanging up")?;
    let start = now_ms();
    call.polite.negotiator().hang_up();
    call.polite.negotiator().hang_up(); // twice is fine
    assert_eq!(call.polite.ends(), [CallEnd::LocalHangUp]);
    assert_eq!(
        call.polite.pc().signaling_state(),
        SignalingState::Closed,
        "closed at once"
    );
    wait_until_with(
        1_000,
        "RemoteHangUp on the other side",
        || !call.impolite.ends().is_empty(),
        || call.describe(),
    )
    .await?;
    let elapsed = now_ms() - start;
    assert_eq!(
        call.impolite.ends(),
        [CallEnd::RemoteHangUp],
        "after {elapsed} ms"
    );
    // The browser's own state: both connections closed.
    for pc in [&call.polite.pc(), &call.impolite.pc()] {
        let raw =
            js_sys::Reflect::get(pc.as_raw(), &"signalingState".into()).expect("signalingState");
        assert_eq!(raw, JsValue::from_str("closed"));
    }
    sleep(100).await;
    assert_eq!(call.polite.ends().len(), 1, "on_end fired once (local)");
    assert_eq!(call.impolite.ends().len(), 1, "on_end fired once (remote)");
    // A late registration hears how the call ended, at once.
    let late = std::rc::Rc::new(std::cell::Cell::new(None));
    {
        let late = std::rc::Rc::clone(&late);
        call.impolite
            .negotiator()
            .on_end(move |end| late.set(Some(end)));
    }
    assert_eq!(late.get(), Some(CallEnd::RemoteHangUp));
    // Signals still arriving (or being applied) when the call ended are refused, nothing else.
    for side in [&call.polite, &call.impolite] {
        for error in side.errors().iter() {
            assert!(
                error.contains("InvalidStateError"),
                "after hanging up: {error}"
            );
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn receive_after_close_is_invalid_state() -> Result<(), TestFailure> {
    let (call, _camera) = live_call("receive after close").await?;
    call.impolite.negotiator().hang_up();
    for signal in [
        Signal::Bye,
        Signal::EndOfCandidates,
        Signal::Description(rtc_peer::SessionDescription::offer("v=0\r\n")),
    ] {
        let result = within(
            WAIT_MS,
            "receive",
            call.impolite.negotiator().receive(signal.clone()),
        )
        .await?;
        assert!(
            is_error(&result, "InvalidStateError"),
            "{signal:?} after hang-up gave {result:?}"
        );
    }
    // Closing the connection itself (not through the negotiator) counts too.
    let pc = PeerConnection::new().expect("a PeerConnection");
    let negotiator = pc.negotiate(Role::Polite, |_| {});
    pc.close();
    let result = within(
        WAIT_MS,
        "receive",
        negotiator.receive(Signal::EndOfCandidates),
    )
    .await?;
    assert!(
        matches!(result, Err(Error::InvalidState { .. })),
        "after close(): {result:?}"
    );
    assert_eq!(
        call.impolite.ends(),
        [CallEnd::LocalHangUp],
        "no second end"
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn dropping_the_negotiator_mid_negotiation_leaves_no_listener() -> Result<(), TestFailure> {
    let pc = PeerConnection::new().expect("a PeerConnection");
    let raw = JsValue::from(pc.as_raw());
    assert_eq!(
        probe::listeners(&raw),
        0,
        "a fresh connection has no listener"
    );
    let sent = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let negotiator = {
        let sent = std::rc::Rc::clone(&sent);
        pc.negotiate(Role::Impolite, move |signal| sent.borrow_mut().push(signal))
    };
    assert_eq!(
        probe::listeners(&raw),
        3,
        "the negotiator's listeners: {}",
        probe::listener_types(&raw)
    );
    let camera = camera()?;
    pc.add_track(camera.track(), &[camera.stream()])
        .expect("addTrack");
    // negotiationneeded fires in a task of its own: wait until the offer is in flight.
    wait_until_with(
        WAIT_MS,
        "the offer is being made",
        || pc.signaling_state() == SignalingState::HaveLocalOffer || !sent.borrow().is_empty(),
        || format!("{:?}", pc.signaling_state()),
    )
    .await?;
    drop(negotiator);
    assert_eq!(
        probe::listeners(&raw),
        0,
        "listeners left after drop: {}",
        probe::listener_types(&raw)
    );
    sleep(200).await;
    assert_eq!(probe::listeners(&raw), 0, "none came back");
    pc.close();
    Ok(())
}

/// Hanging up removes every listener the negotiator registered (its three on the connection and
/// the liveness channel's two) at once, although the negotiator itself is still held, as an app
/// holds it while a signal it was fed is still being applied.
#[wasm_bindgen_test]
async fn hanging_up_removes_the_negotiators_listeners_while_it_is_still_held(
) -> Result<(), TestFailure> {
    let (call, _camera) = live_call("listeners at hang-up").await?;
    let raw = JsValue::from(call.polite.pc().as_raw());
    let ours = ["negotiationneeded", "icecandidate", "connectionstatechange"];
    let types = probe::listener_types(&raw);
    assert!(
        ours.iter().all(|t| types.contains(t)),
        "the negotiator listens on its connection: {types}"
    );
    let (added, removed) = (probe::added_total(), probe::removed_total());
    // The pair still holds the negotiator.
    call.polite.negotiator().hang_up();
    let types = probe::listener_types(&raw);
    assert!(
        !ours.iter().any(|t| types.contains(t)),
        "left on the connection after hang_up: {types}"
    );
    assert!(
        probe::removed_total() - removed >= 5 && probe::added_total() == added,
        "hang_up removed {} listeners (its three and the liveness channel's two) and added {}",
        probe::removed_total() - removed,
        probe::added_total() - added
    );
    Ok(())
}
