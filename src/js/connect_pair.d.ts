/**
 * Connects `offerer` to `answerer`, both in this page: offer, answer, and every ICE candidate
 * passed directly from one to the other. Resolves once both descriptions are applied (media
 * starts flowing when ICE connects, shortly after).
 *
 * Subscribe with `onTrack` *before* calling it: the
 * answerer's `track` events fire while its remote description is applied, and the offerer's
 * (for tracks the answerer sends back) while the answer is applied. Candidates keep being
 * forwarded after the promise resolves, until each side has finished gathering; a candidate
 * the other side rejects (for example because it was closed meanwhile) is dropped.
 *
 * JavaScript:
 *
 * ```js
 * const a = new RTCPeerConnection(), b = new RTCPeerConnection();
 * a.addTransceiver("video");
 * const subscription = onTrack(b, ({ track }) => console.log(track.kind));
 * await connectPair(a, b);
 * ```
 *
 * # Errors
 *
 * Rejects with the browser's error, as an `Error` whose `name` is the DOMException name (for
 * example `InvalidStateError` when either connection is closed) and whose `message` is the
 * browser's; rejects with a `TypeError` when an argument is not an `RTCPeerConnection`.
 */
export function connectPair(offerer: RTCPeerConnection, answerer: RTCPeerConnection): Promise<void>;
