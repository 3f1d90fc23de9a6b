//! The run's TURN server, handed to the wasm suites at run time: `GET /turn.json` on 127.0.0.1
//! answers `{url, username, credential}`, read by the suites when they start.
//!
//! So the credential is never compiled into a test binary nor written under `target/`. Inside
//! the run's network namespace the endpoint listens on the fixed [`NAMESPACE_PORT`]; on the host
//! network on a free port the suites are compiled with ([`PORT_VAR`]; the port is no secret).
//! Only pages served from 127.0.0.1 or localhost may read it (CORS), and it is never cached.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, Context, Result};
use tiny_http::{Header, Method, Request, Response};

use crate::coturn::Turn;

/// The endpoint's port inside the run's network namespace (the suites use the same).
pub const NAMESPACE_PORT: u16 = 4780;

/// The compile-time variable naming another port (host network only).
pub const PORT_VAR: &str = "RTC_PEER_TURN_CONFIG_PORT";

/// The path the suites fetch.
pub const PATH: &str = "/turn.json";

/// A listener on 127.0.0.1:[`NAMESPACE_PORT`] (inside the namespace).
pub fn listen_namespace() -> Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, NAMESPACE_PORT))
        .with_context(|| format!("listening on 127.0.0.1:{NAMESPACE_PORT} for the TURN config"))
}

/// A listener on a free 127.0.0.1 port (on the host network).
pub fn listen_any() -> Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .context("listening on 127.0.0.1 for the TURN config")
}

/// The endpoint, serving until dropped (then its thread is joined).
pub struct TurnConfig {
    http: Arc<tiny_http::Server>,
    served: Arc<AtomicU32>,
    port: u16,
    worker: Option<JoinHandle<()>>,
}

impl TurnConfig {
    /// Serves `turn`'s URL and credentials on `listener`.
    pub fn start(listener: TcpListener, turn: &Turn) -> Result<TurnConfig> {
        let port = listener.local_addr().context("the TURN config port")?.port();
        let body = serde_json::to_vec(&serde_json::json!({
            "url": turn.url(), "username": turn.username, "credential": turn.credential,
        }))?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow!("serving the TURN config on port {port}: {e}"))?;
        let http = Arc::new(http);
        let served = Arc::new(AtomicU32::new(0));
        let (h, s) = (Arc::clone(&http), Arc::clone(&served));
        let worker = std::thread::Builder::new()
            .name("turn-config".into())
            // Ends when `unblock` is called on drop.
            .spawn(move || h.incoming_requests().for_each(|r| respond(r, &body, &s)))
            .context("spawning the TURN config thread")?;
        Ok(TurnConfig { http, served, port, worker: Some(worker) })
    }

    /// `http://127.0.0.1:PORT/turn.json`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.port)
    }

    /// How many times the credentials were handed out.
    pub fn served(&self) -> u32 {
        self.served.load(Ordering::SeqCst)
    }
}

impl Drop for TurnConfig {
    fn drop(&mut self) {
        self.http.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Whether a page at `origin` may read the credentials: `http://127.0.0.1:PORT` or
/// `http://localhost:PORT` only.
fn allowed_origin(origin: &str) -> bool {
    let host_port = origin.strip_prefix("http://").unwrap_or_default();
    let (host, port) = host_port.rsplit_once(':').unwrap_or_default();
    matches!(host, "127.0.0.1" | "localhost") && port.parse::<u16>().is_ok()
}

fn header(name: &str, value: &str) -> Header {
    // Names we chose; values are ASCII (a checked origin, or ours).
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid ASCII header")
}

/// Answers one request; counts a hand-out in `served` before the answer leaves, so a client
/// that has read the credentials always sees the count include it.
fn respond(request: Request, body: &[u8], served: &AtomicU32) {
    let origin = request.headers().iter().find(|h| h.field.equiv("Origin"));
    let origin = origin.map(|h| h.value.as_str().to_string());
    let refused = |status| Response::from_data(Vec::new()).with_status_code(status);
    let response = if request.url() != PATH {
        refused(404)
    } else if *request.method() != Method::Get {
        refused(405).with_header(header("Allow", "GET"))
    } else if origin.as_deref().is_some_and(|o| !allowed_origin(o)) {
        refused(403)
    } else {
        served.fetch_add(1, Ordering::SeqCst);
        let mut r = Response::from_data(body.to_vec())
            .with_header(header("Content-Type", "application/json"))
            .with_header(header("Cache-Control", "no-store"));
        if let Some(origin) = &origin {
            r.add_header(header("Access-Control-Allow-Origin", origin));
            r.add_header(header("Vary", "Origin"));
        }
        r
    };
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

    #[test]
    fn only_loopback_pages_may_read_it() {
        for (origin, ok) in [
            ("http://127.0.0.1:38211", true),
            ("http://localhost:8080", true),
            ("http://127.0.0.1", false),
            ("https://127.0.0.1:1", false),
            ("http://example.com:80", false),
            ("http://127.0.0.1.example.com:80", false),
            ("null", false),
        ] {
            assert_eq!(allowed_origin(origin), ok, "{origin}");
        }
    }

    #[test]
    fn serves_the_credentials_with_cors_and_nothing_else() {
        let turn = Turn::start_with(Path::new("/usr/bin/turnserver")).unwrap();
        let config = TurnConfig::start(listen_any().unwrap(), &turn).unwrap();
        let agent = crate::browser::webdriver::loopback_agent(Duration::from_secs(30));
        let get = |origin: &str| agent.get(config.url()).header("Origin", origin).call().unwrap();

        let mut ok = get("http://127.0.0.1:9");
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["access-control-allow-origin"], "http://127.0.0.1:9");
        let body: serde_json::Value = ok.body_mut().read_json().unwrap();
        assert_eq!(body["url"], turn.url());
        assert_eq!(body["username"], turn.username);
        assert_eq!(body["credential"], turn.credential);
        assert_eq!(config.served(), 1);

        assert_eq!(get("http://evil.test:80").status(), 403);
        let missing = agent.get(config.url().replace(PATH, "/x")).call().unwrap();
        assert_eq!(missing.status(), 404);
        let post = agent.post(config.url()).send("").unwrap();
        assert_eq!(post.status(), 405);
        assert_eq!(post.headers()["allow"], "GET");
        assert_eq!(config.served(), 1, "refused requests hand out nothing");
    }
}
