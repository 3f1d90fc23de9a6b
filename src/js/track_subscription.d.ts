/**
 * Calls `callback` with a `TrackView` for every `track` event of `pc`, until the returned
 * subscription is disposed.
 *
 * The listener is added with `addEventListener`, so it coexists with the page's own
 * `ontrack` and other listeners. It stays registered until `dispose()` (or the end of a
 * `using` block), whether or not the page keeps the subscription object: garbage collection
 * never removes it behind the page's back. The `track` event fires *inside*
 * `setRemoteDescription`, before its promise resolves: subscribe before applying the remote
 * description. An exception thrown by `callback` is reported like any event listener's
 * (`reportError`) and does not stop later events.
 *
 * JavaScript:
 *
 * ```js
 * import init, { onTrack } from "rtc-peer";
 * await init();
 * const subscription = onTrack(pc, ({ track, firstStream }) => {
 *   if (firstStream) video.srcObject = firstStream;
 * });
 * // when the call ends
 * subscription.dispose();
 * ```
 *
 * # Errors
 *
 * Throws a `TypeError` when `pc` is not an `RTCPeerConnection` or `callback` is not a
 * function.
 *
 * See [MDN: track event](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event).
 */
export function onTrack(pc: RTCPeerConnection, callback: TrackCallback): TrackSubscription;

/**
 * A subscription returned by `onTrack`: keeps the `track` listener registered until
 * `dispose()`.
 *
 * `dispose()` removes the listener and frees its closure (no event is delivered after it
 * returns, even one already being dispatched to other listeners); it may be called any number
 * of times, also from inside the callback. `[Symbol.dispose]()` is `dispose()`, so
 * `using subscription = onTrack(…)` disposes at the end of the block (where the browser has
 * `Symbol.dispose`). Dropping the object, or its `free()`, releases only this handle: the
 * listener stays until `dispose()`.
 */
export class TrackSubscription {
  private constructor();
  free(): void;
  [Symbol.dispose](): void;
  /**
   * Stops delivery: removes the `track` listener and frees its closure. Idempotent.
   */
  dispose(): void;
  /**
   * `true` until `dispose()` is called.
   */
  readonly active: boolean;
}
