// The demo page: a Call object from the rtc-peer package does the call; this script picks the
// media, wires the buttons, shows state and statistics, and moves signalling messages between
// two tabs over a BroadcastChannel.
import init, { Call } from "./pkg/rtc_peer_demo.js";
import { localMedia } from "./media.js";

const $ = (id) => document.getElementById(id);
const ui = {
  call: $("call"),
  hangUp: $("hangup"),
  local: $("local"),
  remote: $("remote"),
  placeholder: $("remote-placeholder"),
  sound: $("sound"),
  statusText: $("status-text"),
  statusDot: $("status-dot"),
  notice: $("notice"),
  hint: $("hint"),
  stat: {
    state: $("stat-state"),
    resolution: $("stat-resolution"),
    fps: $("stat-fps"),
    bitrate: $("stat-bitrate"),
    path: $("stat-path"),
  },
  ice: {
    url: $("turn-url"),
    user: $("turn-user"),
    credential: $("turn-credential"),
    relay: $("relay-only"),
    apply: $("ice-apply"),
    clear: $("ice-clear"),
    error: $("ice-error"),
    summary: $("ice-summary"),
    details: $("settings"),
  },
};

const CHANNEL = "rtc-peer-demo";
const ANSWER_TIMEOUT_MS = 30_000;

// Read-only state for tests and the curious (`window.__rtcDemo` in the console). What the call
// leaves behind in the browser (connections, listeners, tracks) is read by the tests from the
// browser itself, not from here.
const debug = {
  ready: false,
  mode: "loopback",
  callsStarted: 0,
  callsEnded: 0,
  lastEndReason: "",
  synthetic: false,
  signalIgnored: 0,
  errors: [],
  stats: { width: 0, height: 0, fps: 0, kbps: 0, path: "" },
};
let call = null;
let media = null; // the LocalMedia of the current call
let statsTimer = 0;
let answerTimer = 0;
let channel = null;

Object.defineProperty(window, "__rtcDemo", {
  value: Object.freeze({
    get ready() { return debug.ready; },
    get mode() { return debug.mode; },
    get callsStarted() { return debug.callsStarted; },
    get callsEnded() { return debug.callsEnded; },
    get lastEndReason() { return debug.lastEndReason; },
    get active() { return !!call && call.active; },
    get state() { return call ? call.state : "new"; },
    get synthetic() { return debug.synthetic; },
    get signalIgnored() { return debug.signalIgnored; },
    get errors() { return debug.errors.slice(); },
    get stats() { return { ...debug.stats }; },
    get callDisabled() { return ui.call.disabled; },
    get hangUpDisabled() { return ui.hangUp.disabled; },
    get remoteHasSrcObject() { return ui.remote.srcObject !== null; },
    get localHasSrcObject() { return ui.local.srcObject !== null; },
    get statsRunning() { return statsTimer !== 0; },
    get cspViolations() { return (window.__cspViolations || []).slice(); },
  }),
});

function setStatus(text, tone) {
  ui.statusText.textContent = text;
  ui.statusDot.className = `dot ${tone || ""}`;
}

function showNotice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = !text;
}

function showHint(text) {
  ui.hint.textContent = text;
  ui.hint.hidden = !text;
}

function fail(context, err) {
  const name = (err && err.name) || "Error";
  const message = (err && err.message) || String(err);
  debug.errors.push(`${context}: ${name}: ${message}`);
  console.error(`${context}:`, err);
  setStatus(`${context}: ${name}: ${message}`, "bad");
}

// ---------------------------------------------------------------------------------------------
// ICE settings: a small form and URL parameters. The credential goes into the Call object and
// nowhere else: it is removed from the address bar, cleared from the form, never logged.

function applyIce(url, username, credential, relayOnly) {
  ui.ice.error.textContent = "";
  try {
    if (url) {
      call.setIceServer(url, username, credential);
    } else {
      call.clearIceServers();
    }
    call.relayOnly = relayOnly;
  } catch (err) {
    ui.ice.error.textContent = err.message;
    return false;
  } finally {
    ui.ice.credential.value = "";
  }
  const masked = url && credential ? ` — credential ${Call.maskCredential(credential)}` : "";
  ui.ice.summary.textContent = call.iceSummary + masked;
  ui.ice.credential.placeholder = credential ? "set (type to replace)" : "";
  return true;
}

function iceFromUrl() {
  const params = new URLSearchParams(location.search);
  const url = params.get("turn") || "";
  const username = params.get("username") || params.get("user") || "";
  const credential = params.get("credential") || "";
  const relay = ["1", "true", "yes"].includes((params.get("relay") || "").toLowerCase());
  if (params.has("credential")) {
    params.delete("credential");
    const query = params.toString();
    history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  }
  ui.ice.url.value = url;
  ui.ice.user.value = username;
  ui.ice.relay.checked = relay;
  if (url || relay) {
    if (!applyIce(url, username, credential, relay)) ui.ice.details.open = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Calls.

function currentMode() {
  const checked = document.querySelector('input[name="mode"]:checked');
  return checked ? checked.value : "loopback";
}

function setMode(mode) {
  debug.mode = mode;
  for (const input of document.querySelectorAll('input[name="mode"]')) {
    input.checked = input.value === mode;
  }
  if (mode === "tabs") {
    if (!channel) {
      channel = new BroadcastChannel(CHANNEL);
      channel.addEventListener("message", onSignal);
    }
    showHint("Two tabs: open this page in a second tab (same mode), then press Call in one of them.");
  } else {
    if (channel) {
      channel.removeEventListener("message", onSignal);
      channel.close();
      channel = null;
    }
    showHint("");
  }
}

function send(message) {
  if (channel) channel.postMessage(message);
}

async function acquireMedia() {
  const m = await localMedia();
  debug.synthetic = m.synthetic;
  $("local-caption").textContent = m.synthetic
    ? "synthetic test pattern and tone"
    : "your camera and microphone";
  showNotice(
    m.synthetic
      ? `No camera: ${m.reason}. Sending a synthetic test pattern and tone instead.`
      : "",
  );
  return m;
}

function beginCall(m) {
  media = m;
  debug.callsStarted += 1;
  ui.call.disabled = true;
  for (const input of document.querySelectorAll('input[name="mode"]')) input.disabled = true;
  ui.placeholder.hidden = true;
}

async function startCall() {
  if (call.active) return;
  ui.call.disabled = true;
  setStatus("Getting camera and microphone…", "busy");
  let m;
  try {
    m = await acquireMedia();
  } catch (err) {
    ui.call.disabled = false;
    fail("Media", err);
    return;
  }
  beginCall(m);
  try {
    if (debug.mode === "tabs") {
      setStatus("Calling the other tab…", "busy");
      await call.startCall(m.stream, send);
      answerTimer = setTimeout(() => {
        if (call.active && ui.hangUp.disabled) {
          call.hangUp();
          setStatus("No answer: open this page in another tab (Two tabs mode) and try again.", "bad");
        }
      }, ANSWER_TIMEOUT_MS);
    } else {
      setStatus("Calling…", "busy");
      await call.startLoopback(m.stream);
    }
  } catch (err) {
    if (!call.active && err.name === "InvalidStateError") return; // hung up while starting
    fail("Call failed", err);
  }
}

async function answerIncoming() {
  setStatus("Incoming call: answering…", "busy");
  let m;
  try {
    m = await acquireMedia();
  } catch (err) {
    fail("Media", err);
    return;
  }
  if (!call.hasIncomingCall) {
    // The caller hung up while we were getting media.
    m.stream.getTracks().forEach((t) => t.stop());
    m.release();
    setStatus("The other tab hung up.", "");
    return;
  }
  beginCall(m);
  try {
    await call.answerCall(m.stream, send);
  } catch (err) {
    if (!call.active && err.name === "InvalidStateError") return; // hung up while answering
    fail("Answer failed", err);
  }
}

function onSignal(event) {
  const kind = call.receive(event.data);
  if (kind === "ignored") {
    debug.signalIgnored += 1;
  } else if (kind === "offer") {
    answerIncoming();
  }
}

function onState(state) {
  ui.stat.state.textContent = state;
  const tone = state === "connected" ? "ok" : state === "failed" ? "bad" : state === "closed" ? "" : "busy";
  const words = {
    new: "Starting…",
    connecting: "Connecting…",
    connected: "In a call",
    disconnected: "Connection interrupted…",
    failed: "Connection failed",
    closed: "Call ended",
  };
  setStatus(`${words[state] || state} (connection state: ${state})`, tone);
}

function onRemoteStream(stream, track) {
  // Hang up is enabled by the Call itself when this track arrives.
  clearTimeout(answerTimer);
  if (track.kind === "audio") ui.sound.hidden = false;
  if (!statsTimer) statsTimer = setInterval(updateStats, 1000);
}

function onEnded(reason) {
  clearTimeout(answerTimer);
  clearInterval(statsTimer);
  statsTimer = 0;
  debug.callsEnded += 1;
  debug.lastEndReason = reason;
  if (media) {
    media.release();
    media = null;
  }
  ui.remote.muted = true;
  ui.sound.hidden = true;
  ui.sound.textContent = "Unmute";
  ui.placeholder.hidden = false;
  ui.call.disabled = false;
  for (const input of document.querySelectorAll('input[name="mode"]')) input.disabled = false;
  for (const el of Object.values(ui.stat)) el.textContent = "–";
  ui.stat.state.textContent = "closed";
  debug.stats = { width: 0, height: 0, fps: 0, kbps: 0, path: "" };
  const why = { local: "You hung up.", remote: "The other tab hung up.", failed: "The connection failed." };
  setStatus(`${why[reason] || "Call ended."} Press Call to call again. (connection state: closed)`, "");
}

// ---------------------------------------------------------------------------------------------
// Live statistics from getStats, once a second.

let previous = null;

async function updateStats() {
  const pc = call && call.remoteConnection;
  if (!pc) return;
  let report;
  try {
    report = await pc.getStats();
  } catch {
    return;
  }
  let bytes = 0;
  let timestamp = 0;
  let video = null;
  const pairs = [];
  const candidates = new Map();
  let selectedPairId = "";
  for (const s of report.values()) {
    if (s.type === "inbound-rtp") {
      bytes += s.bytesReceived || 0;
      timestamp = Math.max(timestamp, s.timestamp || 0);
      if (s.kind === "video") video = s;
    } else if (s.type === "candidate-pair") {
      pairs.push(s);
    } else if (s.type === "local-candidate" || s.type === "remote-candidate") {
      candidates.set(s.id, s);
    } else if (s.type === "transport" && s.selectedCandidatePairId) {
      selectedPairId = s.selectedCandidatePairId;
    }
  }
  const pair =
    pairs.find((p) => p.id === selectedPairId) ||
    pairs.find((p) => p.selected) ||
    pairs.find((p) => p.nominated && p.state === "succeeded");
  const local = pair && candidates.get(pair.localCandidateId);

  const width = (video && video.frameWidth) || ui.remote.videoWidth || 0;
  const height = (video && video.frameHeight) || ui.remote.videoHeight || 0;
  let fps = video && typeof video.framesPerSecond === "number" ? video.framesPerSecond : 0;
  let kbps = 0;
  if (previous && timestamp > previous.timestamp) {
    const seconds = (timestamp - previous.timestamp) / 1000;
    kbps = ((bytes - previous.bytes) * 8) / 1000 / seconds;
    if (!fps && video && previous.framesDecoded !== undefined) {
      fps = ((video.framesDecoded || 0) - previous.framesDecoded) / seconds;
    }
  }
  previous = { bytes, timestamp, framesDecoded: video ? video.framesDecoded || 0 : undefined };
  const path = local ? (local.candidateType === "relay" ? "relay (TURN)" : local.candidateType) : "";

  debug.stats = { width, height, fps: Math.round(fps), kbps: Math.round(kbps), path };
  ui.stat.resolution.textContent = width ? `${width} × ${height}` : "–";
  ui.stat.fps.textContent = fps ? `${Math.round(fps)}` : "–";
  ui.stat.bitrate.textContent = kbps
    ? kbps >= 1000
      ? `${(kbps / 1000).toFixed(2)} Mbit/s`
      : `${Math.round(kbps)} kbit/s`
    : "–";
  ui.stat.path.textContent = path || "–";
}

// ---------------------------------------------------------------------------------------------

async function main() {
  try {
    await init();
  } catch (err) {
    fail("Could not load the wasm package (run `cargo xtask demo`)", err);
    return;
  }
  call = new Call(ui.local, ui.remote, ui.hangUp);
  call.onStateChange(onState);
  call.onRemoteStream(onRemoteStream);
  call.onEnded(onEnded);

  ui.call.addEventListener("click", () => {
    previous = null;
    startCall();
  });
  ui.sound.addEventListener("click", () => {
    ui.remote.muted = !ui.remote.muted;
    ui.sound.textContent = ui.remote.muted ? "Unmute" : "Mute";
  });
  for (const input of document.querySelectorAll('input[name="mode"]')) {
    input.addEventListener("change", () => setMode(currentMode()));
  }
  ui.ice.apply.addEventListener("click", () =>
    applyIce(ui.ice.url.value.trim(), ui.ice.user.value, ui.ice.credential.value, ui.ice.relay.checked),
  );
  ui.ice.clear.addEventListener("click", () => {
    ui.ice.url.value = "";
    ui.ice.user.value = "";
    ui.ice.relay.checked = false;
    applyIce("", "", "", false);
  });

  // Leaving or reloading the page ends the call, so the other tab hears "bye" at once.
  window.addEventListener("pagehide", () => call.hangUp());

  const params = new URLSearchParams(location.search);
  setMode(params.get("mode") === "tabs" ? "tabs" : "loopback");
  iceFromUrl();

  ui.call.disabled = false;
  debug.ready = true;
  setStatus("Ready. Press Call.", "");
}

main();
