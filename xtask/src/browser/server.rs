//! A small static file server (tiny_http) for the demo page and the browser tests.
//!
//! `Server::start(addr, mounts)` serves each mount's directory under its URL prefix, with the
//! MIME types browsers insist on (`application/wasm` for streaming compilation, `text/javascript`
//! for module scripts), and refuses every path that would leave a mounted directory (`..`
//! segments, also when percent-encoded, backslashes, NUL bytes). The server stops when dropped.
//! [`Server::start_with`] also hands every request to one exact path to a [`Handler`] (the
//! demo's WebSocket relay at `/signal`).
//!
//! Every connection carries one request: after its answer the server ends it (see
//! [`end_after_answer`]). tiny_http runs each open connection on a pooled thread, and a
//! burst of new connections (a browser opening a page) can queue one of them behind the
//! others without a thread, its request unread for as long as the others stay open; a
//! browser keeps its connections alive, so a page load could hang until its deadline.

use std::fs;
use std::net::{Shutdown, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use tiny_http::{Header, Method, Request, Response, StatusCode};

pub use rtc_peer_relay::socket;

/// How many threads answer requests (browsers open several connections at once).
const WORKERS: usize = 4;

/// Takes over every request to one exact path: answers it (or upgrades it) itself, quickly (a
/// long-lived connection gets its own thread). Also given the server's bound address. A
/// handler that answers rather than upgrades ends the connection after its answer with
/// [`end_after_answer`], as the server does.
pub type Handler = Arc<dyn Fn(Request, SocketAddr) + Send + Sync>;

/// A running static file server; stops (and joins its threads) on drop.
pub struct Server {
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

/// One URL prefix (always starting and ending with `/`) served from one directory.
#[derive(Debug, Clone)]
struct Mount {
    prefix: String,
    dir: PathBuf,
}

impl Server {
    /// Starts serving `mounts` (URL prefix such as `"/"` or `"/pkg/"`, directory) on `addr`.
    /// Port 0 picks a free port; see [`Server::url`]. The longest matching prefix wins.
    ///
    /// # Errors
    /// A clear message when the port is already taken, or when a mounted directory is missing.
    pub fn start(addr: SocketAddr, mounts: Vec<(String, PathBuf)>) -> Result<Server> {
        Server::start_with(addr, mounts, None, Vec::new())
    }

    /// As [`Server::start`], plus `handlers` (exact path such as `"/signal"`, handler) taking
    /// over the requests to their paths, whatever the query, and, for the browser tests, the
    /// page probe: `probe` (a module script) is served at `/__probe.js` and loaded in every
    /// served HTML page before the page's own scripts (right after the page's
    /// Content-Security-Policy, so the policy covers it too).
    pub fn start_with(
        addr: SocketAddr,
        mounts: Vec<(String, PathBuf)>,
        probe: Option<&Path>,
        handlers: Vec<(&'static str, Handler)>,
    ) -> Result<Server> {
        let probe = probe
            .map(|probe| {
                probe
                    .canonicalize()
                    .with_context(|| format!("the page probe {} is missing", probe.display()))
            })
            .transpose()?;
        let mut table = Vec::with_capacity(mounts.len());
        for (prefix, dir) in mounts {
            let mut prefix = prefix;
            if !prefix.starts_with('/') {
                prefix.insert(0, '/');
            }
            if !prefix.ends_with('/') {
                prefix.push('/');
            }
            let dir = dir
                .canonicalize()
                .with_context(|| format!("cannot serve {}: directory not found", dir.display()))?;
            if !dir.is_dir() {
                bail!("cannot serve {}: not a directory", dir.display());
            }
            table.push(Mount { prefix, dir });
        }
        // Longest prefix first, so "/pkg/" wins over "/".
        table.sort_by_key(|m| std::cmp::Reverse(m.prefix.len()));

        let http = tiny_http::Server::http(addr).map_err(|err| {
            let in_use = err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
            if in_use {
                anyhow!(
                    "port {} on {} is already in use; stop whatever is using it or pick \
                     another port with --port N",
                    addr.port(),
                    addr.ip()
                )
            } else {
                anyhow!("cannot listen on {addr}: {err}")
            }
        })?;
        let bound = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow!("tiny_http did not report an IP address"))?;
        let http = Arc::new(http);
        let stop = Arc::new(AtomicBool::new(false));
        let table = Arc::new(Site { mounts: table, probe, handlers, addr: bound });
        let workers = (0..WORKERS)
            .map(|i| {
                let http = Arc::clone(&http);
                let stop = Arc::clone(&stop);
                let table = Arc::clone(&table);
                std::thread::Builder::new()
                    .name(format!("serve-{i}"))
                    .spawn(move || worker(&http, &stop, &table))
                    .context("cannot spawn a server thread")
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Server { http, addr: bound, stop, workers })
    }

    /// `http://IP:PORT/` of this server.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The address actually bound (useful when the requested port was 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks the calling thread until the process is interrupted (for `cargo xtask demo`).
    pub fn wait_forever(&self) {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in 0..self.workers.len() {
            self.http.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// What a server serves: its mounts, its handlers and, for the browser tests, the page probe.
struct Site {
    mounts: Vec<Mount>,
    probe: Option<PathBuf>,
    handlers: Vec<(&'static str, Handler)>,
    addr: SocketAddr,
}

/// The URL of the page probe, and the tag that loads it.
const PROBE_URL: &str = "/__probe.js";
const PROBE_TAG: &str = "<script type=\"module\" src=\"/__probe.js\"></script>";

/// `page` with the probe's script tag after its CSP `<meta>` (else first in `<head>`).
fn inject_probe(page: &str) -> String {
    let at = page
        .find("http-equiv=\"Content-Security-Policy\"")
        .and_then(|i| page[i..].find('>').map(|j| i + j + 1))
        .or_else(|| page.find("<head>").map(|i| i + "<head>".len()));
    match at {
        Some(at) => [&page[..at], "\n  ", PROBE_TAG, &page[at..]].concat(),
        None => [PROBE_TAG, page].concat(),
    }
}

fn worker(http: &tiny_http::Server, stop: &AtomicBool, site: &Site) {
    while !stop.load(Ordering::SeqCst) {
        match http.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(request)) => respond(request, site),
            Ok(None) => {}
            Err(_) => break, // unblocked or the listener is gone
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    // Names and values are ASCII we chose (or a request path tiny_http already parsed).
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid ASCII header")
}

fn respond(request: Request, site: &Site) {
    let path = request.url().split(['?', '#']).next().unwrap_or("");
    if let Some((_, handler)) = site.handlers.iter().find(|(p, _)| *p == path) {
        return handler(request, site.addr);
    }
    let peer = request.remote_addr().copied();
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        let _ = request
            .respond(text(405, "method not allowed\n").with_header(header("Allow", "GET, HEAD")));
        return end_after_answer(peer, site.addr.port());
    }
    let path = request.url().split(['?', '#']).next().unwrap_or("");
    let resolved = match &site.probe {
        Some(probe) if path == PROBE_URL => Resolved::File(probe.clone()),
        _ => resolve(&site.mounts, request.url()),
    };
    let response = match resolved {
        Resolved::Refused => text(400, "bad request: path not allowed\n"),
        Resolved::NotFound => text(404, "not found\n"),
        Resolved::Redirect(to) => Response::from_data(Vec::new())
            .with_status_code(StatusCode(301))
            .with_header(header("Location", &to)),
        Resolved::File(path) => match fs::read(&path) {
            // For HEAD, tiny_http sends the headers (with Content-Length) and no body.
            Ok(bytes) => Response::from_data(match (&site.probe, String::from_utf8(bytes)) {
                (Some(_), Ok(page)) if mime_type(&path).starts_with("text/html") => {
                    inject_probe(&page).into_bytes()
                }
                (_, Ok(text)) => text.into_bytes(),
                (_, Err(binary)) => binary.into_bytes(),
            })
            .with_header(header("Content-Type", mime_type(&path)))
            .with_header(header("Cache-Control", "no-store"))
            .with_header(header("X-Content-Type-Options", "nosniff")),
            Err(_) => text(404, "not found\n"),
        },
    };
    let _ = request.respond(response);
    end_after_answer(peer, site.addr.port());
}

/// Ends the connection from `peer` to local port `port` once its answer is sent: shuts its
/// reading side, so tiny_http's thread for it sees the end, closes it (the answer already
/// written still arrives, then the end) and takes the next connection waiting for a thread.
/// A browser opens a new connection for its next request. (tiny_http ignores a
/// `Connection: close` header set on a response.)
pub fn end_after_answer(peer: Option<SocketAddr>, port: u16) {
    if let Some(socket) = peer.and_then(|peer| socket::find(peer, port)) {
        let _ = socket.shutdown(Shutdown::Read);
    }
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.as_bytes().to_vec())
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// What a request URL maps to.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    File(PathBuf),
    Redirect(String),
    NotFound,
    Refused,
}

/// Maps a request target (path + optional query) to a file under one of the mounts.
fn resolve(mounts: &[Mount], target: &str) -> Resolved {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Resolved::Refused;
    };
    let Some(segments) = safe_segments(&decoded) else {
        return Resolved::Refused;
    };
    // Mount matching uses the normalised path, so "/pkg" + "/" matches the "/pkg/" mount.
    let normal = format!("/{}", segments.join("/"));
    let with_slash = format!("{normal}/");
    let Some(mount) =
        mounts.iter().find(|m| with_slash.starts_with(&m.prefix) || normal == m.prefix)
    else {
        return Resolved::NotFound;
    };
    let rest = with_slash.get(mount.prefix.len()..).unwrap_or("").trim_end_matches('/');
    let mut file = mount.dir.clone();
    for seg in rest.split('/').filter(|s| !s.is_empty()) {
        file.push(seg);
    }
    // Defence in depth: the resolved file must still be inside the mounted directory
    // (this also refuses symlinks that point out of it).
    match file.canonicalize() {
        Ok(real) if real.starts_with(&mount.dir) => {
            if real.is_dir() {
                if !path.ends_with('/') || path.starts_with("//") {
                    // To the normalised path, re-encoded: never `//host…` (another host).
                    let mut to = String::new();
                    for seg in &segments {
                        to.push('/');
                        to.extend(percent_encoding::utf8_percent_encode(seg, SEGMENT));
                    }
                    to.push('/');
                    return Resolved::Redirect(to);
                }
                let index = real.join("index.html");
                if index.is_file() {
                    Resolved::File(index)
                } else {
                    Resolved::NotFound
                }
            } else {
                Resolved::File(real)
            }
        }
        Ok(_) => Resolved::Refused,
        Err(_) => Resolved::NotFound,
    }
}

/// Splits a decoded path into plain segments, or `None` when any segment could escape
/// (`..`), is a Windows-style or absolute component, or holds a backslash or a NUL byte.
fn safe_segments(decoded: &str) -> Option<Vec<&str>> {
    if !decoded.starts_with('/') || decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut out = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => continue,
            ".." => return None,
            s => {
                let mut comps = Path::new(s).components();
                match (comps.next(), comps.next()) {
                    (Some(Component::Normal(_)), None) => out.push(s),
                    _ => return None,
                }
            }
        }
    }
    Some(out)
}

/// What a redirect's path segments percent-encode: controls, space and URL delimiters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'\\')
    .add(b'<')
    .add(b'>');

/// The Content-Type for a file, by extension.
fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "ts" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn temp_tree() -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "xtask-serve-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        fs::create_dir_all(root.join("www/sub")).unwrap();
        fs::create_dir_all(root.join("pkg")).unwrap();
        fs::write(root.join("www/index.html"), "<!doctype html>hi").unwrap();
        fs::write(root.join("www/app.js"), "export {}").unwrap();
        fs::write(root.join("www/sub/index.html"), "sub").unwrap();
        fs::write(root.join("pkg/rtc_peer_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        fs::write(root.join("secret.txt"), "do not serve").unwrap();
        root
    }

    fn get(server: &Server, target: &str) -> (u16, String, Vec<u8>) {
        request(server, "GET", target)
    }

    fn request(server: &Server, method: &str, target: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&buf[..split]).to_string();
        let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head, buf[split + 4..].to_vec())
    }

    fn start(root: &Path) -> Server {
        Server::start(
            "127.0.0.1:0".parse().unwrap(),
            vec![("/".into(), root.join("www")), ("/pkg/".into(), root.join("pkg"))],
        )
        .unwrap()
    }

    #[test]
    fn serves_files_with_the_right_mime_types() {
        let root = temp_tree();
        let server = start(&root);
        assert!(server.url().starts_with("http://127.0.0.1:"));
        let (st, head, body) = get(&server, "/");
        assert_eq!(st, 200);
        assert!(head.contains("text/html"), "{head}");
        assert_eq!(body, b"<!doctype html>hi");
        let (st, head, _) = get(&server, "/app.js?v=1");
        assert_eq!(st, 200);
        assert!(head.contains("text/javascript"), "{head}");
        let (st, head, _) = get(&server, "/pkg/rtc_peer_bg.wasm");
        assert_eq!(st, 200);
        assert!(head.contains("application/wasm"), "{head}");
        let (st, _, body) = get(&server, "/sub/");
        assert_eq!((st, body.as_slice()), (200, &b"sub"[..]));
        let (st, head, _) = get(&server, "/sub");
        assert_eq!(st, 301);
        assert!(head.contains("Location: /sub/"), "{head}");
        assert_eq!(get(&server, "/missing.js").0, 404);
        let (st, head, body) = request(&server, "HEAD", "/app.js");
        assert_eq!(st, 200);
        assert!(head.contains("Content-Length: 9"), "{head}");
        assert!(body.is_empty(), "HEAD sent a body");
        assert_eq!(request(&server, "POST", "/app.js").0, 405);
        drop(server);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn refuses_path_traversal_plain_and_encoded() {
        let root = temp_tree();
        let server = start(&root);
        for target in [
            "/../secret.txt",
            "/pkg/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/pkg/%2e%2e/%2e%2e/secret.txt",
            "/.%2e/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/..%2fsecret.txt",
            "/..%5csecret.txt",
            "/%5c..%5csecret.txt",
            "/sub/%00",
            "/%zz",
        ] {
            let (st, _, body) = get(&server, target);
            assert!(
                st == 400 || st == 404,
                "{target} answered {st} with {:?}",
                String::from_utf8_lossy(&body)
            );
            assert!(
                !String::from_utf8_lossy(&body).contains("do not serve"),
                "{target} leaked the file"
            );
        }
        drop(server);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn resolve_refuses_escapes_before_touching_the_disk() {
        let root = temp_tree();
        let mounts =
            vec![Mount { prefix: "/".into(), dir: root.join("www").canonicalize().unwrap() }];
        for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/a/%2E%2e/../x"] {
            assert_eq!(resolve(&mounts, target), Resolved::Refused, "{target}");
        }
        assert!(matches!(resolve(&mounts, "/app.js"), Resolved::File(_)));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_handler_takes_over_its_exact_path_only() {
        let root = temp_tree();
        let hook: Handler = Arc::new(|request: Request, server: SocketAddr| {
            let body = format!("hooked {} on {}", request.url(), server.port());
            let _ = request.respond(Response::from_string(body));
        });
        let server = Server::start_with(
            "127.0.0.1:0".parse().unwrap(),
            vec![("/".into(), root.join("www"))],
            None,
            vec![("/hook", hook)],
        )
        .unwrap();
        let port = server.addr().port();
        let (st, _, body) = get(&server, "/hook?room=x");
        assert_eq!(st, 200);
        assert_eq!(String::from_utf8(body).unwrap(), format!("hooked /hook?room=x on {port}"));
        assert_eq!(get(&server, "/hook/").0, 404, "not the exact path");
        assert_eq!(get(&server, "/hookx").0, 404, "not the exact path");
        assert_eq!(get(&server, "/app.js").2, b"export {}", "the files are still served");
        drop(server);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_taken_port_gives_a_clear_message() {
        let root = temp_tree();
        let first = start(&root);
        let err = Server::start(first.addr(), vec![("/".into(), root.join("www"))]).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("already in use"), "{msg}");
        assert!(msg.contains("--port"), "{msg}");
        drop(first);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn redirects_stay_on_this_host_and_405_says_what_is_allowed() {
        let root = temp_tree();
        let server = start(&root);
        for (target, want) in [("//pkg", "/pkg/"), ("//pkg/", "/pkg/"), ("/./sub", "/sub/")] {
            let (st, head, _) = get(&server, target);
            assert_eq!(st, 301, "{target}: {head}");
            assert!(head.contains(&format!("Location: {want}\r")), "{target}: {head}");
        }
        let (st, head, _) = request(&server, "POST", "/app.js");
        assert_eq!(st, 405);
        assert!(head.contains("Allow: GET, HEAD"), "{head}");
        drop(server);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn the_probe_is_injected_only_when_serving_for_tests() {
        let root = temp_tree();
        let csp =
            "<!doctype html><head><meta http-equiv=\"Content-Security-Policy\" content=\"x\">\
                   <script type=\"module\" src=\"app.js\"></script></head>";
        fs::write(root.join("www/index.html"), csp).unwrap();
        fs::write(root.join("probe.js"), "export const probe = 1;").unwrap();
        let plain = start(&root);
        let (_, _, page) = get(&plain, "/");
        assert_eq!(page, csp.as_bytes(), "the demo's page must be served as it is");
        assert_eq!(get(&plain, PROBE_URL).0, 404);
        let probed = Server::start_with(
            "127.0.0.1:0".parse().unwrap(),
            vec![("/".into(), root.join("www"))],
            Some(&root.join("probe.js")),
            Vec::new(),
        )
        .unwrap();
        let (_, _, page) = get(&probed, "/?mode=tabs");
        let page = String::from_utf8(page).unwrap();
        let tag = page.find(PROBE_TAG).expect("the probe's script tag");
        assert!(page.find("Content-Security-Policy").unwrap() < tag, "{page}");
        assert!(tag < page.find("app.js").unwrap(), "{page}");
        let (st, head, body) = get(&probed, "/__probe.js?x");
        assert_eq!((st, body.as_slice()), (200, &b"export const probe = 1;"[..]));
        assert!(head.contains("text/javascript"), "{head}");
        assert_eq!(get(&probed, "/app.js").2, b"export {}");
        assert_eq!(inject_probe("<head></head>"), format!("<head>\n  {PROBE_TAG}</head>"));
        drop((plain, probed));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_burst_of_kept_alive_connections_leaves_none_unanswered() {
        // Browsers open several connections at once and keep them alive. tiny_http gives each
        // connection a pooled thread for as long as it stays open, and a burst can queue one
        // behind the others (its count of idle threads lags): that connection's request was
        // never read while the others stayed open (a page load hung for 60 s in Firefox).
        let root = temp_tree();
        let server = start(&root);
        for round in 0..4 {
            let mut burst: Vec<TcpStream> =
                (0..24).map(|_| TcpStream::connect(server.addr()).unwrap()).collect();
            for (i, s) in burst.iter_mut().enumerate() {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                write!(s, "GET /app.js?{round}-{i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            }
            for (i, s) in burst.iter_mut().enumerate() {
                let mut head = [0u8; 12];
                let read = s.read_exact(&mut head);
                assert!(
                    read.is_ok() && &head[9..12] == b"200",
                    "round {round}: connection {i} of 24 (kept alive) got no answer within 5 s: {read:?}"
                );
            }
            // The burst stays open (as a browser's idle connections do); a new page still loads.
            let (st, _, body) = get(&server, "/app.js");
            assert_eq!((st, body.as_slice()), (200, &b"export {}"[..]), "round {round}");
        }
        drop(server);
        fs::remove_dir_all(root).unwrap();
    }
}
