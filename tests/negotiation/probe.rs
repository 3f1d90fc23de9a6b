//! The page probe (instrumented `addEventListener` / `removeEventListener`, every
//! `RTCPeerConnection`'s raw state, console errors): the browser's own state, not ours.

pub use rtc_peer::testing::probe::{listener_types, listeners, take_errors};
