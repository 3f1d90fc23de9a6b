//! End-to-end tests of the demo page (`www/`) in real headless browsers, through WebDriver.
//!
//! Every test opens the app served by [`crate::demo::serve_for_tests`], clicks its buttons like a
//! person, and reads the page's read-only state (`window.__rtcDemo`: buttons, mode, stats). What
//! a hang-up must release is read from the browser itself, through the page probe
//! (`src/testing/probe.js`, which the test server loads before the page's own scripts): the raw
//! state of every `RTCPeerConnection` the page created, the listeners registered on WebRTC and
//! media objects, the local tracks still live, and console errors. Every wait has a deadline and
//! says what it waited for. A Content-Security-Policy violation reported by the page fails the
//! test it happened in. The synthetic-source test writes a mid-call screenshot per browser to
//! `target/e2e/` (`cargo xtask demo --screenshot` refreshes the README's `docs/demo.png`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::json;

use super::report::Report;
use crate::browser::webdriver::{Driver, Session, SessionOptions};
use crate::browser::Browser;
use crate::coturn::Turn;
use crate::demo;
use crate::setup::Tools;

/// Suite name in the report.
const SUITE: &str = "e2e demo page";
/// How long the wasm package may take to load.
const LOAD: Duration = Duration::from_secs(20);
/// How long a call may take from the click to playing remote video.
const CONNECT: Duration = Duration::from_secs(25);
/// How long hang-up may take to release everything.
const RELEASE: Duration = Duration::from_secs(10);
/// Hang-up/call cycles per loopback test.
const CYCLES: u32 = 3;

/// One test: a name, and what it does with a driver and the page URL.
struct Case {
    name: &'static str,
    only: Option<Browser>,
    run: fn(&Ctx, &Driver) -> Result<()>,
}

/// What every test gets.
struct Ctx {
    url: String,
    root: PathBuf,
    turn: Option<Turn>,
}

const CASES: &[Case] = &[
    Case {
        name: "loopback call, 3 call/hang-up cycles (fake camera)",
        only: None,
        run: loopback_fake_camera,
    },
    Case {
        name: "no camera: synthetic source with a notice, 3 cycles",
        only: None,
        run: loopback_synthetic,
    },
    Case {
        name: "malformed signals through the relay are ignored with a warning",
        only: None,
        run: malformed_signalling,
    },
    Case {
        name: "the CSP blocks inline script, and the violation watcher reports it",
        only: None,
        run: csp_enforced_and_watched,
    },
    Case {
        name: "TURN from URL parameters and the form, relay only; credential not shown",
        only: None,
        run: turn_relay_only,
    },
];

/// Runs every test in every browser of `wasm-pack.toml` and adds the counts to `report`.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let server = demo::serve_for_tests(tools)?;
    let turn = match Turn::start(tools) {
        Ok(t) => Some(t),
        Err(e) => {
            println!("xtask: e2e: no TURN server ({e:#}); the TURN test will fail");
            None
        }
    };
    let ctx = Ctx { url: server.url(), root: tools.root.clone(), turn };
    // While working on one test: XTASK_E2E_ONLY=<part of its name>.
    let only = std::env::var("XTASK_E2E_ONLY").ok();
    for &browser in &tools.settings.browsers {
        let (mut passed, mut failed) = (0, 0);
        match Driver::start(tools, browser) {
            Ok(driver) => {
                for case in CASES {
                    if case.only.is_some_and(|b| b != browser) {
                        report.left_out(SUITE, Some(browser), case.name, "not for this browser");
                        continue;
                    }
                    if let Some(o) = only.as_ref().filter(|o| !case.name.contains(o.as_str())) {
                        report.left_out(
                            SUITE,
                            Some(browser),
                            case.name,
                            &format!("XTASK_E2E_ONLY={o}"),
                        );
                        continue;
                    }
                    let started = Instant::now();
                    match (case.run)(&ctx, &driver) {
                        Ok(()) => {
                            passed += 1;
                            println!(
                                "xtask: e2e [{browser}] ok     {} ({:.1}s)",
                                case.name,
                                started.elapsed().as_secs_f64()
                            );
                        }
                        Err(e) => {
                            failed += 1;
                            println!("xtask: e2e [{browser}] FAILED {}: {e:#}", case.name);
                        }
                    }
                }
            }
            Err(e) => {
                println!("xtask: e2e [{browser}] cannot start the driver: {e:#}");
                failed += 1;
            }
        }
        report.add(SUITE, Some(browser), passed, failed);
    }
    Ok(())
}

/// Opens the page (with `query`) in the current window and waits until the package is loaded.
fn open(s: &Session, ctx: &Ctx, query: &str) -> Result<()> {
    s.goto(&format!("{}{query}", ctx.url))?;
    s.wait_until(
        "window.__rtcDemo && window.__rtcDemo.ready",
        LOAD,
        "the page to load the wasm package (__rtcDemo.ready)",
    )?;
    no_csp_violations(s)?;
    let probed = s.execute("return typeof window.__rtcProbe;", vec![])?;
    ensure!(
        probed == json!("object"),
        "the page probe is not loaded (window.__rtcProbe is {probed})"
    );
    let hang_up_disabled =
        s.execute("return document.getElementById('hangup').disabled;", vec![])?;
    ensure!(hang_up_disabled == json!(true), "Hang up is enabled before any call");
    Ok(())
}

/// Fails when the page reported a CSP violation.
pub(super) fn no_csp_violations(s: &Session) -> Result<()> {
    let v = s.execute(
        "return window.__rtcDemo ? window.__rtcDemo.cspViolations : window.__cspViolations;",
        vec![],
    )?;
    match v.as_array() {
        Some(list) if list.is_empty() => Ok(()),
        Some(_) => bail!("the page reported CSP violations: {v}"),
        None => bail!("the page has no CSP violation log (csp-watch.js not loaded?): {v}"),
    }
}

/// Fails when the page reported an error, or the browser saw a console error or an uncaught
/// exception (the probe's record, emptied by this check).
pub(super) fn no_page_errors(s: &Session) -> Result<()> {
    let v = s.execute("return window.__rtcDemo.errors;", vec![])?;
    ensure!(v.as_array().is_some_and(|a| a.is_empty()), "the page reported errors: {v}");
    let console = s.execute("return window.__rtcProbe.takeErrors();", vec![])?;
    ensure!(console == json!(""), "console errors or uncaught exceptions: {console}");
    Ok(())
}

/// JS expression: the remote `<video>` has frames and Hang up is enabled.
pub(super) const REMOTE_PLAYING: &str = "(() => { const v = document.getElementById('remote'); \
     return v.srcObject !== null && v.videoWidth > 0 && v.currentTime > 0 && !v.paused \
     && !document.getElementById('hangup').disabled \
     && { width: v.videoWidth, time: v.currentTime }; })()";

/// Waits until remote video plays, then until its `currentTime` moves on.
fn wait_remote_playing(s: &Session, what: &str) -> Result<()> {
    let first = s.wait_until(
        REMOTE_PLAYING,
        CONNECT,
        &format!(
            "{what}: remote video playing (videoWidth > 0, currentTime > 0) and Hang up enabled"
        ),
    )?;
    let t0 = first["time"].as_f64().unwrap_or(0.0);
    s.wait_until(
        &format!("document.getElementById('remote').currentTime > {t0} + 0.3"),
        Duration::from_secs(10),
        &format!("{what}: remote video currentTime advancing past {t0:.2}s"),
    )?;
    Ok(())
}

/// JS expression: everything hang-up must release has been released. The page's buttons,
/// elements and timers from `__rtcDemo`; connections, listeners and tracks from the browser
/// (the probe): the call created connections, every one of them is closed (raw
/// `signalingState` and `connectionState`), no listener is left on a WebRTC or media object,
/// and no local track is live.
const RELEASED: &str = "(() => { const d = window.__rtcDemo, p = window.__rtcProbe; \
     const pcs = p.connections(); \
     return d.hangUpDisabled && !d.callDisabled && !d.active && !d.remoteHasSrcObject \
     && !d.localHasSrcObject && !d.statsRunning \
     && pcs.length > 0 && p.openConnections() === 0 \
     && pcs.every((pc) => pc.connectionState === 'closed') \
     && p.listeners() === 0 && p.liveLocalTracks() === 0; })()";

const DEBUG_STATE: &str = "(() => { const d = window.__rtcDemo, p = window.__rtcProbe; return { \
     hangUpDisabled: d.hangUpDisabled, callDisabled: d.callDisabled, active: d.active, \
     remoteHasSrcObject: d.remoteHasSrcObject, localHasSrcObject: d.localHasSrcObject, \
     statsRunning: d.statsRunning, connections: p.connectionStates(), \
     listeners: p.listenerTypes(), liveLocalTracks: p.liveLocalTracks(), errors: d.errors, \
     callsStarted: d.callsStarted, callsEnded: d.callsEnded }; })()";

/// Waits until everything is released (see [`RELEASED`]), then forgets the connections the
/// probe recorded, so the next call's check is about that call's connections.
fn wait_released(s: &Session, what: &str) -> Result<()> {
    if let Err(e) = s.wait_until(RELEASED, RELEASE, what) {
        let state = s.execute(&format!("return {DEBUG_STATE};"), vec![])?;
        bail!("{e:#}; page state: {state}");
    }
    s.execute("window.__rtcProbe.forgetConnections(); return null;", vec![])?;
    Ok(())
}

/// One full call in the current window: Call, playing remote video, live stats, `mid_call`
/// checks, an optional screenshot, Hang up, everything released.
fn call_cycle(
    s: &Session,
    cycle: u32,
    mid_call: &dyn Fn(&Session) -> Result<()>,
    screenshot: Option<&Path>,
) -> Result<()> {
    let what = format!("cycle {cycle}");
    let hang_up_disabled =
        s.execute("return document.getElementById('hangup').disabled;", vec![])?;
    ensure!(hang_up_disabled == json!(true), "{what}: Hang up is enabled before Call");
    s.click("#call")?;
    wait_remote_playing(s, &what)?;
    in_call(s, &what)?;
    // The stats panel fills in from getStats once a second.
    s.wait_until(
        "(() => { const t = window.__rtcDemo.stats; return t.width > 0 && t.fps > 0 && t.kbps > 0 && t; })()",
        Duration::from_secs(10),
        &format!("{what}: live stats (resolution, fps, bitrate)"),
    )?;
    let state = s.execute("return document.getElementById('stat-state').textContent;", vec![])?;
    ensure!(
        state == json!("connected"),
        "{what}: the stats panel shows state {state}, not connected"
    );
    mid_call(s).with_context(|| format!("{what}: mid-call check"))?;
    if let Some(path) = screenshot {
        take_screenshot(s, path)?;
    }
    s.click("#hangup")?;
    wait_released(s, &format!("{what}: everything released after Hang up"))?;
    let ended = s.execute("return window.__rtcDemo.lastEndReason;", vec![])?;
    ensure!(ended == json!("local"), "{what}: the call ended with reason {ended}, not local");
    no_csp_violations(s)?;
    no_page_errors(s)
}

/// JS expression: the call holds open connections with listeners on them, and live local
/// tracks (so the released check after hang-up has something to see go).
const IN_CALL: &str = "(() => { const p = window.__rtcProbe; \
     return p.openConnections() > 0 && p.listeners() > 0 && p.liveLocalTracks() > 0; })()";

fn in_call(s: &Session, what: &str) -> Result<()> {
    let v = s.execute(&format!("return {IN_CALL};"), vec![])?;
    if v != json!(true) {
        let state = s.execute(&format!("return {DEBUG_STATE};"), vec![])?;
        bail!("{what}: the browser shows no open connection, listener or live local track mid-call: {state}");
    }
    Ok(())
}

/// Where the e2e run writes its mid-call screenshot in `browser`.
fn screenshot_path(root: &Path, browser: Browser) -> PathBuf {
    root.join("target").join("e2e").join(format!("demo-{}.png", browser.name()))
}

/// Writes a PNG of the page to `path` (a window tall enough for the whole page).
fn take_screenshot(s: &Session, path: &Path) -> Result<()> {
    s.set_window_size(1280, 1000)?;
    // Let the layout, the stats and the video move on a little.
    std::thread::sleep(Duration::from_millis(2500));
    let png = s.screenshot_png()?;
    ensure!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, &png).with_context(|| format!("writing {}", path.display()))?;
    println!("xtask: e2e: wrote {} ({} bytes)", path.display(), png.len());
    Ok(())
}

/// The README's screenshot: the app served at `url` (as people get it, no probe) in headless
/// Chromium, mid-call with the synthetic source, written to `path`.
pub fn readme_screenshot(tools: &Tools, url: &str, path: &Path) -> Result<()> {
    let driver = Driver::start(tools, Browser::Chromium)?;
    let s =
        driver.session_with(&SessionOptions { fake_media: false, ..SessionOptions::default() })?;
    s.goto(url)?;
    s.wait_until(
        "window.__rtcDemo && window.__rtcDemo.ready",
        LOAD,
        "the page to load the wasm package (__rtcDemo.ready)",
    )?;
    s.click("#call")?;
    wait_remote_playing(&s, "screenshot call")?;
    s.wait_until(
        "window.__rtcDemo.stats.fps > 0",
        Duration::from_secs(10),
        "live stats on the page",
    )?;
    take_screenshot(&s, path)?;
    s.click("#hangup")?;
    no_csp_violations(&s)
}

fn nothing(_: &Session) -> Result<()> {
    Ok(())
}

fn loopback_fake_camera(ctx: &Ctx, driver: &Driver) -> Result<()> {
    let s = driver.session()?;
    open(&s, ctx, "")?;
    let camera = |s: &Session| -> Result<()> {
        let synthetic = s.execute("return window.__rtcDemo.synthetic;", vec![])?;
        ensure!(
            synthetic == json!(false),
            "the fake camera was not used (synthetic source instead)"
        );
        Ok(())
    };
    for cycle in 1..=CYCLES {
        call_cycle(&s, cycle, &camera, None)?;
    }
    let counts =
        s.execute("return [window.__rtcDemo.callsStarted, window.__rtcDemo.callsEnded];", vec![])?;
    ensure!(counts == json!([CYCLES, CYCLES]), "calls started/ended: {counts}");
    Ok(())
}

fn loopback_synthetic(ctx: &Ctx, driver: &Driver) -> Result<()> {
    let s =
        driver.session_with(&SessionOptions { fake_media: false, ..SessionOptions::default() })?;
    open(&s, ctx, "")?;
    let notice = |s: &Session| -> Result<()> {
        let notice = s.execute(
            "const n = document.getElementById('notice'); return !n.hidden && n.offsetHeight > 0 && n.textContent;",
            vec![],
        )?;
        ensure!(
            notice.as_str().is_some_and(|t| t.contains("synthetic")),
            "no visible notice about the synthetic source: {notice}"
        );
        let synthetic = s.execute("return window.__rtcDemo.synthetic;", vec![])?;
        ensure!(synthetic == json!(true), "the page did not report the synthetic source");
        Ok(())
    };
    let shot = screenshot_path(&ctx.root, driver.browser());
    for cycle in 1..=CYCLES {
        // A mid-call screenshot of the synthetic source, in each browser (under target/).
        let shot = (cycle == 1).then_some(shot.as_path());
        call_cycle(&s, cycle, &notice, shot)?;
    }
    Ok(())
}

/// Junk through the relay: the page in a room gets malformed, oversized and misplaced signals
/// from a second member (a WebSocket the test opens in the same page) and ignores each one
/// with a warning; then a loopback call still works.
fn malformed_signalling(ctx: &Ctx, driver: &Driver) -> Result<()> {
    let s = driver.session()?;
    let room = format!("malformed-{}", std::process::id());
    open(&s, ctx, &format!("?room={room}"))?;
    s.wait_until("window.__rtcDemo.roomState === 'alone'", LOAD, "the page alone in its room")?;
    let sent = s.execute_async(
        r#"
        const done = arguments[arguments.length - 1];
        const room = arguments[0];
        const ws = new WebSocket(`ws://${location.host}/signal?room=${room}`);
        const bad = [
          "not json",
          JSON.stringify([1, 2, 3]),
          JSON.stringify({ v: 2, bye: true }),
          JSON.stringify({ v: 1 }),
          JSON.stringify({ v: 1, description: { type: "offer", sdp: 42 } }),
          JSON.stringify({ v: 1, description: { type: "shout", sdp: "v=0" } }),
          JSON.stringify({ v: 1, candidate: { candidate: "x", sdpMid: "0" } }),
          JSON.stringify({ v: 1, description: { type: "answer", sdp: "v=0\r\n" } }),
          JSON.stringify({ v: 1, candidate: { candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0" } }),
          "{\"v\":1,\"description\":" + "[".repeat(5000),
        ];
        ws.addEventListener("message", (e) => {
          if (!e.data.startsWith('{"relay":"joined"')) return;
          for (const m of bad) ws.send(m);
          setTimeout(() => { ws.close(); done(bad.length); }, 500);
        });
        ws.addEventListener("error", () => done(-1));
        "#,
        vec![json!(room)],
    )?;
    let n = sent.as_i64().context("message count")?;
    ensure!(n > 0, "the test's WebSocket could not join the room");
    s.wait_until(
        &format!("window.__rtcDemo.signalIgnored === {n}"),
        Duration::from_secs(5),
        &format!("all {n} malformed messages ignored"),
    )?;
    let state =
        s.execute("const d = window.__rtcDemo; return [d.active, d.errors.length];", vec![])?;
    ensure!(state == json!([false, 0]), "after malformed messages: [active, errors] = {state}");
    // The page still works: a loopback call after the noise.
    s.click("input[name=mode][value=loopback]")?;
    call_cycle(&s, 1, &nothing, None)?;
    no_csp_violations(&s)
}

/// Proves the CSP check of the other tests is not vacuous: an inline script is blocked, and the
/// page's watcher records the violation that `no_csp_violations` looks for.
fn csp_enforced_and_watched(ctx: &Ctx, driver: &Driver) -> Result<()> {
    let s = driver.session()?;
    open(&s, ctx, "")?;
    s.execute(
        "window.__inlineRan = false; const el = document.createElement('script'); \
         el.textContent = 'window.__inlineRan = true;'; document.head.append(el); return null;",
        vec![],
    )?;
    let v = s.wait_until(
        "window.__rtcDemo.cspViolations.length > 0 && window.__rtcDemo.cspViolations",
        Duration::from_secs(5),
        "the page to report the blocked inline script",
    )?;
    ensure!(v.to_string().contains("script-src"), "the violation is not about script-src: {v}");
    let ran = s.execute("return window.__inlineRan;", vec![])?;
    ensure!(ran == json!(false), "an inline script ran despite the CSP");
    ensure!(no_csp_violations(&s).is_err(), "no_csp_violations did not notice a violation");
    Ok(())
}

fn turn_relay_only(ctx: &Ctx, driver: &Driver) -> Result<()> {
    let turn = ctx.turn.as_ref().context("no TURN server could be started for this test")?;
    let s = driver.session()?;
    let query = format!(
        "?turn={}&username={}&credential={}&relay=1",
        percent_encode(&turn.url()),
        percent_encode(&turn.username),
        percent_encode(&turn.credential)
    );
    open(&s, ctx, &query)?;
    // The credential is gone from the address bar, the form and the visible text.
    let shown = s.execute(
        "return [location.href, document.body.innerText, \
         [...document.querySelectorAll('input')].map((i) => i.value).join(' ')].join('\\n');",
        vec![],
    )?;
    let shown = shown.as_str().unwrap_or_default();
    ensure!(!shown.contains(&turn.credential), "the TURN credential is shown back on the page");
    let summary =
        s.execute("return document.getElementById('ice-summary').textContent;", vec![])?;
    let summary = summary.as_str().unwrap_or_default();
    ensure!(
        summary.contains("relay only") && summary.contains("127.0.0.1"),
        "the ICE summary does not show the relay settings: {summary:?}"
    );
    // The settings form: a bad URL is refused with a message; a good one is applied, the
    // credential field is cleared and the summary shows only the credential's length.
    s.execute("document.getElementById('settings').open = true; return null;", vec![])?;
    s.execute("document.getElementById('turn-url').value = ''; return null;", vec![])?;
    s.send_keys("#turn-url", "http://127.0.0.1/")?;
    s.send_keys("#turn-user", "x")?;
    s.send_keys("#turn-credential", "form-secret-1234")?;
    s.click("#ice-apply")?;
    let error = s.execute("return document.getElementById('ice-error').textContent;", vec![])?;
    ensure!(
        error.as_str().is_some_and(|e| e.contains("turn:")),
        "a non-TURN URL was not refused with a message: {error}"
    );
    s.execute("document.getElementById('turn-url').value = ''; document.getElementById('turn-user').value = ''; return null;", vec![])?;
    s.send_keys("#turn-url", &turn.url())?;
    s.send_keys("#turn-user", &turn.username)?;
    s.send_keys("#turn-credential", &turn.credential)?;
    s.click("#ice-apply")?;
    let after = s.execute(
        "return [document.getElementById('ice-error').textContent,          document.getElementById('turn-credential').value,          document.getElementById('ice-summary').textContent, document.body.innerText];",
        vec![],
    )?;
    ensure!(after[0] == json!(""), "the TURN settings were refused: {}", after[0]);
    ensure!(after[1] == json!(""), "the credential field still holds the credential");
    ensure!(
        after[2].as_str().is_some_and(|t| t.contains("characters)") && t.contains("relay only")),
        "the summary does not show the masked credential: {}",
        after[2]
    );
    ensure!(
        !after[3].as_str().unwrap_or_default().contains(&turn.credential),
        "the credential is shown on the page"
    );
    s.click("#call")?;
    wait_remote_playing(&s, "relay-only call")?;
    let path = s.wait_until(
        "window.__rtcDemo.stats.path",
        Duration::from_secs(10),
        "the stats panel's network path",
    )?;
    ensure!(path == json!("relay (TURN)"), "the call did not go through the relay: path {path}");
    s.click("#hangup")?;
    wait_released(&s, "relay-only call: everything released after Hang up")?;
    no_csp_violations(&s)?;
    no_page_errors(&s)
}

/// Percent-encodes everything but unreserved characters (for URL query values).
pub(super) fn percent_encode(s: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole suite, by itself (slow): `cargo test -p xtask -- --ignored --nocapture e2e_suite`.
    #[test]
    #[ignore]
    fn e2e_suite() {
        let tools = crate::setup::ensure().unwrap();
        let mut report = Report::default();
        run(&tools, &mut report).unwrap();
        report.print_summary();
        assert_eq!(report.failed(), 0);
    }

    #[test]
    fn percent_encoding_of_query_values() {
        assert_eq!(
            percent_encode("turn:127.0.0.1:3478?transport=udp"),
            "turn%3A127.0.0.1%3A3478%3Ftransport%3Dudp"
        );
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
    }
}
