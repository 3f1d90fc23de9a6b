//! Lifetimes under churn: handles, listeners and streams dropped at awkward moments, `close()`
//! from inside callbacks, hang-ups at every step of a negotiation, a listener re-entered by a
//! nested dispatch, `attach_stream` raced by a hang-up. None of it may panic, log a
//! use-after-drop or a recursion ("closure invoked recursively or after being dropped"), hang,
//! or leave a listener registered on the connection (counted by instrumenting
//! `EventTarget.prototype`).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Context;

use futures_util::StreamExt;
use rtc_peer::{
    Error, Listener, MediaKind, PeerConnection, SessionDescription, SignalingState, TrackEvent,
    TransceiverDirection,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::{browser, settles_within, sleep, wait_until, within};

/// Starts `future` (polls it once, so the browser call is made) and returns it still pending.
fn start<F: Future>(future: F) -> Pin<Box<F>> {
    let mut future = Box::pin(future);
    let waker = futures_util::task::noop_waker_ref();
    let mut cx = Context::from_waker(waker);
    // A browser promise settles in a later task, so this first poll is always pending; were
    // it ready, the caller's checks would simply see a settled call.
    let _ = future.as_mut().poll(&mut cx).is_ready();
    future
}

fn raw(pc: &PeerConnection) -> JsValue {
    pc.as_raw().clone().into()
}

/// Hands every candidate `from` gathers to `to` (a failed `add_ice_candidate`, as after a
/// hang-up, is ignored).
fn forward_candidates(from: &PeerConnection, to: &PeerConnection) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |c| {
        if let Some(c) = c {
            let to = to.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = to.add_ice_candidate(&c).await;
            });
        }
    })
}

/// A connection with a receive-only video transceiver, and a constructed `track` event for it.
fn pc_with_track_event() -> (PeerConnection, impl Fn() -> TrackEvent) {
    let pc = PeerConnection::new().unwrap();
    let transceiver = pc
        .add_transceiver(MediaKind::Video, TransceiverDirection::RecvOnly)
        .unwrap();
    let make = move || {
        let receiver = transceiver.receiver();
        TrackEvent::new(&receiver, &receiver.track(), &transceiver, &[]).unwrap()
    };
    (pc, make)
}

fn dispatch(pc: &PeerConnection, event: &web_sys::Event) {
    pc.as_raw().dispatch_event(event).unwrap();
}

fn ice_event(candidate: &JsValue) -> web_sys::Event {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &"RTCPeerConnectionIceEvent".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"candidate".into(), candidate).unwrap();
    let args = js_sys::Array::of2(&"icecandidate".into(), &init);
    js_sys::Reflect::construct(&ctor, &args)
        .unwrap()
        .unchecked_into()
}

/// Every `on_*` registration of the crate, for the "drop inside its own callback" check:
/// (event type to dispatch, how to register a listener that runs `body`).
type Register = fn(&PeerConnection, Box<dyn FnMut()>) -> Listener;

fn registrations() -> Vec<(&'static str, Register)> {
    vec![
        ("track", |pc, mut f| pc.on_track(move |_| f())),
        ("icecandidate", |pc, mut f| {
            pc.on_ice_candidate(move |_| f())
        }),
        ("connectionstatechange", |pc, mut f| {
            pc.on_connection_state_change(move |_| f())
        }),
        ("signalingstatechange", |pc, mut f| {
            pc.on_signaling_state_change(move |_| f())
        }),
        ("negotiationneeded", |pc, f| pc.on_negotiation_needed(f)),
    ]
}

fn event_for(kind: &str, make_track: &dyn Fn() -> TrackEvent) -> web_sys::Event {
    match kind {
        "track" => make_track().as_raw().clone().into(),
        "icecandidate" => ice_event(&JsValue::NULL),
        other => web_sys::Event::new(other).unwrap(),
    }
}

#[wasm_bindgen_test]
fn listener_dropped_inside_its_own_callback() {
    support::take_page_errors();
    let (pc, make_track) = pc_with_track_event();
    for (kind, register) in registrations() {
        let slot: Rc<RefCell<Option<Listener>>> = Rc::default();
        let calls = Rc::new(Cell::new(0u32));
        let listener = {
            let slot = slot.clone();
            let calls = calls.clone();
            register(
                &pc,
                Box::new(move || {
                    calls.set(calls.get() + 1);
                    let me = slot.borrow_mut().take();
                    drop(me); // the Listener drops itself, inside its own callback
                }),
            )
        };
        *slot.borrow_mut() = Some(listener);
        assert_eq!(
            support::ListenerCount::on(&raw(&pc)),
            1,
            "{kind}: registered"
        );
        for _ in 0..3 {
            dispatch(&pc, &event_for(kind, &make_track));
        }
        assert_eq!(calls.get(), 1, "{kind}: called once, then gone");
        assert!(slot.borrow().is_none());
        support::ListenerCount::none_left_on(&raw(&pc), kind).unwrap();
        support::no_page_errors(kind).unwrap();
    }
    pc.close();
}

#[wasm_bindgen_test]
fn listener_dropped_from_another_listeners_callback() {
    support::take_page_errors();
    let (pc, make_track) = pc_with_track_event();
    let other: Rc<RefCell<Option<Listener>>> = Rc::default();
    let calls_first = Rc::new(Cell::new(0u32));
    let calls_second = Rc::new(Cell::new(0u32));

    // The first listener drops the second, which is registered after it: the DOM must not
    // call the removed second listener for the event being dispatched, and its closure is
    // freed right away.
    let first = {
        let other = other.clone();
        let calls = calls_first.clone();
        pc.on_track(move |_| {
            calls.set(calls.get() + 1);
            let victim = other.borrow_mut().take();
            drop(victim);
        })
    };
    *other.borrow_mut() = Some({
        let calls = calls_second.clone();
        pc.on_track(move |_| calls.set(calls.get() + 1))
    });
    assert_eq!(support::ListenerCount::on(&raw(&pc)), 2);
    for _ in 0..3 {
        dispatch(&pc, make_track().as_raw());
    }
    assert_eq!(calls_first.get(), 3);
    assert_eq!(
        calls_second.get(),
        0,
        "a listener removed mid-dispatch is not called"
    );
    assert_eq!(support::ListenerCount::on(&raw(&pc)), 1);
    drop(first);
    support::ListenerCount::none_left_on(&raw(&pc), "after dropping the first listener").unwrap();

    // The other way round: the later listener drops the earlier one (already called for this
    // event), then the earlier one is gone for the next events.
    let earlier: Rc<RefCell<Option<Listener>>> = Rc::default();
    let calls_earlier = Rc::new(Cell::new(0u32));
    let calls_later = Rc::new(Cell::new(0u32));
    *earlier.borrow_mut() = Some({
        let calls = calls_earlier.clone();
        pc.on_track(move |_| calls.set(calls.get() + 1))
    });
    let later = {
        let earlier = earlier.clone();
        let calls = calls_later.clone();
        pc.on_track(move |_| {
            calls.set(calls.get() + 1);
            let victim = earlier.borrow_mut().take();
            drop(victim);
        })
    };
    for _ in 0..3 {
        dispatch(&pc, make_track().as_raw());
    }
    assert_eq!(calls_earlier.get(), 1);
    assert_eq!(calls_later.get(), 3);

    // A listener of another event type drops a track listener from its callback.
    let track_listener: Rc<RefCell<Option<Listener>>> = Rc::default();
    *track_listener.borrow_mut() = Some(pc.on_track(|_| {}));
    let state_listener = {
        let track_listener = track_listener.clone();
        pc.on_signaling_state_change(move |_| drop(track_listener.borrow_mut().take()))
    };
    dispatch(&pc, &web_sys::Event::new("signalingstatechange").unwrap());
    dispatch(&pc, make_track().as_raw());
    assert!(track_listener.borrow().is_none());

    drop((later, state_listener));
    support::ListenerCount::none_left_on(&raw(&pc), "after dropping every listener").unwrap();
    support::no_page_errors("listener dropped from another listener").unwrap();
    pc.close();
}

#[wasm_bindgen_test]
async fn handle_dropped_while_negotiation_is_in_flight() {
    support::take_page_errors();
    let caller = PeerConnection::new().unwrap();
    caller
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = support::local_offer(&caller).await;

    // 1. The future of an in-flight setRemoteDescription is dropped, and so are the handle
    //    and every listener, before the browser finishes (and fires `track`).
    let callee = PeerConnection::new().unwrap();
    let callee_raw = callee.as_raw().clone();
    let fired = Rc::new(Cell::new(0u32));
    let listeners = {
        let fired = fired.clone();
        let f2 = fired.clone();
        vec![
            callee.on_track(move |_| fired.set(fired.get() + 1)),
            callee.on_signaling_state_change(move |_| f2.set(f2.get() + 1)),
            callee.on_ice_candidate(|_| {}),
            callee.on_connection_state_change(|_| {}),
            callee.on_negotiation_needed(|| {}),
        ]
    };
    let tracks = callee.track_events();
    let candidates = callee.ice_candidates();
    let states = callee.connection_states();
    assert_eq!(support::ListenerCount::on(callee_raw.as_ref()), 8);
    let in_flight = start(callee.set_remote_description(&offer));
    drop(in_flight);
    drop((listeners, tracks, candidates, states));
    drop(callee);
    support::ListenerCount::none_left_on(callee_raw.as_ref(), "dropped mid setRemoteDescription")
        .unwrap();
    // The browser finishes the call on its own; nothing of ours may be called.
    let check = callee_raw.clone();
    wait_until(
        5_000,
        "the abandoned setRemoteDescription finished",
        move || {
            PeerConnection::from(check.clone()).signaling_state() == SignalingState::HaveRemoteOffer
        },
    )
    .await
    .unwrap();
    sleep(100).await;
    assert_eq!(fired.get(), 0, "no dropped listener was called");
    support::no_page_errors("future, handle and listeners dropped mid-negotiation").unwrap();
    callee_raw.close();

    // 2. The handle is dropped while a spawned negotiation (holding its own clone) runs; the
    //    listeners still deliver, and the call still completes.
    let callee = PeerConnection::new().unwrap();
    let callee_raw = callee.as_raw().clone();
    let seen = Rc::new(Cell::new(0u32));
    let on_track = {
        let seen = seen.clone();
        callee.on_track(move |_| seen.set(seen.get() + 1))
    };
    let outcome: Rc<RefCell<Option<Result<(), Error>>>> = Rc::default();
    {
        let callee = callee.clone();
        let offer = offer.clone();
        let outcome = outcome.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = within(
                10_000,
                "callee.set_remote_description",
                callee.set_remote_description(&offer),
            )
            .await
            .expect("the wait is bounded");
            *outcome.borrow_mut() = Some(result);
        });
    }
    drop(callee);
    let check = outcome.clone();
    wait_until(
        5_000,
        "the spawned setRemoteDescription settled",
        move || check.borrow().is_some(),
    )
    .await
    .unwrap();
    assert_eq!(outcome.borrow_mut().take(), Some(Ok(())));
    assert_eq!(
        seen.get(),
        1,
        "the track listener outlived the dropped handle"
    );
    drop(on_track);
    support::ListenerCount::none_left_on(callee_raw.as_ref(), "after the spawned negotiation")
        .unwrap();
    callee_raw.close();

    // 3. Every handle and listener of a connecting call is dropped while ICE is in flight.
    let callee = PeerConnection::new().unwrap();
    let callee_raw = callee.as_raw().clone();
    let caller_raw = caller.as_raw().clone();
    let forward_a = forward_candidates(&caller, &callee);
    let forward_b = forward_candidates(&callee, &caller);
    let states = callee.connection_states();
    support::step(
        "callee.set_remote_description",
        callee.set_remote_description(&offer),
    )
    .await;
    support::finish_answer(&caller, &callee).await;
    drop((forward_a, forward_b, states));
    drop((callee, caller));
    support::ListenerCount::none_left_on(callee_raw.as_ref(), "callee dropped while connecting")
        .unwrap();
    support::ListenerCount::none_left_on(caller_raw.as_ref(), "caller dropped while connecting")
        .unwrap();
    sleep(500).await;
    support::no_page_errors("handles dropped while ICE is in flight").unwrap();
    callee_raw.close();
    caller_raw.close();
    console_log!("NOTE: churn handle-drop [{}] ok", browser());
}

/// A caller with a video and an audio transceiver and its local offer applied.
async fn offering_caller() -> (PeerConnection, SessionDescription) {
    let caller = PeerConnection::new().unwrap();
    caller
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    caller
        .add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = support::local_offer(&caller).await;
    (caller, offer)
}

#[wasm_bindgen_test]
async fn close_inside_on_track() {
    support::take_page_errors();
    let (caller, offer) = offering_caller().await;
    // Two tracks on offer: the first event's listener closes the connection.
    let callee = PeerConnection::new().unwrap();
    let tracks_seen = Rc::new(Cell::new(0u32));
    let on_track = {
        let me = callee.clone();
        let seen = tracks_seen.clone();
        callee.on_track(move |_| {
            seen.set(seen.get() + 1);
            me.close();
        })
    };
    let result = settles_within(2_000, callee.set_remote_description(&offer)).await;
    let outcome = describe(&result);
    assert!(tracks_seen.get() >= 1, "on_track ran ({outcome})");
    assert_eq!(
        outcome, "Err(InvalidStateError)",
        "close() settles the interrupted call"
    );
    assert_eq!(callee.signaling_state(), SignalingState::Closed);
    if let Some(Err(e)) = &result {
        assert!(!e.name().is_empty() && !e.message().is_empty(), "{e:?}");
    }
    let after = within(5_000, "create_answer after close", callee.create_answer())
        .await
        .unwrap();
    assert_eq!(
        after.as_ref().map_err(Error::name),
        Err("InvalidStateError")
    );
    drop(on_track);
    support::ListenerCount::none_left_on(&raw(&callee), "close inside on_track").unwrap();
    sleep(100).await;
    support::no_page_errors("close inside on_track").unwrap();
    console_log!(
        "NOTE: churn close-inside-on_track [{}]: track events seen={} (of 2), setRemoteDescription -> {}",
        browser(),
        tracks_seen.get(),
        outcome
    );
    caller.close();
}

#[wasm_bindgen_test]
async fn close_inside_state_change_callbacks() {
    support::take_page_errors();
    let (caller, offer) = offering_caller().await;

    // close() from on_signaling_state_change (fired inside setRemoteDescription, before
    // `track`): a browser firing state events synchronously from close() would re-enter the
    // closure; none may.
    let callee = PeerConnection::new().unwrap();
    let calls = Rc::new(Cell::new(0u32));
    let tracks = Rc::new(Cell::new(0u32));
    let on_signaling = {
        let me = callee.clone();
        let calls = calls.clone();
        callee.on_signaling_state_change(move |_| {
            calls.set(calls.get() + 1);
            me.close();
        })
    };
    let on_track = {
        let tracks = tracks.clone();
        callee.on_track(move |_| tracks.set(tracks.get() + 1))
    };
    let result = settles_within(2_000, callee.set_remote_description(&offer)).await;
    let signaling_outcome = describe(&result);
    assert_eq!(
        signaling_outcome, "Err(InvalidStateError)",
        "close() settles the interrupted call"
    );
    assert!(calls.get() >= 1, "the signalling listener ran");
    assert_eq!(callee.signaling_state(), SignalingState::Closed);
    if let Some(Err(e)) = &result {
        assert!(!e.name().is_empty() && !e.message().is_empty(), "{e:?}");
    }
    let signaling_tracks = tracks.get();
    drop((on_signaling, on_track));
    support::ListenerCount::none_left_on(&raw(&callee), "close inside on_signaling_state_change")
        .unwrap();

    // close() from on_connection_state_change, as the call starts connecting.
    let callee = PeerConnection::new().unwrap();
    let states: Rc<RefCell<Vec<String>>> = Rc::default();
    let on_connection = {
        let me = callee.clone();
        let states = states.clone();
        callee.on_connection_state_change(move |state| {
            states.borrow_mut().push(format!("{state:?}"));
            me.close();
        })
    };
    caller.close();
    let (caller, offer) = offering_caller().await;
    // Candidates may fail with InvalidStateError once closed: that is the point.
    let forward = [
        forward_candidates(&caller, &callee),
        forward_candidates(&callee, &caller),
    ];
    support::step(
        "callee.set_remote_description",
        callee.set_remote_description(&offer),
    )
    .await;
    let answer = support::step("callee.create_answer", callee.create_answer()).await;
    support::step(
        "callee.set_local_description",
        callee.set_local_description(&answer),
    )
    .await;
    let _ = within(
        10_000,
        "caller.set_remote_description",
        caller.set_remote_description(&answer),
    )
    .await
    .expect("the wait is bounded");
    let check = states.clone();
    wait_until(
        10_000,
        "a connection state change on the callee",
        move || !check.borrow().is_empty(),
    )
    .await
    .unwrap();
    sleep(300).await;
    assert_eq!(callee.signaling_state(), SignalingState::Closed);
    drop((on_connection, forward));
    support::ListenerCount::none_left_on(&raw(&callee), "close inside on_connection_state_change")
        .unwrap();
    sleep(100).await;
    support::no_page_errors("close inside state-change callbacks").unwrap();
    console_log!(
        "NOTE: churn close-inside-state-callbacks [{}]: signalingstatechange -> close: setRemoteDescription -> {}, track events after it = {}; connectionstatechange -> close: states seen {:?}",
        browser(),
        signaling_outcome,
        signaling_tracks,
        states.borrow()
    );
    caller.close();
}

fn describe<T>(result: &Option<Result<T, Error>>) -> String {
    match result {
        None => "still pending after 2 s".into(),
        Some(Ok(_)) => "Ok".into(),
        Some(Err(e)) => format!("Err({})", e.name()),
    }
}

/// The six calls of an offer/answer exchange; `hang_up_at` closes both ends before (or, with
/// `mid_call`, while) step `hang_up_at` runs; that call and every later one must fail with
/// `InvalidStateError` (a call the hang-up interrupts too: `close()` settles it).
async fn negotiate_and_hang_up(hang_up_at: usize, mid_call: bool) -> String {
    let caller = PeerConnection::new().unwrap();
    let callee = PeerConnection::new().unwrap();
    caller
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    let listeners = vec![
        caller.on_track(|_| {}),
        callee.on_track(|_| {}),
        caller.on_ice_candidate(|_| {}),
        callee.on_ice_candidate(|_| {}),
        caller.on_connection_state_change(|_| {}),
        callee.on_connection_state_change(|_| {}),
    ];
    let hang_up = || {
        caller.close();
        callee.close();
    };
    let mut offer = SessionDescription::offer("");
    let mut answer = SessionDescription::answer("");
    let mut log = String::new();
    for step in 0..6 {
        let closed = step > hang_up_at || (step == hang_up_at && !mid_call);
        if step == hang_up_at && !mid_call {
            hang_up();
        }
        let call: Pin<Box<dyn Future<Output = Result<Option<SessionDescription>, Error>>>> =
            match step {
                0 => Box::pin(async { caller.create_offer().await.map(Some) }),
                1 => Box::pin(async { caller.set_local_description(&offer).await.map(|_| None) }),
                2 => Box::pin(async { callee.set_remote_description(&offer).await.map(|_| None) }),
                3 => Box::pin(async { callee.create_answer().await.map(Some) }),
                4 => Box::pin(async { callee.set_local_description(&answer).await.map(|_| None) }),
                _ => Box::pin(async { caller.set_remote_description(&answer).await.map(|_| None) }),
            };
        let mut call = start(call);
        if step == hang_up_at && mid_call {
            hang_up();
        }
        let result = settles_within(1_500, call.as_mut()).await;
        drop(call);
        let what = format!("hang up at {hang_up_at} (mid_call {mid_call}), step {step}");
        match result {
            Some(Ok(Some(description))) => {
                assert!(
                    !closed && step != hang_up_at,
                    "{what}: succeeded on a closed connection"
                );
                if step == 0 {
                    offer = description;
                } else {
                    answer = description;
                }
                log.push('+');
            }
            Some(Ok(None)) => {
                assert!(
                    !closed && step != hang_up_at,
                    "{what}: succeeded on a closed connection"
                );
                log.push('+');
            }
            Some(Err(e)) => {
                assert!(!e.message().is_empty(), "{what}: empty message {e:?}");
                // Before the hang-up this is a valid negotiation: every step succeeds.
                assert!(
                    closed || step == hang_up_at,
                    "{what}: a step before the hang-up failed: {e}"
                );
                assert_eq!(e.name(), "InvalidStateError", "{what}: {e}");
                log.push_str(if e.name() == "InvalidStateError" {
                    "S"
                } else {
                    "E"
                });
            }
            None => {
                // close() ends every pending call of the connection with InvalidStateError
                // (the specification alone would leave an interrupted call pending forever).
                panic!("{what}: never settled");
            }
        }
    }
    hang_up();
    drop(listeners);
    support::ListenerCount::none_left_on(&raw(&caller), "caller after hang-up").unwrap();
    support::ListenerCount::none_left_on(&raw(&callee), "callee after hang-up").unwrap();
    log
}

#[wasm_bindgen_test]
async fn hang_up_at_every_step_of_the_negotiation() {
    support::take_page_errors();
    let mut summary = Vec::new();
    for hang_up_at in 0..6 {
        for mid_call in [false, true] {
            let log = negotiate_and_hang_up(hang_up_at, mid_call).await;
            // Every step before the hang-up succeeds; it and every later one are refused.
            let expected = format!("{}{}", "+".repeat(hang_up_at), "S".repeat(6 - hang_up_at));
            assert_eq!(
                log, expected,
                "hang up at {hang_up_at} (mid_call {mid_call}): the six steps"
            );
            summary.push(format!(
                "{hang_up_at}{}:{log}",
                if mid_call { "m" } else { "" }
            ));
        }
    }
    sleep(200).await;
    support::no_page_errors("hang-ups").unwrap();
    // '+' ok, 'S' InvalidStateError, 'E' another error
    console_log!("NOTE: churn hang-up [{}]: {}", browser(), summary.join(" "));
}

#[wasm_bindgen_test]
async fn hang_up_while_the_offer_is_pending() {
    support::take_page_errors();
    let caller = PeerConnection::new().unwrap();
    let callee = PeerConnection::new().unwrap();
    caller
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    // Candidates arriving after the hang-up fail with InvalidStateError.
    let forward = forward_candidates(&caller, &callee);
    let offer = support::local_offer(&caller).await;
    support::step(
        "callee.set_remote_description",
        callee.set_remote_description(&offer),
    )
    .await;
    let answer = support::step("callee.create_answer", callee.create_answer()).await;
    // The caller hangs up while its offer waits for the answer.
    caller.close();
    let late = within(5_000, "late answer", caller.set_remote_description(&answer))
        .await
        .unwrap();
    assert_eq!(late.as_ref().map_err(Error::name), Err("InvalidStateError"));
    let candidate = rtc_peer::ice_candidate(
        "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host",
        Some("0"),
        None,
    )
    .unwrap();
    let late = within(
        5_000,
        "late candidate",
        caller.add_ice_candidate(&candidate),
    )
    .await
    .unwrap();
    assert_eq!(late.as_ref().map_err(Error::name), Err("InvalidStateError"));
    // The callee hangs up too, with its answer still unapplied.
    callee.close();
    let late = within(
        5_000,
        "late local answer",
        callee.set_local_description(&answer),
    )
    .await
    .unwrap();
    assert_eq!(late.as_ref().map_err(Error::name), Err("InvalidStateError"));
    drop(forward);
    support::ListenerCount::none_left_on(&raw(&caller), "caller").unwrap();
    sleep(100).await;
    support::no_page_errors("hang up while the offer is pending").unwrap();
}

#[wasm_bindgen_test]
async fn streams_dropped_mid_burst() {
    support::take_page_errors();
    let (pc, make_track) = pc_with_track_event();
    let make_track = Rc::new(make_track);
    let counted = Rc::new(Cell::new(0u32));
    let counter = {
        let counted = counted.clone();
        pc.on_track(move |_| counted.set(counted.get() + 1))
    };

    // 1. A consumer reads part of a burst dispatched from another task, then drops the stream
    //    while the burst goes on.
    const BURST: u32 = 1_000;
    let mut tracks = pc.track_events();
    let mut states = pc.connection_states();
    let done = Rc::new(Cell::new(false));
    {
        let pc = pc.clone();
        let make_track = make_track.clone();
        let done = done.clone();
        wasm_bindgen_futures::spawn_local(async move {
            for i in 0..BURST {
                dispatch(&pc, make_track().as_raw());
                dispatch(&pc, &web_sys::Event::new("connectionstatechange").unwrap());
                if i % 20 == 19 {
                    sleep(0).await;
                }
            }
            done.set(true);
        });
    }
    let mut read = 0u32;
    while read < 150 {
        let event = within(5_000, "a track event from the burst", tracks.next())
            .await
            .unwrap();
        assert!(event.is_some(), "the track stream never ends by itself");
        read += 1;
    }
    let _ = within(5_000, "a state from the burst", states.next())
        .await
        .unwrap();
    assert!(
        !done.get(),
        "the burst is still running when the streams are dropped"
    );
    drop(tracks);
    drop(states);
    assert_eq!(
        support::ListenerCount::on(&raw(&pc)),
        1,
        "only the counter is left"
    );
    let check = done.clone();
    wait_until(10_000, "the burst finished", move || check.get())
        .await
        .unwrap();
    assert_eq!(counted.get(), BURST, "the counter saw the whole burst");

    // 2. A listener drops the stream from inside its callback, halfway through a burst
    //    dispatched synchronously (one event loop turn).
    let stream: Rc<RefCell<Option<rtc_peer::TrackEvents>>> =
        Rc::new(RefCell::new(Some(pc.track_events())));
    let candidates: Rc<RefCell<Option<rtc_peer::IceCandidates>>> =
        Rc::new(RefCell::new(Some(pc.ice_candidates())));
    let seen = Rc::new(Cell::new(0u32));
    let dropper = {
        let stream = stream.clone();
        let candidates = candidates.clone();
        let seen = seen.clone();
        pc.on_track(move |_| {
            seen.set(seen.get() + 1);
            if seen.get() == BURST / 2 {
                drop(stream.borrow_mut().take());
                drop(candidates.borrow_mut().take());
            }
        })
    };
    for _ in 0..BURST {
        dispatch(&pc, make_track().as_raw());
        dispatch(&pc, &ice_event(&JsValue::NULL));
    }
    assert!(stream.borrow().is_none() && candidates.borrow().is_none());
    assert_eq!(seen.get(), BURST);
    drop((dropper, counter));
    support::ListenerCount::none_left_on(&raw(&pc), "after the bursts").unwrap();
    sleep(50).await;
    support::no_page_errors("streams dropped mid-burst").unwrap();
    pc.close();
    console_log!(
        "NOTE: churn burst [{}]: {} track events dispatched per burst, stream dropped after {}",
        browser(),
        BURST,
        read
    );
}

#[wasm_bindgen_test]
fn listener_dispatching_its_own_event_type_reentrantly() {
    support::take_page_errors();
    let (pc, make_track) = pc_with_track_event();
    let make_track = Rc::new(make_track);

    // 1. The callback dispatches another `track` event on its own connection: no recursion
    //    (wasm-bindgen would throw "closure invoked recursively"); the nested event is
    //    delivered right after the outer call returns.
    let log: Rc<RefCell<Vec<&'static str>>> = Rc::default();
    let listener = {
        let log = log.clone();
        let pc2 = pc.clone();
        let make_track = make_track.clone();
        pc.on_track(move |_| {
            let first = log.borrow().is_empty();
            log.borrow_mut()
                .push(if first { "outer start" } else { "nested" });
            if first {
                dispatch(&pc2, make_track().as_raw());
                log.borrow_mut().push("outer end");
            }
        })
    };
    dispatch(&pc, make_track().as_raw());
    let errors = support::take_page_errors().join("\n");
    console_log!(
        "NOTE: churn re-entrant dispatch [{}]: {:?}; errors: {:?}",
        browser(),
        log.borrow(),
        errors
    );
    assert!(errors.is_empty(), "re-entrant dispatch logged: {errors}");
    assert_eq!(*log.borrow(), ["outer start", "outer end", "nested"]);
    drop(listener);

    // 2. The callback dispatches a nested event and then drops its own listener: the queued
    //    nested event is not delivered.
    let slot: Rc<RefCell<Option<Listener>>> = Rc::default();
    let calls = Rc::new(Cell::new(0u32));
    let listener = {
        let slot = slot.clone();
        let calls = calls.clone();
        let pc2 = pc.clone();
        let make_track = make_track.clone();
        pc.on_track(move |_| {
            calls.set(calls.get() + 1);
            dispatch(&pc2, make_track().as_raw());
            let me = slot.borrow_mut().take();
            drop(me);
        })
    };
    *slot.borrow_mut() = Some(listener);
    dispatch(&pc, make_track().as_raw());
    assert_eq!(
        calls.get(),
        1,
        "nothing is delivered after the listener dropped itself"
    );
    support::ListenerCount::none_left_on(&raw(&pc), "re-entrant dispatch").unwrap();
    support::no_page_errors("re-entrant dispatch, then drop").unwrap();
    pc.close();
}

#[wasm_bindgen_test]
async fn attach_stream_raced_by_detach_and_removal() {
    support::take_page_errors();
    let source = support::canvas();
    let document = web_sys::window().unwrap().document().unwrap();
    let mut outcomes: Vec<String> = Vec::new();
    for i in 0..40u32 {
        let video: web_sys::HtmlVideoElement =
            document.create_element("video").unwrap().unchecked_into();
        video.set_muted(true);
        document.body().unwrap().append_child(&video).unwrap();
        let media: web_sys::HtmlMediaElement = video.clone().unchecked_into();
        let mut attach = start(rtc_peer::attach_stream(&media, source.stream()));
        // Hang up at different moments: at once, after a task, after a few frames.
        match i % 4 {
            0 => {}
            1 => sleep(0).await,
            2 => sleep(30).await,
            _ => sleep(100).await,
        }
        rtc_peer::detach_stream(&media);
        if i % 2 == 0 {
            video.remove();
        }
        let outcome = match settles_within(3_000, attach.as_mut()).await {
            None => "pending".to_owned(),
            Some(Ok(playback)) => format!("{playback:?}"),
            Some(Err(e)) => {
                assert!(!e.name().is_empty() && !e.message().is_empty(), "{e:?}");
                e.name().to_owned()
            }
        };
        drop(attach);
        video.remove();
        outcomes.push(outcome);
    }
    source.stop();
    sleep(50).await;
    support::no_page_errors("attach_stream raced by hang-ups").unwrap();
    let mut counts: std::collections::BTreeMap<&str, u32> = Default::default();
    for o in &outcomes {
        *counts.entry(o.as_str()).or_default() += 1;
    }
    console_log!(
        "NOTE: churn attach/detach race [{}]: {:?}",
        browser(),
        counts
    );
    assert!(
        !counts.contains_key("pending"),
        "attach_stream never settled after the element was detached: {counts:?}"
    );
}
