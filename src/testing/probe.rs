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
    ///
    /// # Examples
    ///
    /// ```no_run
    /// rtc_peer::testing::probe::install();
    /// ```
    pub fn install();
    /// Forgets the connections recorded so far (after a check that read them), so the probe
    /// keeps none of them from being collected.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(rtc_peer::testing::probe::open_connections(), 0);
    /// rtc_peer::testing::probe::forget_connections();
    /// ```
    pub fn forget_connections();
    /// Live listener registrations on `target`, or on every watched object when undefined.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pc: rtc_peer::PeerConnection) {
    /// assert_eq!(rtc_peer::testing::probe::listeners(pc.as_raw()), 0);
    /// # }
    /// ```
    pub fn listeners(target: &JsValue) -> u32;
    /// Their event types, comma-separated.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let everywhere = rtc_peer::testing::probe::listener_types(&wasm_bindgen::JsValue::UNDEFINED);
    /// # let _ = everywhere;
    /// ```
    pub fn listener_types(target: &JsValue) -> String;
    /// Registrations ever added since the probe was installed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let before = rtc_peer::testing::probe::added_total();
    /// # let _ = before;
    /// ```
    pub fn added_total() -> u32;
    /// Registrations ever removed since the probe was installed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use rtc_peer::testing::probe::{added_total, removed_total};
    /// let live_since_start = added_total() - removed_total();
    /// # let _ = live_since_start;
    /// ```
    pub fn removed_total() -> u32;
    /// How many `RTCPeerConnection`s of the page are not closed.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(rtc_peer::testing::probe::open_connections(), 0, "a connection left open");
    /// ```
    pub fn open_connections() -> u32;
    /// Every connection's raw `signalingState/connectionState`, comma-separated.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// println!("{}", rtc_peer::testing::probe::connection_states()); // "stable/connected,closed/closed"
    /// ```
    pub fn connection_states() -> String;
    /// Local tracks the page made that are still live.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(rtc_peer::testing::probe::live_local_tracks(), 0, "a camera left on");
    /// ```
    pub fn live_local_tracks() -> u32;
    /// Console errors and uncaught exceptions since the last call, one per line.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let errors = rtc_peer::testing::probe::take_errors();
    /// assert!(errors.is_empty(), "{errors}");
    /// ```
    pub fn take_errors() -> String;
}
