//! The network suites: a real TURN relay (the coturn `cargo xtask test` starts; its settings
//! are read at compile time) and interop with simple-peer, plus where every selected
//! candidate pair's addresses are. Separate because they need coturn and the interop bundle.

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod addresses;
mod interop_simple_peer;
mod show_remote;
mod turn;
