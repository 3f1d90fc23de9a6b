//! The page probe (`src/testing/probe.js`, the kit's): the one call of it the kit does not
//! wrap. It wraps the `RTCPeerConnection` constructor when the module loads, before any test
//! runs, and records every connection the page makes; [`support::open_connections`] reads them.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/testing/probe.js")]
extern "C" {
    /// Forgets the connections recorded so far.
    pub fn forget_connections();
}
