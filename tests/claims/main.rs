//! The README's claims, each checked in the browser: the muted-autoplay fallback of
//! `attach_stream`, `attach_stream_then` calling back once, what a remote track's id is in
//! each browser, and that a call hung up during setup leaves no connection open.

mod attach_stream_then;
mod hang_up_during_setup;
mod playing_muted;
mod probe;
mod refused_autoplay;
mod remote_track_ids;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
