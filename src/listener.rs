//! [`Listener`]: the guard that keeps a JS event listener registered while it lives.

use core::fmt;

use gloo_events::EventListener;
use web_sys::{Event, EventTarget};

/// A registered event listener; dropping it removes the listener.
///
/// Returned by every `on_*` method of [`PeerConnection`](crate::PeerConnection). The listener
/// is registered with `addEventListener`, so any number of listeners coexist and none replaces
/// another. Dropping the guard first calls `removeEventListener`, then frees the Rust closure:
/// the browser can never call a freed closure. Dropping a `Listener` from inside its own
/// callback (or another listener's) is safe.
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
    inner: EventListener,
}

impl Listener {
    /// Registers `callback` for `event_type` events on `target`.
    pub(crate) fn new<F>(target: &EventTarget, event_type: &'static str, callback: F) -> Self
    where
        F: FnMut(&Event) + 'static,
    {
        Listener {
            inner: EventListener::new(target, event_type, callback),
        }
    }

    /// The event type this listener receives, for example `"track"`.
    pub fn event_type(&self) -> &str {
        self.inner.event_type()
    }

    /// Keeps the listener registered for the life of the page and frees the guard.
    ///
    /// This deliberately leaks the closure; use it only for listeners that must live as long
    /// as the connection and whose connection lives as long as the page.
    pub fn forget(self) {
        self.inner.forget();
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("event_type", &self.inner.event_type())
            .finish_non_exhaustive()
    }
}
