//! Data channels between two real connections in one page (candidates passed directly):
//! round trips, ordering, options, backpressure, errors, interop with simple-peer, leaks, and
//! knowing when the other side has gone.
//!
//! Run one browser at a time, for example:
//! `cargo test --target wasm32-unknown-unknown -p rtc-peer --all-features --test data_channels`
//! with `CHROMEDRIVER` or `GECKODRIVER` set. The interop module needs
//! `tests/interop/node_modules` (`npm ci` there; `cargo xtask setup` runs it).

use wasm_bindgen_test::wasm_bindgen_test_configure;

mod after_connection_close;
mod backpressure;
mod errors;
mod hang_up;
mod interop;
mod leaks;
mod liveness;
mod options;
mod ordering;
mod round_trips;
mod support;

wasm_bindgen_test_configure!(run_in_browser);
