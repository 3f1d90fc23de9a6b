//! Shows the remote video of a call and enables a button, in raw web-sys: a `Closure` set as
//! `ontrack` and leaked with `forget`, then `play()`.
//!
//! The baseline of the Rust-app size figure (`cargo xtask size`), against the same app with
//! rtc-peer, `benches/rust-app/rtc-peer`.

use wasm_bindgen::prelude::*;
use web_sys::{HtmlButtonElement, HtmlMediaElement, RtcPeerConnection, RtcTrackEvent};

/// Shows the first stream of every remote track of `pc` in `video`, then enables `button`.
#[wasm_bindgen]
pub fn show_remote_video(
    pc: RtcPeerConnection,
    video: HtmlMediaElement,
    button: HtmlButtonElement,
) {
    let ontrack = Closure::<dyn FnMut(RtcTrackEvent)>::new(move |event: RtcTrackEvent| {
        let first = event.streams().get(0);
        if first.is_undefined() {
            return;
        }
        video.set_src_object(Some(first.unchecked_ref()));
        let _ = video.play();
        button.set_disabled(false);
    });
    pc.set_ontrack(Some(ontrack.as_ref().unchecked_ref()));
    // Never freed: the listener lives as long as the page.
    ontrack.forget();
}
