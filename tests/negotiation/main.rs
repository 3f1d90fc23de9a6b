//! Perfect negotiation in real calls: two connections in one page whose signals (the JSON of
//! `Signal`) pass through the kit's in-page channel (`rtc_peer::testing::NegotiatedPair`),
//! which delays each message by a random 0–30 ms from a printed seed, keeping the order per
//! direction, as a signalling server does.
//!
//! Set `RTC_PEER_NEGOTIATION_SEED` at compile time to replay a seed printed by a failing run.
//! The `icecandidateerror` cases need the coturn that `cargo xtask test` starts
//! (read at run time from the endpoint the test run serves). `js_api`
//! drives the JavaScript surface (`negotiate`), so the suite needs the `js` feature.

use support::{CanvasSource, Colour, TestFailure};

mod candidate_error;
mod glare;
mod hang_up;
mod hostile;
mod ice_restart;
mod interop;
mod js_api;
mod kit;
mod storm;
mod wire;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// How long one negotiation step may take on a loaded machine.
const WAIT_MS: u32 = 20_000;

/// The video each side sends: small, so that fifty rounds of glare stay light.
fn camera() -> Result<CanvasSource, TestFailure> {
    CanvasSource::new(160, 120, Colour::rgb(0, 0, 128))
}
