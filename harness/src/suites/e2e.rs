//! End-to-end tests of the demo page (`www/`) in every browser of `wasm-pack.toml`: each case
//! opens the app at the URL xtask serves it on (with the page probe), clicks its buttons like
//! a person, and reads the page and the browser through `Page`. A Content-Security-Policy
//! violation fails the case it happened in. The synthetic-source case writes a mid-call
//! screenshot per browser to `target/e2e/` (`cargo xtask demo --screenshot` refreshes the
//! README's `docs/demo.png`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::json;

use super::page::{self, Case, Page};
use crate::browser::webdriver::{Driver, SessionOptions};
use crate::browser::Browser;
use crate::report::Report;
use crate::Tools;

/// Hang-up/call cycles per loopback case.
const CYCLES: u32 = 3;
/// Sessions without a camera or microphone.
const NO_MEDIA: SessionOptions = SessionOptions { fake_media: false, bench: false };

/// What every case gets.
struct Ctx {
    url: String,
    root: PathBuf,
    driver: Driver,
}

const CASES: &[Case<Ctx>] = &[
    ("loopback call, 3 call/hang-up cycles (fake camera)", loopback_fake_camera),
    ("no camera: synthetic source with a notice, 3 cycles", loopback_synthetic),
    ("malformed signals through the relay are ignored with a warning", malformed_signalling),
    ("the CSP blocks inline script, and the violation watcher reports it", csp_enforced),
    ("TURN from URL parameters and the form, relay only; credential not shown", turn_relay_only),
];

/// Runs every case in every browser of `wasm-pack.toml` on the demo served at `url` (with the
/// page probe) and adds the counts to `report`.
pub fn run(tools: &Tools, url: &str, report: &mut Report) -> Result<()> {
    for &browser in &tools.settings.browsers {
        let driver = match Driver::start(tools, browser) {
            Ok(driver) => driver,
            Err(e) => {
                report.fail(SUITE, Some(browser), &format!("cannot start the driver: {e:#}"));
                continue;
            }
        };
        let ctx = Ctx { url: url.to_string(), root: tools.root.clone(), driver };
        page::run_cases(report, (SUITE, &format!("e2e [{browser}]")), &[browser], CASES, &ctx);
    }
    Ok(())
}

/// Suite name in the report.
pub const SUITE: &str = "e2e demo page";

/// Opens the page (with `query`) in a new session: loaded, probed, Hang up disabled.
fn open(ctx: &Ctx, options: SessionOptions, query: &str) -> Result<Page> {
    let session = ctx.driver.session_with(&options)?;
    let page =
        Page::open(ctx.driver.browser().name(), session, &format!("{}{query}", ctx.url), true)?;
    page.no_csp_violations()?;
    ensure!(page.get(HANG_UP_DISABLED)? == json!(true), "Hang up is enabled before any call");
    Ok(page)
}

const HANG_UP_DISABLED: &str = "document.getElementById('hangup').disabled";

/// One full call: Call, playing remote video, live stats, the probe sees the call, `mid_call`
/// checks, an optional screenshot, Hang up, everything released, ended locally, page clean.
fn call_cycle(p: &Page, cycle: u32, mid_call: &dyn Fn(&Page) -> Result<()>) -> Result<()> {
    let what = format!("cycle {cycle}");
    ensure!(p.get(HANG_UP_DISABLED)? == json!(true), "{what}: Hang up is enabled before Call");
    p.click("#call")?;
    p.remote_playing(&what)?;
    let in_call = p.get(
        "(() => { const p = window.__rtcProbe; \
         return p.openConnections() > 0 && p.listeners() > 0 && p.liveLocalTracks() > 0; })()",
    )?;
    let state = p.get(page::STATE)?;
    ensure!(in_call == json!(true), "{what}: no open connection, listener or live track: {state}");
    p.live_stats(&what)?;
    let shown = p.get("document.getElementById('stat-state').textContent")?;
    ensure!(shown == json!("connected"), "{what}: the stats panel shows state {shown}");
    mid_call(p).with_context(|| format!("{what}: mid-call check"))?;
    hang_up(p, &what)
}

/// Hang up, everything released (Call enabled again), the call ended locally, page clean.
fn hang_up(p: &Page, what: &str) -> Result<()> {
    p.click("#hangup")?;
    p.released(Duration::from_secs(10), &format!("{what}: everything released after Hang up"))?;
    let after = p.get("[window.__rtcDemo.callDisabled, window.__rtcDemo.lastEndReason]")?;
    ensure!(after == json!([false, "local"]), "{what}: [Call disabled, end reason] = {after}");
    p.clean()
}

/// Where the e2e run writes its mid-call screenshot in `browser`.
fn screenshot_path(root: &Path, browser: Browser) -> PathBuf {
    root.join("target").join("e2e").join(format!("demo-{browser}.png"))
}

/// The README's screenshot: the app served at `url` (as people get it, no probe) in headless
/// Chromium, mid-call with the synthetic source, written to `path`.
pub fn readme_screenshot(tools: &Tools, url: &str, path: &Path) -> Result<()> {
    let driver = Driver::start(tools, Browser::Chromium)?;
    let p = Page::open("Chromium", driver.session_with(&NO_MEDIA)?, url, false)?;
    p.click("#call")?;
    p.remote_playing("screenshot call")?;
    p.wait("window.__rtcDemo.stats.fps > 0", Duration::from_secs(10), "live stats")?;
    p.screenshot(1000, path)?;
    p.click("#hangup")?;
    p.no_csp_violations()
}

fn loopback_fake_camera(ctx: &Ctx) -> Result<()> {
    let p = open(ctx, SessionOptions::default(), "")?;
    let camera = |p: &Page| {
        let synthetic = p.get("window.__rtcDemo.synthetic")?;
        ensure!(synthetic == json!(false), "the synthetic source was used, not the fake camera");
        Ok(())
    };
    for cycle in 1..=CYCLES {
        call_cycle(&p, cycle, &camera)?;
    }
    let counts = p.get("[window.__rtcDemo.callsStarted, window.__rtcDemo.callsEnded]")?;
    ensure!(counts == json!([CYCLES, CYCLES]), "calls started/ended: {counts}");
    Ok(())
}

fn loopback_synthetic(ctx: &Ctx) -> Result<()> {
    let p = open(ctx, NO_MEDIA, "")?;
    let shot = screenshot_path(&ctx.root, ctx.driver.browser());
    for cycle in 1..=CYCLES {
        call_cycle(&p, cycle, &|p: &Page| {
            let notice = p.get(
                "(() => { const n = document.getElementById('notice'); \
                 return !n.hidden && n.offsetHeight > 0 && n.textContent; })()",
            )?;
            ensure!(
                notice.as_str().is_some_and(|t| t.contains("synthetic")),
                "no visible notice about the synthetic source: {notice}"
            );
            let synthetic = p.get("window.__rtcDemo.synthetic")?;
            ensure!(synthetic == json!(true), "the page did not report the synthetic source");
            // A mid-call screenshot of the synthetic source, in each browser (under target/).
            if cycle == 1 {
                p.screenshot(1000, &shot)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Junk through the relay: the page in a room gets malformed, oversized and misplaced signals
/// from a second member (a WebSocket the test opens in the same page) and ignores each one
/// with a warning; then a loopback call still works.
fn malformed_signalling(ctx: &Ctx) -> Result<()> {
    let room = format!("malformed-{}", std::process::id());
    let p = open(ctx, SessionOptions::default(), &format!("?room={room}"))?;
    p.wait("window.__rtcDemo.roomState === 'alone'", page::LOAD, "the page alone in its room")?;
    let sent = p.s.execute_async(
        r#"
        const [room, done] = arguments;
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
          // Deep nesting. (A cut-off object never reaches the page: the relay closes a member
          // whose text starts as a JSON object and is not a strict one, 4001, its own tests.)
          "[".repeat(5000) + "{\"v\":1",
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
    let ignored = format!("window.__rtcDemo.signalIgnored === {n}");
    p.wait(&ignored, Duration::from_secs(5), &format!("all {n} malformed messages ignored"))?;
    let state = p.get("[window.__rtcDemo.active, window.__rtcDemo.errors.length]")?;
    ensure!(state == json!([false, 0]), "after malformed messages: [active, errors] = {state}");
    // The page still works: a loopback call after the noise.
    p.click("input[name=mode][value=loopback]")?;
    call_cycle(&p, 1, &|_| Ok(()))
}

/// Proves the CSP check of the other cases is not vacuous: an inline script is blocked, and the
/// page's watcher records the violation that [`Page::no_csp_violations`] looks for.
fn csp_enforced(ctx: &Ctx) -> Result<()> {
    let p = open(ctx, SessionOptions::default(), "")?;
    p.js("window.__inlineRan = false; const el = document.createElement('script'); \
         el.textContent = 'window.__inlineRan = true;'; document.head.append(el); return null;")?;
    let v = p.wait(
        "window.__rtcDemo.cspViolations.length > 0 && window.__rtcDemo.cspViolations",
        Duration::from_secs(5),
        "the page to report the blocked inline script",
    )?;
    ensure!(v.to_string().contains("script-src"), "the violation is not about script-src: {v}");
    ensure!(p.get("window.__inlineRan")? == json!(false), "an inline script ran despite the CSP");
    ensure!(p.no_csp_violations().is_err(), "no_csp_violations did not notice a violation");
    Ok(())
}

/// The TURN settings from the URL, then the settings form: a non-TURN URL refused with a
/// message, a good one applied, the credential never shown back; a relay-only call.
fn turn_relay_only(ctx: &Ctx) -> Result<()> {
    let turn = page::turn_settings()?;
    let p = open(ctx, SessionOptions::default(), &format!("?{}", page::relay_query(&turn)))?;
    let [url, user, secret] = &turn;
    const SHOWN: &str = "[location.href, document.body.innerText, \
         ...[...document.querySelectorAll('input')].map((i) => i.value)].join('\\n')";
    let shown = p.get(SHOWN)?;
    ensure!(!shown.to_string().contains(secret), "the TURN credential is shown back on the page");
    let summary = p.get("document.getElementById('ice-summary').textContent")?;
    ensure!(
        summary.as_str().is_some_and(|s| s.contains("relay only") && s.contains("127.0.0.1")),
        "the ICE summary does not show the relay settings: {summary}"
    );
    let apply = |url: &str, user: &str, secret: &str| -> Result<serde_json::Value> {
        p.js("document.getElementById('settings').open = true; \
              for (const id of ['turn-url', 'turn-user']) document.getElementById(id).value = ''; \
              return null;")?;
        p.s.send_keys("#turn-url", url)?;
        p.s.send_keys("#turn-user", user)?;
        p.s.send_keys("#turn-credential", secret)?;
        p.click("#ice-apply")?;
        p.get(
            "['ice-error', 'ice-summary'].map((id) => document.getElementById(id).textContent) \
             .concat([document.getElementById('turn-credential').value])",
        )
    };
    let refused = apply("http://127.0.0.1/", "x", "form-secret-1234")?;
    ensure!(refused[0].to_string().contains("turn:"), "a non-TURN URL was not refused: {refused}");
    let after = apply(url, user, secret)?;
    ensure!(after[0] == json!(""), "the TURN settings were refused: {}", after[0]);
    ensure!(after[2] == json!(""), "the credential field still holds the credential");
    ensure!(
        after[1].as_str().is_some_and(|t| t.contains("characters)") && t.contains("relay only")),
        "the summary does not show the masked credential: {}",
        after[1]
    );
    ensure!(!p.get(SHOWN)?.to_string().contains(secret), "the credential is shown on the page");
    p.click("#call")?;
    p.remote_playing("relay-only call")?;
    let path = p.wait("window.__rtcDemo.stats.path", Duration::from_secs(10), "the stats' path")?;
    ensure!(path == json!("relay (TURN)"), "the call did not go through the relay: path {path}");
    hang_up(&p, "relay-only call")
}
