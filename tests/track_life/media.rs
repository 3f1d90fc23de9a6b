//! What only this suite needs beyond the kit: the browser's own event order on a remote
//! track, `getUserMedia` (the browsers' fake devices), the outbound video bitrate from
//! `stats_report`, and raw properties for reading browser state.

use js_sys::{Promise, Reflect};
use rtc_peer::{MediaKind, PeerConnection};
use support::{sleep, within, TestFailure};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamTrack};

use crate::WAIT_MS;

#[wasm_bindgen(inline_js = r#"
export function get_user_media(video, audio) {
  return navigator.mediaDevices.getUserMedia({ video, audio });
}
export function record_events(track, streams, pc, log) {
  const t0 = performance.now();
  const note = (what) => () => log.push(what + "@" + Math.round(performance.now() - t0));
  for (const type of ["mute", "unmute", "ended"]) track.addEventListener(type, note("track." + type));
  streams.forEach((s, i) => s.addEventListener("removetrack", note("stream" + i + ".removetrack")));
  pc.addEventListener("signalingstatechange", () => note("pc." + pc.signalingState)());
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn get_user_media(video: bool, audio: bool) -> Result<Promise, JsValue>;
    /// Appends "<event>@<ms>" to `log` for the track's mute/unmute/ended, each stream's
    /// removetrack and the connection's signalling changes (the browser's own order).
    pub fn record_events(
        track: &MediaStreamTrack,
        streams: &js_sys::Array,
        pc: &web_sys::RtcPeerConnection,
        log: &js_sys::Array,
    );
}

/// A `getUserMedia` stream (the browsers' fake devices in these runs).
pub async fn user_media(video: bool, audio: bool) -> Result<MediaStream, TestFailure> {
    let promise = get_user_media(video, audio)
        .map_err(|e| TestFailure::new(format!("getUserMedia threw {e:?}")))?;
    let stream = within(WAIT_MS, "getUserMedia", JsFuture::from(promise))
        .await?
        .map_err(|e| TestFailure::new(format!("getUserMedia refused: {e:?}")))?;
    Ok(stream.unchecked_into())
}

/// The first track of `kind` in `stream`.
pub fn first_track(stream: &MediaStream, kind: MediaKind) -> MediaStreamTrack {
    let tracks = match kind {
        MediaKind::Audio => stream.get_audio_tracks(),
        MediaKind::Video => stream.get_video_tracks(),
    };
    tracks.get(0).dyn_into().expect("a track of that kind")
}

/// A muted, autoplaying `<video>` showing `stream`, attached to the page.
pub fn video_of(stream: &MediaStream) -> HtmlVideoElement {
    let video = support::muted_video();
    video.set_src_object(Some(stream));
    video
}

/// Bytes sent on `pc`'s video, and when (ms), from `stats_report`.
pub async fn video_bytes_sent(pc: &PeerConnection) -> Result<(u64, f64), TestFailure> {
    let report = within(WAIT_MS, "stats_report", pc.stats_report()).await??;
    let rtp = report
        .outbound_rtp()
        .into_iter()
        .find(|rtp| rtp.kind == Some(MediaKind::Video))
        .ok_or_else(|| TestFailure::new("no outbound video RTP entry"))?;
    Ok((
        rtp.bytes_sent.expect("bytes_sent"),
        rtp.timestamp.expect("timestamp"),
    ))
}

/// The outbound video bitrate of each connection over the same `ms` window, in bit/s.
pub async fn video_bitrates(pcs: &[&PeerConnection], ms: u32) -> Result<Vec<f64>, TestFailure> {
    let mut before = Vec::new();
    for pc in pcs {
        before.push(video_bytes_sent(pc).await?);
    }
    sleep(ms).await;
    let mut rates = Vec::new();
    for (pc, (bytes, at)) in pcs.iter().zip(before) {
        let (bytes_now, at_now) = video_bytes_sent(pc).await?;
        rates.push((bytes_now - bytes) as f64 * 8.0 / ((at_now - at) / 1000.0));
    }
    Ok(rates)
}

/// A property of a JS object, for reading raw browser state.
pub fn prop(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls the method `name` of `target` with no arguments (raw browser state for checks).
pub fn call0(target: &JsValue, name: &str) -> JsValue {
    let method: js_sys::Function = prop(target, name).dyn_into().expect("a method");
    method.call0(target).expect("the method returns")
}
