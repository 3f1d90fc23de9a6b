// A room of the demo server's signalling relay: a WebSocket at /signal?room=NAME on this page's
// own origin (so the page's CSP `connect-src 'self'` holds). The relay says who is there
// ({"relay": "joined" | "peer-joined" | "peer-left" | "room-full"}) and passes every other text
// to the other member as it is: here, rtc-peer's `Signal` JSON.

/** Room names the relay accepts. */
export const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A new random room name (12 letters and digits). */
export function newRoomName() {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** The link that opens `name` on this page. */
export function roomLink(name) {
  const url = new URL(location.href);
  url.search = `?room=${encodeURIComponent(name)}`;
  url.hash = "";
  return url.href;
}

/**
 * Joins room `name`. `on` has: joined(peers), peerJoined(), peerLeft(), full(), signal(text),
 * closed(code, reason). Returns { send(text), close() }.
 */
export function joinRoom(name, on) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/signal?room=${encodeURIComponent(name)}`);
  let open = true;
  socket.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    let relay = null;
    if (event.data.startsWith('{"relay"')) {
      try {
        relay = JSON.parse(event.data).relay;
      } catch {
        relay = null;
      }
    }
    switch (relay) {
      case "joined":
        on.joined(JSON.parse(event.data).peers || 0);
        break;
      case "peer-joined":
        on.peerJoined();
        break;
      case "peer-left":
        on.peerLeft();
        break;
      case "room-full":
        on.full();
        break;
      default:
        on.signal(event.data);
    }
  });
  socket.addEventListener("close", (event) => {
    if (!open) return;
    open = false;
    on.closed(event.code, event.reason);
  });
  return {
    send(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close() {
      open = false;
      socket.close(1000, "left");
    },
  };
}
