// The demo page: a Call object from the app's wasm package does the call; this script picks the
// media, wires the buttons, shows state and statistics, and, in room mode, moves the call's
// signals through the demo server's relay (room.js).
import init, { Call } from "./pkg/rtc_peer_demo.js";
import { cameraVideo, localMedia, synthetic } from "./media.js";
import { joinRoom, newRoomName, roomLink, ROOM_NAME } from "./room.js";

const $ = (id) => document.getElementById(id);
const ui = {
  call: $("call"),
  hangUp: $("hangup"),
  switchVideo: $("switch"),
  reconnect: $("reconnect"),
  local: $("local"),
  remote: $("remote"),
  placeholder: $("remote-placeholder"),
  paused: $("remote-paused"),
  sound: $("sound"),
  statusText: $("status-text"),
  statusDot: $("status-dot"),
  notice: $("notice"),
  hint: $("hint"),
  room: {
    box: $("room"),
    name: $("room-name"),
    state: $("room-state"),
    link: $("room-link"),
    create: $("new-room"),
  },
  stat: {
    state: $("stat-state"),
    resolution: $("stat-resolution"),
    fps: $("stat-fps"),
    bitrate: $("stat-bitrate"),
    path: $("stat-path"),
    rtt: $("stat-rtt"),
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

const NO_STATS = { width: 0, height: 0, fps: 0, kbps: 0, rttMs: null, path: "", local: "", remote: "" };

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
  stats: { ...NO_STATS },
};
let call = null;
let media = []; // the LocalMedia of the current call (released when it ends)
let starting = false; // getting media for a call that has not started yet
let statsTimer = 0;
let videoSource = "camera"; // what the current call sends as video: "camera" | "synthetic"
// Room mode: the relay connection and who is there.
const room = { name: "", link: null, state: "", polite: false };

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
    get videoSource() { return videoSource; },
    get signalIgnored() { return debug.signalIgnored; },
    get errors() { return debug.errors.slice(); },
    get stats() { return { ...debug.stats }; },
    get callDisabled() { return ui.call.disabled; },
    get hangUpDisabled() { return ui.hangUp.disabled; },
    get remoteHasSrcObject() { return ui.remote.srcObject !== null; },
    get localHasSrcObject() { return ui.local.srcObject !== null; },
    get remotePaused() { return !ui.paused.hidden; },
    get statsRunning() { return statsTimer !== 0; },
    get room() { return room.name; },
    get roomState() { return room.state; },
    get polite() { return room.polite; },
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
// Modes and the room.

function currentMode() {
  const checked = document.querySelector('input[name="mode"]:checked');
  return checked ? checked.value : "loopback";
}

/** Whether Call may be pressed now. */
function canCall() {
  if (!call || call.active || starting) return false;
  return debug.mode === "loopback" || room.state === "peer";
}

function updateButtons() {
  const inCall = !!call && call.active;
  ui.call.disabled = !canCall();
  ui.switchVideo.disabled = !inCall;
  ui.reconnect.disabled = !inCall || debug.mode !== "room";
  for (const input of document.querySelectorAll('input[name="mode"]')) {
    input.disabled = inCall || starting;
  }
}

function setMode(mode) {
  debug.mode = mode;
  for (const input of document.querySelectorAll('input[name="mode"]')) {
    input.checked = input.value === mode;
  }
  if (mode === "room") {
    if (!room.link) enterRoom(room.name || newRoomName());
  } else {
    leaveRoom();
    const url = new URL(location.href);
    if (url.searchParams.has("room")) {
      url.searchParams.delete("room");
      history.replaceState(null, "", url.href);
    }
    showHint("");
  }
  ui.room.box.hidden = mode !== "room";
  updateButtons();
}

function setRoomState(state, text, tone) {
  room.state = state;
  ui.room.state.textContent = text;
  ui.room.state.className = `room-state ${tone || ""}`;
  updateButtons();
}

function enterRoom(name) {
  leaveRoom();
  room.name = name;
  const link = roomLink(name);
  history.replaceState(null, "", link + (location.hash || ""));
  ui.room.name.textContent = name;
  ui.room.link.textContent = link;
  ui.room.link.href = link;
  setRoomState("connecting", "connecting to the relay…", "");
  showHint("Room: open the Share link in another browser or tab, then press Call in either.");
  room.link = joinRoom(name, {
    joined(peers) {
      // The member that was there first is the impolite side, the second one the polite side.
      room.polite = peers > 0;
      if (peers > 0) setRoomState("peer", "the other side is here", "ok");
      else setRoomState("alone", "waiting for the other side to open the link", "");
    },
    peerJoined() {
      room.polite = false;
      setRoomState("peer", "the other side is here", "ok");
    },
    peerLeft() {
      // A call in progress ends through the negotiator (Bye, or its liveness channel).
      call.forgetIncoming();
      setRoomState("alone", "the other side left; waiting for someone to open the link", "");
    },
    full() {
      setRoomState("full", "room full", "bad");
      showNotice(`Room full: "${name}" already has two members. Press New room for another one.`);
    },
    signal(text) {
      onSignal(text);
    },
    closed(code, reason) {
      room.link = null;
      if (room.state === "full" || code === 4000) {
        setRoomState("full", "room full", "bad");
        showNotice(`Room full: "${name}" already has two members. Press New room for another one.`);
        return;
      }
      setRoomState("closed", `disconnected from the relay (${code}${reason ? ` ${reason}` : ""})`, "bad");
    },
  });
}

function leaveRoom() {
  if (room.link) {
    const link = room.link;
    room.link = null;
    link.close();
  }
  room.state = "";
  room.polite = false;
}

function sendSignal(text) {
  if (room.link) room.link.send(text);
}

// ---------------------------------------------------------------------------------------------
// Calls.

async function acquireMedia() {
  const m = await localMedia();
  debug.synthetic = m.synthetic;
  videoSource = m.synthetic ? "synthetic" : "camera";
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

/** Gets media and starts a call in the current mode (in a room also to answer an offer). */
async function startCall(answering) {
  if (starting || call.active) return;
  starting = true;
  updateButtons();
  setStatus(answering ? "Incoming call: answering…" : "Getting camera and microphone…", "busy");
  let m;
  try {
    m = await acquireMedia();
  } catch (err) {
    starting = false;
    updateButtons();
    fail("Media", err);
    return;
  }
  starting = false;
  if (debug.mode === "room" && room.state !== "peer") {
    // The other side left while we were getting media.
    m.stream.getTracks().forEach((t) => t.stop());
    m.release();
    setStatus("The other side left.", "");
    updateButtons();
    return;
  }
  media = [m];
  debug.callsStarted += 1;
  ui.placeholder.hidden = true;
  try {
    if (debug.mode === "room") {
      setStatus(answering ? "Answering…" : "Calling the other side…", "busy");
      call.startRoomCall(m.stream, room.polite, sendSignal);
    } else {
      setStatus("Calling…", "busy");
      call.startLoopback(m.stream);
    }
  } catch (err) {
    if (!call.active) releaseMedia();
    if (!call.active && err.name === "InvalidStateError") return;
    fail("Call failed", err);
  } finally {
    updateButtons();
  }
}

function onSignal(text) {
  const kind = call.receive(text);
  if (kind === "ignored") {
    debug.signalIgnored += 1;
  } else if (kind === "offer" && debug.mode === "room") {
    startCall(true);
  }
}

async function switchVideo() {
  if (!call.active) return;
  ui.switchVideo.disabled = true;
  const toCamera = videoSource === "synthetic";
  try {
    const m = toCamera ? await cameraVideo() : synthetic("switched", false);
    const [track] = m.stream.getVideoTracks();
    media.push(m);
    await call.switchVideo(track);
    videoSource = toCamera ? "camera" : "synthetic";
    $("local-caption").textContent = toCamera ? "your camera" : "synthetic test pattern";
  } catch (err) {
    if (call.active) showNotice(`Switch camera failed: ${err.name}: ${err.message}`);
  } finally {
    updateButtons();
  }
}

function onState(state) {
  ui.stat.state.textContent = state;
  const tone = state === "connected" ? "ok" : state === "failed" ? "bad" : state === "closed" ? "" : "busy";
  const words = {
    new: "Starting…",
    connecting: "Connecting…",
    connected: "In a call",
    disconnected: "Connection interrupted (try Reconnect)…",
    failed: "Connection failed",
    closed: "Call ended",
  };
  setStatus(`${words[state] || state} (connection state: ${state})`, tone);
}

function onRemoteStream(stream, track) {
  // Hang up is enabled by the Call itself when this track arrives.
  if (track.kind === "audio") ui.sound.hidden = false;
  if (!statsTimer) statsTimer = setInterval(updateStats, 1000);
}

function onRemoteTrackState(kind, state) {
  if (kind === "video") ui.paused.hidden = state !== "muted";
}

function releaseMedia() {
  for (const m of media) m.release();
  media = [];
}

function onEnded(reason) {
  clearInterval(statsTimer);
  statsTimer = 0;
  debug.callsEnded += 1;
  debug.lastEndReason = reason;
  releaseMedia();
  ui.remote.muted = true;
  ui.sound.hidden = true;
  ui.sound.textContent = "Unmute";
  ui.paused.hidden = true;
  ui.placeholder.hidden = false;
  for (const el of Object.values(ui.stat)) el.textContent = "–";
  ui.stat.state.textContent = "closed";
  debug.stats = { ...NO_STATS };
  updateButtons();
  const other = debug.mode === "room" ? "The other side" : "The far end";
  const why = { local: "You hung up.", remote: `${other} hung up.`, failed: "The connection failed." };
  setStatus(`${why[reason] || "Call ended."} Press Call to call again. (connection state: closed)`, "");
}

// ---------------------------------------------------------------------------------------------
// Live statistics from the call's StatsReport, once a second.

async function updateStats() {
  let s;
  try {
    s = await call.stats();
  } catch {
    return;
  }
  if (!s || !statsTimer) return;
  const width = s.width || ui.remote.videoWidth || 0;
  const height = s.height || ui.remote.videoHeight || 0;
  const path = s.path === "relay" ? "relay (TURN)" : s.path;
  debug.stats = { ...s, width, height, path };
  ui.stat.resolution.textContent = width ? `${width} × ${height}` : "–";
  ui.stat.fps.textContent = s.fps ? `${s.fps}` : "–";
  ui.stat.bitrate.textContent = s.kbps
    ? s.kbps >= 1000
      ? `${(s.kbps / 1000).toFixed(2)} Mbit/s`
      : `${s.kbps} kbit/s`
    : "–";
  ui.stat.path.textContent = path ? `${path}${s.remote && s.remote !== s.local ? ` ↔ ${s.remote}` : ""}` : "–";
  ui.stat.rtt.textContent =
    s.rttMs == null ? "–" : s.rttMs < 1 ? "< 1 ms" : `${Math.round(s.rttMs)} ms`;
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
  call.onRemoteTrackState(onRemoteTrackState);
  call.onEnded(onEnded);

  ui.call.addEventListener("click", () => startCall(false));
  ui.switchVideo.addEventListener("click", switchVideo);
  ui.reconnect.addEventListener("click", () => {
    if (call.reconnect()) setStatus("Reconnecting: restarting ICE…", "busy");
  });
  ui.sound.addEventListener("click", () => {
    ui.remote.muted = !ui.remote.muted;
    ui.sound.textContent = ui.remote.muted ? "Unmute" : "Mute";
  });
  ui.room.create.addEventListener("click", () => {
    if (call.active) call.hangUp();
    showNotice("");
    enterRoom(newRoomName());
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

  // Leaving or reloading the page ends the call, so the other side hears Bye at once (and,
  // should the Bye be lost, its liveness channel closes). As early as the browser says the
  // page is going (beforeunload): by pagehide Firefox may tear the connection's transport
  // down before the close reaches the other side.
  const leave = () => {
    call.hangUp();
    leaveRoom();
  };
  window.addEventListener("beforeunload", leave);
  window.addEventListener("pagehide", leave);

  iceFromUrl();
  const params = new URLSearchParams(location.search);
  const name = params.get("room");
  if (name !== null) {
    if (ROOM_NAME.test(name)) {
      room.name = name;
      setMode("room");
    } else {
      showNotice("That room name is not valid: use 1 to 64 letters, digits, - or _. Here is a new room.");
      room.name = newRoomName();
      setMode("room");
    }
  } else {
    setMode(params.get("mode") === "room" ? "room" : "loopback");
  }

  debug.ready = true;
  updateButtons();
  setStatus("Ready. Press Call.", "");
}

main();
