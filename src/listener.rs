//! [`Listener`]: the guard that keeps a JS event listener registered while it lives.

use core::cell::{Cell, RefCell};
use core::{fmt, mem};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget};

/// A registered event listener; dropping it removes the listener.
///
/// Returned by every `on_*` method of [`PeerConnection`](crate::PeerConnection) and
/// [`RemoteTrack`](crate::RemoteTrack) (whose guards hold one registration per event they
/// follow, all removed together). The listener
/// is registered with `addEventListener`, so any number of listeners coexist and none replaces
/// another. Dropping the guard first calls `removeEventListener`, then frees the Rust closure:
/// the browser can never call a freed closure. Dropping a `Listener` from inside its own
/// callback (or another listener's) is safe.
///
/// The callback is never re-entered: when it dispatches an event that reaches this same
/// listener synchronously (`dispatchEvent` from inside the callback), that event is delivered
/// to it right after the current call returns, in order, instead of recursively.
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), rtc_peer::Error> {
/// use rtc_peer::PeerConnection;
///
/// let pc = PeerConnection::new()?;
/// let listener = pc.on_track(|event| {
///     let _streams = event.streams();
/// });
/// // ... later: stop listening.
/// drop(listener);
/// # Ok(()) }
/// ```
///
/// See [MDN: removeEventListener](https://developer.mozilla.org/en-US/docs/Web/API/EventTarget/removeEventListener).
#[must_use = "the listener is removed as soon as the Listener is dropped; keep it, or call .forget()"]
pub struct Listener {
    target: EventTarget,
    event_type: &'static str,
    /// `None` once forgotten. Typed `JsValue` (the event, unchecked): the crate's other
    /// `Fn(JsValue)` closures then share its JS glue and wasm shim.
    closure: Option<Closure<dyn Fn(JsValue)>>,
    /// Set when the guard drops, so a callback running at that moment delivers nothing more.
    removed: Rc<Cell<bool>>,
    /// Registrations that live and die with this one (one callback fed by several events).
    companions: Vec<Listener>,
}

impl Listener {
    /// Registers `callback` for `event_type` events on `target`.
    ///
    /// The JS function is a shared (`Fn`) closure, which wasm-bindgen lets the browser call
    /// again while it runs (a mutable closure would throw "closure invoked recursively"); the
    /// `FnMut` callback itself runs one event at a time, nested events being queued.
    pub(crate) fn new<F>(target: &EventTarget, event_type: &'static str, callback: F) -> Self
    where
        F: FnMut(Event) + 'static,
    {
        Self::register(target, event_type, Box::new(callback))
    }

    /// What [`new`](Self::new) does, once for every callback type: only the boxing is
    /// generic, so the queueing and registration code is in the binary once, not once per
    /// `on_*` method.
    fn register(
        target: &EventTarget,
        event_type: &'static str,
        callback: Box<dyn FnMut(Event)>,
    ) -> Self {
        let removed = Rc::new(Cell::new(false));
        let gone = Rc::clone(&removed);
        let callback = RefCell::new(callback);
        // Events dispatched from inside the callback, delivered after it returns. Touched only
        // by nested events: an event that finds the callback idle goes straight to it.
        let nested: RefCell<Vec<Event>> = RefCell::new(Vec::new());
        let deliver = move |event: JsValue| {
            // The browser calls a listener with the `Event` it dispatches.
            let event: Event = event.unchecked_into();
            if gone.get() {
                return;
            }
            // A nested call finds the callback busy and leaves its event to the outer call.
            let Ok(mut callback) = callback.try_borrow_mut() else {
                if let Ok(mut queue) = nested.try_borrow_mut() {
                    queue.push(event);
                }
                return;
            };
            callback(event);
            // Never borrowed across the callback, so these borrows cannot conflict; each batch
            // is in dispatch order and holds only events dispatched after the previous one.
            while let Some(batch) = nested
                .try_borrow_mut()
                .ok()
                .map(|mut queue| mem::take(&mut *queue))
                .filter(|batch| !batch.is_empty())
            {
                for event in batch {
                    if gone.get() {
                        return;
                    }
                    callback(event);
                }
            }
        };
        let closure = Closure::wrap(Box::new(deliver) as Box<dyn Fn(JsValue)>);
        let _ =
            target.add_event_listener_with_callback(event_type, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            event_type,
            closure: Some(closure),
            removed,
            companions: Vec::new(),
        }
    }

    /// This registration plus `others`, as one guard: dropping (or forgetting) it drops (or
    /// forgets) them all.
    pub(crate) fn with_companions(mut self, others: Vec<Listener>) -> Self {
        self.companions.extend(others);
        self
    }

    /// The event type this listener receives, for example `"track"`.
    pub fn event_type(&self) -> &str {
        self.event_type
    }

    /// Keeps the listener registered for the life of the page and frees the guard.
    ///
    /// This deliberately leaks the closure; use it only for listeners that must live as long
    /// as the connection and whose connection lives as long as the page.
    pub fn forget(mut self) {
        if let Some(closure) = self.closure.take() {
            closure.forget();
        }
        for companion in self.companions.drain(..) {
            companion.forget();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(closure) = self.closure.take() {
            self.removed.set(true);
            // Removed from the target first, then the closure is released (wasm-bindgen keeps
            // it alive until a call in progress returns).
            let _ = self.target.remove_event_listener_with_callback(
                self.event_type,
                closure.as_ref().unchecked_ref(),
            );
            drop(closure);
        }
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}
