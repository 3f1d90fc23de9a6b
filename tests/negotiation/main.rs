//! Perfect negotiation in real calls: two connections in one page whose signals (the JSON of
//! `Signal`) pass through the kit's in-page channel (`rtc_peer::testing::NegotiatedPair`),
//! which delays each message by a random 0–30 ms from a printed seed, keeping the order per
//! direction, as a signalling server does.
//!
//! Set `RTC_PEER_NEGOTIATION_SEED` at compile time to replay a seed printed by a failing run.
//! The `icecandidateerror` cases need the coturn that `cargo xtask test` starts
//! (read at run time from the endpoint the test run serves). `js_api`
//! drives the JavaScript surface (`negotiate`), so the suite needs the `js` feature.

use support::{CanvasSource, Colour, NegotiatedPair, TestFailure};

mod call_end;
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

/// The polite side sends `camera`; waits until the call is up (settled, one track event on
/// the impolite side).
async fn call_is_up(call: &NegotiatedPair, camera: &CanvasSource) -> Result<(), TestFailure> {
    call.polite
        .pc()
        .add_track(camera.track(), &[camera.stream()])?;
    call.settle(WAIT_MS, "the call is up", |call| {
        call.impolite.track_events().len() == 1
    })
    .await
}
