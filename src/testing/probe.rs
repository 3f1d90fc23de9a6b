//! The page probe (`probe.js`): instrumentation of the browser itself, installed when the
//! module is imported, before the code under test runs. The same module is loaded by pages
//! that are not Rust (`globalThis.__rtcProbe`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/testing/probe.js")]
extern "C" {
    /// Live listener registrations on `target`, or on every watched object when undefined.
    pub(crate) fn listeners(target: &JsValue) -> u32;
    /// Their event types, comma-separated.
    pub(crate) fn listener_types(target: &JsValue) -> String;
    /// Registrations ever added since the probe was installed.
    pub(crate) fn added_total() -> u32;
    /// Registrations ever removed since the probe was installed.
    pub(crate) fn removed_total() -> u32;
    /// How many `RTCPeerConnection`s of the page are not closed.
    pub(crate) fn open_connections() -> u32;
    /// Every connection's raw `signalingState/connectionState`, comma-separated.
    pub(crate) fn connection_states() -> String;
    /// Local tracks the page made that are still live.
    pub(crate) fn live_local_tracks() -> u32;
    /// Console errors and uncaught exceptions since the last call, one per line.
    pub(crate) fn take_errors() -> String;
}
