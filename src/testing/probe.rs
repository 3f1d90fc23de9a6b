//! The page probe (`probe.js`), raw: instrumentation of the browser itself, installed when the
//! module is imported, before the code under test runs. The same module is loaded by pages
//! that are not Rust (`globalThis.__rtcProbe`). [`ListenerCount`](super::ListenerCount),
//! [`open_connections`](super::open_connections) and [`take_page_errors`](super::take_page_errors)
//! are the checked layer over it; these are the readings themselves, for checks of your own.
//! A test binary must import `probe.js` only through this module (a second `extern` block for
//! the same module and function would define the same symbol twice).
//!
//! # Examples
//!
//! ```no_run
//! use rtc_peer::testing::probe;
//! use wasm_bindgen::JsValue;
//!
//! probe::install();
//! assert_eq!(probe::listeners(&JsValue::UNDEFINED), 0, "{}", probe::listener_types(&JsValue::UNDEFINED));
//! ```

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/testing/probe.js")]
extern "C" {
    /// Installs the probe (idempotent: importing the module already did).
    pub fn install();
    /// Forgets the connections recorded so far (after a check that read them), so the probe
    /// keeps none of them from being collected.
    pub fn forget_connections();
    /// Live listener registrations on `target`, or on every watched object when undefined.
    pub fn listeners(target: &JsValue) -> u32;
    /// Their event types, comma-separated.
    pub fn listener_types(target: &JsValue) -> String;
    /// Registrations ever added since the probe was installed.
    pub fn added_total() -> u32;
    /// Registrations ever removed since the probe was installed.
    pub fn removed_total() -> u32;
    /// How many `RTCPeerConnection`s of the page are not closed.
    pub fn open_connections() -> u32;
    /// Every connection's raw `signalingState/connectionState`, comma-separated.
    pub fn connection_states() -> String;
    /// Local tracks the page made that are still live.
    pub fn live_local_tracks() -> u32;
    /// Console errors and uncaught exceptions since the last call, one per line.
    pub fn take_errors() -> String;
}
