//! A small JSON endpoint on loopback that hands a run's pages what they read at run time (the
//! TURN settings, the SFU's address): one thread answering through a handler, until dropped.
//! A request with an `Origin` other than a page served from 127.0.0.1 or localhost is refused
//! (403) before the handler sees it; allowed origins get CORS, and nothing is cached.

use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, Context, Result};
use tiny_http::{Header, Method, Request, Response};

/// What the handler answers a request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    /// A JSON body, if any.
    body: Option<Vec<u8>>,
    /// The `Allow` header (with a 405).
    allow: Option<&'static str>,
}

impl Reply {
    /// `status` with `body`, bytes that are JSON.
    pub fn json(status: u16, body: Vec<u8>) -> Reply {
        Reply { status, body: Some(body), allow: None }
    }

    /// `status` and no body.
    pub fn empty(status: u16) -> Reply {
        Reply { status, body: None, allow: None }
    }

    /// 405, naming the methods the path takes.
    pub fn method_not_allowed(allow: &'static str) -> Reply {
        Reply { status: 405, body: None, allow: Some(allow) }
    }
}

/// A running endpoint; dropping it stops its thread (and joins it).
pub struct JsonEndpoint {
    http: Arc<tiny_http::Server>,
    port: u16,
    worker: Option<JoinHandle<()>>,
}

impl JsonEndpoint {
    /// Serves on `listener` (a 127.0.0.1 one), answering each allowed request with
    /// `answer(method, url)`; `name` names it in errors and its thread.
    pub fn start(
        listener: TcpListener,
        name: &'static str,
        answer: impl Fn(&Method, &str) -> Reply + Send + 'static,
    ) -> Result<JsonEndpoint> {
        let port = listener.local_addr().with_context(|| format!("the {name} port"))?.port();
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow!("serving the {name} on port {port}: {e}"))?;
        let http = Arc::new(http);
        let serving = Arc::clone(&http);
        let worker = std::thread::Builder::new()
            .name(name.into())
            // Ends when `unblock` is called on drop.
            .spawn(move || serving.incoming_requests().for_each(|r| respond(r, &answer)))
            .with_context(|| format!("spawning the {name} thread"))?;
        Ok(JsonEndpoint { http, port, worker: Some(worker) })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for JsonEndpoint {
    fn drop(&mut self) {
        self.http.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Whether a page at `origin` may read the endpoint: `http://127.0.0.1:PORT` or
/// `http://localhost:PORT` only.
pub fn allowed_origin(origin: &str) -> bool {
    let host_port = origin.strip_prefix("http://").unwrap_or_default();
    let (host, port) = host_port.rsplit_once(':').unwrap_or_default();
    matches!(host, "127.0.0.1" | "localhost") && port.parse::<u16>().is_ok()
}

fn header(name: &str, value: &str) -> Header {
    // Names we chose; values are ASCII (a checked origin, or ours).
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid ASCII header")
}

/// Answers one request: 403 for a foreign origin, else what `answer` says, with CORS for the
/// page's origin and `Cache-Control: no-store`.
fn respond(request: Request, answer: &impl Fn(&Method, &str) -> Reply) {
    let origin = request.headers().iter().find(|h| h.field.equiv("Origin"));
    let origin = origin.map(|h| h.value.as_str().to_string());
    let foreign = origin.as_deref().is_some_and(|o| !allowed_origin(o));
    let reply = if foreign { Reply::empty(403) } else { answer(request.method(), request.url()) };
    let mut response = Response::from_data(reply.body.clone().unwrap_or_default())
        .with_status_code(reply.status)
        .with_header(header("Cache-Control", "no-store"));
    if reply.body.is_some() {
        response.add_header(header("Content-Type", "application/json"));
    }
    if let Some(allow) = reply.allow {
        response.add_header(header("Allow", allow));
    }
    if let Some(origin) = origin.filter(|_| !foreign) {
        response.add_header(header("Access-Control-Allow-Origin", &origin));
        response.add_header(header("Vary", "Origin"));
    }
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn answers_through_its_handler_with_cors_for_loopback_pages_only() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = JsonEndpoint::start(listener, "test endpoint", |method, url| {
            Reply::json(
                500,
                serde_json::to_vec(&serde_json::json!({"m": method.as_str(), "url": url})).unwrap(),
            )
        })
        .unwrap();
        let url = format!("http://127.0.0.1:{}/x?y", endpoint.port());
        let agent = crate::browser::webdriver::loopback_agent(Duration::from_secs(30));
        let mut answer = agent.get(&url).header("Origin", "http://localhost:1").call().unwrap();
        assert_eq!(answer.status(), 500);
        let headers = answer.headers().clone();
        assert_eq!(headers["access-control-allow-origin"], "http://localhost:1");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["content-type"], "application/json");
        let body: serde_json::Value = answer.body_mut().read_json().unwrap();
        assert_eq!(body, serde_json::json!({"m": "GET", "url": "/x?y"}));
        let foreign = agent.get(&url).header("Origin", "http://evil.test:80").call().unwrap();
        assert_eq!(foreign.status(), 403, "the handler never sees a foreign page");
        assert!(foreign.headers().get("access-control-allow-origin").is_none());
    }

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
}
