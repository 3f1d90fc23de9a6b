//! What rtc-peer's own browser suites share: a thin layer over [`rtc_peer::testing`] (which
//! this crate re-exports whole) plus what only these suites need: the engine running the page
//! and a console capture, offer/answer in steps, a live call for the reliability suites, the
//! hostile-input PRNG and mutators, the TURN settings and stats readers, and the simple-peer
//! interop harness.
//!
//! Helpers here are test code: they panic with a message naming what failed (the kit's own
//! helpers return a [`TestFailure`] instead).
//!
//! The interop harness compiles simple-peer's published bundle in
//! (`tests/interop/node_modules`, installed by `cargo xtask setup` with `npm ci`).

pub mod hostile;
pub mod interop;
mod live_call;
mod negotiation;
pub mod negotiator_pair;
mod page;
pub mod turn;

pub use live_call::{call_delivers_track, js_text, LiveCall};
pub use negotiation::{
    finish_answer, fire_track_event, local_offer, next_within, pair, seed, seeded_call, settled,
    settles_within, step, video_track_event,
};
pub use page::{
    browser, canvas, document, engine, log, muted_video, new_stream, record_removals, same, seen,
    wasm_memory_bytes, window, ConsoleCapture, Engine, Seen, CLOSURE_ERROR, SUITE_COLOUR,
};
pub use rtc_peer::testing::*;

/// The default bound of the waits in these suites, in milliseconds.
pub const WAIT_MS: u32 = 10_000;
