//! The demo page under abuse (every browser of `wasm-pack.toml`): 100 rapid Call / Hang up
//! cycles in one page, in five rhythms — Hang up clicked while it is still disabled (before the
//! remote track arrives), Hang up the instant it is enabled (track arrived, ICE still
//! connecting), after the video plays, bursts of untrusted JS clicks on both buttons, and
//! Call clicked again in the same task as Hang up. Afterwards the page must hold zero open
//! connections, zero live local tracks, zero listeners on any connection, zero console
//! errors, zero page errors and zero CSP violations, as the browser itself counts them through
//! the page probe (`Page`); a self-check shows the probe sees a leak made on purpose.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use super::page::{Page, STATE};
use crate::browser::webdriver::Driver;
use crate::browser::Browser;
use crate::report::Report;
use crate::Tools;

/// Suite name in the report.
const SUITE: &str = "demo abuse";
/// Call / Hang up cycles per browser.
const CYCLES: u64 = 100;
/// The longest one step of a cycle may take.
const STEP: Duration = Duration::from_secs(20);

/// JS expression: no call, Call clickable, Hang up not.
const IDLE: &str = "(() => { const d = window.__rtcDemo; \
    return !d.active && !d.callDisabled && d.hangUpDisabled; })()";
/// JS expression: Hang up is clickable (the remote track has arrived).
const HANG_UP_ENABLED: &str = "!document.getElementById('hangup').disabled";
/// JS expression: 'call' when Hang up is enabled, 'idle' when the page is idle.
const CALL_OR_IDLE: &str = "(() => { const h = !document.getElementById('hangup').disabled; \
    const d = window.__rtcDemo; return h ? 'call' : !d.active && !d.callDisabled && 'idle'; })()";

/// Runs the abuse test in every browser on the demo served at `url` (with the page probe) and
/// adds its checks to `report`.
pub fn run(tools: &Tools, url: &str, report: &mut Report) -> Result<()> {
    for &browser in &tools.settings.browsers {
        let started = Instant::now();
        let checks = match abuse(tools, browser, url) {
            Ok(checks) => checks,
            Err(e) => {
                report.fail(SUITE, Some(browser), &format!("{e:#}"));
                continue;
            }
        };
        let passed = checks.iter().filter(|c| c.1).count();
        for (what, ok) in &checks {
            println!("xtask: abuse [{browser}] {} {what}", if *ok { "ok    " } else { "FAILED" });
        }
        report.add(SUITE, Some(browser), passed as u32, (checks.len() - passed) as u32);
        let secs = started.elapsed().as_secs_f64();
        let note = format!(
            "NOTE: demo abuse: {CYCLES} call/hang-up cycles in {secs:.0}s, {passed} of {} checks passed",
            checks.len()
        );
        report.note(Some(browser), &note);
    }
    Ok(())
}

/// One browser: 100 cycles, then the checks (name, passed).
fn abuse(tools: &Tools, browser: Browser, url: &str) -> Result<Vec<(String, bool)>> {
    let driver = Driver::start(tools, browser)?;
    let p = Page::open(browser.name(), driver.session()?, url, true)?;
    let mut rhythms = [0u32; 5];
    // Hang up clicks made while the button was still disabled (no remote track yet).
    let mut early_clicks = 0u32;
    let mut cycle = 0u64;
    let step = |expr: &str, what: String| p.wait(expr, STEP, &what);
    while p.get("window.__rtcDemo.callsStarted")?.as_u64().unwrap_or(0) < CYCLES {
        let rhythm = (cycle % 5) as usize;
        rhythms[rhythm] += 1;
        let what = |step: &str| format!("cycle {cycle} (rhythm {rhythm}): {step}");
        match rhythm {
            0 => {
                // Hang up clicked while disabled, before the remote track: ignored; then the
                // instant it is enabled (unless the call is already over).
                p.click("#call")?;
                for _ in 0..2 {
                    early_clicks += u32::from(p.get(HANG_UP_ENABLED)? == json!(false));
                    p.click("#hangup")?;
                }
                if step(CALL_OR_IDLE, what("Hang up enabled or the page idle"))? == "call" {
                    p.click("#hangup")?;
                }
            }
            1 => {
                // Untrusted JS click bursts on both buttons in one task, then Hang up from a
                // poll the moment it is enabled.
                p.js("const c = document.getElementById('call'), h = document.getElementById('hangup'); \
                      for (let i = 0; i < 5; i++) { c.click(); h.click(); }")?;
                step(
                    "(() => { const h = document.getElementById('hangup'); \
                     if (!h.disabled) { h.click(); return true; } return false; })()",
                    what("Hang up clicked as soon as enabled"),
                )?;
            }
            2 => {
                // A normal call: video plays, then Hang up.
                p.click("#call")?;
                let playing = "(() => { const v = document.getElementById('remote'); \
                    return v.srcObject !== null && v.videoWidth > 0 && v.currentTime > 0; })()";
                step(playing, what("remote video playing"))?;
                p.click("#hangup")?;
            }
            3 => {
                // Hang up and Call again in the same task: the next call starts while the
                // last one is torn down (if the hang-up finished synchronously); either way
                // the page must end up in a call or idle; then that call is hung up too.
                p.click("#call")?;
                step(HANG_UP_ENABLED, what("Hang up enabled"))?;
                p.js("document.getElementById('hangup').click(); document.getElementById('call').click();")?;
                if step(CALL_OR_IDLE, what("the re-call connected or the page idle"))? == "call" {
                    p.click("#hangup")?;
                }
            }
            _ => {
                // Double-click on Call, then Hang up a few frames after the track arrives.
                p.click("#call")?;
                p.click("#call")?;
                step(HANG_UP_ENABLED, what("Hang up enabled"))?;
                std::thread::sleep(Duration::from_millis(50 + 40 * (cycle % 5)));
                p.click("#hangup")?;
                p.click("#hangup")?;
            }
        }
        step(IDLE, what("released (no call, Call enabled)"))?;
        cycle += 1;
    }
    // Let late events (candidates, state changes, promise settlements) land.
    std::thread::sleep(Duration::from_millis(1500));
    let state = p.get(STATE)?;
    let errors = p.get("window.__rtcProbe.takeErrors()")?;
    println!(
        "xtask: abuse [{browser}] rhythms {rhythms:?}, Hang up clicked while disabled {early_clicks} times, final state: {state}, errors: {errors}"
    );
    let empty = |key: &str| state[key] == json!([]);
    let zero = |key: &str| state[key] == json!(0);
    let (started, connections, added) =
        (&state["started"], &state["connections"], &state["listenersAdded"]);
    Ok(vec![
        (
            format!("{started} calls started, {} ended", state["ended"]),
            *started == state["ended"] && started.as_u64() >= Some(CYCLES),
        ),
        (
            format!("zero open connections, raw signalingState and connectionState (of {connections} created)"),
            zero("open") && zero("notClosed") && connections.as_u64() > Some(0),
        ),
        ("zero live local tracks".into(), zero("liveLocalTracks")),
        (
            format!("zero listeners left on WebRTC and media objects ({added} registered over the run)"),
            zero("listeners") && added.as_u64() > Some(0),
        ),
        ("zero console errors or uncaught exceptions".into(), errors == json!("")),
        ("zero page errors".into(), empty("pageErrors")),
        ("zero CSP violations".into(), empty("csp")),
        (
            format!("Hang up clicked before the remote track arrived ({early_clicks} times)"),
            early_clicks > 0,
        ),
        (
            "page idle: no stats timer, no srcObject left".into(),
            [&state["statsRunning"], &state["remoteHasSrcObject"], &state["localHasSrcObject"]]
                .iter()
                .all(|v| **v == json!(false)),
        ),
        ("the probe sees a leaked connection, listener and track".into(), detects_leaks(&p)?),
    ])
}

/// Self-check: an extra open connection with a listener on it and a live canvas track made in
/// the page each add one to the probe's counts (so zeros above mean zero), and releasing them
/// takes the counts back (whatever the page left before).
fn detects_leaks(p: &Page) -> Result<bool> {
    let v = p.js(r#"
        const p = window.__rtcProbe;
        const count = () => [p.openConnections(), p.listeners(), p.liveLocalTracks()];
        const before = count(), delta = () => count().map((n, i) => n - before[i]);
        const pc = new RTCPeerConnection(), onTrack = () => {};
        pc.addEventListener("track", onTrack);
        const track = document.createElement("canvas").captureStream().getVideoTracks()[0];
        const seen = delta();
        pc.removeEventListener("track", onTrack);
        pc.close();
        track.stop();
        return [seen, delta()];
        "#)?;
    Ok(v == json!([[1, 1, 1], [0, 0, 0]]))
}
