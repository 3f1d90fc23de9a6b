// The rtc-peer benchmark page: each figure runs rtc-peer (through the `rtc-peer-bench` wasm
// crate in ../web) next to the same work in plain JavaScript, in this page, in this run.
// Variants are interleaved across rounds (ABAB…, the order flipped every other round) so a
// drifting machine hits both alike, and every figure reports medians over its rounds.
//
// `window.runBench(options)` starts a run; progress is on `window.benchState`
// ({done, phase, error}) and the results on `window.benchResults`.

// Live listener accounting: wrap add/removeEventListener before anything registers one.
// Counts only listeners that were really added (not duplicates) and really removed, and holds
// targets weakly so counting never keeps a connection alive.
const listeners = { all: 0, pc: 0 };
{
  const registered = new WeakMap();
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const captureOf = (options) =>
    typeof options === "boolean" ? options : Boolean(options && options.capture);
  const isPc = (target) =>
    typeof RTCPeerConnection !== "undefined" && target instanceof RTCPeerConnection;
  EventTarget.prototype.addEventListener = function (type, fn, options) {
    if (fn && !(options && options.once)) {
      const capture = captureOf(options);
      let list = registered.get(this);
      if (!list) {
        list = [];
        registered.set(this, list);
      }
      if (!list.some((r) => r.type === type && r.fn === fn && r.capture === capture)) {
        list.push({ type, fn, capture });
        listeners.all++;
        if (isPc(this)) listeners.pc++;
      }
    }
    return add.call(this, type, fn, options);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, options) {
    const capture = captureOf(options);
    const list = registered.get(this);
    if (list) {
      const i = list.findIndex((r) => r.type === type && r.fn === fn && r.capture === capture);
      if (i >= 0) {
        list.splice(i, 1);
        listeners.all--;
        if (isPc(this)) listeners.pc--;
      }
    }
    return remove.call(this, type, fn, options);
  };
}

// Live connection accounting: every RTCPeerConnection created (by JS or by the wasm glue,
// which looks the constructor up on `window` at each call) is counted, and counted again when
// the garbage collector frees it. Chromium refuses new connections ("Cannot create so many
// PeerConnections") while too many exist, closed or not, until they are collected.
// Weak references (which do not keep a connection alive) let a reading also count the
// connections that are still open: raw `signalingState` not "closed", a leak whatever the GC.
const connections = { created: 0, collected: 0, weak: [] };
{
  const Native = window.RTCPeerConnection;
  const registry = new FinalizationRegistry(() => connections.collected++);
  const Counted = function RTCPeerConnection(...args) {
    const pc = new Native(...args);
    connections.created++;
    registry.register(pc, 0);
    connections.weak.push(new WeakRef(pc));
    return pc;
  };
  Counted.prototype = Native.prototype;
  Object.setPrototypeOf(Counted, Native);
  window.RTCPeerConnection = Counted;
}

const rs = await import("./pkg/rtc_peer_bench.js");
const wasm = await rs.default();

// The full run. `cargo xtask bench` passes these (or smaller ones for the smoke test).
const FULL = {
  // The leak figure last: connections it leaves behind must not disturb the others.
  figures: [2, 3, 4, 6, 7, 8, 9, 10, 5],
  dispatchRounds: 50, // figure 2: rounds per variant …
  dispatchEvents: 2000, // … of this many events: 100,000 events per variant
  oaRounds: 200, // figure 3: offer/answer rounds per variant
  frameCalls: 20, // figure 4: calls per variant
  leakWarmup: 50, // figure 5: cycles before the first memory reading
  leakCycles: 1000, // figure 5: cycles measured (each waits until the call is set up) …
  leakEarlyCycles: 200, // … and hang-up-during-setup cycles …
  leakDataCycles: 200, // … and data-channel calls
  leakGcEvery: 50, // figure 5: cycles between forced collections (Chromium: window.gc)
  scalePairs: [1, 8, 32], // figure 6
  scaleRounds: 8, // figure 6: rounds (each opens every pair count afresh) …
  scaleRepeats: 4, // … in which each variant runs this many times (median) …
  scaleEvents: 4800, // … dispatching this many events spread over the pairs
  glareRounds: 30, // figure 7: fresh pairs per variant
  dataBytes: 20 * 1024 * 1024, // figure 8: bytes per transfer …
  dataChunk: 16 * 1024, // … in messages of this size …
  dataThreshold: 256 * 1024, // … with this low-water mark (rtc-peer's default)
  dataRounds: 8, // figure 8: transfers per variant
  hangUpRounds: 20, // figure 9: calls per variant
  sfuPublishers: [1, 4, 8], // figure 10: publishers subscribed to …
  sfuRounds: 8, // … in this many rounds (each subscribes once per size and variant)
  callTimeoutMs: 15000,
};
const SMOKE = {
  figures: [2, 3, 4, 6, 7, 8, 9, 10, 5],
  dispatchRounds: 2,
  dispatchEvents: 200,
  oaRounds: 3,
  frameCalls: 2,
  leakWarmup: 2,
  leakCycles: 5,
  leakEarlyCycles: 3,
  leakDataCycles: 3,
  leakGcEvery: 2,
  scalePairs: [1, 2],
  scaleRounds: 2,
  scaleRepeats: 1,
  scaleEvents: 64,
  glareRounds: 2,
  dataBytes: 1024 * 1024,
  dataChunk: 16 * 1024,
  dataThreshold: 256 * 1024,
  dataRounds: 2,
  hangUpRounds: 2,
  sfuPublishers: [1, 2],
  sfuRounds: 1,
  callTimeoutMs: 15000,
};

const now = () => performance.now();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round3 = (x) => Math.round(x * 1000) / 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const withTimeout = (promise, ms, what) =>
  Promise.race([
    promise,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms),
    ),
  ]);
const gc = () => {
  if (typeof window.gc === "function") window.gc();
};
// The median over rounds of variant `a`'s time divided by variant `b`'s time in the same
// round: the variants of one round run back to back, so they see the same machine load.
const ratios = (samples, a, b) => samples[a].map((x, i) => x / samples[b][i]);
const pairedRatio = (samples, a, b) => median(ratios(samples, a, b));
// Uniform numbers in [0, 1) from a fixed seed (xorshift32): a bootstrap interval reads the
// same on a rerun of the same samples.
function seededRandom() {
  let seed = 0x9e3779b9;
  return () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
}
// A 95 % bootstrap interval of the median of `xs` (2,000 resamples, fixed seed): how far the
// figure could move on a rerun of the same machine. A verdict whose interval straddles the
// target is not resolved by this many rounds.
function medianCi95(xs) {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length < 2) return null;
  const rand = seededRandom();
  const meds = [];
  for (let i = 0; i < 2000; i++) {
    const resample = finite.map(() => finite[Math.floor(rand() * finite.length)]);
    meds.push(median(resample));
  }
  meds.sort((a, b) => a - b);
  return [meds[49], meds[1949]];
}
// The 95 % bootstrap interval of `stat(a) / stat(b)`, each side resampled on its own (for a
// figure that divides one variant's percentile by the other's rather than pairing samples).
function ratioCi95(a, b, stat) {
  const [fa, fb] = [a, b].map((xs) => xs.filter((x) => Number.isFinite(x)));
  if (fa.length < 2 || fb.length < 2) return null;
  const rand = seededRandom();
  const resample = (xs) => xs.map(() => xs[Math.floor(rand() * xs.length)]);
  const rs = [];
  for (let i = 0; i < 2000; i++) rs.push(stat(resample(fa)) / stat(resample(fb)));
  rs.sort((x, y) => x - y);
  return [rs[49], rs[1949]];
}
// Runs each variant once per round; odd rounds run them in reverse order (ABBA…).
async function interleave(rounds, variants, body) {
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const names = Object.keys(variants);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) samples[name].push(await body(name, variants[name], r));
  }
  return samples;
}
const state = (phase) => {
  window.benchState.phase = phase;
  document.getElementById("status").textContent = phase;
};

// ---- plain-JS counterparts of the Rust side (benches/web/src/call.rs) ----

async function jsNegotiate(caller, callee) {
  const offer = await caller.createOffer();
  await caller.setLocalDescription(offer);
  await callee.setRemoteDescription(offer);
  const answer = await callee.createAnswer();
  await callee.setLocalDescription(answer);
  await caller.setRemoteDescription(answer);
}

async function jsAttach(video, stream) {
  video.srcObject = stream;
  video.autoplay = true;
  video.playsInline = true;
  try {
    await video.play();
  } catch (err) {
    if (err && err.name === "NotAllowedError") {
      video.muted = true;
      await video.play();
    }
  }
}

async function jsOpenCall(source, video) {
  const caller = new RTCPeerConnection();
  const callee = new RTCPeerConnection();
  let tracks = 0;
  const onTrack = (event) => {
    tracks++;
    const stream = event.streams[0];
    if (video && stream) jsAttach(video, stream).catch(() => {});
  };
  const toCallee = (e) => {
    if (e.candidate) callee.addIceCandidate(e.candidate).catch(() => {});
  };
  const toCaller = (e) => {
    if (e.candidate) caller.addIceCandidate(e.candidate).catch(() => {});
  };
  callee.addEventListener("track", onTrack);
  caller.addEventListener("icecandidate", toCallee);
  callee.addEventListener("icecandidate", toCaller);
  if (source) {
    for (const track of source.getTracks()) caller.addTrack(track, source);
  } else {
    caller.addTransceiver("video", { direction: "sendrecv" });
  }
  const call = {
    caller: () => caller,
    callee: () => callee,
    track_events: () => tracks,
    close() {
      if (video) video.srcObject = null;
      caller.close();
      callee.close();
      callee.removeEventListener("track", onTrack);
      caller.removeEventListener("icecandidate", toCallee);
      callee.removeEventListener("icecandidate", toCaller);
    },
  };
  try {
    await jsNegotiate(caller, callee);
  } catch (err) {
    call.close();
    throw err;
  }
  return call;
}

async function jsEarlyCycle(source, video) {
  (await jsOpenCall(source, video)).close();
}

// Waits (bounded) until both ends are connected and have gathered every candidate: the call
// is fully set up, so nothing is still in flight when it is hung up.
async function untilSetUp(call, timeoutMs) {
  const a = call.caller();
  const b = call.callee();
  const deadline = now() + timeoutMs;
  const done = (pc) => pc.connectionState === "connected" && pc.iceGatheringState === "complete";
  while (!(done(a) && done(b))) {
    if (now() > deadline) {
      const st = (pc) => `${pc.connectionState}/${pc.iceGatheringState}`;
      throw new Error(`call not set up within ${timeoutMs} ms (caller ${st(a)}, callee ${st(b)})`);
    }
    await sleep(2);
  }
}

// The three `track` handlers of figures 2 and 6. Each reads the track and the first stream.
const HANDLERS = {
  js(pc) {
    let hits = 0;
    const fn = (event) => {
      const track = event.track;
      if (event.streams[0] !== undefined && track !== undefined) hits++;
    };
    pc.addEventListener("track", fn);
    return { hits: () => hits, free: () => pc.removeEventListener("track", fn) };
  },
  closure(pc) {
    const h = new rs.ClosureHandler(pc);
    return { hits: () => h.hits(), free: () => h.free() };
  },
  on_track(pc) {
    const h = new rs.OnTrackHandler(pc);
    return { hits: () => h.hits(), free: () => h.free() };
  },
};

// `count` RTCTrackEvents built with the constructor from `pc`'s first transceiver.
function trackEvents(pc, count) {
  const transceiver = pc.getTransceivers()[0];
  const receiver = transceiver.receiver;
  const track = receiver.track;
  const streams = [new MediaStream([track])];
  const events = new Array(count);
  for (let i = 0; i < count; i++) {
    events[i] = new RTCTrackEvent("track", { receiver, track, transceiver, streams });
  }
  return events;
}

// An animated canvas: the video source of figures 4, 5 and (at `fps`) 10.
function canvasSource(fps) {
  const canvas = document.createElement("canvas");
  canvas.width = 160;
  canvas.height = 120;
  const ctx = canvas.getContext("2d");
  let frame = 0;
  const paint = () => {
    frame++;
    ctx.fillStyle = `hsl(${(frame * 7) % 360} 70% 50%)`;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect((frame * 3) % canvas.width, 40, 20, 20);
  };
  paint();
  // Paint every 4 ms and capture every paint, so the wait for the next source frame is
  // short next to the call setup being measured.
  const timer = setInterval(paint, 4);
  const stream = fps ? canvas.captureStream(fps) : canvas.captureStream();
  return {
    stream,
    stop() {
      clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

function newVideo() {
  const video = document.createElement("video");
  video.muted = true;
  document.getElementById("videos").append(video);
  return video;
}

// Resolves with the time the element presents its first frame.
function firstFrame(video) {
  if (typeof video.requestVideoFrameCallback === "function") {
    return new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(now())));
  }
  return new Promise((resolve) => {
    const poll = () => (video.videoWidth > 0 ? resolve(now()) : setTimeout(poll, 1));
    poll();
  });
}

// ---- the figures ----

// Figure 2: dispatching constructed RTCTrackEvents on one connection.
async function figDispatch(cfg) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  const run = (name, install, events) => {
    const handler = install(pc);
    gc(); // garbage of earlier rounds must not be collected inside this one
    const t0 = now();
    for (let i = 0; i < events.length; i++) pc.dispatchEvent(events[i]);
    const ms = now() - t0;
    const hits = handler.hits();
    handler.free();
    if (hits !== events.length)
      throw new Error(`${name}: ${hits} of ${events.length} events handled`);
    return (ms * 1e6) / events.length; // ns per event
  };
  try {
    // Warm-up (JIT, wasm tiering), not recorded.
    await interleave(1, HANDLERS, async (name, install) =>
      run(name, install, trackEvents(pc, Math.min(cfg.dispatchEvents, 2000))),
    );
    const samples = await interleave(cfg.dispatchRounds, HANDLERS, async (name, install) => {
      const events = trackEvents(pc, cfg.dispatchEvents);
      await sleep(0);
      return run(name, install, events);
    });
    const ns = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    return {
      unit: "ns/event",
      events_per_variant: cfg.dispatchRounds * cfg.dispatchEvents,
      rounds: cfg.dispatchRounds,
      median_ns: ns,
      samples_ns: samples,
      ratio_closure: pairedRatio(samples, "closure", "js"),
      ratio: pairedRatio(samples, "on_track", "js"),
      ci95: medianCi95(ratios(samples, "on_track", "js")),
      target: 1.3,
    };
  } finally {
    pc.close();
  }
}

// Figure 3: offer/answer round trips on one loopback pair, renegotiated every round.
async function figOfferAnswer(cfg) {
  const caller = new RTCPeerConnection();
  const callee = new RTCPeerConnection();
  caller.addTransceiver("video", { direction: "sendrecv" });
  caller.addTransceiver("audio", { direction: "sendrecv" });
  const variants = {
    js: () => jsNegotiate(caller, callee),
    web_sys: () => rs.offer_answer_web_sys(caller, callee),
    rtc_peer: () => rs.offer_answer(caller, callee),
  };
  // One sample = `oaBlock` round trips back to back (1, or 10 on a coarse clock), in ms per
  // round trip.
  const block = Math.max(1, cfg.oaBlock || 1);
  const time = async (name, round) => {
    const t0 = now();
    for (let i = 0; i < block; i++) {
      await withTimeout(round(), cfg.callTimeoutMs, `offer/answer (${name})`);
    }
    return (now() - t0) / block;
  };
  try {
    await interleave(Math.min(5, cfg.oaRounds), variants, time);
    const samples = await interleave(Math.ceil(cfg.oaRounds / block), variants, time);
    const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    return {
      unit: "ms/round",
      rounds: Math.ceil(cfg.oaRounds / block) * block,
      round_trips_per_sample: block,
      median_ms: ms,
      samples_ms: samples,
      ratio_web_sys: pairedRatio(samples, "web_sys", "js"),
      ratio: pairedRatio(samples, "rtc_peer", "js"),
      ci95: medianCi95(ratios(samples, "rtc_peer", "js")),
      target: 1.05,
    };
  } finally {
    caller.close();
    callee.close();
  }
}

// Figure 4: from creating the connections to the first remote frame on a <video>.
async function figFirstFrame(cfg) {
  const source = canvasSource();
  const usesRvfc = typeof HTMLVideoElement.prototype.requestVideoFrameCallback === "function";
  const variants = {
    js: (video) => jsOpenCall(source.stream, video),
    rtc_peer: (video) => rs.open_call(source.stream, video),
  };
  const time = async (name, open) => {
    const video = newVideo();
    const shown = firstFrame(video);
    const t0 = now();
    const call = await withTimeout(open(video), cfg.callTimeoutMs, `call (${name})`);
    try {
      const t1 = await withTimeout(shown, cfg.callTimeoutMs, `first remote frame (${name})`);
      return t1 - t0;
    } finally {
      call.close();
      video.remove();
    }
  };
  try {
    await interleave(1, variants, time);
    const samples = await interleave(cfg.frameCalls, variants, time);
    const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    return {
      unit: "ms",
      calls: cfg.frameCalls,
      detection: usesRvfc ? "requestVideoFrameCallback" : "videoWidth polling",
      median_ms: ms,
      samples_ms: samples,
      ratio: pairedRatio(samples, "rtc_peer", "js"),
      ci95: medianCi95(ratios(samples, "rtc_peer", "js")),
      target: 1.05,
    };
  } finally {
    source.stop();
  }
}

// Figure 5: create → negotiate → on_track → attach → close, many times.
async function figLeak(cfg) {
  const source = canvasSource();
  const video = newVideo();
  const reading = async () => {
    gc();
    await sleep(100); // finalization callbacks run in a later task
    gc();
    await sleep(100);
    return {
      // Only meaningful after forced collections (Chromium's window.gc).
      connections_alive:
        typeof window.gc === "function" ? connections.created - connections.collected : null,
      connections_open: (connections.weak = connections.weak.filter((r) => r.deref()))
        .filter((r) => r.deref()?.signalingState !== "closed").length,
      wasm_bytes: wasm.memory.buffer.byteLength,
      rust_heap_bytes: rs.rust_heap_bytes(),
      js_heap_bytes: performance.memory ? performance.memory.usedJSHeapSize : null,
      listeners_pc: listeners.pc,
      listeners_all: listeners.all,
      pending_attach: rs.pending_attach(),
      pending_candidates: rs.pending_candidates(),
    };
  };
  const block = async (name, cycle, cycles) => {
    for (let i = 0; i < cfg.leakWarmup; i++) await cycle(source.stream, video);
    await sleep(50);
    const before = await reading();
    const times = [];
    const trace = []; // [cycles, wasm bytes, Rust heap bytes, pending attach, pending candidates] per 100 cycles
    let error = null;
    let done = 0;
    try {
      for (; done < cycles; done++) {
        const t0 = now();
        await cycle(source.stream, video);
        times.push(now() - t0);
        // Chromium counts closed connections against its limit until they are collected;
        // forced collections stand in for the browser's own, so only connections that are
        // still referenced (leaked) can reach the limit.
        if (done % cfg.leakGcEvery === cfg.leakGcEvery - 1) gc();
        if (done % 100 === 99) {
          state(`figure 5: ${name} ${done + 1}/${cycles}`);
          trace.push([
            done + 1,
            wasm.memory.buffer.byteLength,
            rs.rust_heap_bytes(),
            rs.pending_attach(),
            rs.pending_candidates(),
          ]);
        }
      }
    } catch (err) {
      error = `cycle ${done + 1}: ${err && err.name ? err.name + ": " : ""}${err && err.message ? err.message : err}`;
    }
    await sleep(1000); // in-flight futures settle; what is still pending then is stuck
    const after = await reading();
    return {
      cycles: done,
      error,
      median_cycle_ms: median(times),
      before,
      after,
      wasm_growth_bytes: after.wasm_bytes - before.wasm_bytes,
      rust_heap_growth_bytes: after.rust_heap_bytes - before.rust_heap_bytes,
      connections_left:
        after.connections_alive === null
          ? null
          : after.connections_alive - before.connections_alive,
      js_heap_growth_bytes:
        after.js_heap_bytes === null ? null : after.js_heap_bytes - before.js_heap_bytes,
      connections_open_left: after.connections_open,
      listeners_left_pc: after.listeners_pc - before.listeners_pc,
      listeners_left_all: after.listeners_all - before.listeners_all,
      pending_attach_left: after.pending_attach - before.pending_attach,
      pending_candidates_left: after.pending_candidates - before.pending_candidates,
      trace,
    };
  };
  try {
    // Blocks, not interleaved: memory growth must be attributable to one variant. Plain JS
    // first, so what rtc-peer leaves behind cannot be blamed on the baseline.
    const setUp = (open) => async (s, v) => {
      const call = await open(s, v);
      try {
        await untilSetUp(call, cfg.callTimeoutMs);
      } finally {
        call.close();
      }
    };
    const js = await block("js", setUp(jsOpenCall), cfg.leakCycles);
    const rtc_peer = await block("rtc-peer", setUp(rs.open_call), cfg.leakCycles);
    // Hanging up while the call is still being set up (candidates in flight).
    const early_js = await block("js, hang-up during setup", jsEarlyCycle, cfg.leakEarlyCycles);
    const early_rtc_peer = await block(
      "rtc-peer, hang-up during setup",
      rs.call_cycle,
      cfg.leakEarlyCycles,
    );
    // Data-channel calls: a channel, a message each way, writable(), its listeners, closed.
    const data_rtc_peer = await block(
      "rtc-peer, data channels",
      () => withTimeout(rs.data_cycle(), cfg.callTimeoutMs, "data-channel call"),
      cfg.leakDataCycles,
    );
    return {
      heap_readings: performance.memory ? "performance.memory.usedJSHeapSize" : "unavailable",
      forced_gc: typeof window.gc === "function",
      gc_every_cycles: typeof window.gc === "function" ? cfg.leakGcEvery : null,
      rtc_peer,
      js,
      hang_up_during_setup: { rtc_peer: early_rtc_peer, js: early_js },
      data_channels: { rtc_peer: data_rtc_peer },
      ratio: rtc_peer.median_cycle_ms / js.median_cycle_ms,
      // Every block: no growth, no listener, no connection left open, no future pending.
      met: [
        [rtc_peer, cfg.leakCycles],
        [early_rtc_peer, cfg.leakEarlyCycles],
        [data_rtc_peer, cfg.leakDataCycles],
      ].every(
        ([b, cycles]) =>
          b.error === null &&
          b.cycles === cycles &&
          b.wasm_growth_bytes === 0 &&
          b.rust_heap_growth_bytes <= 0 &&
          b.listeners_left_pc === 0 &&
          b.listeners_left_all === 0 &&
          b.connections_open_left === 0 &&
          b.pending_attach_left === 0 &&
          b.pending_candidates_left === 0,
      ),
    };
  } finally {
    video.remove();
    source.stop();
  }
}

// Figure 6: track-event handling cost per pair with 1, 8, 32 live loopback pairs.
// Every round opens each pair count afresh (sizes in alternating order: 1, 8, 32 then
// 32, 8, 1), dispatches the same number of constructed track events spread round-robin over
// the pairs' callees, once per handler variant, and closes the pairs again.
async function figScale(cfg) {
  const variants = { js: HANDLERS.js, on_track: HANDLERS.on_track };
  const sizes = cfg.scalePairs;
  const samples = Object.fromEntries(sizes.map((n) => [n, { js: [], on_track: [] }]));
  const openMs = Object.fromEntries(sizes.map((n) => [n, []]));
  const measure = async (n, round) => {
    const t0 = now();
    const calls = await withTimeout(
      Promise.all(Array.from({ length: n }, () => rs.open_call(null, null))),
      cfg.callTimeoutMs * 2,
      `${n} pairs`,
    );
    const opened = (now() - t0) / n;
    try {
      const real = calls.reduce((sum, c) => sum + c.track_events(), 0);
      if (real !== n) throw new Error(`${n} pairs: ${real} real track events, expected ${n}`);
      const pcs = calls.map((c) => c.callee());
      // Let ICE and DTLS finish first, so connection setup does not run inside the timing.
      const deadline = now() + cfg.callTimeoutMs;
      while (!pcs.every((pc) => pc.connectionState === "connected")) {
        if (now() > deadline) throw new Error(`${n} pairs: not all connected in time`);
        await sleep(10);
      }
      await sleep(50);
      const perPair = Math.max(1, Math.floor(cfg.scaleEvents / n));
      const result = { js: [], on_track: [] };
      for (let rep = 0; rep < cfg.scaleRepeats; rep++) {
        for (const name of (round + rep) % 2 ? ["on_track", "js"] : ["js", "on_track"]) {
          const events = pcs.map((pc) => trackEvents(pc, perPair));
          const handlers = pcs.map((pc) => variants[name](pc));
          gc();
          const t0 = now();
          for (let k = 0; k < perPair; k++) {
            for (let p = 0; p < n; p++) pcs[p].dispatchEvent(events[p][k]);
          }
          const ms = now() - t0;
          let hits = 0;
          for (const h of handlers) {
            hits += h.hits();
            h.free();
          }
          if (hits !== perPair * n) throw new Error(`${name}: ${hits} of ${perPair * n} handled`);
          result[name].push((ms * 1e6) / (perPair * n)); // ns per event = per pair per event
        }
      }
      return { opened, result: { js: median(result.js), on_track: median(result.on_track) } };
    } finally {
      for (const c of calls) c.close();
      gc();
    }
  };
  for (const n of sizes) await measure(n, 0); // warm-up, not recorded
  for (let r = 0; r < cfg.scaleRounds; r++) {
    const order = r % 2 ? [...sizes].reverse() : sizes;
    for (const n of order) {
      state(`figure 6: round ${r + 1}/${cfg.scaleRounds}, ${n} pairs`);
      const { opened, result } = await measure(n, r);
      openMs[n].push(opened);
      for (const name of Object.keys(result)) samples[n][name].push(result[name]);
    }
  }
  const perPairs = Object.fromEntries(
    sizes.map((n) => [
      n,
      {
        open_ms_per_pair: median(openMs[n]),
        median_ns: { js: median(samples[n].js), on_track: median(samples[n].on_track) },
        ratio_on_track_vs_js: pairedRatio(samples[n], "on_track", "js"),
      },
    ]),
  );
  const small = samples[sizes[0]];
  const big = samples[sizes[sizes.length - 1]];
  return {
    unit: "ns/event per pair",
    pairs: sizes,
    events_per_round: cfg.scaleEvents,
    rounds: cfg.scaleRounds,
    per_pairs: perPairs,
    // Per round: the largest pair count's cost over the smallest's (same round), median.
    ratio: median(big.on_track.map((x, i) => x / small.on_track[i])),
    ci95: medianCi95(big.on_track.map((x, i) => x / small.on_track[i])),
    ratio_js: median(big.js.map((x, i) => x / small.js[i])),
    target: 1.2,
  };
}

// ---- perfect negotiation and data channels (figures 7-9) ----

// A signalling channel inside the page: messages (text) are delivered in order, each in a task
// of its own (a MessageChannel: no timer clamping), as a WebSocket delivers them.
function pageChannel(deliver) {
  const { port1, port2 } = new MessageChannel();
  port2.onmessage = (event) => deliver(event.data);
  return {
    send: (text) => port1.postMessage(text),
    close() {
      port1.close();
      port2.close();
    },
  };
}

// MDN's perfect-negotiation pattern ("Establishing a connection: The WebRTC perfect
// negotiation pattern") in plain JS, on `pc`: the baseline of figures 7 and 9. Signals go to
// `send` as JSON text; `receive(text)` applies one. `errors` counts what was not expected.
function perfectNegotiation(pc, polite, send) {
  let makingOffer = false;
  let ignoreOffer = false;
  let isSettingRemoteAnswerPending = false;
  const peer = { errors: 0, lastError: null };
  const fail = (err) => {
    peer.errors++;
    peer.lastError = String(err);
  };
  const onNegotiationNeeded = async () => {
    try {
      makingOffer = true;
      await pc.setLocalDescription();
      send(JSON.stringify({ description: pc.localDescription }));
    } catch (err) {
      fail(err);
    } finally {
      makingOffer = false;
    }
  };
  const onIceCandidate = ({ candidate }) => send(JSON.stringify({ candidate }));
  pc.addEventListener("negotiationneeded", onNegotiationNeeded);
  pc.addEventListener("icecandidate", onIceCandidate);
  peer.receive = async (text) => {
    const { description, candidate } = JSON.parse(text);
    try {
      if (description) {
        const readyForOffer =
          !makingOffer && (pc.signalingState === "stable" || isSettingRemoteAnswerPending);
        const offerCollision = description.type === "offer" && !readyForOffer;
        ignoreOffer = !polite && offerCollision;
        if (ignoreOffer) return;
        isSettingRemoteAnswerPending = description.type === "answer";
        await pc.setRemoteDescription(description);
        isSettingRemoteAnswerPending = false;
        if (description.type === "offer") {
          await pc.setLocalDescription();
          send(JSON.stringify({ description: pc.localDescription }));
        }
      } else if (candidate) {
        try {
          await pc.addIceCandidate(candidate);
        } catch (err) {
          if (!ignoreOffer) throw err;
        }
      }
    } catch (err) {
      if (pc.signalingState !== "closed") fail(err);
    }
  };
  peer.free = () => {
    pc.removeEventListener("negotiationneeded", onNegotiationNeeded);
    pc.removeEventListener("icecandidate", onIceCandidate);
  };
  return peer;
}

// Two connections, `a` impolite and `b` polite, negotiating through page channels: plain JS
// (MDN's pattern) or rtc-peer's `Negotiator` (`liveness`: its liveness channel on, as
// `negotiate` does by default; the JS side then opens the same negotiated channel, id 1023).
const NEGOTIATED = {
  js(liveness) {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    let pa = null;
    let pb = null;
    const toB = pageChannel((text) => pb.receive(text));
    const toA = pageChannel((text) => pa.receive(text));
    pa = perfectNegotiation(a, false, toB.send);
    pb = perfectNegotiation(b, true, toA.send);
    // As rtc-peer's negotiator does: the impolite side opens its channel with the first
    // offer, the polite side once the `m=application` section is negotiated (Chromium closes
    // a channel whose first offer is rolled back in glare).
    const open = (pc) => pc.createDataChannel("liveness", { negotiated: true, id: 1023 });
    const channels = liveness ? [open(a)] : [];
    const onSignaling = () => {
      if (liveness && channels.length === 1 && b.sctp) channels.push(open(b));
    };
    b.addEventListener("signalingstatechange", onSignaling);
    return {
      a,
      b,
      addTrack(pc, stream) {
        pc.addTrack(stream.getVideoTracks()[0], stream);
      },
      livenessOpen: () => channels.length === 2 && channels.every((c) => c.readyState === "open"),
      // Resolves with the time `b` learns that `a` has gone (its channel's `close`).
      endedAtB: () =>
        new Promise((resolve) =>
          channels[1].addEventListener("close", () => resolve(now()), { once: true }),
        ),
      errors: () => pa.errors + pb.errors,
      lastError: () => pa.lastError || pb.lastError,
      close() {
        a.close();
        b.close();
        b.removeEventListener("signalingstatechange", onSignaling);
        pa.free();
        pb.free();
        toA.close();
        toB.close();
      },
    };
  },
  rtc_peer(liveness) {
    let pair = null;
    let errors = 0;
    let lastError = null;
    const fail = (err) => {
      errors++;
      lastError = String(err);
    };
    const toB = pageChannel((text) => pair.receive_b(text).catch(fail));
    const toA = pageChannel((text) => pair.receive_a(text).catch(fail));
    pair = new rs.NegotiatedPair(liveness, toB.send, toA.send);
    const a = pair.a();
    const b = pair.b();
    return {
      a,
      b,
      addTrack(pc, stream) {
        if (pc === a) pair.add_track_a(stream);
        else pair.add_track_b(stream);
      },
      addTracksBoth: (stream) => pair.add_track_both(stream),
      livenessOpen: () => pair.liveness_open(),
      endedAtB: () => new Promise((resolve) => pair.on_end_b(() => resolve(now()))),
      errors: () => errors,
      lastError: () => lastError,
      close() {
        pair.close();
        pair.free();
        toA.close();
        toB.close();
      },
    };
  },
};

// Resolves with the time both `a` and `b` are `stable` and each has seen a `track` event.
function glareConverged(a, b, timeoutMs) {
  return new Promise((resolve, reject) => {
    const seen = new Map([
      [a, 0],
      [b, 0],
    ]);
    const check = () => {
      if (
        seen.get(a) > 0 &&
        seen.get(b) > 0 &&
        a.signalingState === "stable" &&
        b.signalingState === "stable"
      ) {
        done();
        resolve(now());
      }
    };
    const onTrack = (event) => {
      seen.set(event.currentTarget, seen.get(event.currentTarget) + 1);
      check();
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(
          `no convergence within ${timeoutMs} ms (a: ${a.signalingState}, ${seen.get(a)} tracks; b: ${b.signalingState}, ${seen.get(b)} tracks)`,
        ),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      for (const pc of [a, b]) {
        pc.removeEventListener("track", onTrack);
        pc.removeEventListener("signalingstatechange", check);
      }
    };
    for (const pc of [a, b]) {
      pc.addEventListener("track", onTrack);
      pc.addEventListener("signalingstatechange", check);
    }
  });
}

// Figure 7: glare. Both sides add a video track in the same task, on a fresh pair each round;
// timed until both are stable and both have seen the other's track.
async function figGlare(cfg) {
  const source = canvasSource();
  const time = async (name, open) => {
    const pair = open(false);
    try {
      await sleep(0);
      const converged = glareConverged(pair.a, pair.b, cfg.callTimeoutMs);
      const t0 = now();
      if (pair.addTracksBoth) pair.addTracksBoth(source.stream);
      else {
        pair.addTrack(pair.a, source.stream);
        pair.addTrack(pair.b, source.stream);
      }
      const t1 = await converged;
      if (pair.errors() > 0) throw new Error(`${name}: ${pair.errors()} errors: ${pair.lastError()}`);
      return t1 - t0;
    } finally {
      pair.close();
    }
  };
  try {
    await interleave(1, NEGOTIATED, time);
    const samples = await interleave(cfg.glareRounds, NEGOTIATED, time);
    const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    return {
      unit: "ms",
      rounds: cfg.glareRounds,
      median_ms: ms,
      samples_ms: samples,
      ratio: pairedRatio(samples, "rtc_peer", "js"),
      ci95: medianCi95(ratios(samples, "rtc_peer", "js")),
      target: 1.05,
    };
  } finally {
    source.stop();
  }
}

// The nearest-rank percentile `p` (0-100) of `xs`.
const percentile = (xs, p) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

// Figure 9: hang-up detection. A call negotiated with a liveness channel (rtc-peer's, or the
// same negotiated channel in plain JS); `a` closes its connection and its `Bye` is never sent;
// timed until `b` learns it (rtc-peer: `on_end`; plain JS: the channel's `close` event).
async function figHangUp(cfg) {
  const source = canvasSource();
  const time = async (name, open) => {
    const pair = open(true);
    try {
      pair.addTrack(pair.a, source.stream);
      const deadline = now() + cfg.callTimeoutMs;
      while (!(pair.livenessOpen() && pair.b.connectionState === "connected")) {
        if (now() > deadline) {
          throw new Error(
            `${name}: not set up within ${cfg.callTimeoutMs} ms (b ${pair.b.connectionState}, errors ${pair.errors()}: ${pair.lastError()})`,
          );
        }
        await sleep(5);
      }
      await sleep(20);
      const ended = pair.endedAtB();
      const t0 = now();
      pair.a.close();
      const t1 = await withTimeout(ended, cfg.callTimeoutMs, `${name}: b to learn of the hang-up`);
      return t1 - t0;
    } finally {
      pair.close();
    }
  };
  try {
    await interleave(1, NEGOTIATED, time);
    const samples = await interleave(cfg.hangUpRounds, NEGOTIATED, time);
    const p = (k, q) => percentile(samples[k], q);
    return {
      unit: "ms",
      rounds: cfg.hangUpRounds,
      p50_ms: { js: p("js", 50), rtc_peer: p("rtc_peer", 50) },
      p95_ms: { js: p("js", 95), rtc_peer: p("rtc_peer", 95) },
      samples_ms: samples,
      // p50 against p50: single calls of 1-3 ms are too noisy (and, on a 1 ms clock, too
      // coarse) to pair.
      ratio: p("rtc_peer", 50) / p("js", 50),
      // The p50s resampled on their own: whether 20 calls can tell met from missed.
      ci95: ratioCi95(samples.rtc_peer, samples.js, (xs) => percentile(xs, 50)),
      target: 1.05,
    };
  } finally {
    source.stop();
  }
}

// A plain-JS loopback pair with one negotiated, ordered data channel (id 0): figure 8's baseline.
async function jsOpenDataPair() {
  const caller = new RTCPeerConnection();
  const callee = new RTCPeerConnection();
  const sender = caller.createDataChannel("bench", { negotiated: true, id: 0 });
  const receiver = callee.createDataChannel("bench", { negotiated: true, id: 0 });
  receiver.binaryType = "arraybuffer";
  const toCallee = (e) => {
    if (e.candidate) callee.addIceCandidate(e.candidate).catch(() => {});
  };
  const toCaller = (e) => {
    if (e.candidate) caller.addIceCandidate(e.candidate).catch(() => {});
  };
  caller.addEventListener("icecandidate", toCallee);
  callee.addEventListener("icecandidate", toCaller);
  const pair = {
    sender: () => sender,
    receiver: () => receiver,
    // Sends `total` bytes in `chunk`-byte messages, waiting for `bufferedamountlow` whenever
    // more than `threshold` is queued; resolves once the receiver has them all.
    transfer(total, chunk, threshold) {
      sender.bufferedAmountLowThreshold = threshold;
      const data = new Uint8Array(chunk).fill(0x5a);
      const received = new Promise((resolve) => {
        let bytes = 0;
        const onMessage = (event) => {
          bytes += event.data.byteLength;
          if (bytes >= total) {
            receiver.removeEventListener("message", onMessage);
            resolve(bytes);
          }
        };
        receiver.addEventListener("message", onMessage);
      });
      const send = async () => {
        for (let sent = 0; sent < total; ) {
          if (sender.bufferedAmount > sender.bufferedAmountLowThreshold) {
            await new Promise((resolve) =>
              sender.addEventListener("bufferedamountlow", resolve, { once: true }),
            );
          }
          const n = Math.min(chunk, total - sent);
          sender.send(n === chunk ? data : data.subarray(0, n));
          sent += n;
        }
      };
      return Promise.all([send(), received]).then(([, bytes]) => bytes);
    },
    close() {
      caller.close();
      callee.close();
      caller.removeEventListener("icecandidate", toCallee);
      callee.removeEventListener("icecandidate", toCaller);
    },
  };
  await jsNegotiate(caller, callee);
  return pair;
}

// Figure 8: data-channel throughput, `dataBytes` in 16 KiB messages with a 256 KiB low-water
// mark (rtc-peer's default), on one pair per variant opened before the rounds.
async function figThroughput(cfg) {
  const pairs = { js: await jsOpenDataPair(), rtc_peer: await rs.open_data_pair() };
  try {
    const deadline = now() + cfg.callTimeoutMs;
    const open = (p) => p.sender().readyState === "open" && p.receiver().readyState === "open";
    while (!(open(pairs.js) && open(pairs.rtc_peer))) {
      if (now() > deadline) throw new Error("data channels not open in time");
      await sleep(5);
    }
    const time = async (name, pair) => {
      const t0 = now();
      const bytes = await withTimeout(
        pair.transfer(cfg.dataBytes, cfg.dataChunk, cfg.dataThreshold),
        cfg.callTimeoutMs * 4,
        `${name}: ${cfg.dataBytes} bytes`,
      );
      const ms = now() - t0;
      if (bytes !== cfg.dataBytes) throw new Error(`${name}: ${bytes} of ${cfg.dataBytes} bytes`);
      return ms;
    };
    await interleave(1, pairs, time);
    const samples = await interleave(cfg.dataRounds, pairs, time);
    const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const mbps = Object.fromEntries(
      Object.entries(ms).map(([k, v]) => [k, cfg.dataBytes / 1e6 / (v / 1000)]),
    );
    // Throughput, rtc-peer's over plain JS's: the JS time over rtc-peer's in the same round.
    const inverse = ratios(samples, "js", "rtc_peer");
    return {
      unit: "MB/s",
      bytes: cfg.dataBytes,
      chunk: cfg.dataChunk,
      threshold: cfg.dataThreshold,
      rounds: cfg.dataRounds,
      median_ms: ms,
      megabytes_per_second: mbps,
      samples_ms: samples,
      ratio: median(inverse),
      ci95: medianCi95(inverse),
      higher_is_better: true,
      target: 0.95,
    };
  } finally {
    pairs.js.close();
    pairs.rtc_peer.close();
  }
}

// ---- an SFU: the subscriber's side of a Janus subscription (figure 10) ----

// Where the run serves its Janus's URL, in its network namespace (as for the Janus suites).
const JANUS_ENDPOINT = "http://127.0.0.1:4781/janus.json";

// A Janus REST session: requests, and its events long-polled into a queue that waits take
// from. Every wait has a deadline.
async function janusSession(base, timeoutMs) {
  let tx = 0;
  const post = async (url, body) => {
    const transaction = `bench-${++tx}`;
    const reply = await withTimeout(
      fetch(url, { method: "POST", body: JSON.stringify({ ...body, transaction }) }).then((r) =>
        r.json(),
      ),
      timeoutMs,
      `Janus's reply to ${body.janus} ${body.body ? body.body.request : ""}`,
    );
    if (reply.janus === "error") throw new Error(`Janus ${reply.error.code}: ${reply.error.reason}`);
    const data = reply.plugindata && reply.plugindata.data;
    if (data && data.error_code) throw new Error(`VideoRoom ${data.error_code}: ${data.error}`);
    return { reply, transaction };
  };
  const url = `${base}/${(await post(base, { janus: "create" })).reply.data.id}`;
  const events = [];
  const waiters = new Set();
  let open = true;
  (async () => {
    for (let rid = 0; open; rid++) {
      try {
        const list = await (await fetch(`${url}?maxev=10&rid=${rid}`)).json();
        for (const e of [].concat(list)) if (e.janus !== "keepalive") events.push(e);
        for (const check of [...waiters]) check();
      } catch {
        if (open) await sleep(100);
      }
    }
  })();
  // The first queued event for which `pred` holds, taken off the queue.
  const next = (pred, what) =>
    withTimeout(
      new Promise((resolve) => {
        const check = () => {
          const i = events.findIndex(pred);
          if (i < 0) return;
          waiters.delete(check);
          resolve(events.splice(i, 1)[0]);
        };
        waiters.add(check);
        check();
      }),
      timeoutMs,
      what,
    );
  const attach = async () => {
    const id = (await post(url, { janus: "attach", plugin: "janus.plugin.videoroom" })).reply.data.id;
    const handle = `${url}/${id}`;
    return {
      id,
      // A request Janus answers at once (creating a room).
      request: (body) => post(handle, { janus: "message", body }),
      // A request answered by an event: resolves with that event (or fails with its error).
      send: async (body, jsep, what) => {
        const { transaction } = await post(handle, { janus: "message", body, jsep });
        const event = await next((e) => e.sender === id && e.transaction === transaction, what);
        const data = event.plugindata && event.plugindata.data;
        if (data && data.error_code) throw new Error(`${what}: ${data.error_code} ${data.error}`);
        return event;
      },
      // Sends with no wait for the answering event.
      post: (body, jsep) => post(handle, { janus: "message", body, jsep }),
      detach: () => post(handle, { janus: "detach" }).catch(() => {}),
    };
  };
  const close = () => {
    open = false;
    return post(url, { janus: "destroy" }).catch(() => {});
  };
  return { attach, next, close };
}

// Resolves once `pc` has gathered its candidates (its description then carries them).
function gathered(pc, timeoutMs) {
  return withTimeout(
    new Promise((resolve) => {
      const check = () => pc.iceGatheringState === "complete" && resolve();
      pc.addEventListener("icegatheringstatechange", check);
      check();
    }),
    timeoutMs,
    "ICE gathering",
  );
}

// A publisher in `room` (plain JS, the same for both variants): joins, publishes `track`,
// and resolves once Janus reports its connection up.
async function janusPublisher(session, room, track, timeoutMs) {
  const handle = await session.attach();
  const joined = await handle.send({ request: "join", ptype: "publisher", room }, undefined, "join");
  const pc = new RTCPeerConnection();
  pc.addTransceiver(track, { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc, timeoutMs);
  const offer = { type: "offer", sdp: pc.localDescription.sdp };
  const answer = await handle.send({ request: "publish" }, offer, "Janus's answer to publish");
  await pc.setRemoteDescription(answer.jsep);
  await session.next((e) => e.janus === "webrtcup" && e.sender === handle.id, "publisher up");
  return { feed: joined.plugindata.data.id, pc, handle };
}

// The subscriber's side in plain JS: `ontrack` gives each track a `<video>` of its own, as
// `SfuSubscriber` does in Rust (benches/web/src/sfu.rs).
function jsSfuSubscriber(makeVideo) {
  const pc = new RTCPeerConnection();
  const videos = [];
  const onTrack = (event) => {
    const video = makeVideo();
    video.dataset.mid = event.transceiver.mid;
    videos.push(video);
    jsAttach(video, new MediaStream([event.track])).catch(() => {});
  };
  pc.addEventListener("track", onTrack);
  return {
    connection: () => pc,
    apply_offer: (sdp) => pc.setRemoteDescription({ type: "offer", sdp }),
    answer: async () => pc.setLocalDescription(await pc.createAnswer()),
    videos: () => videos,
    close() {
      pc.removeEventListener("track", onTrack);
      pc.close();
      for (const v of videos) {
        v.srcObject = null;
        v.remove();
      }
    },
  };
}

const SFU_VARIANTS = {
  js: () => jsSfuSubscriber(newVideo),
  rtc_peer: () => new rs.SfuSubscriber(newVideo),
};

// One subscription of `feeds` on a fresh handle and connection: from the subscribe request
// to the first frame of every track (requestVideoFrameCallback, or videoWidth where there is
// none), and the time applying Janus's offer took (its track events and their handlers) per
// track. Each track must play on the mid Janus lists for its feed.
async function sfuSubscribe(session, room, feeds, name, timeoutMs) {
  const handle = await session.attach();
  const sub = SFU_VARIANTS[name]();
  try {
    const streams = feeds.map((feed) => ({ feed }));
    const t0 = now();
    const offer = await handle.send(
      { request: "join", ptype: "subscriber", room, streams },
      undefined,
      `Janus's offer of ${feeds.length} feeds`,
    );
    const t1 = now();
    await sub.apply_offer(offer.jsep.sdp);
    const t2 = now();
    const videos = sub.videos();
    const listed = offer.plugindata.data.streams.filter((s) => feeds.includes(s.feed_id));
    const mids = videos.map((v) => v.dataset.mid).sort();
    if (listed.length !== feeds.length || listed.map((s) => s.mid).sort().join() !== mids.join()) {
      throw new Error(`${name}: track mids ${mids} for Janus's ${JSON.stringify(listed)}`);
    }
    const frames = Promise.all(videos.map(firstFrame));
    await sub.answer();
    const pc = sub.connection();
    await gathered(pc, timeoutMs);
    await handle.post({ request: "start" }, { type: "answer", sdp: pc.localDescription.sdp });
    const shown = await withTimeout(frames, timeoutMs, `${name}: ${feeds.length} first frames`);
    return { frames_ms: Math.max(...shown) - t0, per_track_ms: (t2 - t1) / feeds.length };
  } finally {
    sub.close();
    await handle.detach();
  }
}

// Figure 10: 1, 4 and 8 publishers in one room of the run's Janus; each round subscribes to
// the first N of them once per variant (sizes and variants in alternating order).
async function figSfu(cfg) {
  if (cfg.janus_error) throw new Error(`the run's Janus did not start: ${cfg.janus_error}`);
  const endpoint = await withTimeout(
    fetch(JANUS_ENDPOINT).then((r) => r.json()),
    5000,
    `the run's Janus at ${JANUS_ENDPOINT}`,
  );
  const session = await janusSession(endpoint.url, cfg.callTimeoutMs);
  // 30 fps: eight encoders of every paint would starve a 2-core machine.
  const source = canvasSource(30);
  const publishers = [];
  const sizes = cfg.sfuPublishers;
  const most = Math.max(...sizes);
  try {
    const room = 100000 + Math.floor(Math.random() * 1e9);
    const admin = await session.attach();
    await admin.request({ request: "create", room, publishers: most, permanent: false });
    const track = source.stream.getVideoTracks()[0];
    for (let i = 0; i < most; i++) {
      state(`figure 10: publisher ${i + 1} of ${most} joins`);
      publishers.push(await janusPublisher(session, room, track, cfg.callTimeoutMs));
    }
    const feeds = publishers.map((p) => p.feed);
    const names = Object.keys(SFU_VARIANTS);
    const samples = Object.fromEntries(sizes.map((n) => [n, { js: [], rtc_peer: [] }]));
    for (let r = -1; r < cfg.sfuRounds; r++) {
      for (const n of r % 2 ? [...sizes].reverse() : sizes) {
        for (const name of (r + n) % 2 ? [...names].reverse() : names) {
          state(`figure 10: round ${r + 1} of ${cfg.sfuRounds}, ${n} feeds, ${name}`);
          const s = await sfuSubscribe(session, room, feeds.slice(0, n), name, cfg.callTimeoutMs);
          if (r >= 0) samples[n][name].push(s); // round -1 warms up
        }
      }
    }
    const of = (n, name, key) => samples[n][name].map((s) => s[key]);
    const scale = (name) => of(most, name, "per_track_ms").map((x, i) => x / of(sizes[0], name, "per_track_ms")[i]);
    const perSize = Object.fromEntries(
      sizes.map((n) => {
        const m = (name, key) => median(of(n, name, key));
        const frames = of(n, "rtc_peer", "frames_ms").map((x, i) => x / of(n, "js", "frames_ms")[i]);
        return [n, {
          frames_ms: { js: m("js", "frames_ms"), rtc_peer: m("rtc_peer", "frames_ms") },
          per_track_ms: { js: m("js", "per_track_ms"), rtc_peer: m("rtc_peer", "per_track_ms") },
          ratio_frames_vs_js: median(frames),
        }];
      }),
    );
    return {
      unit: "ms",
      publishers: sizes,
      rounds: cfg.sfuRounds,
      detection: typeof HTMLVideoElement.prototype.requestVideoFrameCallback === "function"
        ? "requestVideoFrameCallback" : "videoWidth polling",
      per_publishers: perSize,
      samples,
      // Per round: rtc-peer's cost per track at the most publishers over that at one.
      ratio: median(scale("rtc_peer")),
      ci95: medianCi95(scale("rtc_peer")),
      ratio_js: median(scale("js")),
      target: 1.2,
    };
  } finally {
    for (const p of publishers) {
      p.pc.close();
      await p.handle.detach();
    }
    await session.close();
    source.stop();
  }
}

const FIGURES = {
  2: ["dispatch", figDispatch],
  3: ["offer_answer", figOfferAnswer],
  4: ["first_frame", figFirstFrame],
  5: ["leak", figLeak],
  6: ["scale", figScale],
  7: ["glare", figGlare],
  8: ["throughput", figThroughput],
  9: ["hang_up", figHangUp],
  10: ["sfu", figSfu],
};

window.benchState = { done: false, phase: "idle", error: null };

// The smallest step performance.now() takes here (Chromium: 0.1 ms; Firefox: 1 ms in a page
// that is not cross-origin isolated, unless started with `privacy.reduceTimerPrecision` off,
// as the bench's Firefox sessions are: wasm-pack.toml's `[firefox.bench.prefs]`).
function timerStepMs() {
  let step = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = now();
    let t1 = now();
    while (t1 === t0) t1 = now();
    step = Math.min(step, t1 - t0);
  }
  return step;
}

window.runBench = async (options) => {
  const timerStep = timerStepMs();
  const base = { ...(options && options.smoke ? SMOKE : FULL) };
  if (timerStep >= 0.5 && !(options && options.smoke)) {
    // A coarse clock (a browser started without the bench's settings): longer timed runs, so
    // each lasts many clock steps (figure 2 then dispatches 200,000 events per variant instead
    // of 100,000, and the table says so; figure 3 times blocks of 10 round trips). With the
    // bench's settings both browsers step well below 0.5 ms and run the same counts.
    base.dispatchEvents = 8000;
    base.dispatchRounds = 25;
    base.scaleEvents *= 4;
    base.oaBlock = 10;
  }
  const cfg = { ...base, ...(options || {}) };
  // `XTASK_BENCH_ONLY`: only the figures named by key.
  if (Array.isArray(cfg.only)) cfg.figures = cfg.figures.filter((n) => cfg.only.includes(FIGURES[n][0]));
  window.benchState = { done: false, phase: "starting", error: null };
  const results = {
    user_agent: navigator.userAgent,
    timer_step_ms: timerStep,
    config: cfg,
    figures: {},
    errors: {},
    seconds: {},
  };
  window.benchResults = results;
  try {
    for (const fig of cfg.figures) {
      const [key, run] = FIGURES[fig];
      state(`figure ${fig}: ${key}`);
      const t0 = now();
      try {
        results.figures[key] = await run(cfg);
      } catch (err) {
        results.errors[key] =
          `${err && err.name ? err.name + ": " : ""}${err && err.message ? err.message : err}`;
      }
      results.seconds[key] = round3((now() - t0) / 1000);
      await sleep(100);
    }
  } catch (err) {
    window.benchState.error = String(err);
  }
  document.getElementById("out").textContent = JSON.stringify(results, null, 2);
  state("done");
  window.benchState.done = true;
  return results;
};

document.getElementById("run").addEventListener("click", () => window.runBench({}));
const params = new URLSearchParams(location.search);
if (params.has("run") || params.has("smoke")) window.runBench({ smoke: params.has("smoke") });
window.benchState.ready = true;
