//! `Listener` lifetime: a dropped listener never runs again, several listeners coexist,
//! dropping one inside its own callback is safe, `forget()` keeps it, and the page never logs
//! wasm-bindgen's "closure invoked recursively or after being dropped".

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rtc_peer::{Listener, MediaKind, PeerConnection, TransceiverDirection};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use support::{fire_track_event, sleep, wait_until, ConsoleCapture, CLOSURE_ERROR, WAIT_MS};

fn counter() -> Rc<Cell<u32>> {
    Rc::new(Cell::new(0))
}

fn count_on_track(pc: &PeerConnection, count: &Rc<Cell<u32>>) -> Listener {
    let count = count.clone();
    pc.on_track(move |_| count.set(count.get() + 1))
}

/// The capture must see the error it guards against: a raw `Closure` freed while still
/// registered makes the browser call a dropped closure.
#[wasm_bindgen_test]
async fn the_console_capture_detects_the_freed_closure_error() {
    let capture = ConsoleCapture::start();
    let target: web_sys::EventTarget = support::document().create_element("div").unwrap().into();
    let closure = Closure::<dyn FnMut()>::new(|| {});
    target
        .add_event_listener_with_callback("ping", closure.as_ref().unchecked_ref())
        .unwrap();
    drop(closure); // freed, but still registered: the raw web-sys mistake
    target
        .dispatch_event(&web_sys::Event::new("ping").unwrap())
        .unwrap();
    wait_until(
        WAIT_MS,
        "the capture to record the freed-closure error",
        || capture.lines().iter().any(|l| l.contains(CLOSURE_ERROR)),
    )
    .await
    .unwrap();
}

#[wasm_bindgen_test]
async fn a_dropped_listener_never_runs_again() {
    let capture = ConsoleCapture::start();
    let pair = support::pair();
    let count = counter();
    let listener = count_on_track(&pair.b, &count);
    assert_eq!(listener.event_type(), "track");
    fire_track_event(&pair.b);
    assert_eq!(count.get(), 1, "runs while alive");

    drop(listener);
    fire_track_event(&pair.b);
    fire_track_event(&pair.b);
    // And a real, browser-fired event too.
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pair.negotiate().await.unwrap();
    sleep(300).await;
    assert_eq!(count.get(), 1, "never runs after drop");
    capture.assert_no_closure_error();
}

#[wasm_bindgen_test]
async fn two_listeners_on_one_connection_both_run() {
    let capture = ConsoleCapture::start();
    let pair = support::pair();
    let (first, second) = (counter(), counter());
    let l1 = count_on_track(&pair.b, &first);
    let _l2 = count_on_track(&pair.b, &second);
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "both listeners to run", || {
        first.get() == 1 && second.get() == 1
    })
    .await
    .unwrap();

    // Dropping one leaves the other registered.
    drop(l1);
    fire_track_event(&pair.b);
    assert_eq!((first.get(), second.get()), (1, 2));
    sleep(50).await;
    capture.assert_no_closure_error();
}

#[wasm_bindgen_test]
async fn dropping_a_listener_inside_its_own_callback_is_safe() {
    let capture = ConsoleCapture::start();
    let pair = support::pair();
    let count = counter();
    let slot: Rc<RefCell<Option<Listener>>> = Rc::new(RefCell::new(None));
    let inner_slot = slot.clone();
    let inner_count = count.clone();
    let listener = pair.b.on_track(move |_| {
        inner_count.set(inner_count.get() + 1);
        // Drops this very listener while its closure is running.
        let me = inner_slot.borrow_mut().take();
        drop(me);
    });
    *slot.borrow_mut() = Some(listener);

    // A real event first: the browser is mid-dispatch when the listener drops itself.
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pair.negotiate().await.unwrap();
    wait_until(WAIT_MS, "the self-dropping listener to run", || {
        count.get() == 1
    })
    .await
    .unwrap();
    assert!(slot.borrow().is_none(), "the listener dropped itself");

    fire_track_event(&pair.b);
    fire_track_event(&pair.b);
    sleep(100).await;
    assert_eq!(count.get(), 1, "ran exactly once, then never again");
    capture.assert_no_closure_error();
}

#[wasm_bindgen_test]
async fn dropping_a_later_listener_during_dispatch_stops_it_running() {
    let capture = ConsoleCapture::start();
    let pc = PeerConnection::new().unwrap();
    let later_count = counter();
    let later: Rc<RefCell<Option<Listener>>> = Rc::new(RefCell::new(None));
    let to_drop = later.clone();
    let _first = pc.on_track(move |_| drop(to_drop.borrow_mut().take()));
    *later.borrow_mut() = Some(count_on_track(&pc, &later_count));

    fire_track_event(&pc);
    fire_track_event(&pc);
    sleep(100).await;
    assert_eq!(
        later_count.get(),
        0,
        "a listener removed during dispatch is not called (DOM removal flag)"
    );
    capture.assert_no_closure_error();
    pc.close();
}

#[wasm_bindgen_test]
async fn forget_keeps_the_listener_running() {
    let capture = ConsoleCapture::start();
    let pair = support::pair();
    let count = counter();
    count_on_track(&pair.b, &count).forget();
    fire_track_event(&pair.b);
    fire_track_event(&pair.b);
    assert_eq!(count.get(), 2, "runs after forget()");
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    pair.negotiate().await.unwrap();
    wait_until(
        WAIT_MS,
        "the forgotten listener to see the real event",
        || count.get() == 3,
    )
    .await
    .unwrap();
    capture.assert_no_closure_error();
}

#[wasm_bindgen_test]
async fn listener_churn_across_a_real_call_logs_no_closure_error() {
    let capture = ConsoleCapture::start();
    let pair = support::pair();
    let kept = counter();
    let _kept = count_on_track(&pair.b, &kept);
    // Register and drop listeners of every kind, some before and some during negotiation.
    for _ in 0..10 {
        drop(pair.a.on_ice_candidate(|_| {}));
        drop(pair.b.on_connection_state_change(|_| {}));
        drop(pair.a.on_negotiation_needed(|| {}));
        drop(count_on_track(&pair.b, &counter()));
    }
    let transient = pair.b.on_track(|_| {});
    let negotiation = pair.a.on_negotiation_needed(|| {});
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = support::local_offer(&pair.a).await;
    drop(negotiation);
    support::step(
        "pair.b.set_remote_description",
        pair.b.set_remote_description(&offer),
    )
    .await;
    drop(transient);
    support::finish_answer(&pair.a, &pair.b).await;
    let states = pair.b.on_connection_state_change(|_| {});
    sleep(300).await;
    drop(states);
    pair.a.close();
    pair.b.close();
    sleep(200).await;
    assert_eq!(kept.get(), 1);
    capture.assert_no_closure_error();
}

/// A `track` event that is not an `RTCTrackEvent` (a plain `Event`, or one dressed up with
/// `track` and `streams` properties) never reaches `on_track`'s callback, and the listener
/// still delivers the real events around it.
#[wasm_bindgen_test]
async fn on_track_ignores_a_plain_event_named_track() {
    let capture = ConsoleCapture::start();
    let pc = PeerConnection::new().unwrap();
    let seen: Rc<RefCell<Vec<bool>>> = Rc::default();
    let sink = seen.clone();
    let _listener = pc.on_track(move |event| {
        let real = event.as_raw().has_type::<web_sys::RtcTrackEvent>();
        sink.borrow_mut()
            .push(real && event.first_stream().is_none());
    });
    let plain = web_sys::Event::new("track").unwrap();
    let dressed = web_sys::Event::new("track").unwrap();
    let fake_stream = web_sys::MediaStream::new().unwrap();
    js_sys::Reflect::set(&dressed, &"track".into(), &JsValue::from_f64(1.0)).unwrap();
    js_sys::Reflect::set(
        &dressed,
        &"streams".into(),
        &js_sys::Array::of1(&fake_stream),
    )
    .unwrap();
    fire_track_event(&pc);
    for event in [&plain, &dressed] {
        assert!(pc.as_raw().dispatch_event(event).unwrap());
    }
    fire_track_event(&pc);
    assert_eq!(
        *seen.borrow(),
        [true, true],
        "only the two RTCTrackEvents reached the callback, each seen as one"
    );
    sleep(50).await;
    capture.assert_no_closure_error();
    pc.close();
}
