//! The run's Janus, handed to the browser suites at run time: a small HTTP endpoint on
//! 127.0.0.1:4781 inside the run's network namespace (beside the TURN settings' one).
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
use crate::json_endpoint::{JsonEndpoint, Route};

/// The endpoint's port inside the run's network namespace (the example's tests use the same).
const PORT: u16 = 4781;

/// Janus and its endpoint, serving until dropped (the endpoint stops first, then Janus).
pub struct Running {
    _endpoint: JsonEndpoint,
    janus: Arc<Mutex<Janus>>,
}

impl Running {
    /// Starts Janus (`binary`) and its endpoint on 127.0.0.1:`PORT` (4781).
    ///
    /// # Errors
    ///
    /// When Janus does not start (see [`Janus::start`]) or the port is taken.
    pub fn start(binary: &std::path::Path) -> Result<Running> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, PORT))
            .with_context(|| format!("listening on 127.0.0.1:{PORT} for the Janus endpoint"))?;
        let janus = Arc::new(Mutex::new(Janus::start(binary)?));
        let served = Arc::clone(&janus);
        let endpoint = JsonEndpoint::start(listener, "janus-endpoint", ROUTES, move |path| {
            answer(path, &served)
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

/// The endpoint's paths and their methods.
const ROUTES: &[Route] = &[(Method::Get, "/janus.json"), (Method::Post, "/kill")];

/// The endpoint's answer on `path`, one of [`ROUTES`].
fn answer(path: &str, janus: &Mutex<Janus>) -> (u16, Value) {
    let Ok(mut janus) = janus.lock() else {
        return (500, json!({"error": "poisoned"}));
    };
    if path == "/janus.json" {
        return (200, json!({"url": janus.url(), "pid": janus.pid()}));
    }
    match janus.kill_and_restart() {
        Ok(pid) => {
            println!("xtask: janus: killed pid {pid} on request, started again");
            (200, json!({"killed": pid}))
        }
        Err(e) => (500, json!({"error": format!("{e:#}")})),
    }
}
