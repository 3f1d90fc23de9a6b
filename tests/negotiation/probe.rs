//! The page probe (instrumented `addEventListener` / `removeEventListener`, every
//! `RTCPeerConnection`'s raw state, console errors): the browser's own state, not ours.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/tests/support/probe.js")]
extern "C" {
    /// Live listener registrations on `target`.
    pub fn listeners(target: &JsValue) -> u32;
    /// Their event types, comma-separated.
    pub fn listener_types(target: &JsValue) -> String;
    /// Console errors and uncaught exceptions since the last call, one per line.
    pub fn take_errors() -> String;
}
