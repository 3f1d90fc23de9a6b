//! The `TrackView` object that `onTrack` hands to a
//! JavaScript callback: the `track` event's parts, already typed and unpacked.

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::config::set;
use crate::TrackEvent;

#[wasm_bindgen(typescript_custom_section)]
const TRACK_VIEW_TS: &'static str = r#"
/**
 * A `track` event as `onTrack` hands it to its callback: a frozen plain object.
 *
 * `streams` is the event's own list (possibly empty: a track sent with no stream);
 * `firstStream` is `streams[0]`, or `undefined` when there is none. Compare these objects by
 * identity, not by `id`: remote ids need not match the sender's.
 */
export interface TrackView {
  /** The remote track. */
  readonly track: MediaStreamTrack;
  /** The receiver that receives the track. */
  readonly receiver: RTCRtpReceiver;
  /** The transceiver the receiver belongs to. */
  readonly transceiver: RTCRtpTransceiver;
  /** The remote streams the track belongs to, in the browser's order (possibly none). */
  readonly streams: ReadonlyArray<MediaStream>;
  /** `streams[0]`, or `undefined` when the track belongs to no stream. */
  readonly firstStream: MediaStream | undefined;
  /** The browser's own `RTCTrackEvent`. */
  readonly event: RTCTrackEvent;
}

/** What `onTrack` calls for every `track` event. */
export type TrackCallback = (event: TrackView) => void;
"#;

/// The frozen plain object described by the `TrackView` TypeScript interface.
pub use crate::sys::TrackView;

impl TrackView {
    /// Unpacks `event` into a new frozen `TrackView` object.
    pub(crate) fn new(event: &TrackEvent) -> TrackView {
        let raw = event.as_raw();
        let streams = raw.streams();
        let object = Object::new();
        set(&object, "track", &raw.track());
        set(&object, "receiver", &raw.receiver());
        set(&object, "transceiver", &raw.transceiver());
        set(&object, "firstStream", &streams.get(0));
        set(&object, "streams", &streams);
        set(&object, "event", raw);
        JsValue::from(Object::freeze(&object)).unchecked_into()
    }
}
