//! The demo's signalling relay: a WebSocket at `/signal?room=NAME` on the page's own origin,
//! so the page's CSP `connect-src 'self'` holds. It pairs two pages and passes their messages
//! on, refusing only text that could pass for one of its own notices. `cargo xtask demo` serves it beside the page; [`Standalone`] (and
//! the `rtc-peer-relay` binary) serves it alone, for a page served by another server that
//! forwards `/signal` to it with the request's own `Host` (the relay admits a page of its own
//! origin only).
//!
//! # Examples
//!
//! In a [tiny_http] server of your own, hand it every request to [`PATH`]:
//!
//! ```no_run
//! use rtc_peer_relay::{Limits, Relay, PATH};
//!
//! let http = tiny_http::Server::http("127.0.0.1:8080")?;
//! let addr = http.server_addr().to_ip().ok_or("not an IP address")?;
//! let relay = Relay::new(Limits::default()).handler();
//! for request in http.incoming_requests() {
//!     if request.url().split('?').next() == Some(PATH) {
//!         relay(request, addr); // upgrades it, or answers with a plain-text error
//!     } else {
//!         let _ = request.respond(tiny_http::Response::empty(404));
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```
//!
//! # Protocol
//!
//! - `GET /signal?room=NAME` with a WebSocket upgrade. NAME is 1–64 characters of
//!   `[A-Za-z0-9_-]`; another name, a missing one, a request that is not a WebSocket upgrade,
//!   or an `Origin` other than the page's own host is answered with a plain-text HTTP error
//!   (400, or 403 for the origin) and no upgrade. Beyond [`Limits::max_connections`] open
//!   connections the answer is 503.
//! - Once upgraded, the relay sends one text frame `{"relay":"joined","peers":N}`, N being how
//!   many members were in the room before (0 or 1). A room holds two members: a third gets
//!   `{"relay":"room-full"}` and is closed with code 4000 "room full"; the two notice nothing.
//! - The member present when the other joins gets `{"relay":"peer-joined"}`; when the other
//!   leaves (a close, or a dropped connection) it gets `{"relay":"peer-left"}`.
//! - A member cannot forge those notices: text that begins (after JSON whitespace) with `{`
//!   must be a strict JSON object without a top-level `relay` key (escapes decoded), or its
//!   sender is closed with [`FORGED`] (4001) and its peer gets `peer-left`.
//! - Every other text frame from a member goes to the other member byte for byte; with no
//!   other member it is dropped, and nothing is answered.
//!
//! # Limits (the defaults of [`Limits`])
//!
//! - A message (all its fragments) over 64 KiB closes that connection with 1009; a binary
//!   frame with 1003; a protocol error (bad opcode, unmasked frame, …) with 1002, text that is
//!   not UTF-8 with 1007.
//! - Each connection has a token bucket of 200 frames refilled at 50 per second (an ICE
//!   candidate burst at the start of a call fits; a flood does not): an empty bucket closes it
//!   with 1008 "rate limit".
//! - A room goes when its last member goes. A room where no member sent any frame for 10
//!   minutes is dropped: its members are closed with 1001 "idle". The relay pings a
//!   connection that has been quiet for 20 s (browsers answer on their own, and a pong counts
//!   as a frame, so an open page keeps its room); a connection quiet for 60 s (no pong
//!   either) is dropped as dead, and its peer gets `peer-left`.
//! - A member whose outbox (256 messages) is full, or who does not take a write for 5 s, is
//!   disconnected rather than buffered without bound.
//!
//! # Implementation
//!
//! The WebSocket protocol is [tungstenite] (maintained, blocking, and it takes an already
//! upgraded stream with `WebSocket::from_raw_socket`, so it fits a tiny_http server without an
//! async runtime): the server hands `/signal` to [`Relay::handler`], which checks the request,
//! answers `101` with `tungstenite::handshake::derive_accept_key`, and gives each connection
//! two threads. tiny_http hands the upgraded connection out as one boxed stream that only one
//! thread can use and nothing can time out, so [`socket`] finds the socket under it. The
//! reader runs the WebSocket (reads with a 250 ms timeout, to ping and to see idleness); the
//! writer writes what the room queued for the member. Both write whole frames to the socket
//! under one lock, and the room queues in one order under its table lock, so a member sees
//! `joined` first and every notice and message in the order it happened.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::IgnoredAny;
use tiny_http::{Header, Request, Response, StatusCode};
use tungstenite::error::ProtocolError;
use tungstenite::protocol::frame::coding::{CloseCode, Data as OpData, OpCode};
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tungstenite::{Bytes, Error, Message, Utf8Bytes, WebSocket};

use rooms::{Joined, Member, MemberId, Rooms};
use socket::end_after_answer;

mod rooms;
pub mod socket;
mod standalone;

pub use standalone::Standalone;

/// Takes over a request to [`PATH`] on a tiny_http server, also given the server's bound
/// address: upgrades it and serves the connection on threads of its own, or answers it with a
/// plain-text error and ends its connection.
pub type Handler = Arc<dyn Fn(Request, SocketAddr) + Send + Sync>;

/// The relay's path on its server.
pub const PATH: &str = "/signal";

/// How long a connection's reader waits for a frame before it checks pings, idleness and
/// whether the relay stops.
const POLL: Duration = Duration::from_millis(250);

/// How many relayed messages may wait for a member before it is disconnected as too slow.
const OUTBOX: usize = 256;

/// How long a write to a member may block before it is disconnected as too slow.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a closing connection waits for the other side to close after the close frame.
const LINGER: Duration = Duration::from_secs(1);

/// The close code of a third member (an application code, 4000–4999).
pub const ROOM_FULL: u16 = 4000;

/// The close code of a member that sent text the relay's own notices could be taken for.
pub const FORGED: u16 = 4001;

/// The relay's limits; [`Limits::default`] is what `cargo xtask demo` and the binary use (see the module
/// docs).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest message (all fragments), in bytes.
    pub max_message: usize,
    /// Frames per second a connection may send, sustained.
    pub rate: u32,
    /// Frames a connection may send at once.
    pub burst: u32,
    /// A room with no frame from any member for this long is dropped.
    pub idle: Duration,
    /// A connection quiet for this long is pinged.
    pub ping_after: Duration,
    /// A connection quiet for this long (no pong either) is dropped.
    pub dead_after: Duration,
    /// Open WebSocket connections at most; beyond, requests get 503.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message: 64 * 1024,
            rate: 50,
            burst: 200,
            idle: Duration::from_secs(600),
            ping_after: Duration::from_secs(20),
            dead_after: Duration::from_secs(60),
            max_connections: 64,
        }
    }
}

/// A signalling relay; clones share it. Stops (closes every connection) when the handler made
/// by [`Relay::handler`] is dropped with its server.
#[derive(Debug, Clone)]
pub struct Relay {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    rooms: Rooms,
    limits: Limits,
    /// Open (or opening) connections.
    connections: AtomicUsize,
    next_id: AtomicU64,
    /// Connection threads that panicked (none should; the tests check).
    panics: AtomicUsize,
    stopping: AtomicBool,
    /// Every open connection's socket, to shut down when the relay stops.
    sockets: Mutex<Vec<(MemberId, TcpStream)>>,
}

impl Relay {
    /// A relay with these limits.
    pub fn new(limits: Limits) -> Relay {
        Relay { shared: Arc::new(Shared { limits, ..Shared::default() }) }
    }

    /// The server's handler for [`PATH`]; dropping it stops the relay.
    pub fn handler(&self) -> Handler {
        let stopper = StopOnDrop(self.clone());
        Arc::new(move |request, server| stopper.0.accept(request, server))
    }

    /// How many rooms exist.
    #[cfg(test)]
    pub fn rooms(&self) -> usize {
        self.shared.rooms.len()
    }

    /// How many of the relay's threads panicked.
    #[cfg(test)]
    pub fn panics(&self) -> usize {
        self.shared.panics.load(Ordering::SeqCst)
    }

    /// How many connections are open (or opening).
    #[cfg(test)]
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Checks a request to [`PATH`], upgrades it and starts its connection's thread.
    fn accept(&self, request: Request, server: SocketAddr) {
        let (room, key) = match check(&request) {
            Ok(checked) => checked,
            Err((status, why)) => return refuse(request, server, status, why),
        };
        let Some(slot) = Slot::take(&self.shared) else {
            return refuse(request, server, 503, "the relay is at its connection limit; try later");
        };
        let Some(peer) = request.remote_addr().copied() else {
            return refuse(request, server, 500, "no remote address");
        };
        let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
        let response = Response::empty(StatusCode(101))
            .with_header(plain_header("Sec-WebSocket-Accept", &accept));
        let stream = request.upgrade("websocket", response);
        let Some(socket) = socket::find(peer, server.port()) else {
            eprintln!("relay: cannot find the socket of {peer}; dropped it");
            return;
        };
        let relay = self.clone();
        let spawned = std::thread::Builder::new()
            .name("relay".into())
            .spawn(move || relay.serve(&room, stream, socket, slot));
        if let Err(err) = spawned {
            eprintln!("relay: cannot start a connection thread: {err}");
        }
    }

    /// One connection, from the upgrade to its end.
    fn serve(
        &self,
        room: &str,
        stream: Box<dyn tiny_http::ReadWrite + Send>,
        socket: TcpStream,
        _slot: Slot,
    ) {
        let shared = &self.shared;
        let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
        let ready = socket.set_read_timeout(Some(POLL)).is_ok()
            && socket.set_write_timeout(Some(WRITE_TIMEOUT)).is_ok()
            && socket.set_nodelay(true).is_ok();
        let (Ok(for_stop), Ok(for_room), Ok(for_writes)) =
            (socket.try_clone(), socket.try_clone(), socket.try_clone())
        else {
            return;
        };
        if !ready {
            return;
        }
        lock(&shared.sockets).push((id, for_stop));
        if shared.stopping.load(Ordering::SeqCst) {
            let _ = socket.shutdown(Shutdown::Both);
        }
        let config = WebSocketConfig::default()
            .read_buffer_size(16 * 1024)
            .write_buffer_size(0)
            .max_message_size(Some(shared.limits.max_message))
            .max_frame_size(Some(shared.limits.max_message));
        let writes = Arc::new(Mutex::new(for_writes));
        let duplex = Duplex { read: stream, write: Arc::clone(&writes) };
        let mut ws = WebSocket::from_raw_socket(duplex, Role::Server, Some(config));
        let (outbox, inbox) = sync_channel(OUTBOX);
        // The first frame goes before the member is in the room, so it comes first.
        let member = Member { id, outbox, socket: for_room };
        let end = match shared.rooms.join(room, member, |peers| {
            let joined = format!(r#"{{"relay":"joined","peers":{peers}}}"#);
            ws.send(Message::text(joined)).is_ok()
        }) {
            Joined::Yes => {
                let writer = std::thread::Builder::new()
                    .name("relay-write".into())
                    .spawn(move || write_all(&inbox, &writes))
                    .ok();
                let end = match writer {
                    Some(_) => self.pump(&mut ws, room, id),
                    None => End::Gone,
                };
                // Leaving drops the outbox, which ends the writer once it has written what
                // was queued; only then may the close frame go.
                shared.rooms.leave(room, id);
                if writer.is_some_and(|w| w.join().is_err()) {
                    shared.panics.fetch_add(1, Ordering::SeqCst);
                }
                end
            }
            Joined::Full => {
                let full = Utf8Bytes::from_static(r#"{"relay":"room-full"}"#);
                match ws.send(Message::Text(full)) {
                    Ok(()) => End::Close(CloseCode::Library(ROOM_FULL), "room full"),
                    Err(_) => End::Gone,
                }
            }
            Joined::Broken => End::Gone,
        };
        finish(&mut ws, &socket, end);
        lock(&shared.sockets).retain(|(other, _)| *other != id);
    }

    /// Reads a member's frames until the connection ends; returns how.
    fn pump(&self, ws: &mut WebSocket<Duplex>, room: &str, id: MemberId) -> End {
        let shared = &self.shared;
        let limits = shared.limits;
        let mut bucket = Bucket::new(limits.rate, limits.burst);
        let mut heard = Instant::now();
        let mut pinged = Instant::now();
        loop {
            if shared.stopping.load(Ordering::SeqCst) {
                return End::Close(CloseCode::Away, "server stopping");
            }
            match ws.read() {
                Ok(message) => {
                    heard = Instant::now();
                    if !bucket.take(heard) {
                        return End::Close(CloseCode::Policy, "rate limit");
                    }
                    match message {
                        Message::Text(text) if may_pass_for_notice(&text) => {
                            return End::Close(
                                CloseCode::Library(FORGED),
                                "relay notices are the relay's own",
                            )
                        }
                        Message::Text(text) => shared.rooms.relay(room, id, text),
                        Message::Binary(_) => {
                            return End::Close(CloseCode::Unsupported, "binary frames are refused")
                        }
                        Message::Close(_) => return End::Gone,
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {
                            shared.rooms.heard(room)
                        }
                    }
                }
                Err(Error::Io(err))
                    if matches!(
                        err.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(Error::Capacity(_)) => return End::Fail(CloseCode::Size, "message too big"),
                Err(Error::Utf8(_)) => return End::Fail(CloseCode::Invalid, "text is not UTF-8"),
                Err(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => {
                    return End::Gone
                }
                Err(Error::Protocol(_)) => {
                    return End::Close(CloseCode::Protocol, "protocol error")
                }
                Err(_) => return End::Gone,
            }
            let now = Instant::now();
            if now - heard >= limits.dead_after {
                return End::Gone;
            }
            if now - heard >= limits.ping_after && now - pinged >= limits.ping_after {
                pinged = now;
                if ws.send(Message::Ping(Default::default())).is_err() {
                    return End::Gone;
                }
            }
            if shared.rooms.quiet_for(room) >= limits.idle {
                return End::Close(CloseCode::Away, "idle");
            }
        }
    }
}

/// A connection's writer thread: writes what the room queued for the member, each message one
/// text frame written whole, until the member leaves the room. A write that fails or times out
/// shuts the socket, which ends the reader too.
fn write_all(inbox: &Receiver<Utf8Bytes>, socket: &Mutex<TcpStream>) {
    for text in inbox {
        let mut bytes = Vec::with_capacity(text.len() + 10);
        let frame = Frame::message(Bytes::from(text), OpCode::Data(OpData::Text), true);
        let mut socket = lock(socket);
        if frame.format(&mut bytes).is_err() || socket.write_all(&bytes).is_err() {
            let _ = socket.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// The upgraded connection as tungstenite sees it: reads come from tiny_http's stream (which
/// may hold bytes read past the request), writes go whole to the socket under a lock shared
/// with the writer thread, so frames from the two never interleave.
struct Duplex {
    read: Box<dyn tiny_http::ReadWrite + Send>,
    write: Arc<Mutex<TcpStream>>,
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.read.read(buf)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.write).write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Stops a relay when dropped: every connection is shut down, and new ones are refused.
#[derive(Debug)]
struct StopOnDrop(Relay);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let shared = &self.0.shared;
        shared.stopping.store(true, Ordering::SeqCst);
        for (_, socket) in lock(&shared.sockets).iter() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

/// One of the relay's [`Limits::max_connections`] connection slots, given back on drop.
#[derive(Debug)]
struct Slot(Arc<Shared>);

impl Slot {
    fn take(shared: &Arc<Shared>) -> Option<Slot> {
        let max = shared.limits.max_connections;
        shared
            .connections
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < max).then_some(n + 1))
            .ok()
            .map(|_| Slot(Arc::clone(shared)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.panics.fetch_add(1, Ordering::SeqCst);
        }
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How a connection ends.
#[derive(Debug)]
enum End {
    /// The other side closed or broke the connection.
    Gone,
    /// The relay closes it with this code and reason.
    Close(CloseCode, &'static str),
    /// The relay closes it with this code and reason after a frame it could not read: nothing
    /// more is read as frames.
    Fail(CloseCode, &'static str),
}

/// Ends a connection: sends the close frame (if the relay closes it) and, when the stream is
/// still readable, waits for the other side's (the close handshake: Firefox was seen to drop a
/// message whose close frame came with the end of the connection), then half-closes and waits
/// for the other side to close, each at most until [`LINGER`] is up.
fn finish(ws: &mut WebSocket<Duplex>, socket: &TcpStream, end: End) {
    let deadline = Instant::now() + LINGER;
    let timed_out =
        |err: &std::io::Error| matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
    let (close, readable) = match end {
        End::Gone => (None, false),
        End::Close(code, reason) => (Some((code, reason)), true),
        End::Fail(code, reason) => (Some((code, reason)), false),
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
        let _ = ws.close(Some(frame));
    }
    while readable && Instant::now() < deadline {
        match ws.read() {
            Ok(_) => {}
            Err(Error::Io(err)) if timed_out(&err) => {}
            Err(_) => break,
        }
    }
    let _ = ws.flush();
    let _ = socket.shutdown(Shutdown::Write);
    let mut sink = [0u8; 4096];
    while Instant::now() < deadline {
        match ws.get_mut().read.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) if timed_out(&err) => {}
            Err(_) => break,
        }
    }
}

/// A token bucket: `burst` frames at once, refilled at `rate` per second.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: u32, burst: u32) -> Bucket {
        Bucket {
            tokens: f64::from(burst),
            rate: f64::from(rate),
            burst: f64::from(burst),
            at: Instant::now(),
        }
    }

    /// Takes one token at `now`; `false` when the bucket is empty.
    fn take(&mut self, now: Instant) -> bool {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// The room name and `Sec-WebSocket-Key` of a request to [`PATH`], or the HTTP status and
/// reason to refuse it with.
fn check(request: &Request) -> Result<(String, String), (u16, &'static str)> {
    if *request.method() != tiny_http::Method::Get {
        return Err((405, "the relay takes GET with a WebSocket upgrade"));
    }
    let query = request.url().split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    let mut rooms = query.split('&').filter_map(|pair| pair.strip_prefix("room="));
    let room = match (rooms.next(), rooms.next()) {
        (Some(room), None) if valid_room(room) => room,
        _ => return Err((400, "bad room: give ?room=NAME once, NAME 1-64 of A-Z a-z 0-9 _ -")),
    };
    let upgrade = header(request, "Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let connection = header(request, "Connection")
        .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade")));
    if !upgrade || !connection {
        return Err((400, "the relay speaks WebSocket only (Upgrade: websocket)"));
    }
    if header(request, "Sec-WebSocket-Version") != Some("13") {
        return Err((400, "the relay speaks WebSocket version 13"));
    }
    let Some(key) = header(request, "Sec-WebSocket-Key") else {
        return Err((400, "a WebSocket upgrade needs Sec-WebSocket-Key"));
    };
    if let Some(origin) = header(request, "Origin") {
        let host = header(request, "Host").unwrap_or("");
        let origin_host =
            origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
        if !origin_host.is_some_and(|o| o.eq_ignore_ascii_case(host)) {
            return Err((403, "the relay serves pages of its own origin only"));
        }
    }
    Ok((room.to_string(), key.to_string()))
}

/// Whether a member's `text` could be taken for one of the relay's notices: it begins (after
/// JSON whitespace) as a JSON object, and is either no strict JSON object or one with a
/// top-level `relay` key (escapes decoded). Values are skipped unparsed, however deep.
fn may_pass_for_notice(text: &str) -> bool {
    let json_whitespace = [' ', '\t', '\n', '\r'];
    if !text.trim_start_matches(json_whitespace).starts_with('{') {
        return false;
    }
    serde_json::from_str::<HashMap<String, IgnoredAny>>(text)
        .map_or(true, |object| object.contains_key("relay"))
}

/// Whether `name` is a room name: 1–64 characters of `[A-Za-z0-9_-]`.
pub fn valid_room(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn header<'r>(request: &'r Request, name: &'static str) -> Option<&'r str> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

fn plain_header(name: &str, value: &str) -> Header {
    // Names and values are ASCII we chose (the accept key is base64).
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid ASCII header")
}

/// Answers a refused request with a plain-text error and ends its connection.
fn refuse(request: Request, server: SocketAddr, status: u16, why: &str) {
    let peer = request.remote_addr().copied();
    let response = Response::from_string(format!("{why}\n"))
        .with_status_code(StatusCode(status))
        .with_header(plain_header("Content-Type", "text/plain; charset=utf-8"));
    let _ = request.respond(response);
    end_after_answer(peer, server.port());
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
