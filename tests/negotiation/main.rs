//! Perfect negotiation in real calls: two connections in one page whose signals (the JSON of
//! `Signal`) pass through an in-page channel that delays each message by a random 0–30 ms,
//! from a printed seed, keeping the order per direction, as a signalling server does.
//!
//! Set `RTC_PEER_NEGOTIATION_SEED` at compile time to replay a seed printed by a failing run.
//! The `icecandidateerror` cases need the coturn that `cargo xtask test` starts
//! (read at run time from the endpoint the test run serves). `js_api`
//! drives the JavaScript surface (`negotiate`), so the suite needs the `js` feature.

mod call;
mod call_end;
mod candidate_error;
mod channel;
mod glare;
mod hang_up;
mod hostile;
mod ice_restart;
mod interop;
mod js_api;
mod probe;
mod storm;
mod support;
mod wire;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
