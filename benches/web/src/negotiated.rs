//! Two connections negotiated by rtc-peer's [`Negotiator`], for the glare and hang-up figures
//! (figures 7 and 9): the page carries their signals as JSON text (the documented wire
//! format), exactly as it carries the plain-JS perfect-negotiation pattern's.

use std::rc::Rc;

use js_sys::{Function, Promise};
use rtc_peer::{CallEnd, DataChannelState, Negotiator, PeerConnection, Role, Signal};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{MediaStream, MediaStreamTrack, RtcPeerConnection};

/// Connection `a` (impolite) and `b` (polite), each with its negotiator.
#[wasm_bindgen]
#[derive(Debug)]
pub struct NegotiatedPair {
    a: Rc<Negotiator>,
    b: Rc<Negotiator>,
}

/// A negotiator on `pc` whose every signal goes to `send` as JSON text.
fn negotiator(pc: &PeerConnection, role: Role, liveness: bool, send: Function) -> Negotiator {
    let forward = move |signal: Signal| {
        let _ = send.call1(&JsValue::UNDEFINED, &JsValue::from(signal.to_json()));
    };
    if liveness {
        pc.negotiate(role, forward)
    } else {
        pc.negotiate_without_liveness(role, forward)
    }
}

/// Applies one JSON signal to `negotiator`; the promise rejects with the error's message.
fn receive(negotiator: &Rc<Negotiator>, text: &str) -> Promise {
    let negotiator = Rc::clone(negotiator);
    let signal = Signal::from_json(text);
    future_to_promise(async move {
        negotiator.receive(signal?).await?;
        Ok(JsValue::UNDEFINED)
    })
}

/// Sends `stream`'s first video track on `negotiator`'s connection, as part of `stream`.
fn add_video(negotiator: &Negotiator, stream: &MediaStream) -> Result<(), JsValue> {
    let track: MediaStreamTrack = stream
        .get_video_tracks()
        .get(0)
        .dyn_into()
        .map_err(|_| js_sys::TypeError::new("the stream has no video track"))?;
    negotiator.connection().add_track(&track, &[stream])?;
    Ok(())
}

#[wasm_bindgen]
impl NegotiatedPair {
    /// Two new connections; `a`'s signals go to `send_a`, `b`'s to `send_b`. With `liveness`,
    /// the negotiators keep their liveness channel (the default of `negotiate`).
    ///
    /// # Errors
    ///
    /// The browser's error when it refuses a new connection.
    #[wasm_bindgen(constructor)]
    pub fn new(
        liveness: bool,
        send_a: Function,
        send_b: Function,
    ) -> Result<NegotiatedPair, JsValue> {
        let a = PeerConnection::new()?;
        let b = PeerConnection::new()?;
        Ok(NegotiatedPair {
            a: Rc::new(negotiator(&a, Role::Impolite, liveness, send_a)),
            b: Rc::new(negotiator(&b, Role::Polite, liveness, send_b)),
        })
    }

    /// Connection `a`.
    pub fn a(&self) -> RtcPeerConnection {
        self.a.connection().as_raw().clone()
    }

    /// Connection `b`.
    pub fn b(&self) -> RtcPeerConnection {
        self.b.connection().as_raw().clone()
    }

    /// Feeds a signal from `b` to `a`.
    pub fn receive_a(&self, text: &str) -> Promise {
        receive(&self.a, text)
    }

    /// Feeds a signal from `a` to `b`.
    pub fn receive_b(&self, text: &str) -> Promise {
        receive(&self.b, text)
    }

    /// Adds `stream`'s first video track on both connections, in this task (glare).
    ///
    /// # Errors
    ///
    /// The browser's error from `addTrack`, or a `TypeError` when `stream` has no video track.
    pub fn add_track_both(&self, stream: &MediaStream) -> Result<(), JsValue> {
        add_video(&self.a, stream)?;
        add_video(&self.b, stream)
    }

    /// Adds `stream`'s first video track on `a`.
    ///
    /// # Errors
    ///
    /// As [`add_track_both`](Self::add_track_both).
    pub fn add_track_a(&self, stream: &MediaStream) -> Result<(), JsValue> {
        add_video(&self.a, stream)
    }

    /// Adds `stream`'s first video track on `b`.
    ///
    /// # Errors
    ///
    /// As [`add_track_both`](Self::add_track_both).
    pub fn add_track_b(&self, stream: &MediaStream) -> Result<(), JsValue> {
        add_video(&self.b, stream)
    }

    /// Whether both liveness channels are open (the call can detect a hang-up).
    pub fn liveness_open(&self) -> bool {
        let open = |n: &Negotiator| {
            n.liveness_channel()
                .is_some_and(|c| c.state() == DataChannelState::Open)
        };
        open(&self.a) && open(&self.b)
    }

    /// Calls `callback` with the reason (`CallEnd::as_str`) when `b`'s call ends.
    pub fn on_end_b(&self, callback: Function) {
        self.b.on_end(move |reason: CallEnd| {
            let _ = callback.call1(&JsValue::UNDEFINED, &JsValue::from_str(reason.as_str()));
        });
    }

    /// Closes `a`'s connection without a `Bye`: `b` can only learn it from the connection.
    pub fn close_a(&self) {
        self.a.connection().close();
    }

    /// Closes both connections (the end of a round).
    pub fn close(&self) {
        self.a.connection().close();
        self.b.connection().close();
    }
}
