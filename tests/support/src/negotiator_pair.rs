//! Two negotiators in one page: each one's signals handed to the other on a later task (as a
//! signalling server would), and each one's call ends recorded with their time.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use rtc_peer::testing::now_ms;
use rtc_peer::{CallEnd, Negotiator, PeerConnection, Role, Signal};
use wasm_bindgen_futures::spawn_local;

use crate::log;

/// Where one side's signals go: the other side's negotiator, once both exist.
pub type NegotiatorSlot = Rc<RefCell<Weak<Negotiator>>>;

/// Every `on_end` of a negotiator, with when it came (`now_ms`).
pub type Ends = Rc<RefCell<Vec<(CallEnd, f64)>>>;

/// A negotiator for `pc` (with its liveness channel when `liveness`) whose signals, as
/// `network` lets them through (`None` drops one), reach the negotiator in `to` on a later
/// task; a signal that side refuses is logged. Returns it with the log of its call ends.
pub fn negotiator_to(
    pc: &PeerConnection,
    role: Role,
    liveness: bool,
    to: &NegotiatorSlot,
    network: impl Fn(Signal) -> Option<Signal> + 'static,
) -> (Rc<Negotiator>, Ends) {
    let to = to.clone();
    let send = move |signal: Signal| {
        let Some(signal) = network(signal) else {
            return;
        };
        if let Some(negotiator) = to.borrow().upgrade() {
            spawn_local(async move {
                if let Err(err) = negotiator.receive(signal).await {
                    log(&format!("receive: {err}"));
                }
            });
        }
    };
    let negotiator = Rc::new(if liveness {
        pc.negotiate(role, send)
    } else {
        pc.negotiate_without_liveness(role, send)
    });
    let ends: Ends = Rc::default();
    {
        let ends = ends.clone();
        negotiator.on_end(move |end| ends.borrow_mut().push((end, now_ms())));
    }
    (negotiator, ends)
}
