//! A tiny piece of a calling app, and (in `tests/`) how to test it with `rtc_peer::testing`:
//! when the other side's track arrives, the `<video>` plays it and the Hang up button is
//! enabled.

use rtc_peer::{attach_stream, Listener, PeerConnection};
use web_sys::{HtmlButtonElement, HtmlVideoElement};

/// Shows the other side's video on `video` and enables `hang_up` as soon as its first track
/// arrives on `pc`. Keep the returned listener for the whole call: dropping it stops
/// listening.
///
/// # Examples
///
/// ```no_run
/// # fn example(video: web_sys::HtmlVideoElement, hang_up: web_sys::HtmlButtonElement) -> Result<(), rtc_peer::Error> {
/// let pc = rtc_peer::PeerConnection::new()?;
/// hang_up.set_disabled(true);
/// let _remote = rtc_peer_example_testing::show_remote_video(&pc, &video, &hang_up);
/// // ... negotiate; the button turns on when the call's video arrives.
/// # Ok(()) }
/// ```
pub fn show_remote_video(
    pc: &PeerConnection,
    video: &HtmlVideoElement,
    hang_up: &HtmlButtonElement,
) -> Listener {
    let video = video.clone();
    let hang_up = hang_up.clone();
    pc.on_track(move |event| {
        let Some(stream) = event.first_stream() else {
            return;
        };
        let (video, hang_up) = (video.clone(), hang_up.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if attach_stream(&video, &stream).await.is_ok() {
                hang_up.set_disabled(false);
            }
        });
    })
}
