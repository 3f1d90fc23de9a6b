//! The rtc-peer demo page's call object, `Call`, for the page's JavaScript (`www/app.js`): it
//! owns the connections, the listeners and the local stream of one call at a time, shows the
//! remote side's first stream in a `<video>`, and enables a hang-up button once remote media
//! arrives. It uses only rtc-peer's public Rust API.
//!
//! Two ways to call:
//! - **loopback**: both peers live in this page (`startLoopback`);
//! - **signalled**: the peers are in two pages; the page moves the JSON strings this object
//!   produces (`send` callback) and receives (`receive`) over any channel, for example a
//!   `BroadcastChannel` (`startCall` on one side, `answerCall` on the other).
//!
//! Modules, each using only those listed before it:
//! - `errors`, `page`, `settings`, `wire`: errors, page helpers, ICE settings, the
//!   signalling message format (no call state);
//! - `session`: the call's state, the one lookup of "the session of this call", hang-up;
//! - `negotiation`, `listeners`: offer/answer and candidates, the call's event listeners;
//! - `signalling`, `start`: applying a received message, starting a call;
//! - `call`: the `Call` object that JavaScript sees.
//!
//! Built by `cargo xtask demo` (wasm-pack `--target web` into `www/pkg/`).

#![forbid(unsafe_code)]

pub mod call;
mod errors;
mod listeners;
mod negotiation;
mod page;
mod session;
mod settings;
mod signalling;
mod start;
mod wire;

pub use call::Call;
