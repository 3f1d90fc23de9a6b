// A TypeScript consumer of the rtc-peer package (`--target web`, in ../../pkg).
// `cargo xtask test` checks it with `tsc --strict --noEmit` (see tsconfig.json): it must
// compile, and the type-level checks below fail to compile if any type in the API were `any`
// or differed from the DOM type it should be.

import init, { connectPair, onTrack, TrackSubscription } from "rtc-peer";
import type { TrackCallback, TrackView } from "rtc-peer";

/** `true` only when `A` and `B` are the same type (and neither is `any` unless both are). */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is `true`. */
function expectType<T extends true>(): T | void {}

// The function signatures name DOM types, exactly.
expectType<Equals<Parameters<typeof onTrack>, [pc: RTCPeerConnection, callback: TrackCallback]>>();
expectType<Equals<ReturnType<typeof onTrack>, TrackSubscription>>();
expectType<Equals<TrackCallback, (event: TrackView) => void>>();
expectType<
  Equals<Parameters<typeof connectPair>, [offerer: RTCPeerConnection, answerer: RTCPeerConnection]>
>();
expectType<Equals<ReturnType<typeof connectPair>, Promise<void>>>();

// The view's fields.
expectType<Equals<TrackView["track"], MediaStreamTrack>>();
expectType<Equals<TrackView["receiver"], RTCRtpReceiver>>();
expectType<Equals<TrackView["transceiver"], RTCRtpTransceiver>>();
expectType<Equals<TrackView["streams"], ReadonlyArray<MediaStream>>>();
expectType<Equals<TrackView["firstStream"], MediaStream | undefined>>();
expectType<Equals<TrackView["event"], RTCTrackEvent>>();

// The subscription.
expectType<Equals<TrackSubscription["active"], boolean>>();
expectType<Equals<TrackSubscription["dispose"], () => void>>();
expectType<Equals<TrackSubscription[typeof Symbol.dispose], () => void>>();

/** Plays the remote side's first stream in `video` until the call is hung up. */
export async function showRemote(video: HTMLVideoElement, hangUp: HTMLButtonElement): Promise<void> {
  await init();
  const caller = new RTCPeerConnection();
  const callee = new RTCPeerConnection();
  const camera = await navigator.mediaDevices.getUserMedia({ video: true });
  for (const track of camera.getTracks()) caller.addTrack(track, camera);

  const subscription: TrackSubscription = onTrack(callee, ({ track, firstStream, streams }) => {
    const kind: string = track.kind;
    if (firstStream !== undefined) {
      video.srcObject = firstStream; // narrowed from `MediaStream | undefined`
    } else {
      console.info(`a ${kind} track with ${streams.length} streams`);
    }
  });

  try {
    await connectPair(caller, callee);
  } catch (err: unknown) {
    if (err instanceof Error && err.name === "InvalidStateError") {
      console.warn(`closed already: ${err.message}`);
    }
    throw err;
  }

  hangUp.disabled = false;
  hangUp.addEventListener("click", () => {
    subscription.dispose();
    caller.close();
    callee.close();
    hangUp.disabled = !subscription.active;
  });
}

/** `using` releases the subscription at the end of the block. */
export function countTracksDuring(pc: RTCPeerConnection, work: () => void): number {
  let count = 0;
  {
    using subscription = onTrack(pc, (view: TrackView) => {
      const event: RTCTrackEvent = view.event;
      if (event.track === view.track) count += 1;
    });
    work();
    void subscription.active;
  }
  return count;
}
