//! A small W3C WebDriver client over `ureq` for the browser tests and the benchmark page.
//!
//! [`Driver::start`] runs chromedriver or geckodriver on a free loopback port (its process
//! group is killed on drop); [`Driver::session`] opens a session with the browser's settings
//! from `wasm-pack.toml`. A [`Session`] navigates, runs scripts, clicks, waits with a deadline,
//! takes screenshots and switches windows; dropping it ends the session.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};
use tempfile::NamedTempFile;

pub use super::SessionOptions;
use super::{Browser, BrowserSettings};
use crate::process;
use crate::Tools;

/// How long a driver gets to answer `/status` with `ready: true`.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running chromedriver or geckodriver; its process group is killed on drop.
pub struct Driver {
    child: Child,
    base: String,
    browser: Browser,
    binary: PathBuf,
    settings: BrowserSettings,
    agent: ureq::Agent,
    log: NamedTempFile,
}

/// An HTTP client for servers on loopback: no proxy, every status readable, `timeout` per call.
pub(crate) fn loopback_agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder().http_status_as_error(false).proxy(None);
    config.timeout_global(Some(timeout)).build().into()
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")
        .context("finding a free loopback port")?
        .local_addr()?
        .port())
}

impl Driver {
    /// Starts the browser's WebDriver server on a free 127.0.0.1 port and waits (30 s at most)
    /// until it is ready; the error carries the tail of its log.
    pub fn start(tools: &Tools, browser: Browser) -> Result<Driver> {
        // A port picked as free can be taken before the driver binds it: three tries.
        let mut started = Self::try_start(tools, browser);
        for _ in 1..3 {
            if started.is_ok() {
                break;
            }
            started = Self::try_start(tools, browser);
        }
        started
    }

    fn try_start(tools: &Tools, browser: Browser) -> Result<Driver> {
        let path = tools.driver(browser);
        let (port, log) = (free_port()?, NamedTempFile::new()?);
        let mut cmd = Command::new(path);
        match browser {
            Browser::Chromium => cmd.arg(format!("--port={port}")).arg("--allowed-ips=127.0.0.1"),
            Browser::Firefox => cmd
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--websocket-port", &free_port()?.to_string()]),
        };
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.reopen()?)
            .stderr(log.reopen()?)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", path.display()))?;
        let agent = loopback_agent(Duration::from_secs(120));
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            browser,
            binary: tools.browser_binary(browser).to_path_buf(),
            settings: tools.settings.browser(browser).clone(),
            agent,
            log,
        };
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            let exited = driver.child.try_wait().ok().flatten();
            let status = call(&driver.agent, "GET", &format!("{}/status", driver.base), json!({}));
            if status.is_ok_and(|v| v["ready"] == true) {
                return Ok(driver);
            }
            if exited.is_some() || Instant::now() > deadline {
                let why = exited.map_or_else(
                    || format!("was not ready on port {port} within {DRIVER_START_TIMEOUT:?}"),
                    |status| format!("exited ({status}) before it was ready"),
                );
                bail!("{} {why}; log:\n{}", path.display(), driver.log_tail());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// The browser this driver drives.
    pub fn browser(&self) -> Browser {
        self.browser
    }

    /// A new headless session with fake media devices (see [`SessionOptions::default`]).
    pub fn session(&self) -> Result<Session> {
        self.session_with(&SessionOptions::default())
    }

    /// A new headless session with the browser's settings, the layers `options` asks for, and
    /// 60 s script and page-load timeouts.
    pub fn session_with(&self, options: &SessionOptions) -> Result<Session> {
        let mut caps = self.settings.capabilities(self.browser, &self.binary, *options);
        caps["timeouts"] = json!({ "script": 60_000, "pageLoad": 60_000, "implicit": 0 });
        caps["browserName"] = json!(match self.browser {
            Browser::Chromium => "chrome",
            Browser::Firefox => "firefox",
        });
        let body = json!({ "capabilities": { "alwaysMatch": caps } });
        let value = call(&self.agent, "POST", &format!("{}/session", self.base), body)
            .with_context(|| format!("opening a {} session", self.browser))?;
        let id = value["sessionId"].as_str().with_context(|| format!("no sessionId in {value}"))?;
        Ok(Session { agent: self.agent.clone(), base: format!("{}/session/{id}", self.base) })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        process::kill_group(self.child.id());
        let _ = self.child.wait();
    }
}

/// Sends one WebDriver command (`body` only for POST); its `value`, or the driver's error.
fn call(agent: &ureq::Agent, method: &str, url: &str, body: Value) -> Result<Value> {
    let what = format!("WebDriver {method} {}", url.rsplit("/session/").next().unwrap_or(url));
    let resp = match method {
        "GET" => agent.get(url).call(),
        "DELETE" => agent.delete(url).call(),
        _ => agent.post(url).send_json(body),
    };
    let mut resp = resp.with_context(|| format!("{what}: the request failed"))?;
    let status = resp.status().as_u16();
    let v: Value =
        resp.body_mut().read_json().with_context(|| format!("{what}: HTTP {status}, not JSON"))?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if status >= 400 || value["error"].is_string() {
        let msg = value["message"].as_str().unwrap_or("").lines().next().unwrap_or("");
        bail!(
            "{what}: {}: {}",
            value["error"].as_str().unwrap_or("unknown error"),
            &msg[..msg.len().min(600)]
        );
    }
    Ok(value)
}

/// One browser session; ends (closing its windows) on drop.
#[derive(Debug)]
pub struct Session {
    agent: ureq::Agent,
    base: String,
}

impl Session {
    fn post(&self, path: &str, body: Value) -> Result<Value> {
        call(&self.agent, "POST", &format!("{}{path}", self.base), body)
    }

    fn get_str(&self, path: &str) -> Result<String> {
        let v = call(&self.agent, "GET", &format!("{}{path}", self.base), Value::Null)?;
        v.as_str().map(str::to_string).with_context(|| format!("GET {path}: not a string: {v}"))
    }

    /// Navigates to `url` and waits for the load event.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", json!({ "url": url })).map(drop)
    }

    /// Runs `js` (a function body; `arguments[i]` are `args`) and returns what it returns.
    pub fn execute(&self, js: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": js, "args": args }))
    }

    /// Runs `js` asynchronously: the callback is the last of `arguments`; returns what it is
    /// called with (the session's script timeout, 60 s, bounds it).
    pub fn execute_async(&self, js: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/async", json!({ "script": js, "args": args }))
    }

    /// Runs `command` (`click`, `value`) on the first element matching `css`.
    fn element(&self, css: &str, command: &str, body: Value) -> Result<()> {
        let found = self.post("/element", json!({ "using": "css selector", "value": css }))?;
        // The W3C key under which an element reference travels.
        let id = found["element-6066-11e4-a52e-4f735466cecf"].as_str();
        let id = id.with_context(|| format!("`{css}`: no element reference in {found}"))?;
        self.post(&format!("/element/{id}/{command}"), body)
            .with_context(|| format!("{command} `{css}`"))
            .map(drop)
    }

    /// Clicks the first element matching `css` (a real, trusted click: it counts as a user
    /// gesture for autoplay and permissions).
    pub fn click(&self, css: &str) -> Result<()> {
        self.element(css, "click", json!({}))
    }

    /// Types `text` into the first element matching `css`.
    pub fn send_keys(&self, css: &str, text: &str) -> Result<()> {
        self.element(css, "value", json!({ "text": text }))
    }

    /// Evaluates `js_expr` every 100 ms until it is truthy (in JavaScript's sense) and returns
    /// its value; after `timeout`, an error naming `what` and the last value or script error.
    pub fn wait_until(&self, js_expr: &str, timeout: Duration, what: &str) -> Result<Value> {
        let script = format!("const v = ({js_expr}); return [!!v, v === undefined ? null : v];");
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.execute(&script, vec![]) {
                Ok(v) if v[0] == true => return Ok(v[1].clone()),
                Ok(v) => v[1].to_string(),
                Err(e) => format!("script error: {e:#}"),
            };
            if Instant::now() >= deadline {
                bail!("timed out after {timeout:?} waiting for {what} (last value: {last})");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG screenshot of the current window's viewport.
    pub fn screenshot_png(&self) -> Result<Vec<u8>> {
        let b64 = self.get_str("/screenshot")?;
        base64::engine::general_purpose::STANDARD.decode(b64).context("screenshot: invalid base64")
    }

    /// Sets the outer window size.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.post("/window/rect", json!({ "width": width, "height": height })).map(drop)
    }

    /// The handle of the current window.
    pub fn window_handle(&self) -> Result<String> {
        self.get_str("/window")
    }

    /// Opens a new window (not switched to) and returns its handle.
    pub fn new_window(&self) -> Result<String> {
        let v = self.post("/window/new", json!({ "type": "window" }))?;
        v["handle"].as_str().map(String::from).with_context(|| format!("no handle in {v}"))
    }

    /// Makes the window `handle` the target of the following commands.
    pub fn switch_to(&self, handle: &str) -> Result<()> {
        self.post("/window", json!({ "handle": handle })).map(drop)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = call(&self.agent, "DELETE", &self.base, Value::Null);
    }
}
