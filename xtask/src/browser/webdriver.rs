//! A minimal W3C WebDriver client (over `ureq`) for the browser tests and the benchmark page.
//!
//! `Driver::start(&tools, browser)` spawns chromedriver or geckodriver on a free loopback port
//! (its process group is killed on drop); `driver.session()` opens a session with the
//! browser's settings from `wasm-pack.toml`; a `Session` navigates, runs scripts, clicks, polls
//! with a deadline, takes screenshots and manages windows; dropping it ends the session.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};

pub use super::SessionOptions;
use super::{Browser, BrowserSettings};
use crate::process;
use crate::setup::Tools;

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

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
    log: PathBuf,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("browser", &self.browser)
            .field("base", &self.base)
            .finish()
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

impl Driver {
    /// Spawns the browser's WebDriver server on a free 127.0.0.1 port and waits until it is
    /// ready.
    ///
    /// # Errors
    /// When the driver cannot be spawned or is not ready within 30 s (the error carries the
    /// tail of its log).
    pub fn start(tools: &Tools, browser: Browser) -> Result<Driver> {
        let mut last_err = None;
        // A port picked as free can be taken before the driver binds it; try a few.
        for _ in 0..3 {
            match Self::try_start(tools, browser) {
                Ok(d) => return Ok(d),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("cannot start the {browser} driver")))
    }

    fn try_start(tools: &Tools, browser: Browser) -> Result<Driver> {
        let driver_path = tools.driver(browser);
        let port = free_port()?;
        let log = std::env::temp_dir().join(format!("xtask-{}driver-{port}.log", browser.name()));
        let log_file =
            File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let mut cmd = Command::new(driver_path);
        match browser {
            Browser::Chromium => {
                cmd.arg(format!("--port={port}"))
                    .arg("--allowed-ips=127.0.0.1")
                    .arg(format!("--log-path={}", log.display()));
            }
            Browser::Firefox => {
                let ws_port = free_port()?;
                cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    .args(["--websocket-port", &ws_port.to_string()]);
            }
        }
        let err_file = log_file.try_clone()?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(log_file))
            .stderr(Stdio::from(err_file))
            .process_group(0);
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot spawn {}", driver_path.display()))?;
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            browser,
            binary: tools.browser_binary(browser).to_path_buf(),
            settings: tools.settings.browser(browser).clone(),
            agent: agent(),
            log,
        };
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = driver.child.try_wait() {
                bail!(
                    "{} exited ({status}) before it was ready; log:\n{}",
                    driver_path.display(),
                    driver.log_tail()
                );
            }
            if let Ok(mut resp) = driver.agent.get(format!("{}/status", driver.base)).call() {
                if let Ok(v) = resp.body_mut().read_json::<Value>() {
                    if v["value"]["ready"] == json!(true) {
                        return Ok(driver);
                    }
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "{} was not ready on port {port} within {:?}; log:\n{}",
                    driver_path.display(),
                    DRIVER_START_TIMEOUT,
                    driver.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
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

    /// A new headless session with the given options.
    pub fn session_with(&self, options: &SessionOptions) -> Result<Session> {
        let caps = self.capabilities(options);
        let body = json!({ "capabilities": { "alwaysMatch": caps } });
        let value = call(
            &self.agent,
            "POST",
            &format!("{}/session", self.base),
            Some(body),
            "new session",
        )
        .with_context(|| format!("cannot open a {} session", self.browser))?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("new session answered without a sessionId: {value}"))?
            .to_string();
        Ok(Session {
            agent: self.agent.clone(),
            base: format!("{}/session/{id}", self.base),
        })
    }

    /// The browser's settings from `wasm-pack.toml` with `options`, plus session timeouts.
    fn capabilities(&self, options: &SessionOptions) -> Value {
        let mut caps = self
            .settings
            .capabilities(self.browser, &self.binary, *options);
        caps["timeouts"] = json!({ "script": 60_000, "pageLoad": 60_000, "implicit": 0 });
        caps["browserName"] = json!(match self.browser {
            Browser::Chromium => "chrome",
            Browser::Firefox => "firefox",
        });
        caps
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        process::kill_group(self.child.id());
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Sends one WebDriver command; returns its `value`, or the driver's error as an `Err`.
fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
    what: &str,
) -> Result<Value> {
    let resp = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, body) => agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
    };
    let mut resp = resp.with_context(|| format!("WebDriver {what}: request to {url} failed"))?;
    let status = resp.status().as_u16();
    let v: Value = resp
        .body_mut()
        .read_json()
        .with_context(|| format!("WebDriver {what}: the answer (HTTP {status}) is not JSON"))?;
    if status >= 400 || v["value"]["error"].is_string() {
        let err = v["value"]["error"].as_str().unwrap_or("unknown error");
        let msg = v["value"]["message"].as_str().unwrap_or("");
        let msg: String = msg.lines().next().unwrap_or("").chars().take(600).collect();
        bail!("WebDriver {what}: {err}: {msg}");
    }
    Ok(v.get("value").cloned().unwrap_or(Value::Null))
}

/// One browser session; ends (closing its windows) on drop.
#[derive(Debug)]
pub struct Session {
    agent: ureq::Agent,
    base: String,
}

/// Whether a value returned by a script counts as "true" for [`Session::wait_until`].
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

impl Session {
    fn post(&self, path: &str, body: Value, what: &str) -> Result<Value> {
        call(
            &self.agent,
            "POST",
            &format!("{}{path}", self.base),
            Some(body),
            what,
        )
    }

    fn get(&self, path: &str, what: &str) -> Result<Value> {
        call(
            &self.agent,
            "GET",
            &format!("{}{path}", self.base),
            None,
            what,
        )
    }

    /// Navigates to `url` and waits for the load event.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", json!({ "url": url }), &format!("goto {url}"))?;
        Ok(())
    }

    /// Runs `js` (a function body; `arguments[i]` are `args`) and returns what it returns.
    pub fn execute(&self, js: &str, args: Vec<Value>) -> Result<Value> {
        self.post(
            "/execute/sync",
            json!({ "script": js, "args": args }),
            "execute",
        )
    }

    /// Runs `js` asynchronously: the callback is the last of `arguments`; returns what it is
    /// called with (the session's script timeout, 60 s, bounds it).
    pub fn execute_async(&self, js: &str, args: Vec<Value>) -> Result<Value> {
        self.post(
            "/execute/async",
            json!({ "script": js, "args": args }),
            "execute_async",
        )
    }

    /// Runs `command` (`click`, `value`) on the first element matching `css`.
    fn element(&self, css: &str, command: &str, body: Value, what: &str) -> Result<()> {
        let found = json!({ "using": "css selector", "value": css });
        let v = self.post("/element", found, &format!("find `{css}`"))?;
        let id = v[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| anyhow!("find `{css}`: no element reference in {v}"))?;
        self.post(
            &format!("/element/{id}/{command}"),
            body,
            &format!("{what} `{css}`"),
        )?;
        Ok(())
    }

    /// Clicks the first element matching `css` (a real, trusted click: it counts as a user
    /// gesture for autoplay and permissions).
    pub fn click(&self, css: &str) -> Result<()> {
        self.element(css, "click", json!({}), "click")
    }

    /// Types `text` into the first element matching `css`.
    pub fn send_keys(&self, css: &str, text: &str) -> Result<()> {
        self.element(css, "value", json!({ "text": text }), "type into")
    }

    /// Polls `js_expr` (an expression) every 100 ms until it is truthy and returns its value.
    ///
    /// # Errors
    /// After `timeout`: an error naming `what` and the last value (or script error) seen.
    pub fn wait_until(&self, js_expr: &str, timeout: Duration, what: &str) -> Result<Value> {
        let script = format!("return ({js_expr});");
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.execute(&script, vec![]) {
                Ok(v) if truthy(&v) => return Ok(v),
                Ok(v) => v.to_string(),
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
        let v = self.get("/screenshot", "screenshot")?;
        let b64 = v
            .as_str()
            .ok_or_else(|| anyhow!("screenshot: not a base64 string"))?;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .context("screenshot: invalid base64")
    }

    /// Sets the outer window size.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        let rect = json!({ "width": width, "height": height });
        self.post("/window/rect", rect, "set window rect")?;
        Ok(())
    }

    /// The handle of the current window.
    pub fn window_handle(&self) -> Result<String> {
        let v = self.get("/window", "window handle")?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("window handle: not a string: {v}"))
    }

    /// Opens a new window (not switched to) and returns its handle.
    pub fn new_window(&self) -> Result<String> {
        let v = self.post("/window/new", json!({ "type": "window" }), "new window")?;
        v["handle"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("new window: no handle in {v}"))
    }

    /// Makes the window `handle` the target of the following commands.
    pub fn switch_to(&self, handle: &str) -> Result<()> {
        self.post("/window", json!({ "handle": handle }), "switch window")?;
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = call(&self.agent, "DELETE", &self.base, None, "delete session");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives the installed browsers (slow; run with `cargo test -p xtask -- --ignored`).
    #[test]
    #[ignore]
    fn drives_both_installed_browsers() {
        let tools = crate::setup::ensure().unwrap();
        let dir = std::env::temp_dir().join(format!("xtask-wd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>t</title><body></body>",
        )
        .unwrap();
        let server = super::super::server::Server::start(
            "127.0.0.1:0".parse().unwrap(),
            vec![("/".into(), dir.clone())],
        )
        .unwrap();
        for browser in Browser::ALL {
            let d = Driver::start(&tools, browser).unwrap();
            let s = d.session().unwrap();
            s.goto(&server.url()).unwrap();
            s.execute("document.body.innerHTML = '<button id=b>x</button>'; document.getElementById('b').onclick = () => { window.clicked = 1 + arguments.length; }; return null;", vec![]).unwrap();
            assert_eq!(
                s.execute(
                    "return arguments[0] + arguments[1];",
                    vec![json!(2), json!(3)]
                )
                .unwrap(),
                json!(5)
            );
            assert_eq!(s.execute_async("const done = arguments[arguments.length - 1]; setTimeout(() => done(arguments[0] * 2), 50);", vec![json!(21)]).unwrap(), json!(42));
            s.click("#b").unwrap();
            assert_eq!(
                s.wait_until("window.clicked", Duration::from_secs(5), "the click")
                    .unwrap(),
                json!(1)
            );
            let err = s
                .wait_until("window.never", Duration::from_millis(300), "never")
                .unwrap_err();
            assert!(format!("{err}").contains("never"), "{err}");
            let png = s.screenshot_png().unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let first = s.window_handle().unwrap();
            let second = s.new_window().unwrap();
            s.switch_to(&second).unwrap();
            assert_eq!(s.window_handle().unwrap(), second);
            s.switch_to(&first).unwrap();
            let media = s.execute_async("const done = arguments[arguments.length - 1]; navigator.mediaDevices.getUserMedia({video: true}).then(s => done(s.getVideoTracks().length), e => done(String(e)));", vec![]).unwrap();
            assert_eq!(media, json!(1), "{browser}");
        }
    }

    #[test]
    fn truthiness_follows_javascript() {
        assert!(!truthy(&json!(null)));
        assert!(!truthy(&json!(false)));
        assert!(!truthy(&json!(0)));
        assert!(!truthy(&json!("")));
        assert!(truthy(&json!(1)));
        assert!(truthy(&json!("x")));
        assert!(truthy(&json!({})));
        assert!(truthy(&json!([])));
    }
}
