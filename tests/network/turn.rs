//! A real TURN relay: both peers configured like the crate's TURN example (one `turn:` server
//! with username and credential) plus `IceTransportPolicy::Relay`, talking through the coturn
//! that `cargo xtask test` starts on a free loopback port with credentials made for the run.
//!
//! The server's URL and credentials arrive at run time, from the endpoint the run serves on
//! 127.0.0.1 (`turn_server()`); without it every test here fails with a message saying to run
//! `cargo xtask test` (or `cargo xtask netns -- cargo test …` for this binary alone).
//!
//! What the browsers do (Chromium 156, Firefox ESR 153, measured here):
//! - Selected pair in `getStats`: Chromium names it only in the `transport` stats'
//!   `selectedCandidatePairId`; Firefox has that too *and* marks the pair with its
//!   non-standard `selected: true`. The helper reads the transport first, then the flag, and
//!   the test checks that whatever the browser offers names the same nominated, succeeded pair.
//! - Wrong credential: neither browser ever moves `connectionState` (it stays `new`, still so
//!   after 35 s). Both surface the refusal within ~0.2 s as ICE gathering completing with no
//!   candidate (`on_ice_candidate(None)`; Firefox first hands out an empty end-of-candidates
//!   candidate) and an `icecandidateerror` with code 401 (Chromium's text "Unauthorized.",
//!   Firefox's empty).

use rtc_peer::{Configuration, IceServer, PeerConnection, PeerConnectionState};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use support::turn::{
    assert_video_flows, candidate_type, relay_config, turn_server, wait_selected_pair,
};
use support::{engine, muted_video, negotiate, now_ms, seen, sleep, Engine, Seen};

use crate::show_remote::show_remote;

/// How long a relay-only call may take to connect.
const CONNECT_MS: f64 = 20_000.0;

/// How long a wrong credential may take to surface as a state change.
const FAIL_MS: f64 = 40_000.0;

/// Records every connection-state change of `pc`.
fn record_states(pc: &PeerConnection) -> (Seen<PeerConnectionState>, rtc_peer::Listener) {
    let states = seen();
    let listener = {
        let states = states.clone();
        pc.on_connection_state_change(move |state| states.borrow_mut().push(state))
    };
    (states, listener)
}

/// Records `errorCode errorText` of each `icecandidateerror` event (the crate does not wrap
/// this event; both browsers fire it with 401 when coturn refuses the credential).
fn record_candidate_errors(pc: &PeerConnection) -> (Seen<String>, raw_listener::Guard) {
    let errors = seen();
    let guard = {
        let errors = errors.clone();
        raw_listener::listen(pc.as_raw(), "icecandidateerror", move |event: JsValue| {
            let code = js_sys::Reflect::get(&event, &"errorCode".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            let text = js_sys::Reflect::get(&event, &"errorText".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            errors.borrow_mut().push(format!("{code} {text}"));
        })
    };
    (errors, guard)
}

/// A raw event listener removed on drop (only for `icecandidateerror`, which the crate does
/// not wrap).
mod raw_listener {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::EventTarget;

    pub struct Guard {
        target: EventTarget,
        kind: &'static str,
        callback: Closure<dyn FnMut(JsValue)>,
    }

    pub fn listen(
        target: &impl AsRef<EventTarget>,
        kind: &'static str,
        callback: impl FnMut(JsValue) + 'static,
    ) -> Guard {
        let callback = Closure::<dyn FnMut(JsValue)>::new(callback);
        let target: EventTarget = target.as_ref().clone();
        target
            .add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())
            .expect("addEventListener");
        Guard {
            target,
            kind,
            callback,
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.target.remove_event_listener_with_callback(
                self.kind,
                self.callback.as_ref().unchecked_ref(),
            );
        }
    }
}

#[wasm_bindgen_test]
async fn relay_only_call_through_coturn_connects_and_video_flows() {
    let server = turn_server();
    let pair = support::turn::relay_pair(&relay_config(&server, server.credential));
    let (a_states, _a_states) = record_states(&pair.a);
    let (b_states, _b_states) = record_states(&pair.b);

    let source = support::canvas();
    pair.a
        .add_track(source.track(), &[source.stream()])
        .expect("add_track");
    let video = muted_video();
    let (events, attached, _on_track) = show_remote(&pair.b, &video);

    negotiate(&pair.a, &pair.b).await.unwrap();
    assert_eq!(
        events.borrow().len(),
        1,
        "on_track fired once, inside set_remote_description"
    );
    assert_eq!(
        events.borrow()[0].first_stream().map(|s| s.id()),
        Some(source.stream().id()),
        "the remote stream carries the sender's stream id"
    );

    let deadline = now_ms() + CONNECT_MS;
    while !(pair.a.connection_state() == PeerConnectionState::Connected
        && pair.b.connection_state() == PeerConnectionState::Connected)
    {
        assert!(
            now_ms() < deadline,
            "the relay-only call did not connect within {CONNECT_MS} ms through {}: states a {:?}, \
             b {:?}; candidates a {:?}, b {:?} (is coturn running?)",
            server.url,
            a_states.borrow(),
            b_states.borrow(),
            pair.gathered_by_a(),
            pair.gathered_by_b(),
        );
        sleep(50).await;
    }

    assert_video_flows(&pair.b, &video, "relay-only call").await;
    assert!(
        matches!(*attached.borrow(), Some(Ok(_))),
        "attach_stream on the remote <video>: {:?}",
        attached.borrow()
    );

    for (name, candidates) in [("a", &pair.gathered_by_a()), ("b", &pair.gathered_by_b())] {
        let gathered: Vec<String> = candidates
            .iter()
            .flatten()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect();
        assert!(
            !gathered.is_empty(),
            "peer {name} gathered no candidate at all"
        );
        for candidate in &gathered {
            assert_eq!(
                candidate_type(candidate),
                Some("relay"),
                "peer {name} gathered a non-relay candidate under the relay policy: {candidate}"
            );
        }
    }

    for (name, pc) in [("a", &pair.a), ("b", &pair.b)] {
        let selected = wait_selected_pair(pc, name, CONNECT_MS as u32).await;
        web_sys::console::log_1(&format!("peer {name}: selected pair {selected:?}").into());
        let typed = pc
            .stats_report()
            .await
            .expect("stats_report")
            .selected_candidate_pair();
        // Each side's own end must be its relay. The far end is the other peer's relay (it
        // gathered nothing else, checked above), typed `prflx` when its connectivity check
        // arrived before its signalled candidate (seen in Firefox).
        use rtc_peer::CandidateType::{Prflx, Relay};
        let ends = typed.as_ref().map(|pair| (pair.local, pair.remote));
        assert!(
            matches!(ends, Some((Relay, Relay | Prflx))),
            "peer {name}: the selected candidate pair must be relay on both ends: {typed:?} \
             (raw: {selected:?})"
        );
        // Every lookup the browser supports must name the same pair. Chromium: transport
        // stats only (no `selected` flag). Firefox: both the transport stats and its own
        // `selected` flag.
        if let Some(flagged) = &selected.by_selected_flag {
            assert_eq!(
                flagged, &selected.id,
                "peer {name}: Firefox's `selected` flag names another pair than the transport"
            );
        }
        assert!(
            selected.nominated_succeeded.contains(&selected.id),
            "peer {name}: the selected pair is not nominated + succeeded: {selected:?}"
        );
        match engine() {
            Engine::Chromium => assert!(
                selected.by_transport.as_deref() == Some(selected.id.as_str())
                    && selected.by_selected_flag.is_none(),
                "peer {name}: Chromium: expected transport.selectedCandidatePairId and no \
                 `selected` flag: {selected:?}"
            ),
            Engine::Firefox => assert!(
                selected.by_transport.as_deref() == Some(selected.id.as_str())
                    && selected.by_selected_flag.as_deref() == Some(selected.id.as_str()),
                "peer {name}: Firefox: expected transport.selectedCandidatePairId and its \
                 `selected` flag, both naming the pair: {selected:?}"
            ),
        }
    }

    video.remove();
}

#[wasm_bindgen_test]
async fn wrong_credential_fails_as_a_state_change_without_hanging() {
    let server = turn_server();
    let wrong = format!("{}-but-wrong", server.credential);
    let pair = support::turn::relay_pair(&relay_config(&server, &wrong));
    let (a_states, _a_states) = record_states(&pair.a);
    let (b_states, _b_states) = record_states(&pair.b);
    let (a_errors, _a_errors) = record_candidate_errors(&pair.a);
    let (b_errors, _b_errors) = record_candidate_errors(&pair.b);
    let source = support::canvas();
    pair.a
        .add_track(source.track(), &[source.stream()])
        .expect("add_track");

    // Signalling does not need ICE: the offer/answer exchange itself succeeds.
    negotiate(&pair.a, &pair.b).await.unwrap();

    let gathered_relay = |c: &[Option<String>]| {
        c.iter()
            .flatten()
            .any(|c| candidate_type(c) == Some("relay"))
    };
    let gathering_done = |c: &[Option<String>]| c.iter().any(Option::is_none);
    let failed = |s: &Seen<PeerConnectionState>| s.borrow().contains(&PeerConnectionState::Failed);

    // Each peer must surface the refusal: `connectionState` reaching `failed`, or ICE gathering
    // completing (the `None` from `on_ice_candidate`) with no relay candidate.
    let outcome = |states: &Seen<PeerConnectionState>, candidates: &[Option<String>]| {
        if failed(states) {
            Some(Refusal::ConnectionFailed)
        } else if gathering_done(candidates) && !gathered_relay(candidates) {
            Some(Refusal::NoRelayCandidate)
        } else {
            None
        }
    };
    let start = now_ms();
    let deadline = start + FAIL_MS;
    let (a_outcome, b_outcome) = loop {
        if let (Some(a), Some(b)) = (
            outcome(&a_states, &pair.gathered_by_a()),
            outcome(&b_states, &pair.gathered_by_b()),
        ) {
            break (a, b);
        }
        assert!(
            now_ms() < deadline,
            "with a wrong credential nothing surfaced within {FAIL_MS} ms: states a {:?}, b {:?}; \
             candidates a {:?}, b {:?}; icecandidateerror a {:?}, b {:?}",
            a_states.borrow(),
            b_states.borrow(),
            pair.gathered_by_a(),
            pair.gathered_by_b(),
            a_errors.borrow(),
            b_errors.borrow(),
        );
        sleep(100).await;
    };
    let took = now_ms() - start;
    web_sys::console::log_1(
        &format!(
            "{:?}: wrong credential surfaced after {took} ms as a {a_outcome:?}, b {b_outcome:?}; \
             states a {:?}, b {:?}; candidates a {:?}, b {:?}; icecandidateerror a {:?}, b {:?}",
            engine(),
            a_states.borrow(),
            b_states.borrow(),
            pair.gathered_by_a(),
            pair.gathered_by_b(),
            a_errors.borrow(),
            b_errors.borrow()
        )
        .into(),
    );
    assert!(
        !gathered_relay(&pair.gathered_by_a()) && !gathered_relay(&pair.gathered_by_b()),
        "coturn handed out a relay candidate for a wrong credential: a {:?}, b {:?}",
        pair.gathered_by_a(),
        pair.gathered_by_b()
    );
    // The refusal really is coturn's answer to the credential (a stopped server would also
    // yield no relay candidate): both browsers fire `icecandidateerror` with STUN error 401.
    for (name, errors) in [("a", &a_errors), ("b", &b_errors)] {
        let deadline = now_ms() + 5_000.0;
        while !errors.borrow().iter().any(|e| e.starts_with("401")) {
            assert!(
                now_ms() < deadline,
                "peer {name}: no icecandidateerror with code 401 (Unauthorized) from coturn \
                 within 5 s: {:?}",
                errors.borrow()
            );
            sleep(50).await;
        }
    }
    for (name, states) in [("a", &a_states), ("b", &b_states)] {
        assert!(
            !states.borrow().contains(&PeerConnectionState::Connected),
            "peer {name} connected without a usable relay: {:?}",
            states.borrow()
        );
    }
}

/// How a browser surfaces a TURN server that refuses the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// `connectionState` went to `failed`.
    ConnectionFailed,
    /// Gathering completed (`on_ice_candidate(None)`) without a relay candidate.
    NoRelayCandidate,
}

#[wasm_bindgen_test]
fn the_credential_never_appears_in_debug_output() {
    let server = turn_server();
    let ice = IceServer::new(server.url).credentials(server.username, server.credential);
    let config = relay_config(&server, server.credential);
    let pc = PeerConnection::with_configuration(&config).expect("a PeerConnection");
    let shown = [
        format!("{ice:?}"),
        format!("{ice:#?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", config.ice_servers()),
        format!("{:?}", Configuration::new().ice_server(ice.clone())),
        format!("{pc:?}"),
    ];
    pc.close();
    for text in &shown {
        assert!(
            !text.contains(server.credential),
            "a Debug output shows the TURN credential (text withheld)"
        );
    }
    assert!(
        shown[0].contains(server.username),
        "Debug shows the username"
    );
    assert!(shown[0].contains(server.url), "Debug shows the URL");
    assert!(ice.has_credential());
}
