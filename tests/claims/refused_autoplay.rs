//! An autoplay policy made on the element itself, for the claims about `attach_stream`'s muted
//! fallback: its own `play` property rejects with the `NotAllowedError` a policy gives while the
//! element is unmuted, and otherwise calls the browser's own `play()`. Headless Chromium refuses
//! unmuted autoplay on its own and Firefox under WebDriver allows it; with this both browsers
//! run the fallback path explicitly.

use wasm_bindgen::prelude::*;
use web_sys::HtmlVideoElement;

use support::muted_video;

#[wasm_bindgen(inline_js = r#"
export function refuse_unmuted_autoplay(element, when_muted) {
  const calls = [];
  element.play = function () {
    calls.push(this.muted ? "muted" : "unmuted");
    if (!this.muted || when_muted === "refuse") {
      return Promise.reject(new DOMException("play() refused without a user gesture", "NotAllowedError"));
    }
    const playing = HTMLMediaElement.prototype.play.call(this);
    if (when_muted === "clear-source") {
      this.srcObject = null;
    }
    return playing;
  };
  return calls;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = refuse_unmuted_autoplay)]
    fn refuse_unmuted_autoplay_js(element: &JsValue, when_muted: &str) -> js_sys::Array;
}

/// What the element's `play()` does once it is muted (unmuted, it always refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenMuted {
    /// The browser's own `play()`: the fallback plays.
    Plays,
    /// Refuses too (`NotAllowedError`), as a policy that allows no autoplay at all.
    Refuses,
    /// The browser's own `play()`, then `srcObject` is cleared: the source goes away during
    /// the muted attempt, whose promise the browser rejects with `AbortError`.
    ClearsTheSource,
}

/// The calls `element.play()` saw, in order, each "muted" or "unmuted".
pub struct PlayCalls(js_sys::Array);

impl PlayCalls {
    pub fn calls(&self) -> Vec<String> {
        self.0.iter().filter_map(|v| v.as_string()).collect()
    }
}

/// Makes `element.play()` refuse while unmuted and do `when_muted` once muted.
pub fn refuse_unmuted_autoplay(element: &JsValue, when_muted: WhenMuted) -> PlayCalls {
    let when = match when_muted {
        WhenMuted::Plays => "play",
        WhenMuted::Refuses => "refuse",
        WhenMuted::ClearsTheSource => "clear-source",
    };
    PlayCalls(refuse_unmuted_autoplay_js(element, when))
}

/// A video element on the page, unmuted (so autoplay may be refused).
pub fn unmuted_video() -> HtmlVideoElement {
    let video = muted_video();
    video.set_muted(false);
    video
}
