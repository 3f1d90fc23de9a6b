//! The listeners a call holds for its lifetime: remote tracks, connection states, and the
//! hang-up button.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;

use gloo_events::EventListener;
use rtc_peer::{attach_stream, Listener, PeerConnection, PeerConnectionState};

use crate::page::{console_warn, notify, Button, CloneRef};
use crate::session::{hang_up, is_current, EndReason, Shared};

/// The remote side's `track` listener: first stream into the remote `<video>`, Hang up enabled.
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

/// Reports state changes of `pc`; a failed connection hangs up.
pub(crate) fn state_listener(shared: &Shared, generation: u32, pc: &PeerConnection) -> Listener {
    let weak = Rc::downgrade(shared);
    let watched = pc.clone();
    pc.on_connection_state_change(move |state| {
        let Some(shared) = weak.upgrade() else { return };
        let callback = {
            let Ok(mut inner) = shared.try_borrow_mut() else {
                return;
            };
            let Some(session) = inner.current(generation) else {
                return;
            };
            let receiving = session.receiving() == &watched;
            if !receiving && state != PeerConnectionState::Failed {
                return;
            }
            inner.last_state = state;
            inner.on_state.clone()
        };
        notify(callback, &[JsValue::from_str(state.as_str())]);
        if state == PeerConnectionState::Failed {
            let shared = Rc::clone(&shared);
            spawn_local(async move {
                if is_current(&shared, generation) {
                    hang_up(&shared, EndReason::Failed, true);
                }
            });
        }
    })
}

/// The hang-up button's click listener, for the life of one call (removed when dropped).
pub(crate) fn hang_up_click(shared: &Shared, generation: u32, button: &Button) -> EventListener {
    let weak = Rc::downgrade(shared);
    EventListener::new(button.unchecked_ref(), "click", move |_| {
        let weak = weak.clone();
        // Hang up after this event: the listener is dropped outside its own callback.
        spawn_local(async move {
            if let Some(shared) = weak.upgrade() {
                if is_current(&shared, generation) {
                    hang_up(&shared, EndReason::Local, true);
                }
            }
        });
    })
}
