// The JavaScript tests of the rtc-peer package. `tests(rtc)` takes the imported package (the
// `--target web` build in tests/js/index.html, the `--target bundler` build in
// examples/bundler-app) so both builds pass the same checks.

import { assert, assertSame, dropAndWaitCollected, waitFor } from "./harness.js";
import { canvasTrack, negotiate, pair } from "./loopback.js";

/** Whether this browser can parse `source` (a SyntaxError says it cannot). */
function parses(source) {
  try {
    new Function(source);
    return true;
  } catch (err) {
    return !(err instanceof SyntaxError);
  }
}

/** Records every raw `track` event of `pc` (a control listener, independent of the package). */
function rawTrackEvents(pc) {
  const events = [];
  pc.addEventListener("track", (event) => events.push(event));
  return events;
}

export function tests(rtc) {
  const { onTrack, connectPair, TrackSubscription } = rtc;
  return [
    {
      name: "the package exports onTrack, connectPair and TrackSubscription",
      async run() {
        assertSame(typeof onTrack, "function", "typeof onTrack");
        assertSame(typeof connectPair, "function", "typeof connectPair");
        assertSame(typeof TrackSubscription, "function", "typeof TrackSubscription");
      },
    },
    {
      name: "onTrack gives track, receiver, transceiver, streams and firstStream of a stream-carrying track",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        const track = canvasTrack(cleanup);
        const sent = new MediaStream([track]);
        a.addTrack(track, sent);
        const raw = rawTrackEvents(b);
        const views = [];
        const sub = onTrack(b, (view) => views.push(view));
        cleanup(() => sub.dispose());
        await negotiate(a, b);
        assertSame(views.length, 1, "track events delivered");
        assertSame(raw.length, 1, "raw track events");
        const [view] = views;
        const [event] = raw;
        assert(view.event instanceof RTCTrackEvent, "view.event is an RTCTrackEvent");
        assertSame(view.event, event, "view.event is the browser's event object");
        assert(view.track instanceof MediaStreamTrack, "view.track is a MediaStreamTrack");
        assertSame(view.track, event.track, "view.track");
        assertSame(view.track.kind, "video", "view.track.kind");
        assertSame(view.receiver, event.receiver, "view.receiver");
        assertSame(view.transceiver, event.transceiver, "view.transceiver");
        assertSame(view.transceiver.receiver, view.receiver, "transceiver.receiver");
        assert(b.getReceivers().includes(view.receiver), "receiver is in getReceivers()");
        assert(b.getTransceivers().includes(view.transceiver), "transceiver is in getTransceivers()");
        assert(Array.isArray(view.streams), "view.streams is an array");
        assertSame(view.streams.length, 1, "view.streams.length");
        assertSame(view.streams[0], event.streams[0], "view.streams[0]");
        assert(view.firstStream instanceof MediaStream, "view.firstStream is a MediaStream");
        assertSame(view.firstStream, view.streams[0], "view.firstStream");
        assert(view.firstStream.getTracks().includes(view.track), "firstStream holds the track");
        assert(Object.isFrozen(view), "the view is frozen");
        await waitFor(() => b.connectionState === "connected", 10000, "b.connectionState 'connected'");
      },
    },
    {
      name: "a track sent with no stream gives streams [] and firstStream undefined",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTrack(canvasTrack(cleanup));
        const views = [];
        const sub = onTrack(b, (view) => views.push(view));
        cleanup(() => sub.dispose());
        await negotiate(a, b);
        assertSame(views.length, 1, "track events delivered");
        const [view] = views;
        assertSame(view.streams.length, 0, "view.streams.length");
        assert("firstStream" in view, "view has a firstStream property");
        assertSame(view.firstStream, undefined, "view.firstStream");
        assertSame(view.event.streams.length, 0, "the raw event has no stream either");
      },
    },
    {
      name: "the callback runs inside setRemoteDescription, before its promise resolves",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        let resolved = false;
        let deliveredBeforeResolve = null;
        const sub = onTrack(b, () => {
          deliveredBeforeResolve = !resolved;
        });
        cleanup(() => sub.dispose());
        await a.setLocalDescription(await a.createOffer());
        await b.setRemoteDescription(a.localDescription).then(() => {
          resolved = true;
        });
        assertSame(deliveredBeforeResolve, true, "delivered before setRemoteDescription resolved");
      },
    },
    {
      name: "dispose() stops delivery, turns active false, and is idempotent",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        const raw = rawTrackEvents(b);
        let kept = 0;
        let disposed = 0;
        const keptSub = onTrack(b, () => kept++);
        const disposedSub = onTrack(b, () => disposed++);
        cleanup(() => keptSub.dispose());
        cleanup(() => disposedSub.dispose());
        assertSame(disposedSub.active, true, "active before dispose()");
        disposedSub.dispose();
        assertSame(disposedSub.active, false, "active after dispose()");
        disposedSub.dispose();
        assertSame(disposedSub.active, false, "active after a second dispose()");
        await negotiate(a, b);
        assertSame(raw.length, 1, "raw track events (control)");
        assertSame(kept, 1, "events to the subscription that was kept");
        assertSame(disposed, 0, "events to the disposed subscription");
      },
    },
    {
      name: "a subscription whose object is garbage-collected keeps delivering (only dispose() stops it)",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        let calls = 0;
        // The subscription object itself is dropped, and watched until it is finalized.
        await dropAndWaitCollected(
          () => onTrack(b, () => calls++),
          15000,
          "the dropped subscription object",
        );
        await negotiate(a, b);
        assertSame(calls, 1, "events delivered after the subscription object was collected");
      },
    },
    {
      name: "free() releases only the handle: delivery goes on until dispose()",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        let calls = 0;
        onTrack(b, () => calls++).free();
        await negotiate(a, b);
        assertSame(calls, 1, "events after free()");
      },
    },
    {
      name: "dispose() from inside the callback stops later deliveries (renegotiation)",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        const raw = rawTrackEvents(b);
        let calls = 0;
        const sub = onTrack(b, () => {
          calls++;
          sub.dispose();
        });
        cleanup(() => sub.dispose());
        await negotiate(a, b);
        assertSame(calls, 1, "calls after the first negotiation");
        assertSame(sub.active, false, "active after disposing inside the callback");
        a.addTransceiver("audio");
        await negotiate(a, b);
        assertSame(raw.length, 2, "raw track events after renegotiation (control)");
        assertSame(calls, 1, "calls after renegotiation");
      },
    },
    {
      name: "[Symbol.dispose] is present and releases the subscription",
      skip: { when: () => typeof Symbol.dispose !== "symbol", reason: "this browser has no Symbol.dispose" },
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        const raw = rawTrackEvents(b);
        let calls = 0;
        const sub = onTrack(b, () => calls++);
        assertSame(typeof sub[Symbol.dispose], "function", "typeof sub[Symbol.dispose]");
        sub[Symbol.dispose]();
        assertSame(sub.active, false, "active after [Symbol.dispose]()");
        await negotiate(a, b);
        assertSame(raw.length, 1, "raw track events (control)");
        assertSame(calls, 0, "events after [Symbol.dispose]()");
      },
    },
    {
      name: "a `using` declaration disposes the subscription at the end of its block",
      skip: {
        when: () => !parses("{ using held = null; }"),
        reason: "this browser cannot parse `using` declarations",
      },
      async run(cleanup) {
        // Any failure to load the module (not only a missing `using`) fails the test.
        const { usingBlock } = await import("./using.js");
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        const raw = rawTrackEvents(b);
        let calls = 0;
        const wasActive = usingBlock(onTrack, b, () => calls++);
        assertSame(wasActive, true, "active inside the using block");
        await negotiate(a, b);
        assertSame(raw.length, 1, "raw track events (control)");
        assertSame(calls, 0, "events after the using block ended");
      },
    },
    {
      name: "an exception in the callback is reported and later events still arrive",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.addTransceiver("video");
        a.addTransceiver("audio");
        const boom = new Error("boom from a test callback");
        const reported = [];
        const onError = (event) => {
          if (event.error === boom) {
            reported.push(event.error);
            event.preventDefault();
          }
        };
        window.addEventListener("error", onError);
        cleanup(() => window.removeEventListener("error", onError));
        const kinds = [];
        const sub = onTrack(b, ({ track }) => {
          kinds.push(track.kind);
          if (kinds.length === 1) throw boom;
        });
        cleanup(() => sub.dispose());
        await negotiate(a, b);
        assertSame(kinds.length, 2, "callback calls (the second event still arrives)");
        assertSame(reported.length, 1, "the exception was reported as a window error event");
        assert(sub.active, "the subscription is still active");
      },
    },
    {
      name: "wrong arguments throw a TypeError",
      async run(cleanup) {
        const { b } = pair(cleanup);
        for (const [what, call] of [
          ["a plain object as the connection", () => onTrack({}, () => {})],
          ["undefined as the connection", () => onTrack(undefined, () => {})],
          ["a number as the callback", () => onTrack(b, 42)],
        ]) {
          let thrown;
          try {
            call();
          } catch (err) {
            thrown = err;
          }
          assert(thrown !== undefined, `${what}: onTrack threw`);
          assert(thrown instanceof TypeError, `${what}: the error is a TypeError`);
          assertSame(thrown.name, "TypeError", `${what}: error name`);
          assert(thrown.message.includes("onTrack"), `${what}: the message names onTrack`);
        }
        const rejected = await connectPair(b, "not a connection").then(
          () => null,
          (err) => err,
        );
        assert(rejected instanceof TypeError, "connectPair with a string rejects with a TypeError");
      },
    },
    {
      name: "connectPair on a closed connection rejects with InvalidStateError and the browser's message",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        a.close();
        const expected = await a.createOffer().then(
          () => null,
          (err) => err,
        );
        assert(expected instanceof DOMException, "the browser's own createOffer rejects with a DOMException");
        const got = await connectPair(a, b).then(
          () => null,
          (err) => err,
        );
        assert(got !== null, "connectPair rejected");
        assert(got instanceof Error, "the rejection is an Error");
        assertSame(got.name, "InvalidStateError", "error name");
        assertSame(got.name, expected.name, "error name equals the browser's");
        assertSame(got.message, expected.message, "error message equals the browser's");
      },
    },
    {
      name: "connectPair opens a call whose first stream plays in a <video>",
      async run(cleanup) {
        const { a, b } = pair(cleanup);
        const track = canvasTrack(cleanup);
        a.addTrack(track, new MediaStream([track]));
        const video = document.createElement("video");
        video.muted = true;
        video.autoplay = true;
        video.playsInline = true;
        document.body.append(video);
        cleanup(() => video.remove());
        const sub = onTrack(b, ({ firstStream }) => {
          if (firstStream) video.srcObject = firstStream;
        });
        cleanup(() => sub.dispose());
        await connectPair(a, b);
        assert(video.srcObject instanceof MediaStream, "the callback set video.srcObject before connectPair resolved");
        await waitFor(() => a.connectionState === "connected" && b.connectionState === "connected", 10000, "both connections 'connected'");
        await waitFor(() => video.videoWidth > 0, 10000, "the remote video to have frames (videoWidth > 0)");
        assertSame(video.videoWidth, 160, "remote videoWidth");
      },
    },
  ];
}
