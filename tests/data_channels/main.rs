//! Data channels between two real connections in one page (candidates passed directly):
//! round trips, ordering, options, backpressure, errors, interop with simple-peer, leaks, and
//! knowing when the other side has gone.
//!
//! Run one browser at a time, for example:
//! `cargo test --target wasm32-unknown-unknown -p rtc-peer --all-features --test data_channels`
//! with `CHROMEDRIVER` or `GECKODRIVER` set. The interop module needs
//! `tests/interop/node_modules` (`npm ci` there; `cargo xtask setup` runs it).
//!
//! The pair, the waits and the page checks are `rtc_peer::testing`'s (through `support`).

use wasm_bindgen_test::wasm_bindgen_test_configure;

mod after_connection_close;
mod backpressure;
mod bytes;
mod errors;
mod hang_up;
mod interop;
mod leaks;
mod liveness;
mod options;
mod ordering;
mod round_trips;

wasm_bindgen_test_configure!(run_in_browser);

/// The default bound of the waits in this suite, in milliseconds.
const WAIT_MS: u32 = 20_000;
