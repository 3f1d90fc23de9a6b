//! Interop with simple-peer (9.11.1 from npm, its published browser bundle, unmodified): its
//! data channel talks to rtc-peer in both directions, text and binary, whichever side offers.
//!
//! The bundle is read from `tests/interop/node_modules` (`npm ci` in `tests/interop/`, which
//! `cargo xtask setup` runs) and evaluated as a CommonJS module.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use rtc_peer::{
    ice_candidate, DataChannel, DataChannelOptions, Listener, Message, PeerConnection, SdpType,
    SessionDescription,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{engine, log, wait_open, wait_until, within, WAIT_MS};

const SIMPLE_PEER_JS: &str = include_str!("../interop/node_modules/simple-peer/simplepeer.min.js");

fn set(target: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(target, &JsValue::from_str(key), value).expect("Reflect.set");
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

/// What simple-peer emitted.
#[derive(Debug)]
enum Event {
    Signal(JsValue),
    Connect,
    Data(Message),
    Error(String),
}

/// A simple-peer `Peer` in object mode (strings stay strings, bytes arrive as a Uint8Array);
/// dropping it removes the handlers and calls `destroy()`.
struct SimplePeer {
    peer: JsValue,
    handlers: Vec<(&'static str, Handler)>,
}

type Handler = Closure<dyn FnMut(JsValue)>;

impl SimplePeer {
    fn new(initiator: bool, events: UnboundedSender<Event>) -> SimplePeer {
        let module = Object::new();
        set(&module, "exports", &Object::new());
        let loader = Function::new_with_args(
            "module, exports",
            &format!("{SIMPLE_PEER_JS}\n;return module.exports;"),
        );
        let class: Function = loader
            .call2(&JsValue::UNDEFINED, &module, &get(&module, "exports"))
            .expect("evaluating simplepeer.min.js")
            .dyn_into()
            .expect("the Peer class");
        let opts = Object::new();
        set(&opts, "initiator", &JsValue::from_bool(initiator));
        set(&opts, "trickle", &JsValue::TRUE);
        set(&opts, "objectMode", &JsValue::TRUE);
        // simple-peer's default names public STUN servers; these tests stay on this machine.
        let config = Object::new();
        set(&config, "iceServers", &Array::new());
        set(&opts, "config", &config);
        let peer = Reflect::construct(&class, &Array::of1(&opts)).expect("new SimplePeer");
        let mut sp = SimplePeer {
            peer,
            handlers: Vec::new(),
        };
        let to = |f: fn(JsValue) -> Event| {
            let events = events.clone();
            move |value: JsValue| {
                let _ = events.unbounded_send(f(value));
            }
        };
        sp.on("signal", to(Event::Signal));
        sp.on("connect", to(|_| Event::Connect));
        sp.on(
            "data",
            to(|data| match data.as_string() {
                Some(text) => Event::Data(Message::Text(text)),
                None => Event::Data(Message::Binary(Uint8Array::new(&data).to_vec())),
            }),
        );
        sp.on(
            "error",
            to(|err| Event::Error(get(&err, "message").as_string().unwrap_or_default())),
        );
        sp
    }

    fn on(&mut self, event: &'static str, handler: impl FnMut(JsValue) + 'static) {
        let handler: Handler = Closure::new(handler);
        call(
            &self.peer,
            "on",
            &[&JsValue::from_str(event), handler.as_ref()],
        );
        self.handlers.push((event, handler));
    }

    fn signal(&self, data: &JsValue) {
        call(&self.peer, "signal", &[data]);
    }

    fn send(&self, message: &Message) {
        let data: JsValue = match message {
            Message::Text(text) => JsValue::from_str(text),
            Message::Binary(bytes) => Uint8Array::from(bytes.as_slice()).into(),
        };
        call(&self.peer, "send", &[&data]);
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

/// Applies simple-peer's signals to `rtc` (answering its offer) and hands simple-peer
/// everything else it emits, in order; returns when the events stop.
async fn bridge(
    rtc: PeerConnection,
    sp: std::rc::Weak<SimplePeer>,
    mut events: UnboundedReceiver<Event>,
    connected: Rc<RefCell<bool>>,
    received: Rc<RefCell<Vec<Message>>>,
    errors: Rc<RefCell<Vec<String>>>,
) {
    while let Some(event) = events.next().await {
        match event {
            Event::Signal(message) => {
                let Some(sp) = sp.upgrade() else { break };
                if let Err(err) = apply(&rtc, &sp, &message).await {
                    errors.borrow_mut().push(err);
                }
            }
            Event::Connect => *connected.borrow_mut() = true,
            Event::Data(message) => received.borrow_mut().push(message),
            Event::Error(err) => errors.borrow_mut().push(format!("simple-peer: {err}")),
        }
    }
}

async fn apply(rtc: &PeerConnection, sp: &SimplePeer, message: &JsValue) -> Result<(), String> {
    let kind = get(message, "type").as_string().unwrap_or_default();
    match kind.as_str() {
        "offer" | "answer" => {
            let description = SessionDescription::from_js(message).map_err(|e| e.to_string())?;
            rtc.set_remote_description(&description)
                .await
                .map_err(|e| format!("set_remote_description: {e}"))?;
            if description.kind == SdpType::Offer {
                let answer = rtc.create_answer().await.map_err(|e| e.to_string())?;
                rtc.set_local_description(&answer)
                    .await
                    .map_err(|e| e.to_string())?;
                sp.signal(&answer.to_js());
            }
            Ok(())
        }
        "candidate" => {
            let inner = get(message, "candidate");
            let line = get(&inner, "candidate").as_string().unwrap_or_default();
            if line.is_empty() {
                return Ok(());
            }
            let mid = get(&inner, "sdpMid").as_string();
            let index = get(&inner, "sdpMLineIndex")
                .as_f64()
                .and_then(|i| u16::try_from(i as i64).ok());
            let candidate =
                ice_candidate(&line, mid.as_deref(), index).map_err(|e| e.to_string())?;
            rtc.add_ice_candidate(&candidate)
                .await
                .map_err(|e| format!("add_ice_candidate: {e}"))
        }
        // Renegotiation and transceiver requests do not happen without media.
        other => Err(format!("unexpected simple-peer signal `{other}`")),
    }
}

/// rtc-peer's candidates, in simple-peer's `{type: 'candidate', candidate}` shape.
fn forward_candidates(rtc: &PeerConnection, sp: &Rc<SimplePeer>) -> Listener {
    let sp = Rc::downgrade(sp);
    rtc.on_ice_candidate(move |candidate| {
        let (Some(candidate), Some(sp)) = (candidate, sp.upgrade()) else {
            return;
        };
        if candidate.candidate().is_empty() {
            return;
        }
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
        sp.signal(&message);
    })
}

fn messages() -> Vec<Message> {
    vec![
        Message::Text("hello from the other library".into()),
        Message::Text("ünïcödé ✓".into()),
        Message::Binary(vec![0, 1, 2, 254, 255]),
        Message::Binary(crate::support::pattern(60 * 1024, 11)),
    ]
}

/// One call between simple-peer and rtc-peer: `rtc_offers` says which side creates the
/// channel and the offer.
async fn talk(rtc_offers: bool) {
    let rtc = PeerConnection::new().expect("a PeerConnection");
    let (sender, events) = unbounded();
    let sp = Rc::new(SimplePeer::new(!rtc_offers, sender));
    let _ice = forward_candidates(&rtc, &sp);
    let connected = Rc::new(RefCell::new(false));
    let received: Rc<RefCell<Vec<Message>>> = Rc::default();
    let errors: Rc<RefCell<Vec<String>>> = Rc::default();
    spawn_local(bridge(
        rtc.clone(),
        Rc::downgrade(&sp),
        events,
        connected.clone(),
        received.clone(),
        errors.clone(),
    ));
    let incoming: Rc<RefCell<Option<DataChannel>>> = Rc::default();
    let _datachannel = {
        let incoming = incoming.clone();
        rtc.on_data_channel(move |channel| *incoming.borrow_mut() = Some(channel))
    };
    let channel = if rtc_offers {
        let channel = rtc
            .create_data_channel("rtc-peer to simple-peer", &DataChannelOptions::new())
            .expect("create_data_channel");
        let offer = rtc.create_offer().await.expect("create_offer");
        rtc.set_local_description(&offer)
            .await
            .expect("local offer");
        sp.signal(&offer.to_js());
        channel
    } else {
        wait_until(WAIT_MS, "simple-peer's channel at rtc-peer", || {
            incoming.borrow().is_some() || !errors.borrow().is_empty()
        })
        .await;
        assert!(errors.borrow().is_empty(), "errors: {:?}", errors.borrow());
        incoming.borrow_mut().take().expect("a channel")
    };
    wait_open(&channel, "rtc-peer's channel").await;
    wait_until(WAIT_MS, "simple-peer's connect event", || {
        *connected.borrow()
    })
    .await;

    let mut at_rtc = channel.messages();
    for message in messages() {
        sp.send(&message);
        let got = within(WAIT_MS, "simple-peer's message at rtc-peer", at_rtc.next()).await;
        assert_eq!(got.as_ref(), Some(&message), "simple-peer to rtc-peer");
    }
    for message in messages() {
        match &message {
            Message::Text(text) => channel.send_text(text),
            Message::Binary(bytes) => channel.send_bytes(bytes),
        }
        .expect("send");
    }
    wait_until(WAIT_MS, "rtc-peer's messages at simple-peer", || {
        received.borrow().len() == messages().len()
    })
    .await;
    assert_eq!(*received.borrow(), messages(), "rtc-peer to simple-peer");
    assert!(errors.borrow().is_empty(), "errors: {:?}", errors.borrow());
    log(&format!(
        "{:?}: simple-peer <-> rtc-peer, {} offering: {} messages each way",
        engine(),
        if rtc_offers {
            "rtc-peer"
        } else {
            "simple-peer"
        },
        messages().len()
    ));
    drop(at_rtc);
    drop(sp);
    rtc.close();
}

#[wasm_bindgen_test]
async fn simple_peer_offers_and_both_sides_talk() {
    talk(false).await;
}

#[wasm_bindgen_test]
async fn rtc_peer_offers_and_both_sides_talk() {
    talk(true).await;
}
