//! The demo app's `Call` object, driven from Rust in the browser: argument checks, ICE settings
//! that never give the credential back, signalling validation, and full loopback and signalled
//! calls whose hang-up releases everything. "Released" is read from the browser through the
//! page probe (raw connection states, listener registrations, live local tracks), never from
//! the `Call`'s own bookkeeping.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, JSON};
use rtc_peer::{MediaKind, PeerConnection, TransceiverDirection};
use rtc_peer_demo::Call;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlVideoElement, MediaStream};

mod support;
use support::{document, muted_video, probe, sleep, wait_until, within, CanvasSource};

wasm_bindgen_test_configure!(run_in_browser);

/// Two videos and a button in the page, and a `Call` bound to them.
struct Page {
    local: HtmlVideoElement,
    remote: HtmlVideoElement,
    button: web_sys::Element,
    call: Rc<Call>,
}

/// Another handle to the same stream (`MediaStream::clone()` is the JS `clone()`: new tracks).
fn same_stream(stream: &MediaStream) -> MediaStream {
    Clone::clone(stream)
}

fn property(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &name.into()).unwrap()
}

fn assert_tracks_ended(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        assert_eq!(
            property(&track, "readyState"),
            JsValue::from("ended"),
            "a local track still runs"
        );
    }
}

impl Page {
    fn new() -> Page {
        let local = muted_video();
        let remote = muted_video();
        let button = document().create_element("button").unwrap();
        document().body().unwrap().append_child(&button).unwrap();
        let call = Call::new(
            local.clone().into(),
            remote.clone().into(),
            button.clone().into(),
        )
        .map(Rc::new)
        .expect("a Call");
        Page {
            local,
            remote,
            button,
            call,
        }
    }

    fn hang_up_disabled(&self) -> bool {
        property(&self.button, "disabled").as_bool().unwrap()
    }

    /// Everything the call held in this page's elements is released (see also
    /// [`assert_browser_released`]).
    fn assert_released(&self, tracks: &MediaStream) {
        assert!(!self.call.active(), "still active after hang-up");
        assert!(self.call.local_connection().is_none());
        assert!(
            self.remote.src_object().is_none(),
            "remote srcObject not cleared"
        );
        assert!(
            self.local.src_object().is_none(),
            "local srcObject not cleared"
        );
        assert!(self.hang_up_disabled(), "Hang up still enabled");
        assert_tracks_ended(tracks);
    }
}

/// The browser holds nothing of any call: every `RTCPeerConnection` the page made is closed
/// (raw `signalingState`), no listener is registered on a WebRTC or media object, no local
/// track is live, nothing went to `console.error`.
fn assert_browser_released(what: &str) {
    assert_eq!(
        probe::open_connections(),
        0,
        "{what}: connections left open (signalingState/connectionState: {})",
        probe::connection_states()
    );
    assert_eq!(
        probe::all_listeners(),
        0,
        "{what}: listeners left registered: {}",
        probe::all_listener_types()
    );
    assert_eq!(
        probe::live_local_tracks(),
        0,
        "{what}: local tracks still live"
    );
    assert_eq!(probe::take_errors(), "", "{what}: console errors");
    probe::forget_connections();
}

impl Drop for Page {
    fn drop(&mut self) {
        self.local.remove();
        self.remote.remove();
        self.button.remove();
    }
}

fn error_name(err: &JsValue) -> String {
    js_sys::Reflect::get(err, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn the_constructor_checks_element_types() {
    let video = muted_video();
    let button = document().create_element("button").unwrap();
    let div = document().create_element("div").unwrap();
    for (a, b, c) in [
        (
            div.clone().into(),
            video.clone().into(),
            button.clone().into(),
        ),
        (video.clone().into(), JsValue::NULL, button.clone().into()),
        (
            video.clone().into(),
            video.clone().into(),
            div.clone().into(),
        ),
    ] {
        let err = Call::new(a, b, c).expect_err("a wrong element type is refused");
        assert_eq!(error_name(&err), "TypeError");
    }
    let call = Call::new(
        video.clone().into(),
        video.clone().into(),
        button.clone().into(),
    )
    .expect("videos and a button are accepted");
    assert!(!call.active());
    assert_eq!(call.state(), "new");
    assert_eq!(
        property(&button, "disabled"),
        JsValue::TRUE,
        "Hang up starts disabled"
    );
    video.remove();
}

#[wasm_bindgen_test]
fn ice_settings_never_give_the_credential_back() {
    let page = Page::new();
    let call = &page.call;
    for (url, user, credential) in [
        ("http://127.0.0.1/", "u", "c"),
        ("127.0.0.1:3478", "u", "c"),
        ("turn:127.0.0.1:3478", "", "c"),
        ("turn:127.0.0.1:3478", "u", ""),
        ("turn:127.0.0.1 3478", "u", "c"),
    ] {
        let err = call
            .set_ice_server(url, user, credential)
            .expect_err("refused");
        assert_eq!(error_name(&err), "TypeError", "{url}");
    }
    call.set_ice_server("turn:127.0.0.1:3478?transport=udp", "alice", "s3cret-Value")
        .expect("a TURN server with credentials");
    call.set_relay_only(true);
    let summary = call.ice_summary();
    assert!(
        summary.contains("turn:127.0.0.1:3478?transport=udp"),
        "{summary}"
    );
    assert!(summary.contains("alice"), "{summary}");
    assert!(summary.contains("relay only"), "{summary}");
    assert!(
        !summary.contains("s3cret"),
        "the summary shows the credential: {summary}"
    );
    assert!(call.relay_only());
    let masked = Call::mask_credential("s3cret-Value");
    assert!(
        !masked.contains("3cret") && !masked.contains("Value") && masked.contains("12 characters"),
        "{masked}"
    );
    call.clear_ice_servers();
    call.set_relay_only(false);
    assert!(call.ice_summary().contains("no ICE servers"));
}

#[wasm_bindgen_test]
async fn receive_ignores_malformed_messages_and_accepts_an_offer() {
    let page = Page::new();
    let call = &page.call;
    let oversized = format!(
        r#"{{"v":1,"call":"c1","type":"offer","sdp":"v=0{}"}}"#,
        "a".repeat(70_000)
    );
    let bad: Vec<JsValue> = vec![
        JsValue::from(42),
        JsValue::NULL,
        JsValue::UNDEFINED,
        js_sys::Object::new().into(),
        "not json".into(),
        "[1,2]".into(),
        "null".into(),
        oversized.as_str().into(),
        r#"{"v":2,"call":"c1","type":"offer","sdp":"v=0"}"#.into(),
        r#"{"v":1,"call":"c 1","type":"offer","sdp":"v=0"}"#.into(),
        r#"{"v":1,"call":"c1","type":"offer","sdp":"hello"}"#.into(),
        r#"{"v":1,"call":"c1","type":"offer","sdp":7}"#.into(),
        r#"{"v":1,"call":"c1","type":"offer"}"#.into(),
        r#"{"v":1,"call":"c1","type":"shout"}"#.into(),
        r#"{"v":1,"call":"c1","type":"answer","sdp":"v=0"}"#.into(),
        r#"{"v":1,"call":"c1","type":"candidate","candidate":"x","sdpMid":"0"}"#.into(),
        r#"{"v":1,"call":"c1","type":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":5}"#.into(),
        r#"{"v":1,"call":"c1","type":"bye"}"#.into(),
    ];
    for message in &bad {
        assert_eq!(call.receive(message.clone()), "ignored", "{message:?}");
    }
    assert!(!call.has_incoming_call());

    // A real offer is accepted, its candidates are kept, and a bye withdraws it.
    let pc = PeerConnection::new().unwrap();
    pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = within(5_000, "createOffer", pc.create_offer())
        .await
        .unwrap();
    pc.close();
    let message = js_sys::Object::new();
    for (k, v) in [
        ("v", JsValue::from(1)),
        ("call", "c1".into()),
        ("type", "offer".into()),
        ("sdp", offer.sdp.as_str().into()),
    ] {
        js_sys::Reflect::set(&message, &k.into(), &v).unwrap();
    }
    let text = JSON::stringify(&message).unwrap();
    assert_eq!(call.receive(text.into()), "offer");
    assert!(call.has_incoming_call());
    let candidate = r#"{"v":1,"call":"c1","type":"candidate","candidate":"candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}"#;
    assert_eq!(call.receive(candidate.into()), "candidate");
    assert_eq!(
        call.receive(r#"{"v":1,"call":"other","type":"bye"}"#.into()),
        "ignored"
    );
    assert_eq!(
        call.receive(r#"{"v":1,"call":"c1","type":"bye"}"#.into()),
        "bye"
    );
    assert!(!call.has_incoming_call());
    assert!(!call.active());
    assert_browser_released("after the signalling messages");
}

/// Waits until the page's remote video has frames and Hang up is enabled.
async fn wait_remote_video(page: &Page, what: &str) {
    wait_until(20_000, what, || {
        page.remote.video_width() > 0
            && page.remote.current_time() > 0.0
            && !page.hang_up_disabled()
    })
    .await;
}

#[wasm_bindgen_test]
async fn loopback_calls_release_everything_on_hang_up() {
    let page = Page::new();
    for cycle in 0..2 {
        let source = CanvasSource::new();
        let stream = same_stream(&source.stream);
        assert!(
            page.hang_up_disabled(),
            "cycle {cycle}: Hang up enabled before the call"
        );
        let started: JsFuture = page.call.start_loopback(same_stream(&stream).into()).into();
        within(10_000, "startLoopback", started)
            .await
            .expect("the loopback call starts");
        assert!(page.call.active());
        assert!(
            probe::all_listeners() >= 4 && probe::open_connections() == 2,
            "cycle {cycle}: a loopback call registers its listeners on two open connections \
             (listeners: {}, connections: {})",
            probe::all_listener_types(),
            probe::connection_states()
        );
        wait_remote_video(&page, "remote video from the loopback call").await;
        let remote = page.call.remote_connection().expect("a remote connection");
        let local = page.call.local_connection().expect("a local connection");
        assert!(
            !js_sys::Object::is(&remote, &local),
            "loopback uses two connections"
        );
        // A second call while one is active is refused.
        let second: JsFuture = page.call.start_loopback(same_stream(&stream).into()).into();
        let err = within(5_000, "second start", second)
            .await
            .expect_err("busy");
        assert_eq!(error_name(&err), "InvalidStateError");

        page.call.hang_up();
        page.assert_released(&stream);
        assert_browser_released(&format!("cycle {cycle}"));
        assert_eq!(property(&local, "connectionState"), JsValue::from("closed"));
        assert_eq!(
            property(&remote, "connectionState"),
            JsValue::from("closed")
        );
    }
}

#[wasm_bindgen_test]
async fn hanging_up_while_starting_leaves_nothing_behind() {
    let page = Page::new();
    let source = CanvasSource::new();
    let stream = same_stream(&source.stream);
    let started: JsFuture = page.call.start_loopback(same_stream(&stream).into()).into();
    // The start runs in a microtask; let it create the session, then hang up mid-negotiation.
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
    page.call.hang_up();
    // A closed connection never settles its promises; the start must still end, rejected.
    let err = within(10_000, "the interrupted start", started)
        .await
        .expect_err("a start cut short by hang-up is rejected");
    assert_eq!(error_name(&err), "InvalidStateError");
    page.assert_released(&stream);
    sleep(300).await;
    assert!(
        page.remote.src_object().is_none(),
        "a late attach filled the remote video"
    );
    assert_browser_released("hung up while starting");
}

/// A `send` function that hands each message to `target`'s `receive` on a later task, and
/// answers an offer with `answer_stream`.
fn deliver_to(
    target: Rc<Call>,
    answer_stream: MediaStream,
    reply: Rc<RefCell<Option<Function>>>,
) -> Function {
    Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        let target = Rc::clone(&target);
        let stream = same_stream(&answer_stream);
        let reply = Rc::clone(&reply);
        wasm_bindgen_futures::spawn_local(async move {
            sleep(1).await;
            if target.receive(message) == "offer" {
                let send = reply.borrow().clone().expect("a reply channel");
                let answered: JsFuture = target.answer_call(stream.into(), send.into()).into();
                answered.await.expect("the answer is sent");
            }
        });
    })
    .into_js_value()
    .unchecked_into()
}

#[wasm_bindgen_test]
async fn a_signalled_call_between_two_call_objects() {
    let a = Page::new();
    let b = Page::new();
    let source_a = CanvasSource::new();
    let source_b = CanvasSource::new();
    let (call_a, call_b) = (Rc::clone(&a.call), Rc::clone(&b.call));
    let to_a_slot = Rc::new(RefCell::new(None));
    let to_b_slot = Rc::new(RefCell::new(None));
    let to_b = deliver_to(
        Rc::clone(&call_b),
        same_stream(&source_b.stream),
        Rc::clone(&to_a_slot),
    );
    let to_a = deliver_to(
        Rc::clone(&call_a),
        same_stream(&source_a.stream),
        Rc::clone(&to_b_slot),
    );
    *to_a_slot.borrow_mut() = Some(to_a);
    *to_b_slot.borrow_mut() = Some(to_b.clone());

    let started: JsFuture = call_a
        .start_call(same_stream(&source_a.stream).into(), to_b.into())
        .into();
    within(10_000, "startCall", started)
        .await
        .expect("the offer is sent");
    let both_playing = || {
        [&a, &b].iter().all(|p| {
            p.remote.video_width() > 0 && p.remote.current_time() > 0.0 && !p.hang_up_disabled()
        })
    };
    wait_until(
        20_000,
        "remote video in both pages and Hang up enabled",
        both_playing,
    )
    .await;
    assert!(call_a.active() && call_b.active());
    let remote_b = call_b.remote_connection().expect("B's connection");
    assert_eq!(
        property(&remote_b, "connectionState"),
        JsValue::from("connected")
    );

    // A hangs up; B hears the bye and releases everything too.
    call_a.hang_up();
    assert!(!call_a.active());
    wait_until(5_000, "the other side to hang up on bye", || {
        !call_b.active()
    })
    .await;
    a.assert_released(&source_a.stream);
    b.assert_released(&source_b.stream);
    assert_browser_released("both sides of the signalled call");
}
