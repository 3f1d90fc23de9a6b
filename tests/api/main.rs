//! The library's API in one page: connections, offer/answer, track events and streams,
//! listeners, media to a `<video>`, errors, `close()` and what it ends.
//!
//! Every test here cleans up after itself (its connections are closed, its elements removed)
//! and needs nothing but the browser, so they share one page.

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod after_close;
mod close_pending;
mod design_api;
mod errors;
mod kit;
mod listener;
mod loopback;
mod media_flow;
mod sender_close;
mod streams;
mod track_event;
mod track_events;
