// Plain-JavaScript loopback calls for the tests: two RTCPeerConnections in this page,
// negotiated here by hand (no help from the package), with a canvas as the video source.

/** Two fresh connections, closed by the test's clean-up. */
export function pair(cleanup) {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  cleanup(() => {
    a.close();
    b.close();
  });
  return { a, b };
}

/** A live video track drawn on a canvas (a new frame every 33 ms), stopped by clean-up. */
export function canvasTrack(cleanup) {
  const canvas = document.createElement("canvas");
  canvas.width = 160;
  canvas.height = 120;
  const ctx = canvas.getContext("2d");
  let frame = 0;
  const draw = () => {
    frame += 1;
    ctx.fillStyle = `hsl(${(frame * 7) % 360} 80% 50%)`;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  draw();
  const timer = setInterval(draw, 33);
  const stream = canvas.captureStream(30);
  const [track] = stream.getVideoTracks();
  cleanup(() => {
    clearInterval(timer);
    track.stop();
  });
  return track;
}

/**
 * One offer/answer round from `offerer` to `answerer`, with every ICE candidate passed
 * directly to the other side. Resolves when both descriptions are applied.
 */
export async function negotiate(offerer, answerer) {
  forwardCandidates(offerer, answerer);
  forwardCandidates(answerer, offerer);
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription);
  await answerer.setLocalDescription(await answerer.createAnswer());
  await offerer.setRemoteDescription(answerer.localDescription);
}

const forwarding = new WeakSet();

function forwardCandidates(from, to) {
  if (forwarding.has(from)) return;
  forwarding.add(from);
  from.addEventListener("icecandidate", ({ candidate }) => {
    if (candidate && to.signalingState !== "closed") {
      to.addIceCandidate(candidate).catch(() => {});
    }
  });
}
