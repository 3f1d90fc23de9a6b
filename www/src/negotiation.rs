//! Offer/answer and candidate exchange: both peers in the page (loopback), or with the other
//! page through signalling messages; candidates wait for their side's remote description.

use std::rc::Rc;

use rtc_peer::{
    Error, Listener, PeerConnection, PeerConnectionState, RtcIceCandidate, SessionDescription,
};
use wasm_bindgen_futures::spawn_local;

use crate::errors::closed_error;
use crate::page::console_warn;
use crate::session::{self, connection, with_current, PendingOffer, Shared, Which};
use crate::wire;

/// Negotiates the two in-page connections of loopback call `generation`.
pub(crate) async fn negotiate_loopback(shared: &Shared, generation: u32) -> Result<(), Error> {
    let local = connection(shared, generation, Which::Local)?;
    let far = connection(shared, generation, Which::Far)?;
    let offer = local.create_offer().await?;
    local.set_local_description(&offer).await?;
    far.set_remote_description(&offer).await?; // `track` fires in here
    remote_described(shared, generation, Which::Far);
    let answer = far.create_answer().await?;
    far.set_local_description(&answer).await?;
    local.set_remote_description(&answer).await?;
    remote_described(shared, generation, Which::Local);
    Ok(())
}

/// Marks a side's remote description as applied and adds the candidates that waited for it.
pub(crate) fn remote_described(shared: &Shared, generation: u32, which: Which) {
    let taken = with_current(shared, generation, |s| {
        s.side(which).map(|side| {
            side.remote_described = true;
            (side.pc.clone(), core::mem::take(&mut side.pending))
        })
    })
    .flatten();
    let Some((pc, pending)) = taken else { return };
    for candidate in pending {
        add_candidate(pc.clone(), candidate);
    }
}

/// Adds a remote candidate (a failure after hang-up is expected and not reported).
pub(crate) fn add_candidate(pc: PeerConnection, candidate: RtcIceCandidate) {
    spawn_local(async move {
        if let Err(err) = pc.add_ice_candidate(&candidate).await {
            if pc.connection_state() != PeerConnectionState::Closed {
                console_warn(&["Call: addIceCandidate failed: ", err.message()].concat());
            }
        }
    });
}

/// Gives `candidate` to `side` now, or keeps it until its remote description is set; `Err`
/// when 256 already wait.
pub(crate) fn deliver(side: &mut session::Side, candidate: RtcIceCandidate) -> Result<(), ()> {
    if side.remote_described {
        add_candidate(side.pc.clone(), candidate);
    } else {
        if side.pending.len() >= 256 {
            return Err(());
        }
        side.pending.push(candidate);
    }
    Ok(())
}

/// Loopback: each candidate of `from` goes to the other side of the call.
pub(crate) fn loopback_candidates(
    shared: &Shared,
    generation: u32,
    pc: &PeerConnection,
    from: Which,
) -> Listener {
    let weak = Rc::downgrade(shared);
    let to = match from {
        Which::Local => Which::Far,
        Which::Far => Which::Local,
    };
    pc.on_ice_candidate(move |candidate| {
        let Some(candidate) = candidate else { return };
        let Some(shared) = weak.upgrade() else { return };
        // In-page candidates are few; the 256 limit is for the other page's.
        let _ = with_current(&shared, generation, |s| {
            s.side(to).map(|side| deliver(side, candidate))
        });
    })
}

/// Signalled: each local candidate goes to the other page.
pub(crate) fn signalled_candidates(
    shared: &Shared,
    generation: u32,
    pc: &PeerConnection,
) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_ice_candidate(move |candidate| {
        let Some(candidate) = candidate else { return };
        let Some(shared) = weak.upgrade() else { return };
        session::send(
            &shared,
            generation,
            "candidate",
            &wire::candidate_fields(&candidate),
        );
    })
}

/// Signalled caller: creates the offer and sends it to the other page.
pub(crate) async fn send_offer(shared: &Shared, generation: u32) -> Result<(), Error> {
    let pc = connection(shared, generation, Which::Local)?;
    let offer = pc.create_offer().await?;
    pc.set_local_description(&offer).await?;
    session::send(shared, generation, "offer", &wire::sdp_fields(&offer.sdp));
    Ok(())
}

/// Signalled callee: applies `offer` (and the candidates that came with it), answers it.
pub(crate) async fn send_answer(
    shared: &Shared,
    generation: u32,
    offer: PendingOffer,
) -> Result<(), Error> {
    let PendingOffer {
        call_id,
        sdp,
        candidates,
    } = offer;
    with_current(shared, generation, |s| {
        s.call_id = call_id;
        s.local.pending.extend(candidates);
    })
    .ok_or_else(closed_error)?;
    let pc = connection(shared, generation, Which::Local)?;
    pc.set_remote_description(&SessionDescription::offer(sdp))
        .await?;
    remote_described(shared, generation, Which::Local);
    let answer = pc.create_answer().await?;
    pc.set_local_description(&answer).await?;
    session::send(shared, generation, "answer", &wire::sdp_fields(&answer.sdp));
    Ok(())
}
