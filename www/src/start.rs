//! Starting a call: the session's connections, negotiators, listeners and local tracks, the
//! signals that waited for it, and what a failed start does (hang up).

use js_sys::Function;
use rtc_peer::{
    attach_stream, Error, MediaStreamTrack, PeerConnection, PeerConnectionState, Role, Signal,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;

use crate::errors::busy_error;
use crate::incoming::{feed, loopback_delivery};
use crate::listeners::{hang_up_click, on_end, state_listener, track_listener};
use crate::page::{console_warn, CloneRef};
use crate::session::{hang_up, EndReason, Leg, Session, Shared, Which};
use crate::settings;

/// What kind of call to start.
pub(crate) enum Mode {
    /// Both peers in this page.
    Loopback,
    /// With another page: this side's role, and how to reach the other page (JSON text).
    Room { role: Role, send: Function },
}

/// Creates the session for a new call (connections, negotiators, listeners, local tracks),
/// hands a room call the signals that waited for it, and returns the call's generation.
/// Fails when a call is in progress.
pub(crate) fn begin(shared: &Shared, stream: MediaStream, mode: Mode) -> Result<u32, JsValue> {
    let (config, generation, button) = {
        let mut inner = shared.try_borrow_mut().map_err(|_| busy_error())?;
        if inner.session.is_some() {
            return Err(busy_error());
        }
        let config = settings::configuration(&inner.ice_servers, inner.relay_only);
        inner.generation = inner.generation.wrapping_add(1);
        (config, inner.generation, inner.hang_up_button.clone())
    };
    let local_pc = PeerConnection::with_configuration(&config)?;
    let (local, far) = match mode {
        Mode::Loopback => {
            let far_pc = match PeerConnection::with_configuration(&config) {
                Ok(pc) => pc,
                Err(err) => {
                    local_pc.close();
                    return Err(err.into());
                }
            };
            let local = local_pc.negotiate(
                Role::Impolite,
                loopback_delivery(shared, generation, Which::Far),
            );
            let far = far_pc.negotiate(
                Role::Polite,
                loopback_delivery(shared, generation, Which::Local),
            );
            (Leg::new(local_pc, local), Some(Leg::new(far_pc, far)))
        }
        Mode::Room { role, send } => {
            let negotiator = local_pc.negotiate(role, move |signal: Signal| {
                let text = JsValue::from_str(&signal.to_json());
                if let Err(err) = send.call1(&JsValue::NULL, &text) {
                    let err = Error::from(err);
                    console_warn(&["Call: send threw: ", err.message()].concat());
                }
            });
            (Leg::new(local_pc, negotiator), None)
        }
    };
    let receiving = far.as_ref().map_or(&local.pc, |far| &far.pc).clone();
    let listeners = vec![
        track_listener(shared, generation, &receiving),
        state_listener(shared, generation, &receiving),
    ];
    on_end(shared, generation, &local.negotiator);
    if let Some(far) = &far {
        on_end(shared, generation, &far.negotiator);
    }
    let hang_up_click = hang_up_click(shared, generation, &button);
    let mut add_error = None;
    let mut video_sender = None;
    let mut local_tracks = Vec::new();
    for track in stream.get_tracks().iter() {
        let Ok(track) = track.dyn_into::<MediaStreamTrack>() else {
            continue;
        };
        local_tracks.push(MediaStreamTrack::clone_ref(&track));
        if add_error.is_some() {
            continue;
        }
        match local.pc.add_track(&track, &[&stream]) {
            Ok(sender) if track.kind() == "video" && video_sender.is_none() => {
                video_sender = Some(sender);
            }
            Ok(_) => {}
            Err(err) => add_error = Some(err),
        }
    }
    let session = Session {
        generation,
        local,
        far,
        video_sender,
        local_stream: MediaStream::clone_ref(&stream),
        local_tracks,
        listeners,
        hang_up_click,
    };
    let (local_video, waiting) = match shared.try_borrow_mut() {
        Ok(mut inner) => {
            let waiting = if session.is_room_call() {
                core::mem::take(&mut inner.waiting)
            } else {
                Vec::new()
            };
            let negotiator = std::rc::Rc::clone(&session.local.negotiator);
            inner.session = Some(session);
            inner.last_state = PeerConnectionState::New;
            inner.last_sample = None;
            (inner.local_video.clone(), (negotiator, waiting))
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
        hang_up(shared, EndReason::Failed);
        return Err(err.into());
    }
    // The other page's offer (and what followed it), in the order it arrived.
    let (negotiator, waiting) = waiting;
    for signal in waiting {
        feed(shared, generation, std::rc::Rc::clone(&negotiator), signal);
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
