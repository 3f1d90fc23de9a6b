//! Churn: listeners, futures and connections dropped or closed at every awkward moment
//! (inside callbacks, mid-negotiation, while ICE is in flight). Alone in its page because it
//! deliberately leaves cancelled browser work behind and counts every listener of the page.

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod churn;
