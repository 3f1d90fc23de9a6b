//! A small static file server (tiny_http) for the demo page and the browser tests.
//!
//! [`Server::start`] serves each mount's directory under its URL prefix, with the content type
//! of each file (`mime_guess`: `application/wasm` for streaming compilation, `text/javascript`
//! for module scripts), and refuses every path that would leave a mounted directory (`..`
//! segments, also when percent-encoded, backslashes, NUL bytes); a directory asked for without
//! its slash is redirected to its normalised path. Only GET and HEAD are served (405 with
//! `Allow` else). [`Server::start_with`] also hands every request to one exact path to a
//! [`Handler`] (the demo's WebSocket relay at `/signal`) and, for the browser tests, loads the
//! page probe in every page. The server stops when dropped.
//!
//! Every connection carries one request: after its answer the server ends it (see
//! [`end_after_answer`]). tiny_http runs each open connection on a pooled thread, and a
//! burst of new connections (a browser opening a page) can queue one of them behind the
//! others without a thread, its request unread for as long as the others stay open; a
//! browser keeps its connections alive, so a page load could hang until its deadline.

use std::net::{Shutdown, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
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
    workers: Vec<JoinHandle<()>>,
}

/// What a server serves: URL prefixes (starting and ending with `/`, longest first) with their
/// directories, the handlers and, for the browser tests, the page probe.
struct Site {
    mounts: Vec<(String, PathBuf)>,
    probe: Option<PathBuf>,
    handlers: Vec<(&'static str, Handler)>,
    addr: SocketAddr,
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
        let real =
            |p: &Path| p.canonicalize().with_context(|| format!("{} is missing", p.display()));
        let probe = probe.map(real).transpose()?;
        let mut table = Vec::new();
        for (prefix, dir) in mounts {
            let prefix = format!("/{}/", prefix.trim_matches('/')).replace("//", "/");
            let dir = real(&dir).context("cannot serve a directory")?;
            anyhow::ensure!(dir.is_dir(), "cannot serve {}: not a directory", dir.display());
            table.push((prefix, dir));
        }
        // Longest prefix first, so "/pkg/" wins over "/".
        table.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        let http = tiny_http::Server::http(addr).map_err(|err| {
            match err.downcast_ref::<std::io::Error>().map(std::io::Error::kind) {
                Some(std::io::ErrorKind::AddrInUse) => anyhow!(
                    "port {} on {} is already in use; stop whatever is using it or pick \
                     another port with --port N",
                    addr.port(),
                    addr.ip()
                ),
                _ => anyhow!("cannot listen on {addr}: {err}"),
            }
        })?;
        let addr = http.server_addr().to_ip().context("tiny_http did not report an IP address")?;
        let http = Arc::new(http);
        let site = Arc::new(Site { mounts: table, probe, handlers, addr });
        let workers = (0..WORKERS)
            .map(|i| {
                let (http, site) = (Arc::clone(&http), Arc::clone(&site));
                let serve = move || {
                    while let Ok(request) = http.recv() {
                        respond(request, &site);
                    }
                };
                std::thread::Builder::new().name(format!("serve-{i}")).spawn(serve)
            })
            .collect::<Result<_, _>>()
            .context("cannot spawn a server thread")?;
        Ok(Server { http, addr, workers })
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
        // Each unblock ends one worker's `recv` with an error.
        for _ in 0..self.workers.len() {
            self.http.unblock();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
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

fn header(name: &str, value: &str) -> Header {
    // Names and values are ASCII we chose (or a request path tiny_http already parsed).
    Header::from_bytes(name, value).expect("a valid ASCII header")
}

fn respond(request: Request, site: &Site) {
    let path = request.url().split(['?', '#']).next().unwrap_or("").to_string();
    if let Some((_, handler)) = site.handlers.iter().find(|(p, _)| *p == path) {
        return handler(request, site.addr);
    }
    let response = if ![Method::Get, Method::Head].contains(request.method()) {
        text(405, "method not allowed\n").with_header(header("Allow", "GET, HEAD"))
    } else {
        let file = match &site.probe {
            Some(probe) if path == PROBE_URL => Ok(probe.clone()),
            _ => resolve(&site.mounts, &path),
        };
        match file.map(|file| (std::fs::read(&file), content_type(&file))) {
            Err(Refused::Redirect(to)) => text(301, "").with_header(header("Location", &to)),
            Err(Refused::NotFound) => text(404, "not found\n"),
            Err(Refused::Escape) => text(400, "bad request: path not allowed\n"),
            Ok((Err(_), _)) => text(404, "not found\n"),
            // For HEAD, tiny_http sends the headers (with Content-Length) and no body.
            Ok((Ok(bytes), mime)) => {
                let bytes = match String::from_utf8(bytes) {
                    Ok(page) if site.probe.is_some() && mime == mime_guess::mime::TEXT_HTML => {
                        inject_probe(&page).into_bytes()
                    }
                    Ok(text) => text.into_bytes(),
                    Err(binary) => binary.into_bytes(),
                };
                let charset =
                    if mime.type_() == mime_guess::mime::TEXT { "; charset=utf-8" } else { "" };
                Response::from_data(bytes)
                    .with_header(header("Content-Type", &format!("{mime}{charset}")))
                    .with_header(header("Cache-Control", "no-store"))
                    .with_header(header("X-Content-Type-Options", "nosniff"))
            }
        }
    };
    let peer = request.remote_addr().copied();
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
    Response::from_string(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// Why a request path maps to no file.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    /// A directory asked for by another path than its normalised one with a slash.
    Redirect(String),
    NotFound,
    /// The path could leave the mounted directory.
    Escape,
}

/// Percent-encodes all but the unreserved characters of RFC 3986 (a path segment or a query
/// value).
pub(crate) fn percent_encode(s: &str) -> String {
    const UNRESERVED: &AsciiSet =
        &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Maps a request path to a file under the mount with the longest matching prefix. `..`
/// (also percent-encoded), backslashes and NUL bytes are refused before the disk is touched;
/// the file found must still be inside the mount (no symlink out of it).
fn resolve(mounts: &[(String, PathBuf)], path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_decode_str(path).decode_utf8().map_err(|_| Refused::Escape)?;
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) || segments.contains(&"..") {
        return Err(Refused::Escape);
    }
    let normal: String = segments.iter().map(|s| format!("/{s}")).collect::<String>() + "/";
    let (prefix, dir) =
        mounts.iter().find(|(p, _)| normal.starts_with(p)).ok_or(Refused::NotFound)?;
    let file = dir.join(normal[prefix.len()..].trim_end_matches('/'));
    match file.canonicalize() {
        Ok(real) if !real.starts_with(dir) => Err(Refused::Escape),
        // To the normalised path, re-encoded: never `//host…` (another host).
        Ok(real) if real.is_dir() && (!path.ends_with('/') || path.starts_with("//")) => {
            let to = segments.iter().map(|s| format!("/{}", percent_encode(s)));
            Err(Refused::Redirect(to.collect::<String>() + "/"))
        }
        Ok(real) if real.is_dir() => Ok(real.join("index.html")),
        Ok(real) => Ok(real),
        Err(_) => Err(Refused::NotFound),
    }
}

/// The content type of `file`: mime_guess's, except that `.ts` is TypeScript here (the
/// packages' `.d.ts`), not an MPEG transport stream.
fn content_type(file: &Path) -> mime_guess::Mime {
    if file.extension().is_some_and(|ext| ext == "ts") {
        return mime_guess::mime::TEXT_PLAIN_UTF_8;
    }
    mime_guess::from_path(file).first_or_octet_stream()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    /// `www/` (index, app.js, sub/index.html), `pkg/` (a wasm file) and a secret beside them.
    fn temp_tree() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("www/sub")).unwrap();
        std::fs::create_dir_all(r.join("pkg")).unwrap();
        for (file, text) in [
            ("www/index.html", "<!doctype html>hi"),
            ("www/app.js", "export {}"),
            ("www/sub/index.html", "sub"),
            ("pkg/rtc_peer_bg.wasm", "\0asm\x01\0\0\0"),
            ("pkg/rtc_peer.d.ts", "export {};"),
            ("secret.txt", "do not serve"),
        ] {
            std::fs::write(r.join(file), text).unwrap();
        }
        root
    }

    fn get(server: &Server, target: &str) -> (u16, String, Vec<u8>) {
        request(server, "GET", target)
    }

    /// One request on its own connection: (status, head, body).
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
        let mounts = vec![("/".into(), root.join("www")), ("/pkg/".into(), root.join("pkg"))];
        Server::start("127.0.0.1:0".parse().unwrap(), mounts).unwrap()
    }

    #[test]
    fn serves_files_with_the_right_mime_types() {
        let root = temp_tree();
        let server = start(root.path());
        assert!(server.url().starts_with("http://127.0.0.1:"));
        for (method, target, status, in_head, body) in [
            ("GET", "/", 200, "text/html", &b"<!doctype html>hi"[..]),
            ("GET", "/app.js?v=1", 200, "text/javascript", b"export {}"),
            ("GET", "/pkg/rtc_peer_bg.wasm", 200, "application/wasm", b"\0asm\x01\0\0\0"),
            ("GET", "/pkg/rtc_peer.d.ts", 200, "text/plain", b"export {};"),
            ("GET", "/sub/", 200, "text/html", b"sub"),
            ("GET", "/sub", 301, "Location: /sub/\r", b""),
            ("GET", "/missing.js", 404, "text/plain", b"not found\n"),
            // For HEAD the length of the body, and no body.
            ("HEAD", "/app.js", 200, "Content-Length: 9", b""),
            ("POST", "/app.js", 405, "Allow: GET, HEAD", b"method not allowed\n"),
        ] {
            let (st, head, got) = request(&server, method, target);
            assert_eq!((st, got.as_slice()), (status, body), "{method} {target}: {head}");
            assert!(head.contains(in_head), "{method} {target}: {head}");
        }
    }

    #[test]
    fn refuses_path_traversal_plain_and_encoded() {
        let root = temp_tree();
        let server = start(root.path());
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
            let body = String::from_utf8_lossy(&body);
            assert!((st == 400 || st == 404) && !body.contains("do not serve"), "{target}: {st}");
        }
        let mounts = vec![("/".into(), root.path().join("www").canonicalize().unwrap())];
        for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/a/%2E%2e/../x"] {
            assert_eq!(resolve(&mounts, target), Err(Refused::Escape), "before the disk: {target}");
        }
        assert!(resolve(&mounts, "/app.js").is_ok());
    }

    #[test]
    fn a_handler_takes_over_its_exact_path_only() {
        let root = temp_tree();
        let hook: Handler = Arc::new(|request: Request, server: SocketAddr| {
            let body = format!("hooked {} on {}", request.url(), server.port());
            let _ = request.respond(Response::from_string(body));
        });
        let mounts = vec![("/".into(), root.path().join("www"))];
        let addr = "127.0.0.1:0".parse().unwrap();
        let server = Server::start_with(addr, mounts, None, vec![("/hook", hook)]).unwrap();
        let port = server.addr().port();
        let (st, _, body) = get(&server, "/hook?room=x");
        assert_eq!((st, body), (200, format!("hooked /hook?room=x on {port}").into_bytes()));
        assert_eq!(get(&server, "/hook/").0, 404, "not the exact path");
        assert_eq!(get(&server, "/hookx").0, 404, "not the exact path");
        assert_eq!(get(&server, "/app.js").2, b"export {}", "the files are still served");
    }

    #[test]
    fn a_taken_port_gives_a_clear_message() {
        let root = temp_tree();
        let first = start(root.path());
        let taken = Server::start(first.addr(), vec![("/".into(), root.path().join("www"))]);
        let msg = format!("{:#}", taken.err().expect("the port is taken"));
        assert!(msg.contains("already in use") && msg.contains("--port"), "{msg}");
    }

    #[test]
    fn redirects_stay_on_this_host() {
        let root = temp_tree();
        let server = start(root.path());
        for (target, want) in [("//pkg", "/pkg/"), ("//pkg/", "/pkg/"), ("/./sub", "/sub/")] {
            let (st, head, _) = get(&server, target);
            assert_eq!(st, 301, "{target}: {head}");
            assert!(head.contains(&format!("Location: {want}\r")), "{target}: {head}");
        }
    }

    #[test]
    fn percent_encoding_of_query_values() {
        let encoded = percent_encode("turn:127.0.0.1:3478?transport=udp");
        assert_eq!(encoded, "turn%3A127.0.0.1%3A3478%3Ftransport%3Dudp");
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn the_probe_is_injected_only_when_serving_for_tests() {
        let root = temp_tree();
        let www = root.path().join("www");
        let csp =
            "<!doctype html><head><meta http-equiv=\"Content-Security-Policy\" content=\"x\">\
                   <script type=\"module\" src=\"app.js\"></script></head>";
        std::fs::write(www.join("index.html"), csp).unwrap();
        std::fs::write(root.path().join("probe.js"), "export const probe = 1;").unwrap();
        let plain = start(root.path());
        assert_eq!(get(&plain, "/").2, csp.as_bytes(), "the demo's page must be served as it is");
        assert_eq!(get(&plain, PROBE_URL).0, 404);
        let probe = root.path().join("probe.js");
        let addr = "127.0.0.1:0".parse().unwrap();
        let probed =
            Server::start_with(addr, vec![("/".into(), www)], Some(&probe), vec![]).unwrap();
        let page = String::from_utf8(get(&probed, "/?mode=tabs").2).unwrap();
        let tag = page.find(PROBE_TAG).expect("the probe's script tag");
        assert!(page.find("Content-Security-Policy").unwrap() < tag, "{page}");
        assert!(tag < page.find("app.js").unwrap(), "{page}");
        let (st, head, body) = get(&probed, "/__probe.js?x");
        assert_eq!((st, body.as_slice()), (200, &b"export const probe = 1;"[..]));
        assert!(head.contains("text/javascript"), "{head}");
        assert_eq!(get(&probed, "/app.js").2, b"export {}");
        assert_eq!(inject_probe("<head></head>"), format!("<head>\n  {PROBE_TAG}</head>"));
    }

    #[test]
    fn a_burst_of_kept_alive_connections_leaves_none_unanswered() {
        // Browsers open several connections at once and keep them alive. tiny_http gives each
        // connection a pooled thread for as long as it stays open, and a burst can queue one
        // behind the others (its count of idle threads lags): that connection's request was
        // never read while the others stayed open (a page load hung for 60 s in Firefox).
        let root = temp_tree();
        let server = start(root.path());
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
    }
}
