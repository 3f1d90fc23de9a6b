//! A small JSON endpoint on loopback that hands a run's pages what they read at run time (the
//! TURN settings, the SFU's address): one thread answering through a handler, until dropped.
//! A request with an `Origin` other than a page served from 127.0.0.1 or localhost is refused
//! (403) before the handler sees it; allowed origins get CORS, and nothing is cached.

use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use tiny_http::{Header, Method, Request, Response};

/// A path the endpoint answers and the one method it takes there.
pub type Route = (Method, &'static str);

/// A running endpoint; dropping it stops its thread (and joins it).
pub struct JsonEndpoint {
    http: Arc<tiny_http::Server>,
    port: u16,
    worker: Option<JoinHandle<()>>,
}

impl JsonEndpoint {
    /// Serves on `listener` (a 127.0.0.1 one), answering a request for one of `routes` with
    /// its method by `answer(path)`, a status and a JSON body (404 off the routes, 405 with
    /// the wrong method); `name` names it in errors and its thread.
    pub fn start(
        listener: TcpListener,
        name: &'static str,
        routes: &'static [Route],
        answer: impl Fn(&str) -> (u16, Value) + Send + 'static,
    ) -> Result<JsonEndpoint> {
        let port = listener.local_addr().with_context(|| format!("the {name} port"))?.port();
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow!("serving the {name} on port {port}: {e}"))?;
        let http = Arc::new(http);
        let serving = Arc::clone(&http);
        let worker = std::thread::Builder::new()
            .name(name.into())
            // Ends when `unblock` is called on drop.
            .spawn(move || serving.incoming_requests().for_each(|r| respond(r, routes, &answer)))
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

/// Answers one request: 403 for a foreign origin, else by its route, with CORS for the
/// page's origin and `Cache-Control: no-store`.
fn respond(request: Request, routes: &[Route], answer: &impl Fn(&str) -> (u16, Value)) {
    let origin = request.headers().iter().find(|h| h.field.equiv("Origin"));
    let origin = origin.map(|h| h.value.as_str().to_string());
    let foreign = origin.as_deref().is_some_and(|o| !allowed_origin(o));
    let route = routes.iter().find(|(_, path)| *path == request.url());
    let (status, body, allow) = match route {
        _ if foreign => (403, None, None),
        None => (404, None, None),
        Some((method, _)) if method != request.method() => (405, None, Some(method.as_str())),
        Some(_) => {
            let (status, body) = answer(request.url());
            (status, Some(body.to_string()), None)
        }
    };
    let mut response = Response::from_string(body.clone().unwrap_or_default())
        .with_status_code(status)
        .with_header(header("Cache-Control", "no-store"));
    if body.is_some() {
        response.add_header(header("Content-Type", "application/json"));
    }
    if let Some(allow) = allow {
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
        let routes = &[(Method::Get, "/x?y")];
        let answer = |path: &str| (500, serde_json::json!({"url": path}));
        let endpoint = JsonEndpoint::start(listener, "test endpoint", routes, answer).unwrap();
        let url = format!("http://127.0.0.1:{}/x?y", endpoint.port());
        let agent = crate::browser::webdriver::loopback_agent(Duration::from_secs(30));
        let mut answer = agent.get(&url).header("Origin", "http://localhost:1").call().unwrap();
        assert_eq!(answer.status(), 500);
        let headers = answer.headers().clone();
        assert_eq!(headers["access-control-allow-origin"], "http://localhost:1");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["content-type"], "application/json");
        let body: serde_json::Value = answer.body_mut().read_json().unwrap();
        assert_eq!(body, serde_json::json!({"url": "/x?y"}));
        let post = agent.post(&url).send("").unwrap();
        assert_eq!(post.status(), 405);
        assert_eq!(post.headers()["allow"], "GET");
        assert_eq!(agent.get(url.replace("x?y", "x")).call().unwrap().status(), 404);
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
