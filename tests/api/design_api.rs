//! A program written only against the crate's fixed public names (the API at a glance in the
//! README), without reading `src/`: it uses `rtc_peer::*` for every WebRTC type (the crate
//! re-exports the `web_sys` media types, so no `web-sys` features are needed here), and
//! exercises each of those names once. If one of them changes shape, this file stops compiling.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::rc::Rc;

use rtc_peer::{
    BundlePolicy, Configuration, Error, IceServer, IceTransportPolicy, Listener, MediaKind,
    MediaStream, MediaStreamTrack, PeerConnection, PeerConnectionState, RtcIceCandidate,
    RtcPeerConnection, RtcRtpReceiver, RtcRtpTransceiver, RtcTrackEvent, SdpType, Sender,
    SessionDescription, SignalingState, TrackEvent, TransceiverDirection,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use support::{next_within, sleep, wait_until, WAIT_MS};

/// "These small enums, and SdpType and the policies, derive Clone, Copy, Debug, PartialEq, Eq."
fn small_enum<T: Clone + Copy + Debug + PartialEq + Eq>(value: T) -> T {
    let copy = value;
    assert_eq!(copy, value.clone());
    assert!(!format!("{value:?}").is_empty());
    copy
}

#[wasm_bindgen_test]
fn the_small_enums_have_their_variants_and_derives() {
    for kind in [MediaKind::Audio, MediaKind::Video] {
        small_enum(kind);
    }
    for direction in [
        TransceiverDirection::SendRecv,
        TransceiverDirection::SendOnly,
        TransceiverDirection::RecvOnly,
        TransceiverDirection::Inactive,
    ] {
        small_enum(direction);
    }
    for kind in [
        SdpType::Offer,
        SdpType::Answer,
        SdpType::Pranswer,
        SdpType::Rollback,
    ] {
        small_enum(kind);
    }
    small_enum(IceTransportPolicy::All);
    small_enum(IceTransportPolicy::Relay);
    small_enum(BundlePolicy::Balanced);
    small_enum(BundlePolicy::MaxCompat);
    small_enum(BundlePolicy::MaxBundle);
}

#[wasm_bindgen_test]
fn configuration_and_ice_servers_build_and_never_print_the_credential() {
    let turn = IceServer::new("turn:127.0.0.1:3478?transport=udp").credentials("alice", "s3cr3t");
    let shown = format!("{turn:?}");
    assert!(
        !shown.contains("s3cr3t"),
        "Debug redacts the credential: {shown}"
    );
    let stun = IceServer::with_urls(vec!["stun:127.0.0.1:3478", "stun:127.0.0.1:3479"]);

    let config = Configuration::new()
        .ice_server(turn)
        .ice_server(stun)
        .ice_transport_policy(IceTransportPolicy::Relay)
        .bundle_policy(BundlePolicy::MaxBundle);
    assert!(!format!("{config:?}").contains("s3cr3t"));
    // Constructed and closed, never negotiated.
    let pc = PeerConnection::with_configuration(&config).expect("a valid configuration");
    assert_eq!(pc.signaling_state(), SignalingState::Stable);
    pc.close();

    let _default: Configuration = Default::default();
    PeerConnection::with_configuration(&Configuration::default())
        .expect("the default configuration")
        .close();
}

#[wasm_bindgen_test]
fn session_description_is_plain_data() {
    let offer = SessionDescription::offer("v=0\r\n");
    assert_eq!(offer.kind, SdpType::Offer);
    assert_eq!(offer.sdp, "v=0\r\n");
    let answer = SessionDescription::answer(String::from("v=0\r\n"));
    assert_eq!(
        answer,
        SessionDescription {
            kind: SdpType::Answer,
            sdp: "v=0\r\n".to_string()
        }
    );
    assert_ne!(offer, answer.clone());
    assert!(format!("{answer:?}").contains("Answer"));
}

/// Wires `from`'s ICE candidates into `to` (both connections in this page).
fn send_candidates(from: &PeerConnection, to: &PeerConnection) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |candidate: Option<RtcIceCandidate>| {
        // None: gathering is done.
        if let Some(candidate) = candidate {
            let to = to.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Candidates may arrive before `to` has the remote description; retry briefly.
                for _ in 0..100 {
                    match support::settled("to.add_ice_candidate", to.add_ice_candidate(&candidate))
                        .await
                    {
                        Ok(()) => return,
                        Err(Error::InvalidState { .. }) => sleep(20).await,
                        Err(_) => return,
                    }
                }
            });
        }
    })
}

async fn offer_answer(caller: &PeerConnection, callee: &PeerConnection) {
    let offer = support::settled("caller.create_offer", caller.create_offer())
        .await
        .expect("create_offer");
    assert_eq!(offer.kind, SdpType::Offer);
    support::settled(
        "caller.set_local_description",
        caller.set_local_description(&offer),
    )
    .await
    .expect("local offer");
    assert_eq!(caller.signaling_state(), SignalingState::HaveLocalOffer);
    support::settled(
        "callee.set_remote_description",
        callee.set_remote_description(&offer),
    )
    .await
    .expect("remote offer");
    assert_eq!(callee.signaling_state(), SignalingState::HaveRemoteOffer);
    let answer = support::settled("callee.create_answer", callee.create_answer())
        .await
        .expect("create_answer");
    assert_eq!(answer.kind, SdpType::Answer);
    support::settled(
        "callee.set_local_description",
        callee.set_local_description(&answer),
    )
    .await
    .expect("local answer");
    support::settled(
        "caller.set_remote_description",
        caller.set_remote_description(&answer),
    )
    .await
    .expect("remote answer");
    assert_eq!(caller.signaling_state(), SignalingState::Stable);
    assert_eq!(callee.signaling_state(), SignalingState::Stable);
}

#[wasm_bindgen_test]
async fn a_call_written_from_the_design_document() {
    let config = Configuration::new().bundle_policy(BundlePolicy::MaxBundle);
    let caller = PeerConnection::with_configuration(&config).expect("caller");
    let callee = PeerConnection::new().expect("callee");
    let _ice = (
        send_candidates(&caller, &callee),
        send_candidates(&callee, &caller),
    );

    // Callback layer.
    let seen: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
    let sink = seen.clone();
    let _on_track: Listener =
        callee.on_track(move |event: TrackEvent| sink.borrow_mut().push(event));
    let states: Rc<RefCell<Vec<PeerConnectionState>>> = Rc::default();
    let state_sink = states.clone();
    let _on_state =
        callee.on_connection_state_change(move |state| state_sink.borrow_mut().push(state));
    let negotiation_needed = Rc::new(Cell::new(0u32));
    let counter = negotiation_needed.clone();
    caller
        .on_negotiation_needed(move || counter.set(counter.get() + 1))
        .forget();
    // Stream layer.
    let mut track_events = callee.track_events();

    // What the caller sends: a transceiver, and a track in a stream. The track here is the
    // (silent) track of a receiving transceiver of a third connection: any track will do.
    let source = PeerConnection::new().expect("source");
    let source_transceiver: RtcRtpTransceiver = source
        .add_transceiver(MediaKind::Video, TransceiverDirection::RecvOnly)
        .expect("source transceiver");
    let track: MediaStreamTrack = source_transceiver.receiver().track();
    let stream = MediaStream::new().expect("new MediaStream");
    let audio: RtcRtpTransceiver = caller
        .add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    let sender: Sender = caller.add_track(&track, &[&stream]).expect("add_track");
    wait_until(WAIT_MS, "negotiationneeded on the caller", || {
        negotiation_needed.get() > 0
    })
    .await
    .unwrap();

    offer_answer(&caller, &callee).await;

    // on_track ran during set_remote_description: both events are there already.
    assert_eq!(seen.borrow().len(), 2);
    let first = next_within(&mut track_events, WAIT_MS, "the audio track event")
        .await
        .expect("stream item");
    let second = next_within(&mut track_events, WAIT_MS, "the video track event")
        .await
        .expect("stream item");
    assert_eq!(first, seen.borrow()[0]);
    assert_eq!(second, seen.borrow()[1]);
    assert_eq!(first.kind(), MediaKind::Audio);
    assert_eq!(first.mid(), audio.mid());
    assert_eq!(second.kind(), MediaKind::Video);
    assert!(
        first.first_stream().is_none(),
        "the audio transceiver has no stream"
    );
    let streams: Vec<MediaStream> = second.streams();
    assert_eq!(streams.len(), 1);
    assert_eq!(
        streams[0].id(),
        stream.id(),
        "stream ids travel; track ids may not"
    );
    let receiver: RtcRtpReceiver = second.receiver();
    let transceiver: RtcRtpTransceiver = second.transceiver();
    let remote_track: MediaStreamTrack = second.track();
    // `From<&T>` copies the JS handle. (Beware `.clone()` on a `MediaStreamTrack` or
    // `MediaStream`: web-sys's inherent `clone()` is the JS `clone()`, a new object.)
    assert_eq!(
        JsValue::from(receiver.track()),
        JsValue::from(&remote_track)
    );
    assert_eq!(
        JsValue::from(transceiver.receiver()),
        JsValue::from(&receiver)
    );
    let raw: &RtcTrackEvent = second.as_raw();
    assert_eq!(raw.type_(), "track");
    assert!(callee
        .transceivers()
        .iter()
        .any(|t| JsValue::from(t) == JsValue::from(&transceiver)));
    assert!(callee
        .receivers()
        .iter()
        .any(|r| JsValue::from(r) == JsValue::from(&receiver)));
    assert_eq!(caller.senders().len(), 2);

    // The spec's constructor, with the same objects, gives an equal-looking event.
    let rebuilt = TrackEvent::new(&receiver, &remote_track, &transceiver, &[&streams[0]])
        .expect("TrackEvent::new");
    assert_eq!(JsValue::from(rebuilt.track()), JsValue::from(remote_track));
    assert_eq!(
        JsValue::from(rebuilt.first_stream().expect("one stream")),
        JsValue::from(&streams[0])
    );

    wait_until(WAIT_MS, "the callee to reach connected", || {
        callee.connection_state() == PeerConnectionState::Connected
    })
    .await
    .unwrap();
    assert!(states.borrow().contains(&PeerConnectionState::Connected));

    // Stop sending the video track and renegotiate.
    caller.remove_track(&sender).expect("remove_track");
    offer_answer(&caller, &callee).await;

    // Raw access and the newtype conversions.
    let raw: &RtcPeerConnection = caller.as_raw();
    let raw_again: &RtcPeerConnection = caller.as_ref();
    assert_eq!(JsValue::from(raw), JsValue::from(raw_again));
    let back = PeerConnection::from(RtcPeerConnection::from(caller.clone()));
    assert_eq!(JsValue::from(back.as_raw()), JsValue::from(raw));
    let event_back = TrackEvent::from(RtcTrackEvent::from(first.clone()));
    assert_eq!(event_back, first);

    drop(track_events);
    caller.close();
    callee.close();
    source.close();
    assert_eq!(caller.connection_state(), PeerConnectionState::Closed);
    assert_eq!(callee.signaling_state(), SignalingState::Closed);
}

#[wasm_bindgen_test]
async fn errors_carry_the_dom_exception_name_and_message() {
    let pc = PeerConnection::new().expect("pc");
    pc.close();
    pc.close();
    let err: Error = pc
        .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect_err("closed");
    assert_eq!(err.name(), "InvalidStateError");
    assert!(!err.message().is_empty());
    assert_eq!(
        err.to_string(),
        format!("{}: {}", err.name(), err.message())
    );
    let as_std: &dyn std::error::Error = &err;
    assert!(!as_std.to_string().is_empty());
    #[allow(unreachable_patterns)] // the enum is #[non_exhaustive]
    let is_invalid_state = match &err {
        Error::InvalidState { .. } => true,
        Error::InvalidAccess { .. }
        | Error::Syntax { .. }
        | Error::Operation { .. }
        | Error::Type { .. }
        | Error::NotSupported { .. }
        | Error::InvalidModification { .. }
        | Error::Other { .. } => false,
        _ => false,
    };
    assert!(is_invalid_state);
    let js: JsValue = err.clone().into();
    assert!(js.is_object());

    let fresh = PeerConnection::new().expect("pc");
    let bad = support::settled(
        "fresh.set_remote_description",
        fresh.set_remote_description(&SessionDescription::offer("not sdp")),
    )
    .await
    .expect_err("malformed SDP");
    assert_eq!(bad.name(), "OperationError");
    let early = support::settled("fresh.create_answer", fresh.create_answer())
        .await
        .expect_err("no offer yet");
    assert_eq!(early.name(), "InvalidStateError");
    fresh.close();
    sleep(10).await;
}
