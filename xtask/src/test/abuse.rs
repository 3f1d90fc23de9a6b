//! The demo page under abuse (e2e, every browser of `wasm-pack.toml`): 100 rapid Call / Hang up
//! cycles in one page, in five rhythms — Hang up clicked while it is still disabled (before the
//! remote track arrives), Hang up the instant it is enabled (track arrived, ICE still
//! connecting), after the video plays, bursts of untrusted JS clicks on both buttons, and
//! Call clicked again in the same task as Hang up. Afterwards the page must hold zero open
//! connections, zero live local tracks, zero listeners on any connection, zero console
//! errors, zero page errors and zero CSP violations.
//!
//! The counts come from the browser itself, through the page probe (`src/testing/probe.js`,
//! loaded by the test server before the page's own scripts; not a mock: every wrapper calls the
//! browser's own method): every `RTCPeerConnection` the page created with its raw
//! `signalingState` / `connectionState`, every local track it made (`getUserMedia`,
//! `captureStream`, Web Audio, `clone`) with its `readyState`, the live `addEventListener`
//! registrations on WebRTC and media objects, and console errors and uncaught exceptions.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::report::Report;
use crate::browser::webdriver::{Driver, Session};
use crate::browser::Browser;
use crate::demo;
use crate::setup::Tools;

/// Suite name in the report.
const SUITE: &str = "demo abuse";
/// Call / Hang up cycles per browser.
const CYCLES: u64 = 100;
/// The longest one step of a cycle may take.
const STEP_MS: u64 = 20_000;

/// What the probe and the page say, as JSON.
const STATE: &str = r#"
const p = window.__rtcProbe, d = window.__rtcDemo;
return {
  connections: p.connections().length,
  open: p.openConnections(),
  notClosed: p.connections().filter((pc) => pc.connectionState !== "closed").length,
  states: p.connectionStates(),
  liveLocalTracks: p.liveLocalTracks(),
  listeners: p.listeners(),
  listenerTypes: p.listenerTypes(),
  listenersAdded: p.addedTotal(),
  errors: p.takeErrors(),
  pageErrors: d.errors,
  csp: d.cspViolations,
  started: d.callsStarted,
  ended: d.callsEnded,
  active: d.active,
  callDisabled: d.callDisabled,
  hangUpDisabled: d.hangUpDisabled,
  statsRunning: d.statsRunning,
  remoteHasSrcObject: d.remoteHasSrcObject,
  localHasSrcObject: d.localHasSrcObject,
};
"#;

/// JS expression: no call, Call clickable, Hang up not.
const IDLE: &str = "(() => { const d = window.__rtcDemo; \
    return !d.active && !d.callDisabled && d.hangUpDisabled; })()";
/// JS expression: Hang up is clickable (the remote track has arrived).
const HANG_UP_ENABLED: &str = "!document.getElementById('hangup').disabled";
/// JS expression: the remote video shows frames.
const PLAYING: &str = "(() => { const v = document.getElementById('remote'); \
    return v.srcObject !== null && v.videoWidth > 0 && v.currentTime > 0; })()";

/// Runs the abuse test in every browser and adds its checks to `report`.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let server = demo::serve_for_tests(tools)?;
    for &browser in &tools.settings.browsers {
        let started = Instant::now();
        match abuse(tools, browser, &server.url()) {
            Ok(checks) => {
                let failed: Vec<&(String, bool)> = checks.iter().filter(|c| !c.1).collect();
                for (what, ok) in &checks {
                    println!(
                        "xtask: abuse [{browser}] {} {what}",
                        if *ok { "ok    " } else { "FAILED" }
                    );
                }
                let passed = checks.len() - failed.len();
                report.add(SUITE, Some(browser), passed as u32, failed.len() as u32);
                report.note(
                    Some(browser),
                    &format!(
                        "NOTE: demo abuse: {CYCLES} call/hang-up cycles in {:.0}s, {} of {} checks passed",
                        started.elapsed().as_secs_f64(),
                        passed,
                        checks.len()
                    ),
                );
            }
            Err(e) => report.fail(SUITE, Some(browser), &format!("{e:#}")),
        }
    }
    Ok(())
}

/// Polls `expr` inside the page every 10 ms until truthy (fast enough for "the instant Hang up
/// is enabled"); errors with `what` and the page state after `STEP_MS`.
fn wait(s: &Session, expr: &str, what: &str) -> Result<Value> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const deadline = performance.now() + {STEP_MS};
         const poll = () => {{
           let v; try {{ v = ({expr}); }} catch (e) {{ v = false; }}
           if (v) return done({{ ok: v }});
           if (performance.now() > deadline) return done({{ timeout: true }});
           setTimeout(poll, 10);
         }};
         poll();"
    );
    let v = s.execute_async(&script, vec![])?;
    if v.get("timeout").is_some() {
        let state = s.execute(STATE, vec![]).unwrap_or(Value::Null);
        bail!("timed out after {STEP_MS} ms waiting for {what}; state: {state}");
    }
    Ok(v["ok"].clone())
}

/// One browser: 100 cycles, then the checks (name, passed).
fn abuse(tools: &Tools, browser: Browser, url: &str) -> Result<Vec<(String, bool)>> {
    let driver = Driver::start(tools, browser)?;
    let s = driver.session()?;
    s.goto(url)?;
    wait(&s, "window.__rtcDemo && window.__rtcDemo.ready", "the page to load")?;
    let probed = s.execute("return typeof window.__rtcProbe;", vec![])?;
    if probed != json!("object") {
        bail!("the page probe is not loaded (window.__rtcProbe is {probed})");
    }
    let mut rhythms = [0u32; 5];
    // Hang up clicks made while the button was still disabled (no remote track yet).
    let mut early_clicks = 0u32;
    let mut cycle = 0u64;
    while started_calls(&s)? < CYCLES {
        let rhythm = (cycle % 5) as usize;
        rhythms[rhythm] += 1;
        let what = |step: &str| format!("cycle {cycle} (rhythm {rhythm}): {step}");
        match rhythm {
            0 => {
                // Hang up clicked while disabled, before the remote track: ignored; then the
                // instant it is enabled.
                s.click("#call")?;
                for _ in 0..2 {
                    let disabled =
                        s.execute("return document.getElementById('hangup').disabled;", vec![])?;
                    if disabled == json!(true) {
                        early_clicks += 1;
                    }
                    s.click("#hangup")?;
                }
                // The call may already be over (the track arrived between the clicks).
                let next = wait(
                    &s,
                    &format!("({HANG_UP_ENABLED}) ? 'call' : ({IDLE}) ? 'idle' : false"),
                    &what("Hang up enabled or the page idle"),
                )?;
                if next == json!("call") {
                    s.click("#hangup")?;
                }
            }
            1 => {
                // Untrusted JS click bursts on both buttons in one task, then Hang up from a
                // poll the moment it is enabled.
                s.execute(
                    "const c = document.getElementById('call'), h = document.getElementById('hangup');
                     for (let i = 0; i < 5; i++) { c.click(); h.click(); }",
                    vec![],
                )?;
                wait(
                    &s,
                    "(() => { const h = document.getElementById('hangup'); \
                     if (!h.disabled) { h.click(); return true; } return false; })()",
                    &what("Hang up clicked as soon as enabled"),
                )?;
            }
            2 => {
                // A normal call: video plays, then Hang up.
                s.click("#call")?;
                wait(&s, PLAYING, &what("remote video playing"))?;
                s.click("#hangup")?;
            }
            3 => {
                // Hang up and Call again in the same task: the next call starts while the
                // last one is torn down; then hang that one up too.
                s.click("#call")?;
                wait(&s, HANG_UP_ENABLED, &what("Hang up enabled"))?;
                s.execute(
                    "document.getElementById('hangup').click(); document.getElementById('call').click();",
                    vec![],
                )?;
                // The re-call takes if the hang-up finished synchronously; either way the
                // page must end up in a call (Hang up enabled) or idle.
                let next = wait(
                    &s,
                    &format!("({HANG_UP_ENABLED}) ? 'call' : ({IDLE}) ? 'idle' : false"),
                    &what("the re-call connected or the page idle"),
                )?;
                if next == json!("call") {
                    s.click("#hangup")?;
                }
            }
            _ => {
                // Double-click on Call, then Hang up a few frames after the track arrives.
                s.click("#call")?;
                s.click("#call")?;
                wait(&s, HANG_UP_ENABLED, &what("Hang up enabled"))?;
                std::thread::sleep(Duration::from_millis(50 + 40 * (cycle % 5)));
                s.click("#hangup")?;
                s.click("#hangup")?;
            }
        }
        wait(&s, IDLE, &what("released (no call, Call enabled)"))?;
        cycle += 1;
    }
    // Let late events (candidates, state changes, promise settlements) land.
    std::thread::sleep(Duration::from_millis(1500));
    let state = s.execute(STATE, vec![])?;
    println!(
        "xtask: abuse [{browser}] rhythms {rhythms:?}, Hang up clicked while disabled {early_clicks} times, final state: {state}"
    );
    let empty = |key: &str| state[key].as_array().is_some_and(Vec::is_empty);
    let zero = |key: &str| state[key] == json!(0);
    let mut checks = vec![
        (
            format!("{} calls started, {} ended", state["started"], state["ended"]),
            state["started"] == state["ended"] && state["started"].as_u64() >= Some(CYCLES),
        ),
        (
            format!(
                "zero open connections, raw signalingState and connectionState (of {} created)",
                state["connections"]
            ),
            zero("open") && zero("notClosed") && state["connections"].as_u64() > Some(0),
        ),
        ("zero live local tracks".to_string(), zero("liveLocalTracks")),
        (
            format!(
                "zero listeners left on WebRTC and media objects ({} registered over the run)",
                state["listenersAdded"]
            ),
            zero("listeners") && state["listenersAdded"].as_u64() > Some(0),
        ),
        ("zero console errors or uncaught exceptions".to_string(), state["errors"] == json!("")),
        ("zero page errors".to_string(), empty("pageErrors")),
        ("zero CSP violations".to_string(), empty("csp")),
        (
            format!("Hang up clicked before the remote track arrived ({early_clicks} times)"),
            early_clicks > 0,
        ),
        (
            "page idle: no stats timer, no srcObject left".to_string(),
            state["statsRunning"] == json!(false)
                && state["remoteHasSrcObject"] == json!(false)
                && state["localHasSrcObject"] == json!(false),
        ),
    ];
    checks.push((
        "the probe sees a leaked connection, listener and track".to_string(),
        detects_leaks(&s)?,
    ));
    Ok(checks)
}

/// Self-check: an extra open connection with a listener on it and a live canvas track made in
/// the page each add one to the probe's counts (so zeros above mean zero), and releasing them
/// takes the counts back (whatever the page left before).
fn detects_leaks(s: &Session) -> Result<bool> {
    let v = s.execute(
        r#"
        const p = window.__rtcProbe;
        const count = () => ({ open: p.openConnections(), listeners: p.listeners(), live: p.liveLocalTracks() });
        const before = count();
        const delta = (c) => ({ open: c.open - before.open, listeners: c.listeners - before.listeners, live: c.live - before.live });
        const pc = new RTCPeerConnection();
        const onTrack = () => {};
        pc.addEventListener("track", onTrack);
        const track = document.createElement("canvas").captureStream().getVideoTracks()[0];
        const seen = delta(count());
        pc.removeEventListener("track", onTrack);
        pc.close();
        track.stop();
        const after = delta(count());
        return { seen, after };
        "#,
        vec![],
    )?;
    Ok(v == json!({
        "seen": { "open": 1, "listeners": 1, "live": 1 },
        "after": { "open": 0, "listeners": 0, "live": 0 },
    }))
}

fn started_calls(s: &Session) -> Result<u64> {
    let v = s.execute("return window.__rtcDemo.callsStarted;", vec![])?;
    v.as_u64().with_context(|| format!("callsStarted is not a number: {v}"))
}

#[cfg(test)]
mod tests {
    use crate::test::report::Report;

    /// `cargo test -p xtask abuse_by_hand -- --ignored --nocapture` runs just this suite.
    #[test]
    #[ignore = "drives real browsers for minutes; `cargo xtask test` runs it"]
    fn abuse_by_hand() {
        let tools = crate::setup::ensure().expect("tools");
        let mut report = Report::default();
        super::run(&tools, &mut report).expect("abuse suite");
        report.print_summary();
        assert_eq!(report.failed(), 0);
    }
}
