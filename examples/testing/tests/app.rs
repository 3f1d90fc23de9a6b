//! The app's `show_remote_video` in real headless browsers, with `rtc_peer::testing`: a real
//! call between two connections of the test page, a canvas as the camera, and checks that read
//! the page itself (the `<video>`'s frames and colour, the button, the browser's listeners).
//!
//! `wasm-pack test --headless --chrome --firefox` in `examples/testing/` (see its README).

use rtc_peer::testing::{
    media_flows_within, pixel_colour, wait_until, CanvasSource, Colour, ListenerCount,
    LoopbackPair, TestFailure,
};
use rtc_peer_example_testing::show_remote_video;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlButtonElement, HtmlVideoElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Generous bounds: test machines are often loaded.
const CONNECT_MS: u32 = 15_000;
const MEDIA_MS: u32 = 10_000;

/// The part of the page the app drives: a `<video>` and a disabled Hang up button.
fn page() -> (HtmlVideoElement, HtmlButtonElement) {
    let document = web_sys::window().unwrap().document().unwrap();
    let body = document.body().unwrap();
    let video: HtmlVideoElement = document.create_element("video").unwrap().unchecked_into();
    let hang_up: HtmlButtonElement = document.create_element("button").unwrap().unchecked_into();
    hang_up.set_text_content(Some("Hang up"));
    hang_up.set_disabled(true);
    body.append_child(&video).unwrap();
    body.append_child(&hang_up).unwrap();
    (video, hang_up)
}

#[wasm_bindgen_test]
async fn the_remote_video_plays_and_hang_up_is_enabled() -> Result<(), TestFailure> {
    let (video, hang_up) = page();
    let pair = LoopbackPair::new()?;
    let _remote = show_remote_video(&pair.b, &video, &hang_up);

    let camera = CanvasSource::new(320, 240, Colour::rgb(0, 160, 0))?;
    pair.a.add_track(camera.track(), &[camera.stream()])?;
    pair.negotiate().await?;
    pair.connected(CONNECT_MS).await?;

    media_flows_within(MEDIA_MS, &video).await?;
    wait_until(MEDIA_MS, "Hang up is enabled", || !hang_up.disabled()).await?;
    let seen = pixel_colour(&video)?;
    assert!(
        seen.is_near(camera.colour(), 48),
        "the camera's green, got {seen}"
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn it_works_when_negotiators_drive_the_call_over_a_delayed_channel() -> Result<(), TestFailure>
{
    let (video, hang_up) = page();
    let seed = js_sys::Date::now() as u64;
    web_sys::console::log_1(&format!("seed {seed}").into()); // to replay a failure
    let call = LoopbackPair::negotiated(seed)?;
    let _remote = show_remote_video(call.impolite.pc(), &video, &hang_up);

    let camera = CanvasSource::new(320, 240, Colour::rgb(200, 40, 40))?;
    call.polite
        .pc()
        .add_track(camera.track(), &[camera.stream()])?;
    call.settle(CONNECT_MS, "the track reaches the other side", |call| {
        call.impolite.track_events().len() == 1
    })
    .await?;

    media_flows_within(MEDIA_MS, &video).await?;
    wait_until(MEDIA_MS, "Hang up is enabled", || !hang_up.disabled()).await?;
    call.no_errors("the call")?;
    Ok(())
}

#[wasm_bindgen_test]
async fn the_app_leaves_no_listener_behind() -> Result<(), TestFailure> {
    let (video, hang_up) = page();
    let pair = LoopbackPair::new()?;
    let listeners = ListenerCount::start();
    let before = ListenerCount::on(pair.b.as_raw()); // the pair's own (ICE candidates)
    let remote = show_remote_video(&pair.b, &video, &hang_up);
    assert_eq!(
        ListenerCount::on(pair.b.as_raw()),
        before + 1,
        "the app listens for tracks: {}",
        ListenerCount::types_on(pair.b.as_raw())
    );
    drop(remote);
    listeners.balanced("show_remote_video, then dropping its listener")?;
    Ok(())
}
