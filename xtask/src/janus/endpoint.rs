//! The run's Janus, handed to the browser suites at run time: a small HTTP endpoint on
//! 127.0.0.1:[`PORT`] inside the run's network namespace (beside the TURN settings' one).
//!
//! - `GET /janus.json` answers `{"url": "http://127.0.0.1:P/janus", "pid": N}`.
//! - `POST /kill` (test-only control) kills Janus at once, as a crash would, answers
//!   `{"killed": N}`, and starts it again on the same port so later suites find it up.
//!
//! Only pages served from 127.0.0.1 or localhost may use it (CORS), and it is never cached.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use tiny_http::{Header, Method, Request, Response};

use super::Janus;

/// The endpoint's port inside the run's network namespace (the example's tests use the same).
pub const PORT: u16 = 4781;

/// Janus and its endpoint, serving until dropped (then the thread is joined and Janus stopped).
pub struct Running {
    janus: Arc<Mutex<Janus>>,
    http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl Running {
    /// Starts Janus (`binary`) and its endpoint on 127.0.0.1:[`PORT`].
    ///
    /// # Errors
    ///
    /// When Janus does not start (see [`Janus::start`]) or the port is taken.
    pub fn start(binary: &std::path::Path) -> Result<Running> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, PORT))
            .with_context(|| format!("listening on 127.0.0.1:{PORT} for the Janus endpoint"))?;
        let janus = Janus::start(binary)?;
        Running::serve(listener, janus)
    }

    fn serve(listener: TcpListener, janus: Janus) -> Result<Running> {
        let port = listener.local_addr()?.port();
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| anyhow!("serving the Janus endpoint on port {port}: {e}"))?;
        let http = Arc::new(http);
        let janus = Arc::new(Mutex::new(janus));
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (http, stop, janus) = (Arc::clone(&http), Arc::clone(&stop), Arc::clone(&janus));
            std::thread::Builder::new()
                .name("janus-endpoint".into())
                .spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        match http.recv_timeout(Duration::from_millis(200)) {
                            Ok(Some(request)) => respond(request, &janus),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                })
                .context("spawning the Janus endpoint thread")?
        };
        Ok(Running { janus, http, stop, worker: Some(worker) })
    }

    /// A line for the run's log: Janus's REST URL and pid, and where the endpoint is.
    pub fn describe(&self) -> String {
        match self.janus.lock() {
            Ok(j) => format!(
                "Janus at {} (pid {}); its URL at http://127.0.0.1:{PORT}/janus.json",
                j.url(),
                j.pid()
            ),
            Err(_) => "Janus (its guard was poisoned)".into(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.http.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        // Janus itself stops when the last Arc (this one) drops.
    }
}

/// Whether a page at `origin` may use the endpoint: `http://127.0.0.1:PORT` or
/// `http://localhost:PORT` only.
fn allowed_origin(origin: &str) -> bool {
    let host_port = origin.strip_prefix("http://").unwrap_or_default();
    let (host, port) = host_port.rsplit_once(':').unwrap_or_default();
    matches!(host, "127.0.0.1" | "localhost") && port.parse::<u16>().is_ok()
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

/// Answers one request.
fn respond(request: Request, janus: &Mutex<Janus>) {
    let origin = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Origin"))
        .map(|h| h.value.as_str().to_string());
    let (status, body) = if origin.as_deref().is_some_and(|o| !allowed_origin(o)) {
        (403, serde_json::Value::Null)
    } else {
        match (request.method(), request.url()) {
            (Method::Get, "/janus.json") => match janus.lock() {
                Ok(j) => (200, serde_json::json!({"url": j.url(), "pid": j.pid()})),
                Err(_) => (500, serde_json::json!({"error": "poisoned"})),
            },
            (Method::Post, "/kill") => match janus.lock().map(|mut j| j.kill_and_restart()) {
                Ok(Ok(pid)) => {
                    println!("xtask: janus: killed pid {pid} on request, started again");
                    (200, serde_json::json!({"killed": pid}))
                }
                Ok(Err(e)) => (500, serde_json::json!({"error": format!("{e:#}")})),
                Err(_) => (500, serde_json::json!({"error": "poisoned"})),
            },
            _ => (404, serde_json::Value::Null),
        }
    };
    let mut response =
        Response::from_data(serde_json::to_vec(&body).unwrap_or_default()).with_status_code(status);
    for (name, value) in [("Content-Type", "application/json"), ("Cache-Control", "no-store")] {
        if let Some(h) = header(name, value) {
            response = response.with_header(h);
        }
    }
    if let Some(h) = origin
        .as_deref()
        .filter(|o| allowed_origin(o))
        .and_then(|o| header("Access-Control-Allow-Origin", o))
    {
        response = response.with_header(h);
    }
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_pages_may_use_it() {
        assert!(allowed_origin("http://127.0.0.1:38211"));
        assert!(allowed_origin("http://localhost:8080"));
        assert!(!allowed_origin("http://example.com:80"));
        assert!(!allowed_origin("null"));
    }
}
