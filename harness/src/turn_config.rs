//! The run's TURN server, handed to the wasm suites at run time: `GET /turn.json` on 127.0.0.1
//! answers `{url, username, credential}`, read by the suites when they start.
//!
//! So the credential is never compiled into a test binary nor written under `target/`. Inside
//! the run's network namespace the endpoint listens on the fixed port 4780; on the host
//! network on a free port the suites are compiled with ([`PORT_VAR`]; the port is no secret).
//! Only pages served from 127.0.0.1 or localhost may read it (CORS), and it is never cached
//! (`JsonEndpoint`).

use std::net::{Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use tiny_http::Method;

use crate::coturn::Turn;
use crate::json_endpoint::{JsonEndpoint, Route};

/// The endpoint's port inside the run's network namespace (the suites use the same).
pub(crate) const NAMESPACE_PORT: u16 = 4780;

/// The compile-time variable naming another port (host network only).
pub const PORT_VAR: &str = "RTC_PEER_TURN_CONFIG_PORT";

/// The path the suites fetch.
pub const PATH: &str = "/turn.json";

/// The one route: `GET` [`PATH`].
const ROUTES: &[Route] = &[(Method::Get, PATH)];

/// A listener on 127.0.0.1:4780 (`NAMESPACE_PORT`) (inside the namespace).
pub fn listen_namespace() -> Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, NAMESPACE_PORT))
        .with_context(|| format!("listening on 127.0.0.1:{NAMESPACE_PORT} for the TURN config"))
}

/// A listener on a free 127.0.0.1 port (on the host network).
pub fn listen_any() -> Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .context("listening on 127.0.0.1 for the TURN config")
}

/// The endpoint, serving until dropped.
pub struct TurnConfig {
    endpoint: JsonEndpoint,
    served: Arc<AtomicU32>,
}

impl TurnConfig {
    /// Serves `turn`'s URL and credentials on `listener`.
    pub fn start(listener: TcpListener, turn: &Turn) -> Result<TurnConfig> {
        let body = serde_json::json!({
            "url": turn.url(), "username": turn.username, "credential": turn.credential,
        });
        let served = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&served);
        // A hand-out is counted before the answer leaves, so a client that has read the
        // credentials always sees the count include it.
        let endpoint = JsonEndpoint::start(listener, "turn-config", ROUTES, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            (200, body.clone())
        })?;
        Ok(TurnConfig { endpoint, served })
    }

    /// `http://127.0.0.1:PORT/turn.json`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.endpoint.port())
    }

    /// How many times the credentials were handed out.
    pub fn served(&self) -> u32 {
        self.served.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

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
