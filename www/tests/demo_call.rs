//! The demo app's `Call` object, driven from Rust in the browser: argument checks, ICE settings
//! that never give the credential back, received signals checked, and full loopback and room
//! calls (two `Call` objects in one page, their signals passed by hand as the relay would),
//! glare, switching the video source, and hang-ups that release everything. "Released" is read
//! from the browser through the page probe (raw connection states, listener registrations, live
//! local tracks), never from the `Call`'s own bookkeeping.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use rtc_peer::{MediaKind, PeerConnection, Signal, TransceiverDirection};
use rtc_peer_demo::Call;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlVideoElement, MediaStream};

mod support;
use support::{canvas, document, muted_video, probe, sleep, wait_until, within};

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

    /// Starts a loopback call sending a copy of `stream` (so `stream` itself can be checked
    /// for release afterwards).
    fn start_loopback(&self, stream: &MediaStream) -> Result<(), JsValue> {
        self.call.start_loopback(same_stream(stream).into())
    }

    fn hang_up_disabled(&self) -> bool {
        property(&self.button, "disabled").as_bool().unwrap()
    }

    fn playing(&self) -> bool {
        self.remote.video_width() > 0
            && self.remote.current_time() > 0.0
            && !self.hang_up_disabled()
    }

    /// Everything the call held in this page's elements is released (see also
    /// [`assert_browser_released`]).
    fn assert_released(&self, tracks: &MediaStream) {
        assert!(!self.call.active(), "still active after hang-up");
        assert!(self.call.local_stream().is_none());
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
        probe::listeners(&JsValue::UNDEFINED),
        0,
        "{what}: listeners left registered: {}",
        probe::listener_types(&JsValue::UNDEFINED)
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
async fn receive_ignores_malformed_signals_and_keeps_an_offer() {
    let page = Page::new();
    let call = &page.call;
    let oversized = format!(
        r#"{{"v":1,"description":{{"type":"offer","sdp":"v=0{}"}}}}"#,
        "a".repeat(300_000)
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
        r#"{"v":2,"bye":true}"#.into(),
        r#"{"v":1}"#.into(),
        r#"{"v":1,"description":{"type":"shout","sdp":"v=0"}}"#.into(),
        r#"{"v":1,"description":{"type":"offer","sdp":7}}"#.into(),
        // Well-formed, but for no call: a candidate or an answer without an offer first.
        r#"{"v":1,"candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}}"#.into(),
        r#"{"v":1,"description":{"type":"answer","sdp":"v=0\r\n"}}"#.into(),
    ];
    for message in &bad {
        assert_eq!(call.receive(message.clone()), "ignored", "{message:?}");
    }
    assert!(!call.has_incoming_call());

    // A real offer is kept for the call this page starts, with what follows it; a Bye
    // withdraws it.
    let pc = PeerConnection::new().unwrap();
    pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = within(5_000, "createOffer", pc.create_offer())
        .await
        .unwrap()
        .unwrap();
    pc.close();
    let text = Signal::Description(offer).to_json();
    assert_eq!(call.receive(text.into()), "offer");
    assert!(call.has_incoming_call());
    let candidate = r#"{"v":1,"candidate":{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}}"#;
    assert_eq!(call.receive(candidate.into()), "waiting");
    assert_eq!(call.receive(Signal::Bye.to_json().into()), "bye");
    assert!(!call.has_incoming_call());
    assert!(!call.active());
    assert_browser_released("after the signals");
}

/// Waits until the page's remote video has frames and Hang up is enabled.
async fn wait_remote_video(page: &Page, what: &str) {
    wait_until(20_000, what, || page.playing()).await.unwrap();
}

#[wasm_bindgen_test]
async fn loopback_calls_release_everything_on_hang_up() {
    let page = Page::new();
    for cycle in 0..2 {
        let source = canvas(200, 40, 40);
        let stream = same_stream(source.stream());
        assert!(
            page.hang_up_disabled(),
            "cycle {cycle}: Hang up enabled before the call"
        );
        page.start_loopback(&stream)
            .expect("the loopback call starts");
        assert!(page.call.active());
        wait_remote_video(&page, "remote video from the loopback call").await;
        assert!(
            probe::listeners(&JsValue::UNDEFINED) >= 4 && probe::open_connections() == 2,
            "cycle {cycle}: a loopback call registers its listeners on two open connections \
             (listeners: {}, connections: {})",
            probe::listener_types(&JsValue::UNDEFINED),
            probe::connection_states()
        );
        // A second call while one is active is refused.
        let err = page.start_loopback(&stream).expect_err("busy");
        assert_eq!(error_name(&err), "InvalidStateError");

        page.call.hang_up();
        page.assert_released(&stream);
        assert_eq!(probe::connection_states(), "closed/closed,closed/closed");
        assert_browser_released(&format!("cycle {cycle}"));
    }
}

#[wasm_bindgen_test]
async fn hanging_up_while_starting_leaves_nothing_behind() {
    let page = Page::new();
    let source = canvas(40, 200, 40);
    let stream = same_stream(source.stream());
    page.start_loopback(&stream)
        .expect("the loopback call starts");
    // Mid-negotiation: the offer is being made.
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
    page.call.hang_up();
    page.assert_released(&stream);
    sleep(500).await;
    assert!(
        page.remote.src_object().is_none(),
        "a late attach filled the remote video"
    );
    assert_browser_released("hung up while starting");
}

#[wasm_bindgen_test]
async fn switch_video_replaces_the_track_and_stops_the_old_one() {
    let page = Page::new();
    let first = canvas(200, 200, 40);
    let stream = same_stream(first.stream());
    page.start_loopback(&stream).unwrap();
    wait_remote_video(&page, "remote video before the switch").await;
    let second = canvas(40, 40, 200);
    let switched: JsFuture = page
        .call
        .switch_video(Clone::clone(second.track()).into())
        .into();
    within(10_000, "switchVideo", switched)
        .await
        .unwrap()
        .expect("the video track is replaced");
    assert_eq!(
        property(first.track(), "readyState"),
        JsValue::from("ended"),
        "the replaced track is stopped"
    );
    let preview = page.call.local_stream().expect("the preview's stream");
    assert!(
        preview.get_tracks().includes(second.track(), 0),
        "the preview shows the new track"
    );
    let t = page.remote.current_time();
    wait_until(10_000, "remote video advancing after the switch", || {
        page.remote.current_time() > t + 0.3
    })
    .await
    .unwrap();
    page.call.hang_up();
    assert_eq!(
        property(second.track(), "readyState"),
        JsValue::from("ended"),
        "hang-up stops the new track too"
    );
    assert_browser_released("after switching video");

    // Without a call there is nothing to switch: refused, and the track is stopped.
    let third = canvas(10, 10, 10);
    let refused: JsFuture = page
        .call
        .switch_video(Clone::clone(third.track()).into())
        .into();
    let err = within(5_000, "switchVideo without a call", refused)
        .await
        .unwrap()
        .expect_err("no call");
    assert_eq!(error_name(&err), "InvalidStateError");
    assert_eq!(
        property(third.track(), "readyState"),
        JsValue::from("ended")
    );
}

/// A `send` function that hands each text to `target.receive` on a later task (as the relay
/// would), and starts `target`'s call with `answer_stream` on an offer.
fn relay_to(
    target: Rc<Call>,
    answer_stream: MediaStream,
    reply: Rc<RefCell<Option<Function>>>,
) -> Function {
    Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| {
        let target = Rc::clone(&target);
        let stream = same_stream(&answer_stream);
        let reply = Rc::clone(&reply);
        wasm_bindgen_futures::spawn_local(async move {
            sleep(1).await;
            if target.receive(text) == "offer" && !target.active() {
                let send = reply.borrow().clone().expect("a reply channel");
                target
                    .start_room_call(stream.into(), true, send.into())
                    .expect("the answering call starts");
            }
        });
    })
    .into_js_value()
    .unchecked_into()
}

/// Two pages' `Call`s joined by [`relay_to`], each with its own canvas source.
struct Room {
    a: Page,
    b: Page,
    to_a: Function,
    to_b: Function,
    source_a: support::CanvasSource,
    source_b: support::CanvasSource,
}

impl Room {
    fn new() -> Room {
        let (a, b) = (Page::new(), Page::new());
        let source_a = canvas(200, 40, 40);
        let source_b = canvas(40, 40, 200);
        let to_a_slot = Rc::new(RefCell::new(None));
        let to_b_slot = Rc::new(RefCell::new(None));
        let to_b = relay_to(
            Rc::clone(&b.call),
            same_stream(source_b.stream()),
            Rc::clone(&to_a_slot),
        );
        let to_a = relay_to(
            Rc::clone(&a.call),
            same_stream(source_a.stream()),
            Rc::clone(&to_b_slot),
        );
        *to_a_slot.borrow_mut() = Some(to_a.clone());
        *to_b_slot.borrow_mut() = Some(to_b.clone());
        Room {
            a,
            b,
            to_a,
            to_b,
            source_a,
            source_b,
        }
    }

    /// A calls B (A is the impolite side).
    fn a_calls(&self) -> Result<(), JsValue> {
        let stream = same_stream(self.source_a.stream());
        self.a
            .call
            .start_room_call(stream.into(), false, self.to_b.clone().into())
    }

    /// B calls A (B is the polite side).
    fn b_calls(&self) -> Result<(), JsValue> {
        let stream = same_stream(self.source_b.stream());
        self.b
            .call
            .start_room_call(stream.into(), true, self.to_a.clone().into())
    }

    async fn both_playing(&self, what: &str) {
        wait_until(20_000, what, || self.a.playing() && self.b.playing())
            .await
            .unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_room_call_between_two_call_objects() {
    let room = Room::new();
    room.a_calls().expect("the call starts");
    room.both_playing("remote video in both pages and Hang up enabled")
        .await;
    assert!(room.a.call.active() && room.b.call.active());
    assert_eq!(room.b.call.state(), "connected");
    assert_eq!(
        probe::open_connections(),
        2,
        "{}",
        probe::connection_states()
    );

    // A hangs up; B hears the Bye and releases everything too.
    room.a.call.hang_up();
    assert!(!room.a.call.active());
    wait_until(5_000, "the other side to hang up on Bye", || {
        !room.b.call.active()
    })
    .await
    .unwrap();
    room.a.assert_released(room.source_a.stream());
    room.b.assert_released(room.source_b.stream());
    assert_browser_released("both sides of the room call");
}

#[wasm_bindgen_test]
async fn glare_both_sides_call_at_once_and_one_call_results() {
    let room = Room::new();
    room.a_calls().unwrap();
    room.b_calls().unwrap();
    room.both_playing("remote video in both pages after glare")
        .await;
    assert_eq!(
        probe::connection_states(),
        "stable/connected,stable/connected",
        "one connection per side, both connected"
    );
    room.b.call.hang_up();
    wait_until(5_000, "A to hang up on B's Bye", || !room.a.call.active())
        .await
        .unwrap();
    assert_browser_released("after the glare call");
}
