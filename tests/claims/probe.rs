//! The page probe (`tests/support/probe.js`): it wraps the `RTCPeerConnection` constructor
//! when this module loads, before any test runs, and records every connection the page makes.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/tests/support/probe.js")]
extern "C" {
    /// How many recorded connections are not closed (raw `signalingState`).
    pub fn open_connections() -> u32;
    /// `signalingState/connectionState` of every recorded connection.
    pub fn connection_states() -> String;
    /// Forgets the connections recorded so far.
    pub fn forget_connections();
    /// Console errors and uncaught exceptions since the last call, one per line.
    pub fn take_errors() -> String;
}
