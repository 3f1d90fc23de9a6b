//! The JavaScript surface: `negotiate(pc, { polite, send, onEnd })` and its `Negotiation`,
//! called as JavaScript calls them (through the exported functions and JS methods).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use rtc_peer::{PeerConnection, SignalingState, TrackEvent};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    probe, seed, wait_until, wait_until_with, within, SeededRng, SignalChannel, SignalDelay,
    TestFailure,
};

use crate::{camera, WAIT_MS};

/// Calls `object.name(...args)` as JavaScript would.
fn call(object: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let method: Function = Reflect::get(object, &name.into())
        .expect("a method")
        .dyn_into()
        .expect("a function");
    method
        .apply(object, &args.iter().collect())
        .expect("the method does not throw")
}

struct JsSide {
    pc: PeerConnection,
    negotiation: JsValue,
    ends: Rc<RefCell<Vec<String>>>,
    tracks: Rc<RefCell<Vec<TrackEvent>>>,
    _send: Closure<dyn Fn(String)>,
    _on_end: Closure<dyn Fn(String)>,
    _track: rtc_peer::Listener,
}

fn js_side(polite: bool, out: &SignalChannel) -> JsSide {
    let pc = PeerConnection::new().expect("a PeerConnection");
    let tracks: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
    let track = {
        let tracks = Rc::clone(&tracks);
        pc.on_track(move |event| tracks.borrow_mut().push(event))
    };
    let send = {
        let out = out.clone();
        Closure::<dyn Fn(String)>::new(move |message: String| out.send(message))
    };
    let ends: Rc<RefCell<Vec<String>>> = Rc::default();
    let on_end = {
        let ends = Rc::clone(&ends);
        Closure::<dyn Fn(String)>::new(move |reason: String| ends.borrow_mut().push(reason))
    };
    let options = Object::new();
    Reflect::set(&options, &"polite".into(), &polite.into()).expect("set");
    Reflect::set(&options, &"send".into(), send.as_ref()).expect("set");
    Reflect::set(&options, &"onEnd".into(), on_end.as_ref()).expect("set");
    let negotiation = rtc_peer::js::negotiation::negotiate(pc.as_raw().into(), options.into())
        .expect("negotiate");
    JsSide {
        pc,
        negotiation,
        ends,
        tracks,
        _send: send,
        _on_end: on_end,
        _track: track,
    }
}

fn deliver_to(side: &JsSide, errors: &Rc<RefCell<Vec<String>>>) -> impl Fn(String) + 'static {
    let negotiation = side.negotiation.clone();
    let errors = Rc::clone(errors);
    move |message: String| {
        let promise: Promise = call(&negotiation, "receive", &[message.into()]).unchecked_into();
        let errors = Rc::clone(&errors);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = JsFuture::from(promise).await {
                errors
                    .borrow_mut()
                    .push(format!("{:?}", rtc_peer::Error::from(err)));
            }
        });
    }
}

async fn rejection_name(negotiation: &JsValue, message: JsValue) -> String {
    let promise: Promise = call(negotiation, "receive", &[message]).unchecked_into();
    let err = within(WAIT_MS, "receive settles", JsFuture::from(promise))
        .await
        .unwrap_or_else(|failure| panic!("{failure}"))
        .expect_err("a rejection");
    rtc_peer::Error::from(err).name().to_owned()
}

#[wasm_bindgen_test]
async fn two_js_negotiations_glare_converge_and_hang_up() -> Result<(), TestFailure> {
    let mut seeds = SeededRng::new(seed("js api"));
    let to_a = SignalChannel::new(seeds.next_u64(), SignalDelay::default());
    let to_b = SignalChannel::new(seeds.next_u64(), SignalDelay::default());
    let a = js_side(true, &to_b);
    let b = js_side(false, &to_a);
    let errors: Rc<RefCell<Vec<String>>> = Rc::default();
    to_a.connect(deliver_to(&a, &errors));
    to_b.connect(deliver_to(&b, &errors));
    let camera_a = camera().expect("a canvas source");
    let camera_b = camera().expect("a canvas source");
    a.pc.add_track(camera_a.track(), &[camera_a.stream()])
        .expect("addTrack a");
    b.pc.add_track(camera_b.track(), &[camera_b.stream()])
        .expect("addTrack b");
    wait_until_with(
        WAIT_MS,
        "both stable with a track event each",
        || {
            a.pc.signaling_state() == SignalingState::Stable
                && b.pc.signaling_state() == SignalingState::Stable
                && to_a.in_flight() == 0
                && to_b.in_flight() == 0
                && a.tracks.borrow().len() == 1
                && b.tracks.borrow().len() == 1
        },
        || {
            format!(
                "{:?} {:?} errors {:?}",
                a.pc.signaling_state(),
                b.pc.signaling_state(),
                errors.borrow()
            )
        },
    )
    .await?;
    assert!(errors.borrow().is_empty(), "{:?}", errors.borrow());

    // Bad messages reject with named errors and change nothing.
    assert_eq!(
        rejection_name(&b.negotiation, "{oops".into()).await,
        "SyntaxError"
    );
    assert_eq!(
        rejection_name(&b.negotiation, r#"{"v":1}"#.into()).await,
        "TypeError"
    );
    assert_eq!(
        rejection_name(&b.negotiation, JsValue::from(7)).await,
        "TypeError"
    );
    assert_eq!(b.pc.signaling_state(), SignalingState::Stable);

    assert_eq!(
        Reflect::get(&a.negotiation, &"ended".into()).expect("ended"),
        JsValue::UNDEFINED
    );
    call(&a.negotiation, "hangUp", &[]);
    call(&a.negotiation, "hangUp", &[]);
    wait_until_with(
        1_000,
        "remote-hang-up on b",
        || !b.ends.borrow().is_empty(),
        String::new,
    )
    .await?;
    assert_eq!(*a.ends.borrow(), ["local-hang-up"]);
    assert_eq!(*b.ends.borrow(), ["remote-hang-up"]);
    assert_eq!(
        Reflect::get(&b.negotiation, &"ended".into()).expect("ended"),
        JsValue::from_str("remote-hang-up")
    );
    // The liveness channel may end b's call before a's own `Bye` arrives through the delayed
    // channel; that first `Bye` is then accepted (it says the same again). Only a `Bye` after
    // it is an error, so a's must have been delivered first.
    wait_until(WAIT_MS, "a's Bye delivered to b", || to_b.in_flight() == 0).await?;
    assert_eq!(
        rejection_name(&b.negotiation, r#"{"v":1,"bye":true}"#.into()).await,
        "InvalidStateError"
    );

    // The call ended: the negotiation's listeners are gone already; dispose() after it (twice)
    // removes nothing more and does not throw.
    let ours = ["negotiationneeded", "icecandidate", "connectionstatechange"];
    for side in [&a, &b] {
        let raw = JsValue::from(side.pc.as_raw());
        let types = probe::listener_types(&raw);
        assert!(
            !ours.iter().any(|t| types.contains(t)),
            "left after the call ended: {types}"
        );
        let before = probe::listeners(&raw);
        call(&side.negotiation, "dispose", &[]);
        call(&side.negotiation, "dispose", &[]);
        assert_eq!(probe::listeners(&raw), before, "dispose() after the end");
    }
    // Before the end, dispose() removes the negotiation's three listeners.
    let fresh = js_side(true, &SignalChannel::new(1, SignalDelay::default()));
    let raw = JsValue::from(fresh.pc.as_raw());
    let before = probe::listeners(&raw);
    call(&fresh.negotiation, "dispose", &[]);
    assert_eq!(
        before - probe::listeners(&raw),
        3,
        "dispose() removed the negotiation's three listeners: {}",
        probe::listener_types(&raw)
    );
    fresh.pc.close();
    Ok(())
}

#[wasm_bindgen_test]
fn negotiate_checks_its_arguments() {
    let pc = PeerConnection::new().expect("a PeerConnection");
    let name = |pc: JsValue, options: JsValue| {
        let thrown = rtc_peer::js::negotiation::negotiate(pc, options).expect_err("a TypeError");
        rtc_peer::Error::from(thrown).name().to_owned()
    };
    assert_eq!(name(JsValue::NULL, Object::new().into()), "TypeError");
    assert_eq!(name(pc.as_raw().into(), Object::new().into()), "TypeError");
    let options = Object::new();
    Reflect::set(&options, &"polite".into(), &JsValue::TRUE).expect("set");
    assert_eq!(
        name(pc.as_raw().into(), options.clone().into()),
        "TypeError",
        "no send"
    );
    Reflect::set(&options, &"send".into(), &JsValue::from(3)).expect("set");
    assert_eq!(
        name(pc.as_raw().into(), options.into()),
        "TypeError",
        "send not a function"
    );
    pc.close();
}
