//! Offer/answer and candidate exchange: both peers in the page (loopback), or with the other
//! page through signalling messages; candidates wait for their side's remote description.

use std::rc::Rc;

use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::RtcIceCandidate;

use super::page::console_warn;
use super::session::{closed_error, Shared, Side};
use super::signalling::{send_message, PendingOffer};
use crate::config::set;
use crate::{Error, Listener, PeerConnection, PeerConnectionState, SessionDescription};

/// Clones out the two connections of the current loopback session.
pub(super) fn loopback_pair(
    shared: &Shared,
    generation: u32,
) -> Result<(PeerConnection, PeerConnection), Error> {
    let inner = shared.try_borrow().map_err(|_| closed_error())?;
    let session = inner
        .session
        .as_ref()
        .filter(|s| s.generation == generation)
        .ok_or_else(closed_error)?;
    let far = session.far.as_ref().ok_or_else(closed_error)?;
    Ok((session.local.pc.clone(), far.pc.clone()))
}

pub(super) async fn negotiate_loopback(shared: &Shared, generation: u32) -> Result<(), Error> {
    let (local, far) = loopback_pair(shared, generation)?;
    let offer = local.create_offer().await?;
    local.set_local_description(&offer).await?;
    far.set_remote_description(&offer).await?; // `track` fires in here
    remote_described(shared, generation, false);
    let answer = far.create_answer().await?;
    far.set_local_description(&answer).await?;
    local.set_remote_description(&answer).await?;
    remote_described(shared, generation, true);
    Ok(())
}

/// Marks a side's remote description as applied and adds the candidates that waited for it.
pub(super) fn remote_described(shared: &Shared, generation: u32, local_side: bool) {
    let taken = with_side(shared, generation, local_side, |side| {
        side.remote_described = true;
        (side.pc.clone(), core::mem::take(&mut side.pending))
    });
    let Some((pc, pending)) = taken else { return };
    for candidate in pending {
        add_candidate(pc.clone(), candidate);
    }
}

/// Runs `f` on one side (`local_side`: this page's connection, else the loopback far end) of
/// session `generation`, if that session is still current and the side exists.
fn with_side<R>(
    shared: &Shared,
    generation: u32,
    local_side: bool,
    f: impl FnOnce(&mut Side) -> R,
) -> Option<R> {
    let mut inner = shared.try_borrow_mut().ok()?;
    let session = inner
        .session
        .as_mut()
        .filter(|s| s.generation == generation)?;
    let side = if local_side {
        Some(&mut session.local)
    } else {
        session.far.as_mut()
    }?;
    Some(f(side))
}

pub(super) fn add_candidate(pc: PeerConnection, candidate: RtcIceCandidate) {
    spawn_local(async move {
        if let Err(err) = pc.add_ice_candidate(&candidate).await {
            if pc.connection_state() != PeerConnectionState::Closed {
                console_warn(&["Call: addIceCandidate failed: ", err.message()].concat());
            }
        }
    });
}

/// Loopback: each candidate of one side goes to the other side (queued until its remote
/// description is set).
pub(super) fn loopback_candidates(
    shared: &Shared,
    generation: u32,
    pc: &PeerConnection,
    from_local: bool,
) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_ice_candidate(move |candidate| {
        let Some(candidate) = candidate else { return };
        let Some(shared) = weak.upgrade() else { return };
        // The candidate goes to the other side, or waits for its remote description.
        let target = with_side(&shared, generation, !from_local, |side| {
            if side.remote_described {
                Some(side.pc.clone())
            } else {
                side.pending.push(candidate.clone());
                None
            }
        })
        .flatten();
        if let Some(pc) = target {
            add_candidate(pc, candidate);
        }
    })
}

/// Signalled: each local candidate goes to the other page.
pub(super) fn signalled_candidates(
    shared: &Shared,
    generation: u32,
    pc: &PeerConnection,
) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_ice_candidate(move |candidate| {
        let Some(candidate) = candidate else { return };
        let Some(shared) = weak.upgrade() else { return };
        let msg = Object::new();
        set(
            &msg,
            "candidate",
            &JsValue::from_str(&candidate.candidate()),
        );
        set(
            &msg,
            "sdpMid",
            &candidate
                .sdp_mid()
                .map_or(JsValue::NULL, |m| JsValue::from_str(&m)),
        );
        set(
            &msg,
            "sdpMLineIndex",
            &candidate
                .sdp_m_line_index()
                .map_or(JsValue::NULL, JsValue::from),
        );
        send_message(&shared, generation, "candidate", &msg);
    })
}
pub(super) async fn send_offer(shared: &Shared, generation: u32) -> Result<(), Error> {
    let pc = current_local(shared, generation)?;
    let offer = pc.create_offer().await?;
    pc.set_local_description(&offer).await?;
    let msg = Object::new();
    set(&msg, "sdp", &JsValue::from_str(&offer.sdp));
    send_message(shared, generation, "offer", &msg);
    Ok(())
}

pub(super) async fn send_answer(
    shared: &Shared,
    generation: u32,
    offer: PendingOffer,
) -> Result<(), Error> {
    {
        let mut inner = shared.try_borrow_mut().map_err(|_| closed_error())?;
        let session = inner
            .session
            .as_mut()
            .filter(|s| s.generation == generation)
            .ok_or_else(closed_error)?;
        session.call_id = offer.call_id;
        session.local.pending.extend(offer.candidates);
    }
    let pc = current_local(shared, generation)?;
    pc.set_remote_description(&SessionDescription::offer(offer.sdp))
        .await?;
    remote_described(shared, generation, true);
    let answer = pc.create_answer().await?;
    pc.set_local_description(&answer).await?;
    let msg = Object::new();
    set(&msg, "sdp", &JsValue::from_str(&answer.sdp));
    send_message(shared, generation, "answer", &msg);
    Ok(())
}

pub(super) fn current_local(shared: &Shared, generation: u32) -> Result<PeerConnection, Error> {
    let inner = shared.try_borrow().map_err(|_| closed_error())?;
    inner
        .session
        .as_ref()
        .filter(|s| s.generation == generation)
        .map(|s| s.local.pc.clone())
        .ok_or_else(closed_error)
}
