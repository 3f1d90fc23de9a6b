//! Every browser error is an `Err(rtc_peer::Error)` with the DOMException name and the
//! browser's own message; nothing panics. Chromium and Firefox agree on every name checked
//! here; only their messages differ (both are checked to be non-empty and on topic).

use rtc_peer::{
    ice_candidate, Configuration, Error, IceServer, MediaKind, PeerConnection, SessionDescription,
    SignalingState, TransceiverDirection,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use support::{engine, Engine};

const HOST_CANDIDATE: &str = "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host";

/// Asserts `result` failed with `name` and a message mentioning `topic` (case-insensitive).
#[track_caller]
fn assert_err<T: core::fmt::Debug>(result: Result<T, Error>, name: &str, topic: &str) -> Error {
    let err = result.expect_err("expected the browser to refuse");
    assert_eq!(
        err.name(),
        name,
        "error name (message: {:?})",
        err.message()
    );
    assert!(!err.message().is_empty(), "the browser's message is kept");
    assert!(
        err.message().to_lowercase().contains(topic),
        "{:?} message {:?} should mention {topic:?}",
        engine(),
        err.message()
    );
    assert_eq!(
        err.to_string(),
        format!("{}: {}", err.name(), err.message())
    );
    err
}

fn closed_connection() -> PeerConnection {
    let pc = PeerConnection::new().expect("a PeerConnection");
    pc.close();
    pc
}

#[wasm_bindgen_test]
fn add_track_after_close_is_invalid_state() {
    let pc = closed_connection();
    let source = support::canvas();
    let err = assert_err(
        pc.add_track(source.track(), &[]),
        "InvalidStateError",
        "closed",
    );
    assert!(matches!(err, Error::InvalidState { .. }));
    let stream = support::new_stream();
    assert_err(
        pc.add_track(source.track(), &[&stream]),
        "InvalidStateError",
        "closed",
    );
}

#[wasm_bindgen_test]
fn add_transceiver_after_close_is_invalid_state() {
    let pc = closed_connection();
    let err = assert_err(
        pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv),
        "InvalidStateError",
        "closed",
    );
    assert!(matches!(err, Error::InvalidState { .. }));
    assert_err(
        pc.add_transceiver(MediaKind::Audio, TransceiverDirection::RecvOnly),
        "InvalidStateError",
        "closed",
    );
}

#[wasm_bindgen_test]
async fn close_twice_is_fine_and_offers_then_fail() {
    let pc = PeerConnection::new().expect("a PeerConnection");
    pc.close();
    pc.close();
    pc.clone().close(); // another handle to the same connection
    assert_eq!(pc.signaling_state(), SignalingState::Closed);
    assert_eq!(pc.connection_state(), rtc_peer::PeerConnectionState::Closed);
    assert_err(
        support::settled("pc.create_offer", pc.create_offer()).await,
        "InvalidStateError",
        "closed",
    );
}

#[wasm_bindgen_test]
async fn malformed_sdp_is_an_operation_error() {
    let pc = PeerConnection::new().expect("a PeerConnection");
    for sdp in ["this is not sdp", "", "v=0\r\nbogus\r\n"] {
        assert_err(
            support::settled(
                "pc.set_remote_description",
                pc.set_remote_description(&SessionDescription::offer(sdp)),
            )
            .await,
            "OperationError",
            "parse",
        );
    }
    assert_eq!(
        pc.signaling_state(),
        SignalingState::Stable,
        "a failed set_remote_description leaves the connection unchanged"
    );
    pc.close();
}

#[wasm_bindgen_test]
async fn an_answer_in_the_wrong_state_is_refused() {
    let offerer = PeerConnection::new().expect("a PeerConnection");
    offerer
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    let offer = support::step("offerer.create_offer", offerer.create_offer()).await;
    let pc = PeerConnection::new().expect("a PeerConnection");
    // Valid SDP, labelled as an answer, applied in `stable` (no offer outstanding).
    let as_answer = SessionDescription::answer(offer.sdp.clone());
    assert_err(
        support::settled(
            "pc.set_remote_description",
            pc.set_remote_description(&as_answer),
        )
        .await,
        "InvalidStateError",
        "stable",
    );
    assert_err(
        support::settled("pc.create_answer", pc.create_answer()).await,
        "InvalidStateError",
        "answer",
    );
    // A local answer nobody created: both browsers call it InvalidModificationError, with
    // different reasons. Chromium compares it with the SDP it generated last ("does not match
    // the previously generated SDP"); Firefox says createAnswer was never called.
    let topic = match engine() {
        Engine::Chromium => "does not match",
        Engine::Firefox => "createanswer",
    };
    assert_err(
        support::settled(
            "pc.set_local_description",
            pc.set_local_description(&as_answer),
        )
        .await,
        "InvalidModificationError",
        topic,
    );
    assert_eq!(pc.signaling_state(), SignalingState::Stable);
    pc.close();
    offerer.close();
}

#[wasm_bindgen_test]
async fn a_garbage_ice_candidate_is_refused() {
    // The RTCIceCandidate constructor does not parse the text (both browsers accept it) ...
    let garbage = ice_candidate("garbage", Some("0"), Some(0)).expect("constructor accepts text");
    assert_eq!(garbage.candidate(), "garbage");

    let pair = support::pair();
    pair.a
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .unwrap();
    // ... before a remote description, any candidate is refused for the state ...
    assert_err(
        support::settled(
            "pair.b.add_ice_candidate",
            pair.b.add_ice_candidate(&garbage),
        )
        .await,
        "InvalidStateError",
        "remote",
    );
    let offer = support::local_offer(&pair.a).await;
    support::step(
        "pair.b.set_remote_description",
        pair.b.set_remote_description(&offer),
    )
    .await;
    // ... after it, the browser parses it and refuses it.
    assert_err(
        support::settled(
            "pair.b.add_ice_candidate",
            pair.b.add_ice_candidate(&garbage),
        )
        .await,
        "OperationError",
        "candidate",
    );
    // A well-formed candidate for a media section that does not exist is refused too.
    let nowhere = ice_candidate(HOST_CANDIDATE, Some("no-such-mid"), None).unwrap();
    // Chromium gives its generic candidate message; Firefox names the missing transceiver.
    let topic = match engine() {
        Engine::Chromium => "error processing ice candidate",
        Engine::Firefox => "no such transceiver",
    };
    assert_err(
        support::settled(
            "pair.b.add_ice_candidate",
            pair.b.add_ice_candidate(&nowhere),
        )
        .await,
        "OperationError",
        topic,
    );
}

#[wasm_bindgen_test]
fn an_ice_candidate_without_mid_or_index_is_a_type_error() {
    assert_err(
        ice_candidate(HOST_CANDIDATE, None, None),
        "TypeError",
        "sdpm",
    );
}

/// Constructed only (then closed): these configurations are never negotiated, so nothing is
/// looked up and no outside host is contacted.
#[wasm_bindgen_test]
fn ice_server_urls_the_browser_rejects_are_syntax_errors() {
    for url in [
        "http://example.invalid",
        "stun:",
        "stun:127.0.0.1:99999",
        "not a url",
        "",
    ] {
        let config = Configuration::new().ice_server(IceServer::new(url));
        let result = PeerConnection::with_configuration(&config);
        if let Ok(pc) = &result {
            pc.close();
        }
        let err = result.expect_err(url);
        assert_eq!(err.name(), "SyntaxError", "url {url:?}: {}", err.message());
        assert!(!err.message().is_empty());
    }
}

#[wasm_bindgen_test]
fn a_turn_url_without_credentials_is_invalid_access() {
    let config = Configuration::new().ice_server(IceServer::new("turn:127.0.0.1:3478"));
    let result = PeerConnection::with_configuration(&config);
    if let Ok(pc) = &result {
        pc.close();
    }
    assert_err(result, "InvalidAccessError", "username");
    // With credentials the same URL is accepted (constructed and closed, never negotiated).
    let config = Configuration::new()
        .ice_server(IceServer::new("turn:127.0.0.1:3478").credentials("user", "secret"));
    PeerConnection::with_configuration(&config)
        .expect("a TURN server with credentials is valid")
        .close();
}

#[wasm_bindgen_test]
fn adding_the_same_track_twice_is_invalid_access() {
    let pc = PeerConnection::new().expect("a PeerConnection");
    let source = support::canvas();
    pc.add_track(source.track(), &[]).expect("first add_track");
    let err = assert_err(
        pc.add_track(source.track(), &[]),
        "InvalidAccessError",
        "already",
    );
    assert!(matches!(err, Error::InvalidAccess { .. }));
    pc.close();
}

#[wasm_bindgen_test]
fn an_error_becomes_a_js_error_with_the_same_name_and_message() {
    let pc = closed_connection();
    let err = pc
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect_err("closed");
    let (name, message) = (err.name().to_owned(), err.message().to_owned());
    let js: JsValue = err.into();
    let js: &js_sys::Error = wasm_bindgen::JsCast::dyn_ref(&js).expect("a JS Error");
    assert_eq!(String::from(js.name()), name);
    assert_eq!(String::from(js.message()), message);
    // And back again.
    let back = Error::from(JsValue::from(js.clone()));
    assert_eq!(back.name(), "InvalidStateError");
    assert_eq!(back.message(), message);
}

#[wasm_bindgen_test]
fn track_event_new_with_wrong_objects_is_a_type_error() {
    let pc = PeerConnection::new().expect("a PeerConnection");
    let transceiver = pc
        .add_transceiver(MediaKind::Video, TransceiverDirection::RecvOnly)
        .unwrap();
    let not_a_receiver: web_sys::RtcRtpReceiver =
        wasm_bindgen::JsCast::unchecked_into(JsValue::from(js_sys::Object::new()));
    let track = transceiver.receiver().track();
    let result = rtc_peer::TrackEvent::new(&not_a_receiver, &track, &transceiver, &[]);
    assert_err(result, "TypeError", "receiver");
    pc.close();
}
