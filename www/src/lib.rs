//! The rtc-peer demo page's call object, `Call`, for the page's JavaScript (`www/app.js`): it
//! owns the connections, the listeners and the local stream of one call at a time, shows the
//! remote side's first stream in a `<video>`, and enables a hang-up button once remote media
//! arrives. It uses only rtc-peer's public Rust API.
//!
//! Two ways to call, each side driven by rtc-peer's `Negotiator` (perfect negotiation):
//! - **loopback**: both peers live in this page (`startLoopback`);
//! - **room**: the peers are in two pages; the page moves the JSON text of rtc-peer's
//!   `Signal` that this object produces (`send` callback) and receives (`receive`) over the
//!   demo server's WebSocket relay (`startRoomCall`; the page that joined the room second is
//!   the polite side, so both may press Call at once).
//!
//! Modules, each using only those listed before it:
//! - `errors`, `page`, `settings`, `stats`: errors, page helpers, ICE settings, the stats
//!   panel's numbers (no call state);
//! - `session`: the call's state, the one lookup of "the session of this call", hang-up;
//! - `listeners`, `incoming`, `media`: the call's event listeners, signals to the
//!   negotiators, switching the video source;
//! - `start`: starting a call;
//! - `call`: the `Call` object that JavaScript sees.
//!
//! Built by `cargo xtask demo` (wasm-pack `--target web` into `www/pkg/`).

#![forbid(unsafe_code)]

pub mod call;
mod errors;
mod incoming;
mod listeners;
mod media;
mod page;
mod session;
mod settings;
mod start;
mod stats;

pub use call::Call;
