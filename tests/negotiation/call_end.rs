//! How a negotiated call ends, once, whatever happens first: a real ICE failure gives
//! `CallEnd::ConnectionFailed` on both sides; a `Bye` that arrives in the same task as the
//! failure wins and the failure adds nothing; both sides hanging up at once give each its
//! own `LocalHangUp`, and neither the crossing `Bye`s nor the closing liveness channels add a
//! second end.
//!
//! The failing calls: two negotiators in one page whose signalling carries every
//! description and `Bye`, but no address that works: the `a=candidate` lines are cut from the descriptions, and each
//! side's UDP candidates reach the other side with their port rewritten to one nothing listens
//! on (TCP candidates are dropped). Each browser pairs its sockets with those candidates, its
//! checks go unanswered, and ICE fails: the browser's own `connectionState` becomes `failed` (read by a
//! raw listener registered before the negotiator's), and the negotiator reports it.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::FutureExt;
use js_sys::Reflect;
use rtc_peer::testing::{now_ms, sleep, wait_until};
use rtc_peer::{
    ice_candidate, CallEnd, DataChannelState, MediaKind, Negotiator, PeerConnection,
    PeerConnectionState, Role, SessionDescription, Signal, SignalingState, TransceiverDirection,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use support::negotiator_pair::{negotiator_to, Ends, NegotiatorSlot};

/// How long a browser may take to give up on its candidate pairs (Chromium times a pair out
/// after 5 unanswered checks over at least 5 s, Firefox after its STUN retransmissions).
const FAIL_MS: u32 = 60_000;

/// How long to watch for a second `on_end` after the first.
const QUIET_MS: u32 = 1_500;

/// A UDP port nothing listens on inside the test network (below the ephemeral range the
/// browsers' own sockets use, and not one of coturn's).
const DEAD_PORT: u16 = 20_000;

/// One side: its connection, the raw `connectionState` at each of its events, its negotiator
/// and how its call ended.
struct Side {
    pc: PeerConnection,
    states: Rc<RefCell<Vec<(String, f64)>>>,
    on_state: Closure<dyn FnMut()>,
    negotiator: Rc<Negotiator>,
    ends: Ends,
}

impl Side {
    fn states(&self) -> Vec<String> {
        self.states.borrow().iter().map(|s| s.0.clone()).collect()
    }

    fn ends(&self) -> Vec<CallEnd> {
        self.ends.borrow().iter().map(|e| e.0).collect()
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        let _ = self.pc.as_raw().remove_event_listener_with_callback(
            "connectionstatechange",
            self.on_state.as_ref().unchecked_ref(),
        );
        self.pc.close();
    }
}

fn log(line: &str) {
    web_sys::console::log_1(&JsValue::from_str(line));
}

fn raw(target: &JsValue, key: &str) -> String {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The signal as the broken network lets it through to the other side, if at all.
fn through_dead_network(signal: Signal) -> Option<Signal> {
    match signal {
        Signal::Description(description) => {
            let sdp: Vec<&str> = description
                .sdp
                .split("\r\n")
                .filter(|line| {
                    !line.starts_with("a=candidate:") && !line.starts_with("a=end-of-candidates")
                })
                .collect();
            Some(Signal::Description(SessionDescription {
                kind: description.kind,
                sdp: sdp.join("\r\n"),
            }))
        }
        Signal::Candidate(candidate) => {
            // `candidate:<foundation> <component> <transport> <priority> <address> <port> …`
            let mut fields: Vec<String> = candidate
                .candidate()
                .split(' ')
                .map(str::to_owned)
                .collect();
            if fields.get(2).map(|t| t.to_ascii_lowercase()) != Some("udp".into()) {
                return None;
            }
            *fields.get_mut(5)? = DEAD_PORT.to_string();
            let dead = ice_candidate(
                &fields.join(" "),
                candidate.sdp_mid().as_deref(),
                candidate.sdp_m_line_index(),
            )
            .expect("the rewritten candidate is well-formed");
            Some(Signal::Candidate(dead))
        }
        other => Some(other),
    }
}

/// How a test call is set up.
#[derive(Clone, Copy)]
struct Setup {
    /// Whether the negotiators keep a liveness channel.
    liveness: bool,
    /// Whether the signalling carries no working address (the call fails).
    dead_network: bool,
    /// Whether the polite side receives a `Bye` inside its raw `connectionstatechange`
    /// listener when the state becomes `failed`, before the negotiator sees the failure.
    bye_at_failure: bool,
}

/// Two sides negotiating as `setup` says; the polite side adds an audio transceiver, so the
/// call starts at once.
fn call(setup: Setup) -> [Side; 2] {
    let slots: [NegotiatorSlot; 2] = Default::default();
    let side = |role: Role, to: &NegotiatorSlot, me: &NegotiatorSlot| {
        let pc = PeerConnection::new().expect("a PeerConnection");
        // Registered before the negotiator's own listener, so it reads the state before the
        // negotiator closes the connection.
        let states: Rc<RefCell<Vec<(String, f64)>>> = Rc::default();
        let on_state = {
            let (states, raw_pc) = (states.clone(), JsValue::from(pc.as_raw().clone()));
            let bye_at_failure = setup.bye_at_failure && role == Role::Polite;
            let me = me.clone();
            Closure::<dyn FnMut()>::new(move || {
                let state = raw(&raw_pc, "connectionState");
                if bye_at_failure && state == "failed" {
                    if let Some(negotiator) = me.borrow().upgrade() {
                        // The `Bye` branch completes on its first poll: it is applied here,
                        // in this listener's task.
                        let applied = negotiator.receive(Signal::Bye).now_or_never();
                        assert!(
                            matches!(applied, Some(Ok(()))),
                            "the Bye at the failure was applied at once: {applied:?}"
                        );
                    }
                }
                states.borrow_mut().push((state, now_ms()));
            })
        };
        pc.as_raw()
            .add_event_listener_with_callback(
                "connectionstatechange",
                on_state.as_ref().unchecked_ref(),
            )
            .expect("addEventListener");
        let network = move |signal: Signal| {
            if setup.dead_network {
                through_dead_network(signal)
            } else {
                Some(signal)
            }
        };
        let (negotiator, ends) = negotiator_to(&pc, role, setup.liveness, to, network);
        Side {
            pc,
            states,
            on_state,
            negotiator,
            ends,
        }
    };
    let polite = side(Role::Polite, &slots[1], &slots[0]);
    let impolite = side(Role::Impolite, &slots[0], &slots[1]);
    *slots[0].borrow_mut() = Rc::downgrade(&polite.negotiator);
    *slots[1].borrow_mut() = Rc::downgrade(&impolite.negotiator);
    polite
        .pc
        .add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
        .expect("a transceiver to negotiate");
    [polite, impolite]
}

/// Both sides' calls end with `ConnectionFailed` (bounded), once each; the browser's own
/// state said `failed` first, and the connection never connected.
async fn both_fail(sides: &[Side; 2], started: f64, call: &str, expected: [CallEnd; 2]) {
    let names = ["polite", "impolite"];
    let what = format!("on_end on both sides of the failing call ({call})");
    wait_until(FAIL_MS, &what, || {
        sides.iter().all(|side| !side.ends.borrow().is_empty())
    })
    .await
    .unwrap_or_else(|failure| {
        panic!(
            "{failure}: polite ended {:?} (connectionState events {:?}, ICE {}), impolite \
             ended {:?} (connectionState events {:?}, ICE {})",
            sides[0].ends(),
            sides[0].states(),
            raw(sides[0].pc.as_raw(), "iceConnectionState"),
            sides[1].ends(),
            sides[1].states(),
            raw(sides[1].pc.as_raw(), "iceConnectionState"),
        )
    });
    sleep(QUIET_MS).await;
    for ((side, name), expected) in sides.iter().zip(names).zip(expected) {
        let states = side.states();
        let (_, ended_at) = side.ends.borrow()[0];
        log(&format!(
            "{}: {call}: {name}: connectionState {:?}; on_end {:?} after {:.0} ms",
            support::browser(),
            side.states
                .borrow()
                .iter()
                .map(|(state, at)| format!("{state} at {:.0} ms", at - started))
                .collect::<Vec<_>>(),
            side.ends(),
            ended_at - started,
        ));
        assert_eq!(
            side.ends(),
            [expected],
            "{call}: {name}: on_end fired exactly once, with {expected:?}"
        );
        assert_eq!(
            states.last().map(String::as_str),
            Some("failed"),
            "{call}: {name}: the browser's own connectionState said failed (events {states:?})"
        );
        assert!(
            !states.iter().any(|s| s == "connected"),
            "{call}: {name}: the connection never connected (events {states:?})"
        );
        assert_eq!(
            side.pc.signaling_state(),
            SignalingState::Closed,
            "{call}: {name}: the failed call's connection is closed"
        );
        assert_eq!(
            side.negotiator.ended(),
            Some(expected),
            "{call}: {name}: ended()"
        );
    }
}

/// With and without the liveness channel, side by side (they fail in the same time), and a
/// third call whose polite side gets a `Bye` in the failure's own task.
#[wasm_bindgen_test]
async fn an_ice_failure_ends_the_call_once_with_connection_failed() {
    let started = now_ms();
    let failing = |liveness, bye_at_failure| {
        call(Setup {
            liveness,
            dead_network: true,
            bye_at_failure,
        })
    };
    let with_liveness = failing(true, false);
    let without_liveness = failing(false, false);
    let bye_race = failing(true, true);
    let failed = [CallEnd::ConnectionFailed, CallEnd::ConnectionFailed];
    both_fail(&with_liveness, started, "liveness on", failed).await;
    both_fail(&without_liveness, started, "liveness off", failed).await;
    both_fail(
        &bye_race,
        started,
        "Bye in the failure's task",
        [CallEnd::RemoteHangUp, CallEnd::ConnectionFailed],
    )
    .await;
    // The call is over: hanging up now does nothing, and a late Bye is refused.
    for sides in [&with_liveness, &without_liveness] {
        sides[0].negotiator.hang_up();
        let late = sides[1].negotiator.receive(Signal::Bye).await;
        assert!(
            matches!(late, Err(rtc_peer::Error::InvalidState { .. })),
            "a Bye after the failure: {late:?}"
        );
    }
    sleep(200).await;
    for sides in [&with_liveness, &without_liveness] {
        assert_eq!(sides[0].ends(), failed[..1], "polite");
        assert_eq!(sides[1].ends(), failed[..1], "impolite");
    }
}

/// Both sides `hang_up()` in the same task of a connected call with open liveness channels:
/// each side ends with its own `LocalHangUp`, once; the `Bye`s that cross and the liveness
/// channels that close add nothing.
#[wasm_bindgen_test]
async fn both_sides_hanging_up_at_once_end_each_call_once() {
    for liveness in [true, false] {
        let sides = call(Setup {
            liveness,
            dead_network: false,
            bye_at_failure: false,
        });
        wait_until(20_000, "both sides connected", || {
            sides
                .iter()
                .all(|side| side.pc.connection_state() == PeerConnectionState::Connected)
        })
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
        if liveness {
            wait_until(20_000, "both liveness channels open", || {
                sides.iter().all(|side| {
                    side.negotiator
                        .liveness_channel()
                        .is_some_and(|c| c.state() == DataChannelState::Open)
                })
            })
            .await
            .unwrap_or_else(|failure| panic!("{failure}"));
        }
        sides[0].negotiator.hang_up();
        sides[1].negotiator.hang_up();
        sleep(QUIET_MS).await;
        for (side, name) in sides.iter().zip(["polite", "impolite"]) {
            assert_eq!(
                side.ends(),
                [CallEnd::LocalHangUp],
                "liveness {liveness}: {name}: on_end fired exactly once, with LocalHangUp"
            );
            assert_eq!(side.pc.signaling_state(), SignalingState::Closed);
        }
    }
}
