//! The page probe (`src/testing/probe.js`, the kit's): the one reading of it the kit does not
//! wrap. It wraps the `RTCPeerConnection` constructor when the module loads, before any test
//! runs, and records every connection the page makes; [`support::open_connections`] reads them.

pub use rtc_peer::testing::probe::forget_connections;
