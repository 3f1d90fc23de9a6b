//! What a message from the other page does to the call: an offer waits for `answerCall`, an
//! answer and candidates go to the current signalled call, a bye hangs it up.

use std::rc::Rc;

use rtc_peer::SessionDescription;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::negotiation::{deliver, remote_described};
use crate::page::console_warn;
use crate::session::{hang_up, is_current, EndReason, PendingOffer, Shared, Which};
use crate::wire::{self, Message};

/// The most candidates kept for an offer not answered yet.
const MAX_PENDING_CANDIDATES: usize = 256;

/// Checks and applies one signalling message; `Ok` says what it was, `Err` why it was ignored.
pub(crate) fn receive(shared: &Shared, message: &JsValue) -> Result<&'static str, &'static str> {
    let mut inner = shared.try_borrow_mut().map_err(|_| "busy")?;
    match wire::parse(message)? {
        Message::Offer { call_id, sdp } => {
            if inner.session.is_some() {
                return Err("an offer arrived during a call (busy)");
            }
            inner.pending_offer = Some(PendingOffer {
                call_id,
                sdp,
                candidates: Vec::new(),
            });
            Ok("offer")
        }
        Message::Answer { call_id, sdp } => {
            let session = inner
                .session
                .as_mut()
                .filter(|s| s.is_signalled_call(&call_id))
                .ok_or("an answer for another call")?;
            if !session.awaiting_answer {
                return Err("an answer that was not expected");
            }
            session.awaiting_answer = false;
            let (pc, generation) = (session.local.pc.clone(), session.generation);
            drop(inner);
            let weak = Rc::downgrade(shared);
            spawn_local(async move {
                let result = pc
                    .set_remote_description(&SessionDescription::answer(sdp))
                    .await;
                let Some(shared) = weak.upgrade() else { return };
                match result {
                    Ok(()) => remote_described(&shared, generation, Which::Local),
                    Err(err) => {
                        console_warn(&["Call: the answer was refused: ", err.message()].concat());
                        if is_current(&shared, generation) {
                            hang_up(&shared, EndReason::Failed, true);
                        }
                    }
                }
            });
            Ok("answer")
        }
        Message::Candidate { call_id, candidate } => {
            if let Some(offer) = inner
                .pending_offer
                .as_mut()
                .filter(|o| o.call_id == call_id)
            {
                if offer.candidates.len() >= MAX_PENDING_CANDIDATES {
                    return Err("too many candidates");
                }
                offer.candidates.push(candidate);
                return Ok("candidate");
            }
            let session = inner
                .session
                .as_mut()
                .filter(|s| s.is_signalled_call(&call_id))
                .ok_or("a candidate for another call")?;
            deliver(&mut session.local, candidate).map_err(|()| "too many candidates")?;
            Ok("candidate")
        }
        Message::Bye { call_id } => {
            if inner
                .pending_offer
                .as_ref()
                .is_some_and(|o| o.call_id == call_id)
            {
                inner.pending_offer = None;
                return Ok("bye");
            }
            let in_call = inner
                .session
                .as_ref()
                .is_some_and(|s| s.is_signalled_call(&call_id));
            drop(inner);
            if !in_call {
                return Err("a bye for another call");
            }
            hang_up(shared, EndReason::Remote, false);
            Ok("bye")
        }
    }
}
