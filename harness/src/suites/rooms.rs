//! The demo's room mode between two real browsers at once: a Chromium and a Firefox session,
//! each with the demo open in the same room of the test server's signalling relay.
//!
//! - Chromium calls Firefox and Firefox calls Chromium; remote video plays in both; Hang up on
//!   either side ends the other side's call within 1 s; 10 cycles;
//! - leaving the page as when its tab closes (its `Bye` lost, so only the negotiator's liveness
//!   channel can tell) ends the other side's call within 3 s;
//! - glare: both press Call within 50 ms, one call results and both videos play;
//! - Switch camera (`replace_track`, the SDP unchanged) and Reconnect (`restart_ice`, new ICE
//!   credentials) in a running call;
//! - a third browser session gets "room full" and disturbs nothing;
//! - a relay-only call through the run's coturn: the stats panel says relay on both sides.
//!
//! "Ended" is read from the page's elements and the browser through `Page`, never from the
//! app's counters; every page is checked for CSP violations and console errors.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};

use super::page::{self, Case, Page, CONNECT, LOAD, RELEASED};
use crate::browser::webdriver::{Driver, SessionOptions};
use crate::browser::Browser;
use crate::report::Report;
use crate::Tools;

/// Suite name in the report.
pub const SUITE: &str = "e2e rooms, Chromium and Firefox";
/// The other side's call must end this soon after a Hang up, and after its tab closed.
const HANG_UP_SEEN_MS: i64 = 1_000;
const CLOSE_SEEN_MS: i64 = 3_000;
/// How far apart the two Call clicks of the glare test may be.
const GLARE_MS: i64 = 50;
/// Call / hang-up cycles.
const CYCLES: u32 = 10;

const CASES: &[Case<Ctx>] = &[
    ("Chromium and Firefox call each other, hang up from each side, 10 cycles", call_cycles),
    ("closing a tab (its Bye lost) ends the other side's call within 3 s, each side", close_tab),
    ("glare: both press Call within 50 ms, one call, both videos play", glare),
    ("Switch camera without renegotiation, Reconnect restarts ICE", switch_and_reconnect),
    ("a third browser gets room full and disturbs nothing", room_full),
    ("relay-only call through coturn: the stats say relay on both sides", relay_only),
];

/// What every case gets: the page's URL and a driver per browser, both running at once.
struct Ctx {
    url: String,
    chromium: Driver,
    firefox: Driver,
}

/// Runs every case on the demo served at `url` (with the page probe) and adds the counts to
/// `report` (each case counts for both browsers).
pub fn run(tools: &Tools, url: &str, report: &mut Report) -> Result<()> {
    let browsers = [Browser::Chromium, Browser::Firefox];
    let missing = browsers.iter().find(|b| !tools.settings.browsers.contains(b));
    ensure!(missing.is_none(), "the room tests need both browsers; {missing:?} is not configured");
    let chromium = Driver::start(tools, Browser::Chromium)?;
    let ctx =
        Ctx { url: url.to_string(), chromium, firefox: Driver::start(tools, Browser::Firefox)? };
    page::run_cases(report, (SUITE, "rooms"), &browsers, CASES, &ctx);
    Ok(())
}

/// Milliseconds since the epoch (the browsers' `Date.now()` on this machine).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Opens the demo in room `room` (with `extra` query parameters) in a new session of `driver`.
fn open(name: &str, driver: &Driver, ctx: &Ctx, room: &str, extra: &str) -> Result<Page> {
    let url = format!("{}?room={room}{extra}", ctx.url);
    Page::open(name, driver.session()?, &url, true)
}

/// Starts a watcher in the page that notes `Date.now()` when the call is released; then
/// [`released_after`] says how long after `t0` that was.
fn watch_release(p: &Page) -> Result<()> {
    p.js(&format!(
        "window.__releasedAt = 0; const w = setInterval(() => {{ \
           if ({RELEASED}) {{ window.__releasedAt = Date.now(); clearInterval(w); }} }}, 5); \
         return null;"
    ))
    .map(drop)
}

fn released_after(p: &Page, t0: i64, deadline: Duration, what: &str) -> Result<i64> {
    Ok(p.wait("window.__releasedAt", deadline, what)?.as_i64().unwrap_or(0) - t0)
}

/// Opens both pages in a fresh room and waits until each sees the other; the one that joined
/// second (Firefox) is the only polite one.
fn pair(ctx: &Ctx, case: &str, extra: &str) -> Result<(Page, Page)> {
    let room = format!("e2e-{case}-{}", now_ms());
    let chromium = open("Chromium", &ctx.chromium, ctx, &room, extra)?;
    let firefox = open("Firefox", &ctx.firefox, ctx, &room, extra)?;
    for p in [&chromium, &firefox] {
        p.wait(
            "window.__rtcDemo.roomState === 'peer' && !document.getElementById('call').disabled",
            LOAD,
            "the other side in the room, Call enabled",
        )?;
    }
    let polite = [&chromium, &firefox].map(|p| p.get("window.__rtcDemo.polite").ok());
    ensure!(
        polite == [Some(json!(false)), Some(json!(true))],
        "(Chromium, Firefox) polite: {polite:?}"
    );
    Ok((chromium, firefox))
}

/// One call: `caller` presses Call, both videos play.
fn connect(caller: &Page, callee: &Page, what: &str) -> Result<()> {
    caller.forget()?;
    callee.forget()?;
    caller.click("#call")?;
    caller.remote_playing(&format!("{what}, caller"))?;
    callee.remote_playing(&format!("{what}, callee"))
}

fn end_reason(p: &Page) -> Result<Value> {
    p.get("window.__rtcDemo.lastEndReason")
}

/// `hanger` presses Hang up; both sides are released, the other within 1 s; Call enabled
/// again on both; end reasons local and remote; both pages clean.
fn hang_up(hanger: &Page, other: &Page, what: &str) -> Result<()> {
    watch_release(other)?;
    let t0 = hanger.get(
        "(() => { const t = Date.now(); document.getElementById('hangup').click(); return t; })()",
    )?;
    let t0 = t0.as_i64().context("Date.now() of the click")?;
    let seen = released_after(other, t0, Duration::from_secs(10), &format!("{what}: released"))?;
    ensure!(seen <= HANG_UP_SEEN_MS, "{what}: {} saw the hang-up after {seen} ms", other.name);
    hanger.wait(RELEASED, Duration::from_secs(5), &format!("{what}: released after Hang up"))?;
    for p in [hanger, other] {
        let enabled = "!document.getElementById('call').disabled";
        p.wait(enabled, Duration::from_secs(1), &format!("{what}: Call enabled again"))?;
    }
    let reasons = (end_reason(hanger)?, end_reason(other)?);
    ensure!(reasons == (json!("local"), json!("remote")), "{what}: end reasons {reasons:?}");
    println!("xtask: rooms   {what}: {} saw {}'s hang-up after {seen} ms", other.name, hanger.name);
    hanger.clean()?;
    other.clean()
}

fn call_cycles(ctx: &Ctx) -> Result<()> {
    let (chromium, firefox) = pair(ctx, "cycles", "")?;
    for cycle in 1..=CYCLES {
        // Callers alternate every cycle, the side that hangs up every two cycles: each
        // caller/hanger combination comes up.
        let (caller, callee) =
            if cycle % 2 == 1 { (&chromium, &firefox) } else { (&firefox, &chromium) };
        let (hanger, other) =
            if (cycle / 2) % 2 == 0 { (caller, callee) } else { (callee, caller) };
        let what = format!("cycle {cycle}: {} calls, {} hangs up", caller.name, hanger.name);
        connect(caller, callee, &what)?;
        for p in [caller, callee].into_iter().filter(|_| cycle == 1) {
            println!("xtask: rooms   {}: stats {}", p.name, p.live_stats(&what)?);
        }
        hang_up(hanger, other, &what)?;
    }
    Ok(())
}

fn close_tab(ctx: &Ctx) -> Result<()> {
    for closing_chromium in [true, false] {
        let (chromium, firefox) = pair(ctx, "close", "")?;
        let (closing, other) =
            if closing_chromium { (chromium, firefox) } else { (firefox, chromium) };
        let what = format!("{} closes its tab", closing.name);
        connect(&closing, &other, &what)?;
        watch_release(&other)?;
        // Lose the Bye: nothing this page sends through the relay arrives any more, so only
        // the connection itself (the liveness channel) can tell the other side.
        closing.js("WebSocket.prototype.send = function () {}; return null;")?;
        // The tab's document goes away as when the tab is closed (pagehide, unload: the
        // browser closes the page's connections). Deleting the WebDriver session instead
        // ends the whole browser process, which closes nothing first: the other side then
        // only sees ICE go `disconnected`.
        let t0 = now_ms();
        closing.s.goto("about:blank")?;
        let ended = format!("{what}: the other side's call ended and released");
        let seen = released_after(&other, t0, Duration::from_secs(15), &ended)?;
        ensure!(seen <= CLOSE_SEEN_MS, "{what}: {} saw it after {seen} ms", other.name);
        ensure!(end_reason(&other)? == json!("remote"), "{what}: the end reason is not remote");
        println!("xtask: rooms   {what}: {} saw it after {seen} ms", other.name);
        other.clean()?;
    }
    Ok(())
}

fn glare(ctx: &Ctx) -> Result<()> {
    let (chromium, firefox) = pair(ctx, "glare", "")?;
    let both = [&chromium, &firefox];
    for round in 1..=2 {
        let what = format!("glare round {round}");
        // Both pages click Call at the same wall-clock moment (one machine, one clock).
        let at = now_ms() + 400;
        for p in both {
            p.forget()?;
            p.js(&format!(
                "window.__clickedAt = 0; setTimeout(() => {{ window.__clickedAt = Date.now(); \
                 document.getElementById('call').click(); }}, {at} - Date.now()); return null;"
            ))?;
        }
        let mut clicked = Vec::new();
        for p in both {
            let t = p.wait("window.__clickedAt", Duration::from_secs(5), "the Call click")?;
            clicked.push(t.as_i64().unwrap_or(0));
        }
        let apart = (clicked[0] - clicked[1]).abs();
        ensure!(apart <= GLARE_MS, "{what}: the clicks were {apart} ms apart");
        for p in both {
            p.remote_playing(&what)?;
        }
        // One call: each page made exactly one connection for it, and it is connected.
        for p in both {
            let pcs = p.get("window.__rtcProbe.connections().map((pc) => pc.connectionState)")?;
            ensure!(pcs == json!(["connected"]), "{what}: {} has connections {pcs}", p.name);
        }
        println!("xtask: rooms   {what}: clicks {apart} ms apart, one call, both videos play");
        let (hanger, other) = if round == 1 { (both[0], both[1]) } else { (both[1], both[0]) };
        hang_up(hanger, other, &what)?;
    }
    Ok(())
}

/// JS expression: the raw local description and ICE username fragment of the one connection.
const SDP: &str = "(() => { const [pc] = window.__rtcProbe.connections(); \
     const sdp = pc && pc.localDescription ? pc.localDescription.sdp : ''; \
     const m = /a=ice-ufrag:(\\S+)/.exec(sdp); return { sdp, ufrag: m ? m[1] : '' }; })()";

fn switch_and_reconnect(ctx: &Ctx) -> Result<()> {
    let (chromium, firefox) = pair(ctx, "switch", "")?;
    connect(&chromium, &firefox, "switch camera")?;
    for (switching, other) in [(&chromium, &firefox), (&firefox, &chromium)] {
        let what = format!("{} switches camera", switching.name);
        let before = (switching.get(SDP)?, other.get(SDP)?);
        let source = switching.get("window.__rtcDemo.videoSource")?;
        switching.click("#switch")?;
        switching.wait(
            &format!("window.__rtcDemo.videoSource !== {source} && !document.getElementById('switch').disabled"),
            Duration::from_secs(10),
            &format!("{what}: the video source switched from {source}"),
        )?;
        // The remote side keeps playing new frames, and nothing was renegotiated.
        other.advancing(other.remote_time()?, 0.5, &what)?;
        ensure!(before == (switching.get(SDP)?, other.get(SDP)?), "{what}: renegotiated");
        let live = switching.get("window.__rtcProbe.liveLocalTracks()")?;
        ensure!(live == json!(2), "{what}: {live} live local tracks, not 2 (one replaced)");
    }
    for (p, other) in [(&chromium, &firefox), (&firefox, &chromium)] {
        let what = format!("{} presses Reconnect", p.name);
        let before = p.get(SDP)?;
        p.click("#reconnect")?;
        p.wait(
            &format!("{SDP}.ufrag !== {}", before["ufrag"]),
            Duration::from_secs(10),
            &format!("{what}: new ICE credentials in the local description"),
        )?;
        for s in [p, other] {
            s.wait(
                "window.__rtcProbe.connections()[0].connectionState === 'connected'",
                CONNECT,
                &format!("{what}: connected again"),
            )?;
            s.advancing(s.remote_time()?, 0.5, &format!("{what}, after the ICE restart"))?;
        }
    }
    hang_up(&firefox, &chromium, "after switch and reconnect")
}

fn room_full(ctx: &Ctx) -> Result<()> {
    let (chromium, firefox) = pair(ctx, "full", "")?;
    connect(&firefox, &chromium, "room full")?;
    let room = chromium.get("window.__rtcDemo.room")?;
    let room = room.as_str().context("room name")?.to_string();
    // A third browser (a second Chromium session) opens the same link, then another tab of it.
    let third = open("third browser", &ctx.chromium, ctx, &room, "")?;
    let full = "window.__rtcDemo.roomState === 'full' && document.getElementById('call').disabled \
         && !document.getElementById('notice').hidden \
         && /room full/i.test(document.getElementById('room-state').textContent)";
    third.wait(full, LOAD, "\"room full\" shown, Call disabled")?;
    let pcs = third.get("window.__rtcProbe.connections().length")?;
    ensure!(pcs == json!(0), "the third browser made {pcs} connections");
    third.clean()?;
    let first_tab = third.s.window_handle()?;
    third.s.switch_to(&third.s.new_window()?)?;
    third.s.goto(&format!("{}?room={room}", ctx.url))?;
    third.wait(full, LOAD, "a second tab of the third browser: room full")?;
    third.clean()?;
    third.s.switch_to(&first_tab)?;
    drop(third);
    // The call goes on, untouched: both videos still advance, both still see each other.
    for p in [&chromium, &firefox] {
        let state = p.get("window.__rtcDemo.roomState")?;
        ensure!(state == json!("peer"), "{}: room state {state} after the third browser", p.name);
        p.advancing(p.remote_time()?, 0.5, "after the third browser")?;
    }
    hang_up(&chromium, &firefox, "room full")
}

fn relay_only(ctx: &Ctx) -> Result<()> {
    let extra = format!("&{}", page::relay_query(&page::turn_settings()?));
    let (chromium, firefox) = pair(ctx, "relay", &extra)?;
    connect(&chromium, &firefox, "relay-only call")?;
    for p in [&chromium, &firefox] {
        let path = p.wait("window.__rtcDemo.stats.path", Duration::from_secs(10), "stats' path")?;
        ensure!(path == json!("relay (TURN)"), "{}: not through the relay: {path}", p.name);
        let shown = p.get("document.getElementById('stat-path').textContent")?;
        let relay = shown.as_str().is_some_and(|t| t.starts_with("relay"));
        ensure!(relay, "{}: the stats panel shows path {shown}", p.name);
    }
    hang_up(&firefox, &chromium, "relay-only call")
}

/// The README's room screenshot: the app served at `url` (as people get it, no probe) open in
/// one room in headless Chromium and headless Firefox, both sending the synthetic source;
/// Firefox calls, and Chromium's page is written to `path` mid-call.
pub fn readme_screenshot(tools: &Tools, url: &str, path: &std::path::Path) -> Result<()> {
    let options = SessionOptions { fake_media: false, ..SessionOptions::default() };
    let (chromium, firefox) =
        (Driver::start(tools, Browser::Chromium)?, Driver::start(tools, Browser::Firefox)?);
    let url = format!("{url}?room=chromium-and-firefox");
    let c = Page::open("Chromium", chromium.session_with(&options)?, &url, false)?;
    let f = Page::open("Firefox", firefox.session_with(&options)?, &url, false)?;
    c.wait("window.__rtcDemo.roomState === 'peer'", LOAD, "the other side in the room")?;
    f.click("#call")?;
    f.remote_playing("screenshot call")?;
    c.remote_playing("screenshot call")?;
    let stats =
        "window.__rtcDemo.stats.fps > 0 && typeof window.__rtcDemo.stats.rttMs === 'number'";
    c.wait(stats, Duration::from_secs(10), "live stats on the page")?;
    c.screenshot(1240, path)?;
    c.click("#hangup")?;
    c.no_csp_violations()?;
    f.no_csp_violations()
}
