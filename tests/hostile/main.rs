//! Hostile input: seeded malformed SDP and ICE candidates, exotic JS values and bad
//! configurations. Every case must get a clear `Err` and leave the page able to make a real
//! call. Separate from the API suite because it installs the page probe (which wraps
//! `EventTarget.prototype` and the `RTCPeerConnection` constructor) and runs long.

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod config_input;
mod hostile_candidates;
mod hostile_js_values;
mod hostile_sdp;
mod security;
