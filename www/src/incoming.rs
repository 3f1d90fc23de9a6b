//! Signals from the other side to a negotiator: a room call's JSON text from the other page,
//! the loopback call's signals between its two in-page connections, and the signals that
//! arrive before this page's call has started (an offer and what follows it wait for it).

use std::rc::Rc;

use rtc_peer::{Negotiator, SdpType, Signal};
use wasm_bindgen_futures::spawn_local;

use crate::page::console_warn;
use crate::session::{is_current, negotiator, Shared, Which};

/// The most signals kept while this page's call starts (an offer and its candidates).
const MAX_WAITING: usize = 256;

/// What a received text was, as `Call.receive` reports it.
pub(crate) enum Received {
    /// An offer while no call runs: this page should answer (start its call).
    Offer,
    /// A signal kept for the call this page is starting.
    Waiting,
    /// A signal for the current call, handed to its negotiator.
    ForCall,
    /// The other page hung up before this page's call started.
    Bye,
}

impl Received {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Received::Offer => "offer",
            Received::Waiting => "waiting",
            Received::ForCall => "signal",
            Received::Bye => "bye",
        }
    }
}

/// Handles one text from the other page; `Err` says why it was ignored.
pub(crate) fn receive(shared: &Shared, text: &str) -> Result<Received, String> {
    let signal = Signal::from_json(text).map_err(|err| err.message().to_owned())?;
    let mut inner = shared.try_borrow_mut().map_err(|_| "busy".to_owned())?;
    if let Some(session) = inner.session.as_ref() {
        if !session.is_room_call() {
            return Err("a loopback call is in progress".into());
        }
        let generation = session.generation;
        let negotiator = Rc::clone(&session.local.negotiator);
        drop(inner);
        feed(shared, generation, negotiator, signal);
        return Ok(Received::ForCall);
    }
    match signal {
        Signal::Description(ref description) if description.kind == SdpType::Offer => {
            inner.waiting.clear();
            inner.waiting.push(signal);
            Ok(Received::Offer)
        }
        Signal::Bye => {
            inner.waiting.clear();
            Ok(Received::Bye)
        }
        _ if inner.waiting.is_empty() => Err("a signal for no call".into()),
        _ if inner.waiting.len() >= MAX_WAITING => Err("too many signals before the call".into()),
        _ => {
            inner.waiting.push(signal);
            Ok(Received::Waiting)
        }
    }
}

/// Hands `signal` to `negotiator` (of call `generation`); a refusal is a console warning
/// while that call is current (the signals of an ended call are expected to fail).
pub(crate) fn feed(shared: &Shared, generation: u32, negotiator: Rc<Negotiator>, signal: Signal) {
    let weak = Rc::downgrade(shared);
    spawn_local(async move {
        let result = negotiator.receive(signal).await;
        if let Err(err) = result {
            if weak.upgrade().is_some_and(|s| is_current(&s, generation)) {
                console_warn(&["Call: a signal was refused: ", err.message()].concat());
            }
        }
    });
}

/// The loopback call's `send`: each signal goes to the negotiator of the leg `to`.
pub(crate) fn loopback_delivery(
    shared: &Shared,
    generation: u32,
    to: Which,
) -> impl FnMut(Signal) + 'static {
    let weak = Rc::downgrade(shared);
    move |signal| {
        let Some(shared) = weak.upgrade() else { return };
        if let Some(target) = negotiator(&shared, generation, to) {
            feed(&shared, generation, target, signal);
        }
    }
}
