//! Starting a call: the session's connections, listeners and local tracks, and what a failed
//! start does (hang up, if the call it started is still current).

use js_sys::Function;
use rtc_peer::{attach_stream, Error, MediaStreamTrack, PeerConnection, PeerConnectionState};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;

use crate::errors::busy_error;
use crate::listeners::{hang_up_click, state_listener, track_listener};
use crate::negotiation::{loopback_candidates, signalled_candidates};
use crate::page::{console_warn, CloneRef};
use crate::session::{hang_up, is_current, EndReason, Session, Shared, Side, Which};
use crate::{settings, wire};

/// Creates the session for a new call (connections, listeners, local tracks) and returns its
/// generation. A loopback call has no `send`. Fails when a call is in progress.
pub(crate) fn begin(
    shared: &Shared,
    stream: MediaStream,
    send: Option<Function>,
    caller: bool,
) -> Result<u32, JsValue> {
    let (config, generation, button) = {
        let mut inner = shared.try_borrow_mut().map_err(|_| busy_error())?;
        if inner.session.is_some() {
            return Err(busy_error());
        }
        let config = settings::configuration(&inner.ice_servers, inner.relay_only);
        inner.generation = inner.generation.wrapping_add(1);
        (config, inner.generation, inner.hang_up_button.clone())
    };
    let local = PeerConnection::with_configuration(&config)?;
    let far = if send.is_none() {
        match PeerConnection::with_configuration(&config) {
            Ok(pc) => Some(pc),
            Err(err) => {
                local.close();
                return Err(err.into());
            }
        }
    } else {
        None
    };
    let mut listeners = Vec::new();
    let receiving = far.clone().unwrap_or_else(|| local.clone());
    listeners.push(track_listener(shared, generation, &receiving));
    listeners.push(state_listener(shared, generation, &receiving));
    match &far {
        Some(far_pc) => {
            listeners.push(loopback_candidates(
                shared,
                generation,
                &local,
                Which::Local,
            ));
            listeners.push(loopback_candidates(shared, generation, far_pc, Which::Far));
            listeners.push(state_listener(shared, generation, &local));
        }
        None => listeners.push(signalled_candidates(shared, generation, &local)),
    }
    let hang_up_click = hang_up_click(shared, generation, &button);
    let mut add_error = None;
    for track in stream.get_tracks().iter() {
        let Ok(track) = track.dyn_into::<MediaStreamTrack>() else {
            continue;
        };
        if let Err(err) = local.add_track(&track, &[&stream]) {
            add_error = Some(err);
            break;
        }
    }
    let call_id = if caller || far.is_some() {
        wire::new_call_id()
    } else {
        String::new()
    };
    let session = Session {
        generation,
        call_id,
        local: Side::new(local),
        far: far.map(Side::new),
        local_stream: MediaStream::clone_ref(&stream),
        listeners,
        hang_up_click,
        send,
        awaiting_answer: caller,
    };
    let local_video = match shared.try_borrow_mut() {
        Ok(mut inner) => {
            inner.session = Some(session);
            inner.last_state = PeerConnectionState::New;
            inner.local_video.clone()
        }
        Err(_) => {
            // Not reachable from JS (nothing else holds the borrow); release anyway.
            session.local.pc.close();
            if let Some(far) = &session.far {
                far.pc.close();
            }
            return Err(busy_error());
        }
    };
    button.set_disabled(true);
    if let Some(err) = add_error {
        hang_up(shared, EndReason::Failed, false);
        return Err(err.into());
    }
    // The local preview: muted (never play our own microphone back).
    local_video.set_muted(true);
    let preview = local_video.clone();
    spawn_local(async move {
        if let Err(err) = attach_stream(&preview, &stream).await {
            if err.name() != "AbortError" {
                console_warn(&["Call: the local preview did not play: ", err.message()].concat());
            }
        }
    });
    Ok(generation)
}

/// Hangs up if `result` failed (and the call it started is still current).
pub(crate) fn finish_start(
    shared: &Shared,
    generation: u32,
    result: Result<(), Error>,
) -> Result<JsValue, JsValue> {
    match result {
        Ok(()) => Ok(JsValue::UNDEFINED),
        Err(err) => {
            if is_current(shared, generation) {
                hang_up(shared, EndReason::Failed, true);
            }
            Err(err.into())
        }
    }
}
