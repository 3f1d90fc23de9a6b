//! The relay over real sockets on 127.0.0.1: the protocol, the limits, and hostile clients
//! (malformed frames, abrupt disconnects, churn). After each attack the room's other member
//! still relays both ways and has lost nothing, and the server keeps serving.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use tungstenite::{Error, Message, WebSocket};

use super::{Limits, Relay, PATH};
use crate::browser::server::Server;

type Client = WebSocket<TcpStream>;

/// How long any one wait in these tests may take.
const WAIT: Duration = Duration::from_secs(10);

fn serve(limits: Limits) -> (Server, Relay) {
    let relay = Relay::new(limits);
    let server = Server::start_with(
        "127.0.0.1:0".parse().unwrap(),
        Vec::new(),
        None,
        vec![(PATH, relay.handler())],
    )
    .unwrap();
    (server, relay)
}

/// Opens a WebSocket to `room` and returns it with the relay's first frame.
fn join(server: &Server, room: &str) -> (Client, String) {
    let stream = TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let url = format!("ws://{}{PATH}?room={room}", server.addr());
    let (mut ws, _) = tungstenite::client(url.as_str(), stream).unwrap();
    let first = text(&mut ws);
    (ws, first)
}

/// Two members of `room`, their join notices checked.
fn pair(server: &Server, room: &str) -> (Client, Client) {
    let (mut a, first) = join(server, room);
    assert_eq!(first, r#"{"relay":"joined","peers":0}"#);
    let (b, first) = join(server, room);
    assert_eq!(first, r#"{"relay":"joined","peers":1}"#);
    assert_eq!(text(&mut a), r#"{"relay":"peer-joined"}"#);
    (a, b)
}

/// The next text frame on `ws` (pings are answered on the way), within [`WAIT`].
fn text(ws: &mut Client) -> String {
    loop {
        match ws.read() {
            Ok(Message::Text(t)) => return t.to_string(),
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            other => panic!("expected a text frame within {WAIT:?}, got {other:?}"),
        }
    }
}

/// The close frame the relay ends `ws` with (code, reason), within [`WAIT`].
fn closed(ws: &mut Client) -> (u16, String) {
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => {
                return (frame.code.into(), frame.reason.to_string())
            }
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            other => panic!("expected a close frame within {WAIT:?}, got {other:?}"),
        }
    }
}

/// Nothing arrives on `ws` for `quiet`.
fn silent(ws: &mut Client, quiet: Duration) {
    ws.get_mut().set_read_timeout(Some(quiet)).unwrap();
    match ws.read() {
        Err(Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) => {}
        other => panic!("expected nothing for {quiet:?}, got {other:?}"),
    }
    ws.get_mut().set_read_timeout(Some(WAIT)).unwrap();
}

/// `a` and `b` relay to each other both ways, byte for byte, and nothing else arrives.
fn relays_both_ways(a: &mut Client, b: &mut Client, tag: &str) {
    let there = format!(r#"{{"type":"offer","sdp":"v=0 {tag} é ✓"}}"#);
    let back = format!("  back {tag}\r\n\t{{}}  ");
    a.send(Message::text(there.clone())).unwrap();
    assert_eq!(text(b), there, "{tag}: a to b");
    b.send(Message::text(back.clone())).unwrap();
    assert_eq!(text(a), back, "{tag}: b to a");
}

/// Waits until `done` holds, at most [`WAIT`], else fails with `what`.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "not within {WAIT:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends a raw HTTP request and returns the status and body.
fn http(server: &Server, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let reply = String::from_utf8_lossy(&buf).to_string();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {reply:?}"));
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn upgrade_request(target: &str, extra: &str) -> String {
    format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
    )
}

#[test]
fn joins_relays_verbatim_and_tells_of_peers() {
    let (server, relay) = serve(Limits::default());
    let (mut a, first) = join(&server, "call-1");
    assert_eq!(first, r#"{"relay":"joined","peers":0}"#);
    a.send(Message::text("to nobody")).unwrap();
    silent(&mut a, Duration::from_millis(200));
    let (mut b, first) = join(&server, "call-1");
    assert_eq!(first, r#"{"relay":"joined","peers":1}"#);
    assert_eq!(text(&mut a), r#"{"relay":"peer-joined"}"#);
    relays_both_ways(&mut a, &mut b, "first");
    let largest = "x".repeat(64 * 1024);
    a.send(Message::text(largest.clone())).unwrap();
    assert_eq!(
        text(&mut b),
        largest,
        "a message of exactly 64 KiB is relayed"
    );
    let relay_like = r#"{"relay":"peer-left"}"#;
    b.send(Message::text(relay_like)).unwrap();
    assert_eq!(text(&mut a), relay_like, "member text is never interpreted");
    silent(&mut b, Duration::from_millis(100));
    assert_eq!(relay.rooms(), 1);
    b.close(None).unwrap();
    assert_eq!(text(&mut a), r#"{"relay":"peer-left"}"#);
    let (mut c, first) = join(&server, "call-1");
    assert_eq!(
        first, r#"{"relay":"joined","peers":1}"#,
        "the room had room again"
    );
    assert_eq!(text(&mut a), r#"{"relay":"peer-joined"}"#);
    relays_both_ways(&mut a, &mut c, "after a leave");
    drop((a, c));
    eventually("the room is removed with its members", || {
        relay.rooms() == 0
    });
}

#[test]
fn a_third_member_is_told_the_room_is_full_and_disturbs_nothing() {
    let (server, relay) = serve(Limits::default());
    let (mut a, mut b) = pair(&server, "full");
    let (mut third, first) = join(&server, "full");
    assert_eq!(first, r#"{"relay":"room-full"}"#);
    assert_eq!(closed(&mut third), (4000, "room full".to_string()));
    drop(third);
    eventually("the third's connection ends", || relay.connections() == 2);
    relays_both_ways(&mut a, &mut b, "after the third");
    silent(&mut a, Duration::from_millis(100));
    silent(&mut b, Duration::from_millis(100));
    assert_eq!(relay.rooms(), 1);
}

#[test]
fn bad_requests_get_a_plain_http_error_and_no_upgrade() {
    let (server, _relay) = serve(Limits::default());
    let long = "a".repeat(65);
    for target in [
        "/signal".to_string(),
        "/signal?room=".into(),
        "/signal?room".into(),
        format!("/signal?room={long}"),
        "/signal?room=a.b".into(),
        "/signal?room=a%20b".into(),
        "/signal?room=%41".into(),
        "/signal?room=caf%C3%A9".into(),
        "/signal?room=a&room=b".into(),
        "/signal?other=a".into(),
    ] {
        let (status, body) = http(&server, &upgrade_request(&target, ""));
        assert_eq!(status, 400, "{target}: {body}");
        assert!(body.contains("room"), "{target}: {body}");
    }
    let plain = "GET /signal?room=ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    assert_eq!(http(&server, plain).0, 400, "a plain GET is not an upgrade");
    let foreign = upgrade_request("/signal?room=ok", "Origin: http://evil.example\r\n");
    assert_eq!(http(&server, &foreign).0, 403);
    let post = upgrade_request("/signal?room=ok", "").replacen("GET", "POST", 1);
    assert_eq!(http(&server, &post).0, 405);
    let old = upgrade_request("/signal?room=ok", "").replace("Version: 13", "Version: 8");
    assert_eq!(http(&server, &old).0, 400);
    let (mut ok, first) = join(&server, &"A-z_0".repeat(12));
    assert_eq!(
        first, r#"{"relay":"joined","peers":0}"#,
        "a 60-character name"
    );
    ok.close(None).unwrap();
}
