//! `track` handlers for the dispatch figures: what a Rust app registers on a connection.
//!
//! Each handler reads the event's track and its first stream and counts the events that had
//! one, so no variant can skip the work. The page's plain-JS baseline does the same.

use std::cell::Cell;
use std::rc::Rc;

use rtc_peer::{Listener, PeerConnection};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{RtcPeerConnection, RtcTrackEvent};

/// rtc-peer's way: `on_track` with a closure reading `track()` and `first_stream()`.
///
/// `free()` drops the [`Listener`], which removes the JS listener.
#[wasm_bindgen]
#[derive(Debug)]
pub struct OnTrackHandler {
    _listener: Listener,
    hits: Rc<Cell<u32>>,
}

#[wasm_bindgen]
impl OnTrackHandler {
    /// Registers the handler on `pc`.
    #[wasm_bindgen(constructor)]
    pub fn new(pc: &RtcPeerConnection) -> OnTrackHandler {
        let hits = Rc::new(Cell::new(0u32));
        let counter = Rc::clone(&hits);
        let pc = PeerConnection::from(pc.clone());
        let listener = pc.on_track(move |event| {
            let track = event.track();
            if event.first_stream().is_some() && !track.is_undefined() {
                counter.set(counter.get().wrapping_add(1));
            }
        });
        OnTrackHandler {
            _listener: listener,
            hits,
        }
    }

    /// How many events carried a track and a first stream.
    pub fn hits(&self) -> u32 {
        self.hits.get()
    }
}

/// The raw web-sys way: a `Closure` registered with `addEventListener`, reading the same two
/// fields through web-sys' `RtcTrackEvent` bindings.
///
/// `free()` removes the JS listener, then frees the closure.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ClosureHandler {
    pc: RtcPeerConnection,
    closure: Closure<dyn FnMut(RtcTrackEvent)>,
    hits: Rc<Cell<u32>>,
}

#[wasm_bindgen]
impl ClosureHandler {
    /// Registers the handler on `pc`.
    #[wasm_bindgen(constructor)]
    pub fn new(pc: &RtcPeerConnection) -> Result<ClosureHandler, JsValue> {
        let hits = Rc::new(Cell::new(0u32));
        let counter = Rc::clone(&hits);
        let closure = Closure::<dyn FnMut(RtcTrackEvent)>::new(move |event: RtcTrackEvent| {
            let track = event.track();
            let first = event.streams().get(0);
            if !first.is_undefined() && !track.is_undefined() {
                counter.set(counter.get().wrapping_add(1));
            }
        });
        pc.add_event_listener_with_callback("track", closure.as_ref().unchecked_ref())?;
        Ok(ClosureHandler {
            pc: pc.clone(),
            closure,
            hits,
        })
    }

    /// How many events carried a track and a first stream.
    pub fn hits(&self) -> u32 {
        self.hits.get()
    }
}

impl Drop for ClosureHandler {
    fn drop(&mut self) {
        let _ = self
            .pc
            .remove_event_listener_with_callback("track", self.closure.as_ref().unchecked_ref());
    }
}
