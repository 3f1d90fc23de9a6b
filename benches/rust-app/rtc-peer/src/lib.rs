//! Shows the remote video of a call and enables a button once it plays, with rtc-peer:
//! `on_track` → `first_stream()` → `attach_stream_then`.
//!
//! The rtc-peer side of the Rust-app size figure (`cargo xtask size`); its baseline is the same
//! app in raw web-sys, `benches/rust-app/raw-web-sys`.

use rtc_peer::{attach_stream_then, PeerConnection};
use wasm_bindgen::prelude::*;
use web_sys::{HtmlButtonElement, HtmlMediaElement, RtcPeerConnection};

/// Shows the first stream of every remote track of `pc` in `video`, then enables `button`.
#[wasm_bindgen]
pub fn show_remote_video(
    pc: RtcPeerConnection,
    video: HtmlMediaElement,
    button: HtmlButtonElement,
) {
    PeerConnection::from(pc)
        .on_track(move |event| {
            let Some(stream) = event.first_stream() else {
                return;
            };
            let button = button.clone();
            attach_stream_then(&video, &stream, move |played| {
                if played.is_ok() {
                    button.set_disabled(false);
                }
            });
        })
        // For the life of the page, like the raw app's closure.
        .forget();
}
