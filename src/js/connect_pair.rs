//! `connectPair`: negotiates two `RTCPeerConnection`s of the same page with each other (a
//! loopback call), for tests and demos.

use std::rc::Rc;

use core::cell::Cell;
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use crate::{Error, Listener, PeerConnection};

/// Connects `offerer` to `answerer`, both in this page: offer, answer, and every ICE candidate
/// passed directly from one to the other. Resolves once both descriptions are applied (media
/// starts flowing when ICE connects, shortly after).
///
/// Subscribe with `onTrack` *before* calling it: the
/// answerer's `track` events fire while its remote description is applied, and the offerer's
/// (for tracks the answerer sends back) while the answer is applied. Candidates keep being
/// forwarded after the promise resolves, until each side has finished gathering; a candidate
/// the other side rejects (for example because it was closed meanwhile) is dropped.
///
/// JavaScript:
///
/// ```js
/// const a = new RTCPeerConnection(), b = new RTCPeerConnection();
/// a.addTransceiver("video");
/// const subscription = onTrack(b, ({ track }) => console.log(track.kind));
/// await connectPair(a, b);
/// ```
///
/// # Errors
///
/// Rejects with the browser's error, as an `Error` whose `name` is the DOMException name (for
/// example `InvalidStateError` when either connection is closed) and whose `message` is the
/// browser's; rejects with a `TypeError` when an argument is not an `RTCPeerConnection`.
#[wasm_bindgen(js_name = connectPair)]
pub async fn connect_pair(
    #[wasm_bindgen(unchecked_param_type = "RTCPeerConnection")] offerer: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RTCPeerConnection")] answerer: JsValue,
) -> Result<(), JsValue> {
    let offerer = peer(offerer)?;
    let answerer = peer(answerer)?;

    let offer = offerer.create_offer().await?;
    let from_offerer = Forwarder::start(&offerer, &answerer);
    let result = negotiate(&offerer, &answerer, &offer, &from_offerer).await;
    if result.is_err() {
        from_offerer.stop();
    }
    result.map_err(JsValue::from)
}

async fn negotiate(
    offerer: &PeerConnection,
    answerer: &PeerConnection,
    offer: &crate::SessionDescription,
    from_offerer: &Forwarder,
) -> Result<(), Error> {
    offerer.set_local_description(offer).await?;
    answerer.set_remote_description(offer).await?;
    let answer = answerer.create_answer().await?;
    let from_answerer = Forwarder::start(answerer, offerer);
    let applied = async {
        answerer.set_local_description(&answer).await?;
        offerer.set_remote_description(&answer).await
    };
    let result = applied.await;
    if result.is_err() {
        from_answerer.stop();
        from_offerer.stop();
    }
    result
}

fn peer(value: JsValue) -> Result<PeerConnection, JsValue> {
    value
        .dyn_into::<RtcPeerConnection>()
        .map(PeerConnection::from)
        .map_err(|_| {
            js_sys::TypeError::new("connectPair: both arguments must be RTCPeerConnections.").into()
        })
}

/// Forwards `from`'s ICE candidates to `to` until `from` has finished gathering (then the
/// listener removes itself) or [`Forwarder::stop`] is called.
struct Forwarder {
    slot: Rc<Cell<Option<Listener>>>,
}

impl Forwarder {
    fn start(from: &PeerConnection, to: &PeerConnection) -> Forwarder {
        let slot: Rc<Cell<Option<Listener>>> = Rc::new(Cell::new(None));
        let own = Rc::clone(&slot);
        let to = to.clone();
        let listener = from.on_ice_candidate(move |candidate| match candidate {
            Some(candidate) => {
                let to = to.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = to.add_ice_candidate(&candidate).await;
                });
            }
            // Gathering is complete: dropping the listener here (inside its own callback) is
            // safe, and breaks the slot <-> closure cycle.
            None => drop(own.take()),
        });
        slot.set(Some(listener));
        Forwarder { slot }
    }

    fn stop(&self) {
        drop(self.slot.take());
    }
}
