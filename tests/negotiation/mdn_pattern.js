// MDN's perfect-negotiation pattern ("Establishing a connection: The WebRTC perfect
// negotiation pattern"), in plain JavaScript, as an app would write it by hand. Its messages
// use rtc-peer's JSON wire format (version 1), so it can talk to a Negotiator.
//
// `send(text)` sends a message; the returned object's `receive(text)` takes one. Errors the
// pattern would log go to `errors` instead, so a test can assert there are none.
export function mdnPeer(pc, polite, send) {
  const errors = [];
  let makingOffer = false;
  let ignoreOffer = false;

  pc.onnegotiationneeded = async () => {
    try {
      makingOffer = true;
      await pc.setLocalDescription();
      send(JSON.stringify({ v: 1, description: pc.localDescription }));
    } catch (err) {
      errors.push("negotiationneeded: " + err);
    } finally {
      makingOffer = false;
    }
  };

  pc.onicecandidate = ({ candidate }) => {
    if (candidate && candidate.candidate) send(JSON.stringify({ v: 1, candidate }));
    else if (!candidate) send(JSON.stringify({ v: 1, endOfCandidates: true }));
  };

  async function receive(text) {
    const { description, candidate } = JSON.parse(text);
    try {
      if (description) {
        const offerCollision =
          description.type === "offer" && (makingOffer || pc.signalingState !== "stable");
        ignoreOffer = !polite && offerCollision;
        if (ignoreOffer) return;
        await pc.setRemoteDescription(description);
        if (description.type === "offer") {
          await pc.setLocalDescription();
          send(JSON.stringify({ v: 1, description: pc.localDescription }));
        }
      } else if (candidate) {
        // MDN reads `ignoreOffer` in the catch, after the await, by which time an answer may
        // have reset it (a race seen in Chromium): read it when the candidate arrives.
        const ofIgnoredOffer = ignoreOffer;
        try {
          await pc.addIceCandidate(candidate);
        } catch (err) {
          if (!ofIgnoredOffer) throw err;
        }
      }
    } catch (err) {
      errors.push("receive: " + err);
    }
  }

  return { receive, errors: () => errors.join("\n") };
}
