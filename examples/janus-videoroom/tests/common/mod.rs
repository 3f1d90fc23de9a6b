//! What the Janus suites share: the run's Janus (its URL served at run time inside the test
//! network), bounded waits over [`JanusError`], a `<video>` to play a track in.

#![allow(dead_code)]

use janus_videoroom::JanusError;
use rtc_peer::testing::TestFailure;
use rtc_peer::{attach_stream, MediaStream, MediaStreamTrack};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlVideoElement;

/// Where `cargo xtask test` and `cargo xtask netns` serve the run's Janus.
const ENDPOINT: &str = "http://127.0.0.1:4781";

/// A [`JanusError`] as a test failure that says what was being done.
pub fn fail(what: &str) -> impl Fn(JanusError) -> TestFailure + '_ {
    move |e| TestFailure::new(format!("{what}: {e}"))
}

async fn endpoint(method: &str, path: &str) -> Result<Value, TestFailure> {
    let url = format!("{ENDPOINT}{path}");
    let why = |e: &str| {
        TestFailure::new(format!(
            "{method} {url}: {e} (the Janus suites run inside `cargo xtask test` or \
             `cargo xtask netns -- …`, which start Janus and serve its URL there)"
        ))
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(40_000)));
    let window = web_sys::window().ok_or_else(|| why("no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|e| why(&format!("{e:?}")))?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(|e| why(&format!("{e:?}")))?)
        .await
        .map_err(|e| why(&format!("{e:?}")))?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        return Err(why(&format!("HTTP {}: {text}", response.status())));
    }
    serde_json::from_str(&text).map_err(|e| why(&format!("not JSON ({e}): {text}")))
}

/// The run's Janus REST root, `http://127.0.0.1:PORT/janus`.
pub async fn janus_url() -> Result<String, TestFailure> {
    let config = endpoint("GET", "/janus.json").await?;
    config["url"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| TestFailure::new(format!("janus.json without a url: {config}")))
}

/// Kills the run's Janus at once (as a crash would); the run starts it again right after.
/// Returns the killed pid.
pub async fn kill_janus() -> Result<u64, TestFailure> {
    let reply = endpoint("POST", "/kill").await?;
    reply["killed"]
        .as_u64()
        .ok_or_else(|| TestFailure::new(format!("/kill answered {reply}")))
}

/// A muted `<video>` in the page playing `track` alone.
pub async fn play(track: &MediaStreamTrack) -> Result<HtmlVideoElement, TestFailure> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| TestFailure::new("no document"))?;
    let video: HtmlVideoElement = document
        .create_element("video")
        .map_err(|_| TestFailure::new("no <video>"))?
        .unchecked_into();
    video.set_muted(true);
    video.set_width(160);
    let body = document.body().ok_or_else(|| TestFailure::new("no body"))?;
    body.append_child(&video)
        .map_err(|_| TestFailure::new("could not add the <video>"))?;
    let stream = MediaStream::new_with_tracks(&js_sys::Array::of1(track))
        .map_err(|_| TestFailure::new("new MediaStream([track]) failed"))?;
    rtc_peer::testing::within(
        10_000,
        "the <video> starts playing",
        attach_stream(&video, &stream),
    )
    .await?
    .map_err(|e| TestFailure::new(format!("attach_stream: {e}")))?;
    Ok(video)
}
