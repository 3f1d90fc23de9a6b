//! A minimal W3C WebDriver client (over `ureq`) for the end-to-end browser tests.
//!
//! `Driver::start(&tools, browser)` spawns chromedriver or geckodriver on a free loopback port
//! (killed on drop); `driver.session()` opens a headless session with fake media devices and the
//! loopback-only ICE settings from TOOLCHAIN.md; a `Session` navigates, runs scripts, clicks,
//! polls with a deadline, takes screenshots and manages windows; dropping it ends the session.

// Contract API for every suite: not every item is used by every command.
#![allow(dead_code)]

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::setup::Tools;

/// The W3C key under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a driver gets to answer `/status` with `ready: true`.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(30);

/// Chromium flags that make headless runs work as root, offline and without mDNS candidates.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--window-size=1280,900",
];

/// Chromium flags that replace the camera and microphone with a fake device and grant access.
const CHROMIUM_FAKE_MEDIA_ARGS: &[&str] =
    &["--use-fake-device-for-media-stream", CHROMIUM_GRANT_MEDIA];

/// Grants media permission without a prompt. Kept without fake devices too (getUserMedia then
/// fails with NotFoundError): without the permission Chromium gathers ICE candidates only on
/// the default route's interface, and the test network namespace has no default route.
const CHROMIUM_GRANT_MEDIA: &str = "--use-fake-ui-for-media-stream";

/// Options for a new session; `Default` is what `Driver::session` uses.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Fake camera and microphone, permission granted (Chromium flags, Firefox prefs).
    /// When false, the browser has no media device at all.
    pub fake_media: bool,
    /// Extra browser command-line arguments.
    pub extra_args: Vec<String>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            fake_media: true,
            extra_args: Vec::new(),
        }
    }
}

/// A running chromedriver or geckodriver, killed on drop.
pub struct Driver {
    child: Child,
    base: String,
    browser: Browser,
    binary: PathBuf,
    agent: ureq::Agent,
    log: PathBuf,
    /// `{"goog:chromeOptions": …}` / `{"moz:firefoxOptions": …}` from `wasm-pack.toml`; the
    /// built-in flags below when absent.
    base_caps: Option<Value>,
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
        let mut driver = Self::start_with(
            tools.driver(browser),
            tools.browser_binary(browser),
            browser,
        )?;
        // The project's capabilities (wasm-pack.toml), the same the wasm suites use.
        driver.base_caps = Some(tools.capabilities(browser));
        Ok(driver)
    }

    /// Like [`Driver::start`], with explicit paths of the driver and the browser binary.
    pub fn start_with(driver_path: &Path, binary: &Path, browser: Browser) -> Result<Driver> {
        let mut last_err = None;
        // A port picked as free can be taken before the driver binds it; try a few.
        for _ in 0..3 {
            match Self::try_start(driver_path, binary, browser) {
                Ok(d) => return Ok(d),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| anyhow!("cannot start the {browser} driver")))
    }

    fn try_start(driver_path: &Path, binary: &Path, browser: Browser) -> Result<Driver> {
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
            .stderr(Stdio::from(err_file));
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot spawn {}", driver_path.display()))?;
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            browser,
            binary: binary.to_path_buf(),
            agent: agent(),
            log,
            base_caps: None,
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
            browser: self.browser,
        })
    }

    fn capabilities(&self, options: &SessionOptions) -> Value {
        let mut caps = self.builtin_capabilities(options);
        if let Some(base) = &self.base_caps {
            // Start from the project's settings, then apply the options to them.
            let key = match self.browser {
                Browser::Chromium => "goog:chromeOptions",
                Browser::Firefox => "moz:firefoxOptions",
            };
            let mut opts = base[key].clone();
            if opts.is_object() {
                let fake = |a: &Value| a.as_str() == Some("--use-fake-device-for-media-stream");
                if let Some(args) = opts["args"].as_array_mut() {
                    if !options.fake_media {
                        args.retain(|a| !fake(a));
                    }
                    if self.browser == Browser::Chromium && options.fake_media {
                        for flag in CHROMIUM_FAKE_MEDIA_ARGS {
                            if !args.iter().any(|a| a == flag) {
                                args.push(json!(flag));
                            }
                        }
                    }
                    if self.browser == Browser::Chromium
                        && !args
                            .iter()
                            .any(|a| a.as_str().is_some_and(|s| s.starts_with("--window-size")))
                    {
                        args.push(json!("--window-size=1280,900"));
                    }
                    args.extend(options.extra_args.iter().map(|a| json!(a)));
                }
                if self.browser == Browser::Firefox {
                    if let (Some(prefs), Some(ours)) = (
                        opts["prefs"].as_object_mut(),
                        caps[key]["prefs"].as_object(),
                    ) {
                        for (k, v) in ours {
                            prefs.insert(k.clone(), v.clone());
                        }
                        if !options.fake_media {
                            prefs.remove("media.navigator.streams.fake");
                        }
                    } else if opts["prefs"].is_null() {
                        opts["prefs"] = caps[key]["prefs"].clone();
                    }
                }
                caps[key] = opts;
            }
        }
        caps
    }

    fn builtin_capabilities(&self, options: &SessionOptions) -> Value {
        let timeouts = json!({ "script": 60_000, "pageLoad": 60_000, "implicit": 0 });
        match self.browser {
            Browser::Chromium => {
                let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
                if options.fake_media {
                    args.extend(CHROMIUM_FAKE_MEDIA_ARGS.iter().map(|s| s.to_string()));
                } else {
                    args.push(CHROMIUM_GRANT_MEDIA.to_string());
                }
                args.extend(options.extra_args.iter().cloned());
                json!({
                    "browserName": "chrome",
                    "timeouts": timeouts,
                    "goog:chromeOptions": {
                        "binary": self.binary.display().to_string(),
                        "args": args,
                    },
                })
            }
            Browser::Firefox => {
                let mut args = vec!["-headless".to_string()];
                args.extend(options.extra_args.iter().cloned());
                let mut prefs = json!({
                    "media.peerconnection.ice.obfuscate_host_addresses": false,
                    "media.peerconnection.ice.loopback": true,
                    "media.autoplay.default": 0,
                    "media.autoplay.blocking_policy": 0,
                });
                if options.fake_media {
                    prefs["media.navigator.streams.fake"] = json!(true);
                    prefs["media.navigator.permission.disabled"] = json!(true);
                } else {
                    // No fake devices. Allowed, not refused: a refusal (2) would also stop
                    // Firefox gathering on the test network namespace's veth pair; with no
                    // device, getUserMedia fails with NotFoundError and nothing prompts.
                    prefs["media.navigator.permission.disabled"] = json!(false);
                    prefs["permissions.default.camera"] = json!(1);
                    prefs["permissions.default.microphone"] = json!(1);
                }
                json!({
                    "browserName": "firefox",
                    "timeouts": timeouts,
                    "moz:firefoxOptions": {
                        "binary": self.binary.display().to_string(),
                        "args": args,
                        "prefs": prefs,
                    },
                })
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
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
    browser: Browser,
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
    fn cmd(&self, method: &str, path: &str, body: Option<Value>, what: &str) -> Result<Value> {
        call(
            &self.agent,
            method,
            &format!("{}{path}", self.base),
            body,
            what,
        )
    }

    /// The browser of this session.
    pub fn browser(&self) -> Browser {
        self.browser
    }

    /// Navigates to `url` and waits for the load event.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.cmd(
            "POST",
            "/url",
            Some(json!({ "url": url })),
            &format!("goto {url}"),
        )
        .map(|_| ())
    }

    /// Runs `js` (a function body; `arguments[i]` are `args`) and returns what it returns.
    pub fn execute(&self, js: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": args })),
            "execute",
        )
    }

    /// Runs `js` asynchronously: the callback is the last of `arguments`; returns what it is
    /// called with (the session's script timeout, 60 s, bounds it).
    pub fn execute_async(&self, js: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({ "script": js, "args": args })),
            "execute_async",
        )
    }

    fn find(&self, css: &str) -> Result<String> {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
            &format!("find `{css}`"),
        )?;
        v[ELEMENT_KEY]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("find `{css}`: no element reference in {v}"))
    }

    /// Clicks the first element matching `css` (a real, trusted click: it counts as a user
    /// gesture for autoplay and permissions).
    pub fn click(&self, css: &str) -> Result<()> {
        let id = self.find(css)?;
        self.cmd(
            "POST",
            &format!("/element/{id}/click"),
            Some(json!({})),
            &format!("click `{css}`"),
        )
        .map(|_| ())
    }

    /// Types `text` into the first element matching `css`.
    pub fn send_keys(&self, css: &str, text: &str) -> Result<()> {
        let id = self.find(css)?;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
            &format!("type into `{css}`"),
        )
        .map(|_| ())
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
        let v = self.cmd("GET", "/screenshot", None, "screenshot")?;
        let b64 = v
            .as_str()
            .ok_or_else(|| anyhow!("screenshot: not a base64 string"))?;
        base64_decode(b64).ok_or_else(|| anyhow!("screenshot: invalid base64"))
    }

    /// Sets the outer window size.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
            "set window rect",
        )
        .map(|_| ())
    }

    /// The handle of the current window.
    pub fn window_handle(&self) -> Result<String> {
        let v = self.cmd("GET", "/window", None, "window handle")?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("window handle: not a string: {v}"))
    }

    /// Opens a new window (not switched to) and returns its handle.
    pub fn new_window(&self) -> Result<String> {
        let v = self.cmd(
            "POST",
            "/window/new",
            Some(json!({ "type": "window" })),
            "new window",
        )?;
        v["handle"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("new window: no handle in {v}"))
    }

    /// Makes the window `handle` the target of the following commands.
    pub fn switch_to(&self, handle: &str) -> Result<()> {
        self.cmd(
            "POST",
            "/window",
            Some(json!({ "handle": handle })),
            "switch window",
        )
        .map(|_| ())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = call(&self.agent, "DELETE", &self.base, None, "delete session");
    }
}

/// Standard base64 (with or without padding) to bytes.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        match chunk.len() {
            4 => out.extend_from_slice(&bytes),
            3 => out.extend_from_slice(&bytes[..2]),
            2 => out.push(bytes[0]),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives the installed browsers (slow; run with `cargo test -p xtask -- --ignored`).
    #[test]
    #[ignore]
    fn drives_both_installed_browsers() {
        let home = std::env::var("HOME").unwrap();
        let dir = std::env::temp_dir().join(format!("xtask-wd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>t</title><body></body>",
        )
        .unwrap();
        let server = crate::serve::Server::start(
            "127.0.0.1:0".parse().unwrap(),
            vec![("/".into(), dir.clone())],
        )
        .unwrap();
        for (driver, binary, browser) in [
            (
                "/usr/bin/chromedriver".to_string(),
                "/usr/bin/chromium",
                Browser::Chromium,
            ),
            (
                format!("{home}/.cargo/bin/geckodriver"),
                "/usr/bin/firefox-esr",
                Browser::Firefox,
            ),
        ] {
            let d = Driver::start_with(Path::new(&driver), Path::new(binary), browser).unwrap();
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
    fn base64_round_trips_known_vectors() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(base64_decode("Z").is_none());
        assert!(base64_decode("Zm9*").is_none());
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
