//! The run's Janus, handed to the browser suites at run time: a small HTTP endpoint on
//! 127.0.0.1:[`PORT`] inside the run's network namespace (beside the TURN settings' one).
//!
//! - `GET /janus.json` answers `{"url": "http://127.0.0.1:P/janus", "pid": N}`.
//! - `POST /kill` (test-only control) kills Janus at once, as a crash would, answers
//!   `{"killed": N}`, and starts it again on the same port so later suites find it up.
//!
//! Only pages served from 127.0.0.1 or localhost may use it (CORS), and it is never cached.

use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde_json::{json, Value};
use tiny_http::Method;

use super::Janus;
use crate::netns::json_endpoint::{JsonEndpoint, Reply};

/// The endpoint's port inside the run's network namespace (the example's tests use the same).
pub const PORT: u16 = 4781;

/// Janus and its endpoint, serving until dropped (the endpoint stops first, then Janus).
pub struct Running {
    _endpoint: JsonEndpoint,
    janus: Arc<Mutex<Janus>>,
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
        let janus = Arc::new(Mutex::new(Janus::start(binary)?));
        let served = Arc::clone(&janus);
        let endpoint = JsonEndpoint::start(listener, "janus-endpoint", move |method, url| {
            answer(method, url, &served)
        })?;
        Ok(Running { _endpoint: endpoint, janus })
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

/// The endpoint's answer to `method` on `url`.
fn answer(method: &Method, url: &str, janus: &Mutex<Janus>) -> Reply {
    let reply = |status, body: Value| Reply::json(status, body.to_string().into_bytes());
    let poisoned = || reply(500, json!({"error": "poisoned"}));
    match (method, url) {
        (Method::Get, "/janus.json") => match janus.lock() {
            Ok(j) => reply(200, json!({"url": j.url(), "pid": j.pid()})),
            Err(_) => poisoned(),
        },
        (Method::Post, "/kill") => match janus.lock().map(|mut j| j.kill_and_restart()) {
            Ok(Ok(pid)) => {
                println!("xtask: janus: killed pid {pid} on request, started again");
                reply(200, json!({"killed": pid}))
            }
            Ok(Err(e)) => reply(500, json!({"error": format!("{e:#}")})),
            Err(_) => poisoned(),
        },
        (_, "/janus.json") => Reply::method_not_allowed("GET"),
        (_, "/kill") => Reply::method_not_allowed("POST"),
        _ => Reply::empty(404),
    }
}
