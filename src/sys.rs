//! Every hand-written binding of the crate, in one place: the `RTCPeerConnection` methods this
//! crate calls (every one that can throw with `catch`, so a browser exception becomes an `Err`
//! instead of unwinding through wasm), the ones web-sys cannot express, and the page globals
//! the JavaScript surface uses. Even getters throw: Firefox's `localDescription` /
//! `remoteDescription` throw "Peer connection is closed" after `close()`.
//!
//! web-sys's own bindings are used wherever they exist and cannot throw; these are the rest:
//! - `setLocalDescription()` with no argument (the implicit offer or answer of perfect
//!   negotiation): web-sys's binding always passes a description;
//! - `restartIce()`, which web-sys does not bind;
//! - the state getters, with `catch`, read as plain strings.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{MediaStreamTrack, RtcIceCandidate, RtcRtpSender, RtcRtpTransceiver};

#[wasm_bindgen]
extern "C" {
    /// An `RTCPeerConnection`, seen through the bindings below (reached with
    /// `unchecked_ref` from `web_sys::RtcPeerConnection`).
    pub(crate) type Pc;

    #[wasm_bindgen(method, catch, js_name = createOffer)]
    pub(crate) fn create_offer(this: &Pc) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = createAnswer)]
    pub(crate) fn create_answer(this: &Pc) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setLocalDescription)]
    pub(crate) fn set_local_description(
        this: &Pc,
        description: &JsValue,
    ) -> Result<Promise, JsValue>;

    /// `setLocalDescription()` with no argument: the browser creates the offer or answer that
    /// the signalling state calls for, in the same step (no other operation can come between).
    #[wasm_bindgen(method, catch, js_name = setLocalDescription)]
    pub(crate) fn set_local_description_implicit(this: &Pc) -> Result<Promise, JsValue>;

    /// `restartIce()`: the next offer carries new ICE credentials.
    #[wasm_bindgen(method, catch, js_name = restartIce)]
    pub(crate) fn restart_ice(this: &Pc) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = setRemoteDescription)]
    pub(crate) fn set_remote_description(
        this: &Pc,
        description: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = addIceCandidate)]
    pub(crate) fn add_ice_candidate(
        this: &Pc,
        candidate: &RtcIceCandidate,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = addTransceiver)]
    pub(crate) fn add_transceiver(
        this: &Pc,
        kind: &str,
        init: &JsValue,
    ) -> Result<RtcRtpTransceiver, JsValue>;

    #[wasm_bindgen(method, catch, js_name = removeTrack)]
    pub(crate) fn remove_track(this: &Pc, sender: &RtcRtpSender) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = getStats)]
    pub(crate) fn get_stats(this: &Pc) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getTransceivers)]
    pub(crate) fn get_transceivers(this: &Pc) -> Result<Array, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getReceivers)]
    pub(crate) fn get_receivers(this: &Pc) -> Result<Array, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getSenders)]
    pub(crate) fn get_senders(this: &Pc) -> Result<Array, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = connectionState)]
    pub(crate) fn connection_state(this: &Pc) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = signalingState)]
    pub(crate) fn signaling_state(this: &Pc) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = iceConnectionState)]
    pub(crate) fn ice_connection_state(this: &Pc) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = iceGatheringState)]
    pub(crate) fn ice_gathering_state(this: &Pc) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = localDescription)]
    pub(crate) fn local_description(this: &Pc) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = remoteDescription)]
    pub(crate) fn remote_description(this: &Pc) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, js_name = close)]
    pub(crate) fn close(this: &Pc);

    /// `addTrack(track, ...streams)`; web-sys's binding requires at least one stream.
    #[wasm_bindgen(method, catch, js_name = addTrack, variadic)]
    pub(crate) fn add_track(
        this: &Pc,
        track: &MediaStreamTrack,
        streams: &Array,
    ) -> Result<RtcRtpSender, JsValue>;
}

/// Bindings of a remote track's life, the send side and statistics (`RemoteTrack`, `Sender`,
/// `StatsReport`), each one that can throw with `catch`.
#[wasm_bindgen]
extern "C" {
    /// An `RTCRtpSender`, seen through the bindings below.
    pub(crate) type RtpSender;

    #[wasm_bindgen(method, catch, js_name = replaceTrack)]
    pub(crate) fn replace_track(
        this: &RtpSender,
        track: Option<&MediaStreamTrack>,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getParameters)]
    pub(crate) fn get_parameters(this: &RtpSender) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setParameters)]
    pub(crate) fn set_parameters(
        this: &RtpSender,
        parameters: &JsValue,
    ) -> Result<Promise, JsValue>;

    /// An `RTCRtpTransceiver`, seen through the bindings below.
    pub(crate) type RtpTransceiver;

    #[wasm_bindgen(method, getter, catch, js_name = currentDirection)]
    pub(crate) fn current_direction(this: &RtpTransceiver) -> Result<JsValue, JsValue>;

    /// A `MediaStreamTrack`, seen through the bindings below.
    pub(crate) type Track;

    #[wasm_bindgen(method, getter, catch, js_name = muted)]
    pub(crate) fn muted(this: &Track) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, getter, catch, js_name = readyState)]
    pub(crate) fn ready_state(this: &Track) -> Result<JsValue, JsValue>;

    /// A `MediaStream`, seen through the bindings below.
    pub(crate) type Stream;

    #[wasm_bindgen(method, catch, js_name = getTracks)]
    pub(crate) fn get_tracks(this: &Stream) -> Result<Array, JsValue>;

    /// An `RTCStatsReport` (a maplike of stats objects), seen through the bindings below.
    pub(crate) type StatsMap;

    #[wasm_bindgen(method, catch, js_name = forEach)]
    pub(crate) fn for_each(
        this: &StatsMap,
        callback: &mut dyn FnMut(JsValue, JsValue),
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = get)]
    pub(crate) fn get(this: &StatsMap, id: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// A promise, seen through the binding below (js-sys's `then2` takes `FnMut` closures only).
    pub(crate) type Thenable;

    /// `then(onFulfilled, onRejected)` with two JS functions; the promise it returns is dropped.
    #[wasm_bindgen(method)]
    pub(crate) fn then(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue);
}

#[cfg(feature = "js")]
#[wasm_bindgen]
extern "C" {
    /// `globalThis.reportError`: reports an exception the way an event listener's uncaught
    /// exception is reported (a `window` `error` event, then the console). web-sys binds it
    /// only on worker debugger scopes.
    #[wasm_bindgen(catch, js_name = reportError)]
    pub(crate) fn report_error(error: &JsValue) -> Result<(), JsValue>;

    /// The frozen plain object described by the `TrackView` TypeScript interface (made by
    /// `TrackView::new` in `js::track_view`).
    #[wasm_bindgen(typescript_type = "TrackView")]
    #[derive(Debug, Clone)]
    pub type TrackView;
}

#[wasm_bindgen]
extern "C" {
    /// `createDataChannel(label, init)`, which throws for invalid options (web-sys's binding
    /// does not catch).
    #[wasm_bindgen(method, catch, js_name = createDataChannel)]
    pub(crate) fn create_data_channel(
        this: &Pc,
        label: &str,
        init: &JsValue,
    ) -> Result<web_sys::RtcDataChannel, JsValue>;

    /// An `RTCDataChannel`, seen through the bindings below (reached with `unchecked_ref`
    /// from `web_sys::RtcDataChannel`).
    pub(crate) type Dc;

    /// `send(string)`.
    #[wasm_bindgen(method, catch, js_name = send)]
    pub(crate) fn send_str(this: &Dc, data: &str) -> Result<(), JsValue>;

    /// `send(Uint8Array)`, a view on wasm memory that the browser copies before returning.
    #[wasm_bindgen(method, catch, js_name = send)]
    pub(crate) fn send_u8(this: &Dc, data: &[u8]) -> Result<(), JsValue>;

    /// `readyState`, as the browser spells it.
    #[wasm_bindgen(method, getter, js_name = readyState)]
    pub(crate) fn ready_state(this: &Dc) -> JsValue;

    /// `ordered` (web-sys has no binding for it).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn ordered(this: &Dc) -> JsValue;

    /// `negotiated` (web-sys has no binding for it).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn negotiated(this: &Dc) -> JsValue;

    /// `protocol` (web-sys has no binding for it).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn protocol(this: &Dc) -> JsValue;

    /// `binaryType = value` (`"arraybuffer"` or `"blob"`).
    #[wasm_bindgen(method, setter, js_name = binaryType)]
    pub(crate) fn set_binary_type(this: &Dc, value: &str);

    /// `binaryType`.
    #[wasm_bindgen(method, getter, js_name = binaryType)]
    pub(crate) fn binary_type(this: &Dc) -> JsValue;

    /// `sctp`: the connection's `RTCSctpTransport`, `null` until an `m=application` section
    /// is negotiated.
    #[wasm_bindgen(method, getter, catch)]
    pub(crate) fn sctp(this: &Pc) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(
    inline_js = "export function isTrackEvent(e) { return e instanceof RTCTrackEvent; }\n\
export function firstStream(e) { return e.streams[0]; }"
)]
extern "C" {
    /// `event instanceof RTCTrackEvent`, imported as it is (web-sys's `dyn_into` adds a glue
    /// function around it).
    #[wasm_bindgen(js_name = isTrackEvent)]
    pub(crate) fn is_track_event(event: &web_sys::Event) -> bool;

    /// A `track` event's `streams[0]`, `undefined` when it has none: one call, where reading
    /// `streams` from Rust takes two and hands the browser's fresh frozen array to wasm.
    #[wasm_bindgen(js_name = firstStream)]
    pub(crate) fn first_stream(event: &web_sys::RtcTrackEvent) -> JsValue;
}
