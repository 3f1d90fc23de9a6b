//! The listeners a call holds for its lifetime: remote tracks (and whether each is muted),
//! connection states, the end of the call, and the hang-up button.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;

use gloo_events::EventListener;
use rtc_peer::{attach_stream, Listener, Negotiator, PeerConnection, RemoteTrack, TrackState};

use crate::page::{console_warn, notify, Button, CloneRef};
use crate::session::{end, is_current, with_current, EndReason, Shared};

/// The remote side's `track` listener: first stream into the remote `<video>`, Hang up
/// enabled, and the track's mute / unmute reported for the "paused" badge.
pub(crate) fn track_listener(shared: &Shared, generation: u32, pc: &PeerConnection) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_track(move |event| {
        let Some(shared) = weak.upgrade() else { return };
        if !is_current(&shared, generation) {
            return;
        }
        let Some(stream) = event.first_stream() else {
            console_warn("Call: a remote track arrived without a stream; not shown.");
            return;
        };
        let Ok((video, button, on_remote)) = shared.try_borrow().map(|i| {
            (
                i.remote_video.clone(),
                i.hang_up_button.clone(),
                i.on_remote_stream.clone(),
            )
        }) else {
            return;
        };
        button.set_disabled(false);
        let remote = event.remote_track();
        let watch = track_state_listener(&shared, generation, &remote);
        with_current(&shared, generation, |s| s.listeners.push(watch));
        // Audio and video of one stream arrive as two events: attach the stream once.
        let already = video.src_object().is_some_and(|current| {
            JsValue::from(current) == JsValue::from(MediaStream::clone_ref(&stream))
        });
        if !already {
            let weak = Rc::downgrade(&shared);
            let stream = MediaStream::clone_ref(&stream);
            spawn_local(async move {
                let current = weak.upgrade().is_some_and(|s| is_current(&s, generation));
                if !current {
                    return;
                }
                if let Err(err) = attach_stream(&video, &stream).await {
                    if err.name() != "AbortError" {
                        console_warn(
                            &["Call: the remote video did not play: ", err.message()].concat(),
                        );
                    }
                }
            });
        }
        notify(on_remote, &[stream.into(), event.track().into()]);
    })
}

/// Reports a remote track's state (`"live"`, `"muted"`, `"ended"`) with its kind, now and on
/// every change, to `onRemoteTrackState`.
fn track_state_listener(shared: &Shared, generation: u32, remote: &RemoteTrack) -> Listener {
    let kind = remote.track().kind();
    let report = {
        let weak = Rc::downgrade(shared);
        move |state: TrackState| {
            let Some(shared) = weak.upgrade() else { return };
            if !is_current(&shared, generation) {
                return;
            }
            let callback = shared
                .try_borrow()
                .ok()
                .and_then(|i| i.on_remote_track_state.clone());
            notify(
                callback,
                &[
                    JsValue::from_str(&kind),
                    JsValue::from_str(track_state_name(state)),
                ],
            );
        }
    };
    let first = report.clone();
    first(remote.state());
    remote.on_state_change(report)
}

/// The name `onRemoteTrackState` reports.
fn track_state_name(state: TrackState) -> &'static str {
    match state {
        TrackState::Live => "live",
        TrackState::Muted => "muted",
        TrackState::Ended => "ended",
    }
}

/// Reports state changes of `pc` (the receiving connection) to `onStateChange`. A failed
/// connection ends the call through its negotiator ([`on_end`]).
pub(crate) fn state_listener(shared: &Shared, generation: u32, pc: &PeerConnection) -> Listener {
    let weak = Rc::downgrade(shared);
    pc.on_connection_state_change(move |state| {
        let Some(shared) = weak.upgrade() else { return };
        let callback = {
            let Ok(mut inner) = shared.try_borrow_mut() else {
                return;
            };
            if inner.current(generation).is_none() {
                return;
            }
            inner.last_state = state;
            inner.on_state.clone()
        };
        notify(callback, &[JsValue::from_str(state.as_str())]);
    })
}

/// Ends call `generation` when `negotiator` says the call is over: the other side's `Bye`,
/// its connection gone (the liveness channel), or a failed connection.
pub(crate) fn on_end(shared: &Shared, generation: u32, negotiator: &Negotiator) {
    let weak = Rc::downgrade(shared);
    negotiator.on_end(move |reason| {
        let weak = weak.clone();
        // After this callback: hanging up drops the negotiator, whose listener may be the
        // one running now.
        spawn_local(async move {
            if let Some(shared) = weak.upgrade() {
                end(&shared, generation, EndReason::from(reason));
            }
        });
    });
}

/// The hang-up button's click listener, for the life of one call (removed when dropped).
pub(crate) fn hang_up_click(shared: &Shared, generation: u32, button: &Button) -> EventListener {
    let weak = Rc::downgrade(shared);
    EventListener::new(button.unchecked_ref(), "click", move |_| {
        let weak = weak.clone();
        // Hang up after this event: the listener is dropped outside its own callback.
        spawn_local(async move {
            if let Some(shared) = weak.upgrade() {
                end(&shared, generation, EndReason::Local);
            }
        });
    })
}
