//! `connectPair`: negotiates two `RTCPeerConnection`s of the same page with each other (a
//! loopback call), for tests and demos.
//!
//! The JavaScript API, as the package's TypeScript declarations say it:
//!
#![doc = concat!("```ts\n", include_str!("connect_pair.d.ts"), "```")]

use core::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use crate::deferred::{deferred, Settle};
use crate::on_settled::on_settled;
use crate::{sys, Error, Listener, PeerConnection};

/// The JavaScript API of this module, with its documentation: the package's `.d.ts` has it as
/// written.
#[wasm_bindgen(typescript_custom_section)]
const CONNECT_PAIR_TS: &'static str = include_str!("connect_pair.d.ts");

// The JavaScript `connectPair`, declared (with its documentation) in `connect_pair.d.ts`.
#[doc(hidden)]
#[wasm_bindgen(js_name = connectPair, skip_typescript, skip_jsdoc)]
pub fn connect_pair(offerer: JsValue, answerer: JsValue) -> Promise {
    let (promise, settle) = deferred();
    // `None` is not reached (see `deferred`).
    if let Some(settle) = settle {
        match (peer(offerer), peer(answerer)) {
            (Ok(offerer), Ok(answerer)) => Rc::new(Pair {
                offerer,
                answerer,
                settle,
                forwarders: Cell::new(Vec::new()),
            })
            .step(Step::Offer),
            _ => settle.reject(&js_sys::TypeError::new(
                "connectPair: both arguments must be RTCPeerConnections.",
            )),
        }
    }
    promise
}

fn peer(value: JsValue) -> Result<RtcPeerConnection, JsValue> {
    value.dyn_into::<RtcPeerConnection>()
}

/// One `connectPair` call: each step runs from the callback of the previous step's promise.
struct Pair {
    offerer: RtcPeerConnection,
    answerer: RtcPeerConnection,
    /// Settles the `connectPair` promise.
    settle: Settle,
    /// The candidate forwarders started so far, stopped when a step fails.
    forwarders: Cell<Vec<Forwarder>>,
}

/// Which description a step of [`Pair`] makes.
#[derive(Clone, Copy)]
enum Step {
    Offer,
    Answer,
}

impl Pair {
    /// The side that makes the step's description, and the side that applies it.
    fn sides(&self, step: Step) -> (&RtcPeerConnection, &RtcPeerConnection) {
        match step {
            Step::Offer => (&self.offerer, &self.answerer),
            Step::Answer => (&self.answerer, &self.offerer),
        }
    }

    /// One step: the local side makes its description, forwards its candidates from now on and
    /// applies it, then the remote side applies it; the offer's step is followed by the
    /// answer's, the answer's resolves the `connectPair` promise.
    fn step(self: Rc<Self>, step: Step) {
        let (local, _) = self.sides(step);
        let call = match step {
            Step::Offer => sys::Pc::create_offer(local.unchecked_ref()),
            Step::Answer => sys::Pc::create_answer(local.unchecked_ref()),
        };
        self.then(call, move |pair, description| {
            let (local, remote) = pair.sides(step);
            pair.forward(local, remote);
            let call = sys::Pc::set_local_description(local.unchecked_ref(), &description);
            pair.then(call, move |pair, _| {
                let (_, remote) = pair.sides(step);
                let call = sys::Pc::set_remote_description(remote.unchecked_ref(), &description);
                pair.then(call, move |pair, _| match step {
                    Step::Offer => pair.step(Step::Answer),
                    // Both descriptions are applied; the forwarders go on until gathering ends.
                    Step::Answer => pair.settle.resolve(&JsValue::UNDEFINED),
                });
            });
        });
    }

    fn forward(&self, from: &RtcPeerConnection, to: &RtcPeerConnection) {
        let mut forwarders = self.forwarders.take();
        forwarders.push(Forwarder::start(from, to));
        self.forwarders.set(forwarders);
    }

    /// Runs `next` with the value of `call`'s promise; on a throw or a rejection, stops the
    /// forwarders and rejects the `connectPair` promise with the browser's error.
    fn then(
        self: Rc<Self>,
        call: Result<Promise, JsValue>,
        next: impl FnOnce(Rc<Self>, JsValue) + 'static,
    ) {
        on_settled(
            call,
            Box::new(move |result| match result {
                Ok(value) => next(self, value),
                Err(reason) => {
                    for forwarder in self.forwarders.take() {
                        forwarder.stop();
                    }
                    self.settle.reject(&Error::from(reason).into());
                }
            }),
        );
    }
}

/// Forwards `from`'s ICE candidates to `to` until `from` has finished gathering (then the
/// listener removes itself) or [`Forwarder::stop`] is called.
struct Forwarder {
    slot: Rc<Cell<Option<Listener>>>,
}

impl Forwarder {
    fn start(from: &RtcPeerConnection, to: &RtcPeerConnection) -> Forwarder {
        let slot: Rc<Cell<Option<Listener>>> = Rc::new(Cell::new(None));
        let own = Rc::clone(&slot);
        let to = to.clone();
        let listener = PeerConnection::from(from.clone()).on_ice_candidate(move |candidate| {
            match candidate {
                // A candidate the other side rejects (closed meanwhile) is dropped.
                Some(candidate) => on_settled(
                    sys::Pc::add_ice_candidate(to.unchecked_ref(), &candidate),
                    Box::new(drop),
                ),
                // Gathering is complete: dropping the listener here (inside its own callback)
                // is safe, and breaks the slot <-> closure cycle.
                None => drop(own.take()),
            }
        });
        slot.set(Some(listener));
        Forwarder { slot }
    }

    fn stop(&self) {
        drop(self.slot.take());
    }
}
