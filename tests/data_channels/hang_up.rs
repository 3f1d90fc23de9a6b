//! The negotiator's liveness channel: when one side hangs up (or closes its connection) and
//! its `Bye` is lost, the other side's `on_end` still gives `RemoteHangUp` within 1 s. With
//! liveness off, what each browser reports instead, and after how long.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rtc_peer::{
    CallEnd, DataChannelState, MediaKind, Negotiator, PeerConnection, PeerConnectionState, Role,
    Signal, TransceiverDirection,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use support::negotiator_pair::{negotiator_to, Ends, NegotiatorSlot};
use support::{
    engine, log, no_page_errors, now_ms, sleep, take_page_errors, wait_until, ListenerCount,
    TestFailure,
};

use crate::WAIT_MS;

const RUNS: usize = 20;

/// One side of a call: its connection, its negotiator, and how its call ended (with when).
struct Side {
    pc: PeerConnection,
    negotiator: Rc<Negotiator>,
    ends: Ends,
}

/// Two negotiators in one page, each one's signals handed to the other in order, except a
/// `Bye` while `drop_bye` is set.
struct Call {
    polite: Side,
    impolite: Side,
    drop_bye: Rc<Cell<bool>>,
}

impl Call {
    fn new(liveness: bool) -> Call {
        let drop_bye = Rc::new(Cell::new(false));
        let slots: [NegotiatorSlot; 2] = Default::default();
        let side = |role: Role, to: &NegotiatorSlot| {
            let pc = PeerConnection::new().expect("a PeerConnection");
            let drop_bye = drop_bye.clone();
            // A signal the closed side refuses is part of these tests (it is logged).
            let network = move |signal: Signal| {
                (!(drop_bye.get() && signal == Signal::Bye)).then_some(signal)
            };
            let (negotiator, ends) = negotiator_to(&pc, role, liveness, to, network);
            Side {
                pc,
                negotiator,
                ends,
            }
        };
        let polite = side(Role::Polite, &slots[1]);
        let impolite = side(Role::Impolite, &slots[0]);
        *slots[0].borrow_mut() = Rc::downgrade(&polite.negotiator);
        *slots[1].borrow_mut() = Rc::downgrade(&impolite.negotiator);
        Call {
            polite,
            impolite,
            drop_bye,
        }
    }

    /// Something to negotiate: an audio transceiver on the polite side (its offer starts the
    /// call; the liveness channels follow in a second round).
    fn start(&self) {
        self.polite
            .pc
            .add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
            .expect("a transceiver to negotiate");
    }

    /// Both sides' liveness channels open (the second negotiation round done).
    async fn liveness_open(&self) -> Result<(), TestFailure> {
        let open = |side: &Side| {
            side.negotiator
                .liveness_channel()
                .is_some_and(|c| c.state() == DataChannelState::Open)
        };
        wait_until(WAIT_MS, "both liveness channels open", || {
            open(&self.polite) && open(&self.impolite)
        })
        .await?;
        let channel = self
            .polite
            .negotiator
            .liveness_channel()
            .expect("a channel");
        assert_eq!(channel.id(), Some(rtc_peer::Liveness::CHANNEL_ID));
        assert_eq!(channel.label(), rtc_peer::Liveness::LABEL);
        Ok(())
    }

    async fn connected(&self) {
        let deadline = now_ms() + f64::from(WAIT_MS);
        while !(self.polite.pc.connection_state() == PeerConnectionState::Connected
            && self.impolite.pc.connection_state() == PeerConnectionState::Connected)
        {
            assert!(
                now_ms() < deadline,
                "not connected after {WAIT_MS} ms: polite {:?} {:?} {:?}, impolite {:?} {:?} {:?}",
                self.polite.negotiator,
                self.polite.pc.signaling_state(),
                self.polite.pc.connection_state(),
                self.impolite.negotiator,
                self.impolite.pc.signaling_state(),
                self.impolite.pc.connection_state(),
            );
            sleep(10).await;
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.polite.pc.close();
        self.impolite.pc.close();
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

/// `hang_up` (or a bare `close()` when `bare_close`) on the polite side with its `Bye`
/// dropped; returns how long the impolite side took to report `RemoteHangUp`.
async fn hang_up_without_bye(bare_close: bool) -> Result<f64, TestFailure> {
    let call = Call::new(true);
    assert!(
        call.polite.negotiator.has_liveness(),
        "liveness is on by default"
    );
    call.start();
    call.connected().await;
    call.liveness_open().await?;
    call.drop_bye.set(true);
    let start = now_ms();
    if bare_close {
        call.polite.pc.close();
    } else {
        call.polite.negotiator.hang_up();
        assert_eq!(
            call.polite.ends.borrow().first().map(|e| e.0),
            Some(CallEnd::LocalHangUp)
        );
    }
    wait_until(
        2_000,
        "RemoteHangUp on the other side (its Bye was dropped)",
        || !call.impolite.ends.borrow().is_empty(),
    )
    .await?;
    let (end, at) = call.impolite.ends.borrow()[0];
    assert_eq!(end, CallEnd::RemoteHangUp);
    sleep(50).await;
    assert_eq!(call.impolite.ends.borrow().len(), 1, "on_end fired once");
    assert_eq!(
        call.impolite.pc.signaling_state(),
        rtc_peer::SignalingState::Closed,
        "the ended call's connection is closed"
    );
    Ok(at - start)
}

#[wasm_bindgen_test]
async fn a_lost_bye_still_gives_remote_hang_up_within_a_second() -> Result<(), TestFailure> {
    for bare_close in [false, true] {
        let mut latencies = Vec::new();
        for _ in 0..RUNS {
            latencies.push(hang_up_without_bye(bare_close).await?);
        }
        latencies.sort_by(f64::total_cmp);
        let (p50, max) = (percentile(&latencies, 0.5), percentile(&latencies, 1.0));
        log(&format!(
            "{:?}: {} with the Bye dropped -> RemoteHangUp after p50 {p50:.0} ms, max {max:.0} ms ({RUNS} runs)",
            engine(),
            if bare_close { "close()" } else { "hang_up()" }
        ));
        assert!(max < 1000.0, "the slowest RemoteHangUp took {max} ms");
    }
    let _ = take_page_errors(); // what earlier tests logged is theirs
    assert_eq!(
        ListenerCount::live_total(),
        0,
        "listeners left: {}",
        ListenerCount::types_on(&JsValue::UNDEFINED)
    );
    no_page_errors("the page")?;
    Ok(())
}

#[wasm_bindgen_test]
async fn the_bye_and_the_liveness_channel_end_the_call_once() -> Result<(), TestFailure> {
    let call = Call::new(true);
    call.start();
    call.connected().await;
    call.liveness_open().await?;
    // Bye delivered: both the Bye and the channel closing say the same; one end.
    call.polite.negotiator.hang_up();
    wait_until(WAIT_MS, "RemoteHangUp", || {
        !call.impolite.ends.borrow().is_empty()
    })
    .await?;
    sleep(300).await;
    let ends: Vec<CallEnd> = call.impolite.ends.borrow().iter().map(|e| e.0).collect();
    assert_eq!(ends, [CallEnd::RemoteHangUp]);
    let ends: Vec<CallEnd> = call.polite.ends.borrow().iter().map(|e| e.0).collect();
    assert_eq!(ends, [CallEnd::LocalHangUp]);
    Ok(())
}

#[wasm_bindgen_test]
async fn without_liveness_a_lost_bye_is_left_to_the_browser() -> Result<(), TestFailure> {
    const WATCH_MS: f64 = 40_000.0;
    let call = Call::new(false);
    assert!(!call.polite.negotiator.has_liveness());
    call.start();
    call.connected().await;
    sleep(500).await;
    assert!(call.polite.negotiator.liveness_channel().is_none());
    assert!(call.impolite.negotiator.liveness_channel().is_none());
    let states: Rc<RefCell<Vec<(PeerConnectionState, f64)>>> = Rc::default();
    let _states = {
        let states = states.clone();
        call.impolite
            .pc
            .on_connection_state_change(move |state| states.borrow_mut().push((state, now_ms())))
    };
    call.drop_bye.set(true);
    let start = now_ms();
    call.polite.negotiator.hang_up();
    sleep(1_000).await;
    assert!(
        call.impolite.ends.borrow().is_empty(),
        "without liveness nothing reports the lost Bye within 1 s (got {:?})",
        call.impolite.ends.borrow()
    );
    while call.impolite.ends.borrow().is_empty() && now_ms() - start < WATCH_MS {
        sleep(100).await;
    }
    let states: Vec<String> = states
        .borrow()
        .iter()
        .map(|(state, at)| format!("{} after {:.0} ms", state.as_str(), at - start))
        .collect();
    let end = call
        .impolite
        .ends
        .borrow()
        .first()
        .map(|(end, at)| format!("{} after {:.0} ms", end.as_str(), at - start));
    log(&format!(
        "{:?}: liveness off, Bye lost: connectionState {states:?}; on_end {end:?} (watched {WATCH_MS} ms)",
        engine()
    ));
    Ok(())
}
