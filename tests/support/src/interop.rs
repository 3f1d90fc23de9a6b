//! simple-peer in the test page, and a signalling bridge between it and an rtc-peer
//! `PeerConnection` in the same page.
//!
//! simple-peer is the npm package, unmodified: its published browser bundle
//! `tests/interop/node_modules/simple-peer/simplepeer.min.js` is compiled into the test with
//! `include_str!` and evaluated with `js_sys::Function`. That file exists once
//! `cargo xtask setup` (run by `cargo xtask test`) has run `npm ci` in `tests/interop/` from the
//! committed lockfile; without it this suite does not compile ("couldn't read
//! …/simplepeer.min.js").

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use rtc_peer::{
    ice_candidate, Listener, MediaStream, MediaStreamTrack, Message, PeerConnection,
    RtcIceCandidate, RtcPeerConnection, SdpType, SessionDescription,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

use crate::{seen, Seen};
use rtc_peer::testing::sleep;

/// simple-peer 9.11.1's browser bundle, as published on npm.
const SIMPLE_PEER_JS: &str =
    include_str!("../../interop/node_modules/simple-peer/simplepeer.min.js");

thread_local! {
    static CLASS: Function = load_class();
}

/// Evaluates the UMD bundle with a CommonJS-style `module` so that it returns the `Peer`
/// class instead of setting a global.
fn load_class() -> Function {
    let body = format!("{SIMPLE_PEER_JS}\n;return module.exports;");
    let loader = Function::new_with_args("module, exports", &body);
    let module = Object::new();
    let exports = Object::new();
    set(&module, "exports", &exports);
    loader
        .call2(&JsValue::UNDEFINED, &module, &exports)
        .expect("evaluating simplepeer.min.js")
        .dyn_into()
        .expect("simplepeer.min.js exports the Peer class")
}

fn set(target: &impl AsRef<JsValue>, key: &str, value: &impl AsRef<JsValue>) {
    Reflect::set(target.as_ref(), &JsValue::from_str(key), value.as_ref()).expect("Reflect.set");
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> JsValue {
    let function: Function = get(target, method)
        .dyn_into()
        .unwrap_or_else(|_| panic!("simple-peer has no method `{method}`"));
    let args: Array = args.iter().map(|a| (*a).clone()).collect();
    function
        .apply(target, &args)
        .unwrap_or_else(|err| panic!("simple-peer `{method}` threw: {err:?}"))
}

type Handler = Closure<dyn FnMut(JsValue, JsValue)>;

/// One simple-peer `Peer` with everything it emits recorded. Dropping it removes the test's
/// listeners and then calls `destroy()`.
pub struct SimplePeer {
    peer: JsValue,
    pc: PeerConnection,
    signals: Rc<RefCell<VecDeque<JsValue>>>,
    /// `track` events: the track and the stream simple-peer passed.
    pub tracks: Seen<(MediaStreamTrack, MediaStream)>,
    /// `stream` events.
    pub streams: Seen<MediaStream>,
    /// `error` events, as `code: message`.
    pub errors: Seen<String>,
    /// How many `connect` events (the data channel opened).
    pub connects: Rc<Cell<u32>>,
    /// `data` events: what arrived on its data channel.
    pub data: Seen<Message>,
    handlers: Vec<(&'static str, Handler)>,
}

impl SimplePeer {
    /// `new SimplePeer({initiator, trickle: true, objectMode: true, config: {iceServers: []},
    /// streams})`. In object mode text arrives as strings and bytes as a `Uint8Array`.
    ///
    /// `iceServers` is emptied because simple-peer's default names public STUN servers, and
    /// these tests talk only to this machine.
    pub fn new(initiator: bool, streams: &[&MediaStream]) -> SimplePeer {
        let opts = Object::new();
        set(&opts, "initiator", &JsValue::from_bool(initiator));
        set(&opts, "trickle", &JsValue::TRUE);
        set(&opts, "objectMode", &JsValue::TRUE);
        let config = Object::new();
        set(&config, "iceServers", &Array::new());
        set(&opts, "config", &config);
        let list: Array = streams.iter().map(|s| JsValue::from(*s)).collect();
        set(&opts, "streams", &list);
        let peer = CLASS.with(|class| {
            Reflect::construct(class, &Array::of1(&opts)).expect("new SimplePeer(opts)")
        });
        let pc: RtcPeerConnection = get(&peer, "_pc")
            .dyn_into()
            .expect("simple-peer keeps its RTCPeerConnection in `_pc`");
        let mut sp = SimplePeer {
            peer,
            pc: PeerConnection::from(pc),
            signals: Rc::default(),
            tracks: seen(),
            streams: seen(),
            errors: seen(),
            connects: Rc::default(),
            data: seen(),
            handlers: Vec::new(),
        };
        let signals = sp.signals.clone();
        sp.on("signal", move |data, _| {
            signals.borrow_mut().push_back(data)
        });
        let tracks = sp.tracks.clone();
        sp.on("track", move |track, stream| {
            tracks
                .borrow_mut()
                .push((track.unchecked_into(), stream.unchecked_into()));
        });
        let streams = sp.streams.clone();
        sp.on("stream", move |stream, _| {
            streams.borrow_mut().push(stream.unchecked_into())
        });
        let errors = sp.errors.clone();
        sp.on("error", move |err, _| {
            let code = get(&err, "code").as_string().unwrap_or_default();
            let message = get(&err, "message").as_string().unwrap_or_default();
            errors.borrow_mut().push(format!("{code}: {message}"));
        });
        let connects = sp.connects.clone();
        sp.on("connect", move |_, _| connects.set(connects.get() + 1));
        let data = sp.data.clone();
        sp.on("data", move |value, _| {
            data.borrow_mut().push(match value.as_string() {
                Some(text) => Message::Text(text),
                None => Message::Binary(Uint8Array::new(&value).to_vec()),
            })
        });
        sp
    }

    fn on(&mut self, event: &'static str, handler: impl FnMut(JsValue, JsValue) + 'static) {
        let handler: Handler = Closure::new(handler);
        call(
            &self.peer,
            "on",
            &[&JsValue::from_str(event), handler.as_ref()],
        );
        self.handlers.push((event, handler));
    }

    /// `peer.signal(data)`: hands simple-peer a message from the other side.
    pub fn signal(&self, data: &JsValue) {
        call(&self.peer, "signal", &[data]);
    }

    /// `peer.send(data)` on its data channel: text as a string, bytes as a `Uint8Array`.
    pub fn send(&self, message: &Message) {
        let data: JsValue = match message {
            Message::Text(text) => JsValue::from_str(text),
            Message::Binary(bytes) => Uint8Array::from(bytes.as_slice()).into(),
        };
        call(&self.peer, "send", &[&data]);
    }

    /// The oldest `signal` message simple-peer emitted that was not taken yet.
    pub fn take_signal(&self) -> Option<JsValue> {
        self.signals.borrow_mut().pop_front()
    }

    /// simple-peer's own `RTCPeerConnection`, wrapped, for reading `getStats` only.
    pub fn connection(&self) -> &PeerConnection {
        &self.pc
    }
}

impl Drop for SimplePeer {
    fn drop(&mut self) {
        for (event, handler) in &self.handlers {
            call(
                &self.peer,
                "removeListener",
                &[&JsValue::from_str(event), handler.as_ref()],
            );
        }
        call(&self.peer, "destroy", &[]);
    }
}

/// `{type: 'candidate', candidate: {candidate, sdpMLineIndex, sdpMid}}`, the shape simple-peer
/// emits and expects.
pub fn candidate_message(candidate: &RtcIceCandidate) -> JsValue {
    let inner = Object::new();
    set(
        &inner,
        "candidate",
        &JsValue::from_str(&candidate.candidate()),
    );
    set(
        &inner,
        "sdpMLineIndex",
        &candidate
            .sdp_m_line_index()
            .map_or(JsValue::NULL, JsValue::from),
    );
    set(
        &inner,
        "sdpMid",
        &candidate
            .sdp_mid()
            .map_or(JsValue::NULL, |m| JsValue::from_str(&m)),
    );
    let message = Object::new();
    set(&message, "type", &JsValue::from_str("candidate"));
    set(&message, "candidate", &inner);
    message.into()
}

/// Passes signalling both ways between a [`SimplePeer`] and an rtc-peer connection, in the
/// background, until dropped: rtc-peer's candidates go to `peer.signal()`; simple-peer's
/// offers are answered by rtc-peer, its answers and candidates applied to rtc-peer.
pub struct Bridge {
    stop: Rc<Cell<bool>>,
    /// The kinds of message simple-peer sent, in order (`offer`, `answer`, `candidate`, …).
    pub received: Seen<String>,
    /// Errors rtc-peer returned while applying simple-peer's messages.
    pub errors: Seen<String>,
    _ice: Listener,
}

impl Bridge {
    /// Starts passing messages between `sp` and `rtc`.
    pub fn start(sp: &Rc<SimplePeer>, rtc: &PeerConnection) -> Bridge {
        let ice = {
            let sp = Rc::downgrade(sp);
            rtc.on_ice_candidate(move |candidate| {
                let (Some(candidate), Some(sp)) = (candidate, sp.upgrade()) else {
                    return;
                };
                if !candidate.candidate().is_empty() {
                    sp.signal(&candidate_message(&candidate));
                }
            })
        };
        let bridge = Bridge {
            stop: Rc::default(),
            received: seen(),
            errors: seen(),
            _ice: ice,
        };
        let (stop, received, errors) = (
            bridge.stop.clone(),
            bridge.received.clone(),
            bridge.errors.clone(),
        );
        let sp = Rc::downgrade(sp);
        let rtc = rtc.clone();
        spawn_local(async move {
            while !stop.get() {
                let Some(peer) = sp.upgrade() else { break };
                let message = peer.take_signal();
                drop(peer);
                match message {
                    Some(message) => {
                        let Some(peer) = sp.upgrade() else { break };
                        if let Err(err) = apply(&rtc, &peer, &message, &received).await {
                            errors.borrow_mut().push(err);
                        }
                    }
                    None => sleep(10).await,
                }
            }
        });
        bridge
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.stop.set(true);
    }
}

/// Applies one simple-peer message to `rtc` (answering an offer through `sp`).
async fn apply(
    rtc: &PeerConnection,
    sp: &SimplePeer,
    message: &JsValue,
    received: &Seen<String>,
) -> Result<(), String> {
    let kind = get(message, "type").as_string().unwrap_or_default();
    received.borrow_mut().push(kind.clone());
    match kind.as_str() {
        "offer" | "answer" => {
            let description = SessionDescription::from_js(message)
                .map_err(|e| format!("simple-peer's {kind} does not parse: {e}"))?;
            rtc.set_remote_description(&description)
                .await
                .map_err(|e| format!("set_remote_description({kind}): {e}"))?;
            if description.kind == SdpType::Offer {
                let answer = rtc
                    .create_answer()
                    .await
                    .map_err(|e| format!("create_answer: {e}"))?;
                rtc.set_local_description(&answer)
                    .await
                    .map_err(|e| format!("set_local_description(answer): {e}"))?;
                sp.signal(&answer.to_js());
            }
            Ok(())
        }
        "candidate" => {
            let inner = get(message, "candidate");
            let line = get(&inner, "candidate").as_string().unwrap_or_default();
            if line.is_empty() {
                // Firefox's end-of-candidates marker: nothing to add.
                return Ok(());
            }
            let mid = get(&inner, "sdpMid").as_string();
            let index = get(&inner, "sdpMLineIndex")
                .as_f64()
                .and_then(|i| u16::try_from(i as i64).ok());
            let candidate = ice_candidate(&line, mid.as_deref(), index)
                .map_err(|e| format!("ice_candidate({line}): {e}"))?;
            rtc.add_ice_candidate(&candidate)
                .await
                .map_err(|e| format!("add_ice_candidate({line}): {e}"))
        }
        other => Err(format!(
            "unexpected simple-peer signal `{other}`: {:?}",
            js_sys::JSON::stringify(message)
                .ok()
                .and_then(|s| s.as_string())
        )),
    }
}
