//! What the demo's browser suites (`e2e`, `rooms`, `abuse`) share: a demo page open in one
//! WebDriver session, read through the page's read-only `window.__rtcDemo` and the page probe
//! (`src/testing/probe.js`, loaded by the test server before the page's own scripts: the raw
//! state of every `RTCPeerConnection`, the listeners on WebRTC and media objects, the live local
//! tracks, console errors); the checks every case makes; and the runner of a suite's cases.
//! Every wait has a deadline, says what it waited for and, on timeout, shows the page's state.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use crate::browser::server::percent_encode;
use crate::browser::webdriver::Session;
use crate::browser::Browser;
use crate::report::Report;
use crate::turn_config;

/// How long the page may take to load the wasm package (and join its room, in room mode).
pub const LOAD: Duration = Duration::from_secs(20);
/// How long a call may take from the click to playing remote video.
pub const CONNECT: Duration = Duration::from_secs(25);

/// JS expression: what the page and the probe say (failure messages, the abuse checks).
pub const STATE: &str = "(() => { const d = window.__rtcDemo, p = window.__rtcProbe; return { \
     connections: p.connections().length, open: p.openConnections(), \
     notClosed: p.connections().filter((pc) => pc.connectionState !== 'closed').length, \
     states: p.connectionStates(), liveLocalTracks: p.liveLocalTracks(), \
     listeners: p.listeners(), listenerTypes: p.listenerTypes(), listenersAdded: p.addedTotal(), \
     pageErrors: d.errors, csp: d.cspViolations, started: d.callsStarted, ended: d.callsEnded, \
     active: d.active, callDisabled: d.callDisabled, hangUpDisabled: d.hangUpDisabled, \
     statsRunning: d.statsRunning, remoteHasSrcObject: d.remoteHasSrcObject, \
     localHasSrcObject: d.localHasSrcObject, roomState: d.roomState, \
     lastEndReason: d.lastEndReason }; })()";

/// JS expression: the remote `<video>` has frames and Hang up is enabled (then its size/time).
pub const REMOTE_PLAYING: &str = "(() => { const v = document.getElementById('remote'); \
     return v.srcObject !== null && v.videoWidth > 0 && v.currentTime > 0 && !v.paused \
     && !document.getElementById('hangup').disabled \
     && { width: v.videoWidth, time: v.currentTime }; })()";

/// JS expression: the call ended and released everything, read from the page's elements and
/// the browser: Hang up disabled, no call, no `srcObject`, no stats timer; the call created
/// connections and every one is closed (raw `signalingState` and `connectionState`); no listener
/// on a WebRTC or media object; no live local track.
pub const RELEASED: &str = "(() => { const d = window.__rtcDemo, p = window.__rtcProbe; \
     const pcs = p.connections(), el = (id) => document.getElementById(id); \
     return el('hangup').disabled && !d.active && !d.statsRunning \
     && el('remote').srcObject === null && el('local').srcObject === null \
     && pcs.length > 0 && p.openConnections() === 0 \
     && pcs.every((pc) => pc.connectionState === 'closed') \
     && p.listeners() === 0 && p.liveLocalTracks() === 0; })()";

/// The demo page in one browser session.
pub struct Page {
    pub name: String,
    pub s: Session,
}

impl Page {
    /// Opens `url` in `s` and waits until the wasm package is loaded (and, in room mode, the
    /// page has joined or been refused); with `probed`, the page probe must be there.
    pub fn open(name: &str, s: Session, url: &str, probed: bool) -> Result<Page> {
        let page = Page { name: name.to_string(), s };
        page.s.goto(url)?;
        page.wait(
            "(() => { const d = window.__rtcDemo; return d && d.ready && (d.roomState ? \
             d.roomState !== 'connecting' : !new URLSearchParams(location.search).has('room')); })()",
            LOAD,
            &format!("the page to load the wasm package ({url})"),
        )?;
        let probe = page.get("typeof window.__rtcProbe")?;
        ensure!(!probed || probe == json!("object"), "{name}: the page probe is not loaded");
        Ok(page)
    }

    /// Runs `script` (a function body) in the page.
    pub fn js(&self, script: &str) -> Result<Value> {
        self.s.execute(script, vec![]).with_context(|| self.name.clone())
    }

    /// The value of the JS expression `expr`.
    pub fn get(&self, expr: &str) -> Result<Value> {
        self.js(&format!("return ({expr});"))
    }

    /// Polls the JS expression `expr` in the page every 10 ms (fast enough for "the instant
    /// Hang up is enabled") until it is truthy, and returns its value; on timeout (under the
    /// session's 60 s script limit), fails with `what`, the last value and the page's state.
    pub fn wait(&self, expr: &str, timeout: Duration, what: &str) -> Result<Value> {
        let script = format!(
            "const [ms, done] = arguments, deadline = performance.now() + ms;
             const poll = () => {{
               let v, last;
               try {{ v = ({expr}); last = v; }} catch (e) {{ last = `script error: ${{e}}`; }}
               if (v) return done({{ ok: v }});
               if (performance.now() > deadline) return done({{ last: last ?? null }});
               setTimeout(poll, 10);
             }};
             poll();"
        );
        let ms = timeout.as_millis() as u64;
        let v =
            self.s.execute_async(&script, vec![json!(ms)]).with_context(|| self.name.clone())?;
        if let Some(ok) = v.get("ok") {
            return Ok(ok.clone());
        }
        let state = self.get(STATE).unwrap_or(Value::Null);
        let last = &v["last"];
        bail!("{}: timed out after {timeout:?} waiting for {what} (last value: {last}); page state: {state}", self.name)
    }

    pub fn click(&self, css: &str) -> Result<()> {
        self.s.click(css).with_context(|| self.name.clone())
    }

    /// Waits until remote video plays, then until its `currentTime` moves on.
    pub fn remote_playing(&self, what: &str) -> Result<()> {
        let first = self.wait(REMOTE_PLAYING, CONNECT, &format!("{what}: remote video playing"))?;
        self.advancing(first["time"].as_f64().unwrap_or(0.0), 0.3, what)
    }

    /// Waits until the remote video's `currentTime` is `by` seconds past `from`.
    pub fn advancing(&self, from: f64, by: f64, what: &str) -> Result<()> {
        let expr = format!("document.getElementById('remote').currentTime > {from} + {by}");
        let what = format!("{what}: remote video currentTime advancing past {from:.2}s");
        self.wait(&expr, Duration::from_secs(10), &what).map(drop)
    }

    /// Waits until the stats panel's figures (from getStats once a second) are live: resolution,
    /// fps, bitrate, the candidate pair's path and its round trip (shown, not "–"); returns them.
    pub fn live_stats(&self, what: &str) -> Result<Value> {
        self.wait(
            "(() => { const t = window.__rtcDemo.stats; \
             return t.width > 0 && t.fps > 0 && t.kbps > 0 && t.path && \
             typeof t.rttMs === 'number' && \
             document.getElementById('stat-rtt').textContent !== '–' && t; })()",
            Duration::from_secs(10),
            &format!("{what}: live stats (resolution, fps, bitrate, path, round trip shown)"),
        )
    }

    /// The remote video's `currentTime` now.
    pub fn remote_time(&self) -> Result<f64> {
        Ok(self.get("document.getElementById('remote').currentTime")?.as_f64().unwrap_or(0.0))
    }

    /// Waits until everything is released ([`RELEASED`]), then forgets the connections the
    /// probe recorded, so the next check is about the next call's connections.
    pub fn released(&self, timeout: Duration, what: &str) -> Result<()> {
        self.wait(RELEASED, timeout, what)?;
        self.forget()
    }

    /// Forgets the connections the probe recorded.
    pub fn forget(&self) -> Result<()> {
        self.js("window.__rtcProbe.forgetConnections(); return null;").map(drop)
    }

    /// Fails when the page reported a CSP violation (or has no watcher to report one).
    pub fn no_csp_violations(&self) -> Result<()> {
        let v = self.get("window.__rtcDemo ? window.__rtcDemo.cspViolations : null")?;
        match v.as_array() {
            Some(list) if list.is_empty() => Ok(()),
            Some(_) => bail!("{}: the page reported CSP violations: {v}", self.name),
            None => bail!("{}: the page has no CSP violation log (csp-watch.js?)", self.name),
        }
    }

    /// Fails on CSP violations, page errors, or console errors and uncaught exceptions (the
    /// probe's record, emptied by this check).
    pub fn clean(&self) -> Result<()> {
        self.no_csp_violations()?;
        let v = self.get("window.__rtcDemo.errors")?;
        ensure!(v == json!([]), "{}: the page reported errors: {v}", self.name);
        let console = self.get("window.__rtcProbe.takeErrors()")?;
        ensure!(
            console == json!(""),
            "{}: console errors or uncaught exceptions: {console}",
            self.name
        );
        Ok(())
    }

    /// Writes a PNG of the page `height` pixels tall to `path`, the video moved on a little.
    pub fn screenshot(&self, height: u32, path: &Path) -> Result<()> {
        self.s.set_window_size(1280, height)?;
        std::thread::sleep(Duration::from_millis(2500));
        let png = self.s.screenshot_png()?;
        ensure!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        std::fs::create_dir_all(path.parent().context("a screenshot path with a folder")?)?;
        std::fs::write(path, &png).with_context(|| format!("writing {}", path.display()))?;
        println!("xtask: wrote {} ({} bytes)", path.display(), png.len());
        Ok(())
    }
}

/// A suite's case: its name and what it does with the suite's context.
pub type Case<C> = (&'static str, fn(&C) -> Result<()>);

/// Runs `cases` with `ctx` (only those whose name holds `XTASK_E2E_ONLY` when set, the others
/// noted as left out), prints each as ok or FAILED with its time under `tag`, and adds the
/// counts to `suite` for each of `browsers`.
pub fn run_cases<C>(
    report: &mut Report,
    (suite, tag): (&str, &str),
    browsers: &[Browser],
    cases: &[Case<C>],
    ctx: &C,
) {
    let only = std::env::var("XTASK_E2E_ONLY").ok();
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        if let Some(o) = only.as_ref().filter(|o| !name.contains(o.as_str())) {
            for &b in browsers {
                report.left_out(suite, Some(b), name, &format!("XTASK_E2E_ONLY={o}"));
            }
            continue;
        }
        let started = Instant::now();
        match case(ctx) {
            Ok(()) => {
                passed += 1;
                println!("xtask: {tag} ok     {name} ({:.1}s)", started.elapsed().as_secs_f64());
            }
            Err(e) => {
                failed += 1;
                println!("xtask: {tag} FAILED {name}: {e:#}");
            }
        }
    }
    for &b in browsers {
        report.add(suite, Some(b), passed, failed);
    }
}

/// The run's TURN settings from its config endpoint: the URL, username and credential.
pub fn turn_settings() -> Result<[String; 3]> {
    let port = std::env::var(turn_config::PORT_VAR).ok().and_then(|p| p.parse().ok());
    let port = port.unwrap_or(turn_config::NAMESPACE_PORT);
    let url = format!("http://127.0.0.1:{port}{}", turn_config::PATH);
    let agent = crate::browser::webdriver::loopback_agent(Duration::from_secs(5));
    let mut response = agent.get(&url).call().with_context(|| format!("reading {url}"))?;
    let v: Value = response.body_mut().read_json().with_context(|| format!("{url}: not JSON"))?;
    let field = |k: &str| v[k].as_str().map(String::from).with_context(|| format!("{url}: no {k}"));
    Ok([field("url")?, field("username")?, field("credential")?])
}

/// The demo's query parameters for a relay-only call with `[url, username, credential]`.
pub fn relay_query(turn: &[String; 3]) -> String {
    let [url, user, secret] = turn.each_ref().map(|v| percent_encode(v));
    format!("turn={url}&username={user}&credential={secret}&relay=1")
}
