/** Why a negotiated call ended. */
export type CallEndReason = "local-hang-up" | "remote-hang-up" | "connection-failed";

/** The options of `negotiate`. */
export interface NegotiateOptions {
  /** `true` on exactly one side of the call: it gives way when both sides offer at once. */
  polite: boolean;
  /** Sends one message (JSON text) to the other side over the app's signalling channel. */
  send: (message: string) => void;
  /** Called once when the call ends, with why. */
  onEnd?: (reason: CallEndReason) => void;
}

/**
 * Starts perfect negotiation on `pc` with the other side of the call.
 *
 * Every message for the other side goes to `options.send` as JSON text (the crate's
 * versioned wire format, the same as Rust's `Signal::to_json`); hand every message from the
 * other side to `receive`. Either side may then add or remove tracks at any moment, also both
 * at once.
 *
 * JavaScript:
 *
 * ```js
 * import init, { negotiate } from "rtc-peer";
 * await init();
 * const socket = new WebSocket("wss://signalling.example/room/42");
 * const call = negotiate(pc, {
 *   polite: isCallee,
 *   send: (message) => socket.send(message),
 *   onEnd: (reason) => console.log("call ended:", reason),
 * });
 * socket.onmessage = ({ data }) => call.receive(data).catch(console.warn);
 * pc.addTrack(track, stream); // offered by itself
 * // later
 * call.hangUp();
 * ```
 *
 * # Errors
 *
 * Throws a `TypeError` when `pc` is not an `RTCPeerConnection`, `options.polite` is not a
 * boolean, or `options.send` (or a given `options.onEnd`) is not a function.
 *
 * See [MDN: Perfect negotiation](https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation).
 */
export function negotiate(pc: RTCPeerConnection, options: NegotiateOptions): Negotiation;

/**
 * A call's negotiation, returned by `negotiate`: feed it the other side's messages with
 * `receive`; `hangUp()` ends the call; `dispose()` (or `using`) stops negotiating and
 * removes its listeners, leaving the connection open.
 */
export class Negotiation {
  private constructor();
  free(): void;
  [Symbol.dispose](): void;
  /**
   * Stops negotiating: removes every listener the negotiation added to the connection
   * (which stays open), as soon as no `receive` is pending. Idempotent; `[Symbol.dispose]`
   * is the same. Its `free()` releases only this handle.
   */
  dispose(): void;
  /**
   * Ends the call: sends the goodbye message, closes the connection, and calls `onEnd`
   * with `"local-hang-up"`. Does nothing once the call has ended.
   */
  hangUp(): void;
  /**
   * Applies one message (JSON text) from the other side. Resolves once it is applied, or
   * at once for an offer ignored in glare.
   *
   * Rejects with an `Error` whose `name` says why: `SyntaxError` for text that is not
   * JSON, `TypeError` for JSON of the wrong shape (the message names what is wrong),
   * `RangeError` for more than 256 KiB, `InvalidStateError` once the call has ended or the
   * negotiation is disposed, or the browser's error for a description or candidate it
   * refuses. Nothing is applied when the message does not parse.
   */
  receive(message: string): Promise<void>;
  /**
   * Restarts ICE (new credentials), offered to the other side like any change.
   */
  restartIce(): void;
  /**
   * Why the call ended, or `undefined` while it goes on.
   */
  readonly ended: CallEndReason | undefined;
}
