// The page probe: instrumentation of the browser itself (not a mock), shared by the wasm test
// suites, the demo's end-to-end and abuse runs and the benchmark page.
//
// Importing this module installs it once per page, before the code under test runs:
// - every `addEventListener` / `removeEventListener` on a WebRTC or media object
//   (`RTCPeerConnection`, `RTCDataChannel`, `MediaStreamTrack`, `MediaStream`, the ICE, DTLS and
//   SCTP transports) is counted, with the DOM's own de-duplication rule (same type, callback
//   and capture flag);
// - every `RTCPeerConnection` the page creates is recorded (the constructor is wrapped), so a
//   check can read each one's raw `signalingState` / `connectionState`;
// - every local track the page makes (`getUserMedia`, `captureStream`, `clone`, Web Audio
//   destinations) is recorded, so a check can count the ones still `live`;
// - `console.error`, uncaught exceptions and unhandled rejections are recorded.
//
// The same object is reachable as `globalThis.__rtcProbe` for code that cannot import modules
// (WebDriver scripts).

const WATCHED = [
  "RTCPeerConnection", "RTCDataChannel", "MediaStreamTrack", "MediaStream",
  "RTCIceTransport", "RTCDtlsTransport", "RTCSctpTransport", "RTCDTMFSender",
];

function watched(target) {
  for (const name of WATCHED) {
    const type = globalThis[name];
    if (typeof type === "function" && target instanceof type) return true;
  }
  return false;
}

function captureOf(options) {
  if (typeof options === "boolean") return options;
  return !!(options && options.capture);
}

function errorText(value) {
  try {
    return value && value.stack ? String(value.stack) : String(value);
  } catch (_) {
    return "?";
  }
}

function installProbe() {
  const registry = [];
  const totals = { added: 0, removed: 0 };
  const connections = [];
  const localTracks = [];
  const errors = [];

  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const same = (e, target, type, callback, capture) =>
    e.target === target && e.type === type && e.callback === callback && e.capture === capture;
  proto.addEventListener = function (type, callback, options) {
    if (callback != null && watched(this)) {
      const t = String(type);
      const capture = captureOf(options);
      if (!registry.some((e) => same(e, this, t, callback, capture))) {
        registry.push({ target: this, type: t, callback, capture });
        totals.added += 1;
      }
    }
    return add.apply(this, arguments);
  };
  proto.removeEventListener = function (type, callback, options) {
    if (watched(this)) {
      const t = String(type);
      const capture = captureOf(options);
      const i = registry.findIndex((e) => same(e, this, t, callback, capture));
      if (i >= 0) {
        registry.splice(i, 1);
        totals.removed += 1;
      }
    }
    return remove.apply(this, arguments);
  };

  const NativePeerConnection = globalThis.RTCPeerConnection;
  if (typeof NativePeerConnection === "function") {
    const Probed = class RTCPeerConnection extends NativePeerConnection {
      constructor(...args) {
        super(...args);
        connections.push(this);
      }
    };
    globalThis.RTCPeerConnection = Probed;
  }

  const recordTracks = (stream) => {
    if (stream && typeof stream.getTracks === "function") localTracks.push(...stream.getTracks());
    return stream;
  };
  const media = globalThis.navigator && navigator.mediaDevices;
  if (media && typeof media.getUserMedia === "function") {
    const getUserMedia = media.getUserMedia;
    media.getUserMedia = function (...args) {
      return getUserMedia.apply(this, args).then(recordTracks);
    };
  }
  for (const type of [globalThis.HTMLCanvasElement, globalThis.HTMLMediaElement]) {
    if (type && typeof type.prototype.captureStream === "function") {
      const captureStream = type.prototype.captureStream;
      type.prototype.captureStream = function (...args) {
        return recordTracks(captureStream.apply(this, args));
      };
    }
  }
  if (globalThis.MediaStreamTrack) {
    const clone = MediaStreamTrack.prototype.clone;
    MediaStreamTrack.prototype.clone = function () {
      const track = clone.apply(this, arguments);
      if (localTracks.includes(this)) localTracks.push(track);
      return track;
    };
  }
  if (globalThis.AudioContext) {
    const destination = AudioContext.prototype.createMediaStreamDestination;
    AudioContext.prototype.createMediaStreamDestination = function () {
      const node = destination.apply(this, arguments);
      recordTracks(node.stream);
      return node;
    };
  }

  const consoleError = console.error;
  console.error = function (...args) {
    errors.push("console.error: " + args.map(errorText).join(" "));
    return consoleError.apply(this, args);
  };
  add.call(globalThis, "error", (e) => errors.push("uncaught: " + (e.message || errorText(e.error))));
  add.call(globalThis, "unhandledrejection", (e) => errors.push("unhandled rejection: " + errorText(e.reason)));

  const live = (target) => registry.filter((e) => e.target === target);
  return {
    /** Live listener registrations on `target`, or on every watched object when omitted. */
    listeners: (target) => (target === undefined ? registry.length : live(target).length),
    /** Their event types, comma-separated, for failure messages. */
    listenerTypes: (target) =>
      (target === undefined ? registry : live(target)).map((e) => e.type).join(","),
    /** Registrations ever added / removed since the probe was installed. */
    addedTotal: () => totals.added,
    removedTotal: () => totals.removed,
    /** Every RTCPeerConnection the page created, in order. */
    connections: () => connections.slice(),
    /** How many of them are not closed (raw `signalingState` is not "closed"). */
    openConnections: () => connections.filter((pc) => pc.signalingState !== "closed").length,
    /** The raw states of every connection, for failure messages. */
    connectionStates: () =>
      connections.map((pc) => pc.signalingState + "/" + pc.connectionState).join(","),
    /** Forget the connections recorded so far (after a check that read them). */
    forgetConnections: () => { connections.length = 0; },
    /** Local tracks the page made that are still live. */
    liveLocalTracks: () => localTracks.filter((t) => t.readyState === "live").length,
    /** Console errors and uncaught exceptions since the last call, one per line. */
    takeErrors: () => errors.splice(0, errors.length).join("\n"),
  };
}

const probe = globalThis.__rtcProbe || (globalThis.__rtcProbe = installProbe());

/** Installs the probe (idempotent; importing the module already did). */
export function install() { return probe; }
export function listeners(target) { return probe.listeners(target); }
export function listener_types(target) { return probe.listenerTypes(target); }
export function added_total() { return probe.addedTotal(); }
export function removed_total() { return probe.removedTotal(); }
export function open_connections() { return probe.openConnections(); }
export function connection_states() { return probe.connectionStates(); }
export function forget_connections() { probe.forgetConnections(); }
export function live_local_tracks() { return probe.liveLocalTracks(); }
export function take_errors() { return probe.takeErrors(); }
