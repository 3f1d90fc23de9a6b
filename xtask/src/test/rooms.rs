//! The demo's room mode between two real browsers at once: one Chromium and one Firefox
//! WebDriver session, each with the demo page open in the same room of the test server's
//! signalling relay.
//!
//! - Chromium calls Firefox and Firefox calls Chromium; remote video plays in both (the
//!   `<video>` element: `videoWidth > 0` and `currentTime` advancing);
//! - Hang up on either side: the other side's call ends within 1 s; leaving the page as when
//!   its tab closes (with its `Bye` lost, so only the negotiator's liveness channel can tell)
//!   within 3 s; 10 cycles;
//! - a relay-only call through the run's coturn: the stats panel says relay on both sides;
//! - glare: both press Call within 50 ms, one call results and both videos play;
//! - Switch camera (`replace_track`, the SDP unchanged) and Reconnect (`restart_ice`, new ICE
//!   credentials) in a running call;
//! - a third browser session gets "room full" and disturbs nothing.
//!
//! "Ended" is read from the browser through the page probe (every `RTCPeerConnection`'s raw
//! `connectionState`, the listeners on WebRTC and media objects, live local tracks) and from the
//! page's elements, never from the app's counters. Every page is checked for CSP violations and
//! console errors. Every wait has a deadline and says what it waited for.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use super::e2e::{no_csp_violations, no_page_errors, percent_encode, REMOTE_PLAYING};
use super::report::Report;
use crate::browser::webdriver::{Driver, Session, SessionOptions};
use crate::browser::Browser;
use crate::demo;
use crate::setup::Tools;
use crate::turn_config;

/// Suite name in the report.
pub const SUITE: &str = "e2e rooms, Chromium and Firefox";
/// How long the page may take to load and join its room.
const JOIN: Duration = Duration::from_secs(20);
/// How long a call may take from the click to playing remote video.
const CONNECT: Duration = Duration::from_secs(25);
/// The other side's call must end this soon after a Hang up.
const HANG_UP_SEEN_MS: u64 = 1_000;
/// ... and this soon after its tab closed.
const CLOSE_SEEN_MS: u64 = 3_000;
/// How far apart the two Call clicks of the glare test may be.
const GLARE_MS: i64 = 50;
/// Call / hang-up cycles.
const CYCLES: u32 = 10;

/// One test with the two browsers.
struct Case {
    name: &'static str,
    run: fn(&Ctx, &Drivers) -> Result<()>,
}

const CASES: &[Case] = &[
    Case {
        name: "Chromium and Firefox call each other, hang up from each side, 10 cycles",
        run: call_cycles,
    },
    Case {
        name: "closing a tab (its Bye lost) ends the other side's call within 3 s, each side",
        run: close_tab,
    },
    Case { name: "glare: both press Call within 50 ms, one call, both videos play", run: glare },
    Case {
        name: "Switch camera without renegotiation, Reconnect restarts ICE",
        run: switch_and_reconnect,
    },
    Case { name: "a third browser gets room full and disturbs nothing", run: room_full },
    Case {
        name: "relay-only call through coturn: the stats say relay on both sides",
        run: relay_only,
    },
];

/// What every case gets.
struct Ctx {
    url: String,
}

/// A driver per browser, both running at once.
struct Drivers {
    chromium: Driver,
    firefox: Driver,
}

/// One page in one browser.
struct Side {
    name: &'static str,
    s: Session,
}

/// Runs every case and adds the counts to `report` (each case counts for both browsers).
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let browsers = [Browser::Chromium, Browser::Firefox];
    for browser in browsers {
        if !tools.settings.browsers.contains(&browser) {
            bail!("the room tests need both Chromium and Firefox; {browser} is not configured");
        }
    }
    let server = demo::serve_for_tests(tools)?;
    let ctx = Ctx { url: server.url() };
    let drivers = Drivers {
        chromium: Driver::start(tools, Browser::Chromium)?,
        firefox: Driver::start(tools, Browser::Firefox)?,
    };
    // While working on one test: XTASK_E2E_ONLY=<part of its name>.
    let only = std::env::var("XTASK_E2E_ONLY").ok();
    let (mut passed, mut failed) = (0, 0);
    for case in CASES {
        if let Some(o) = only.as_ref().filter(|o| !case.name.contains(o.as_str())) {
            for browser in browsers {
                report.left_out(SUITE, Some(browser), case.name, &format!("XTASK_E2E_ONLY={o}"));
            }
            continue;
        }
        let started = Instant::now();
        match (case.run)(&ctx, &drivers) {
            Ok(()) => {
                passed += 1;
                println!(
                    "xtask: rooms ok     {} ({:.1}s)",
                    case.name,
                    started.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                failed += 1;
                println!("xtask: rooms FAILED {}: {e:#}", case.name);
            }
        }
    }
    for browser in browsers {
        report.add(SUITE, Some(browser), passed, failed);
    }
    Ok(())
}

/// Milliseconds since the epoch (the browsers' `Date.now()` on this machine).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// A fresh room name per case.
fn new_room(case: &str) -> String {
    format!("e2e-{case}-{}", now_ms())
}

impl Side {
    /// Opens the demo in room `room` (with `extra` query parameters) and waits until the page
    /// has joined it.
    fn open(
        name: &'static str,
        driver: &Driver,
        ctx: &Ctx,
        room: &str,
        extra: &str,
    ) -> Result<Side> {
        let side = Side::open_with(name, driver.session()?, ctx, room, extra)?;
        let s = &side.s;
        let probed = s.execute("return typeof window.__rtcProbe;", vec![])?;
        ensure!(
            probed == json!("object"),
            "{name}: the page probe is not loaded (window.__rtcProbe is {probed})"
        );
        Ok(side)
    }

    /// As [`Side::open`], in session `s`, without checking for the page probe.
    fn open_with(
        name: &'static str,
        s: Session,
        ctx: &Ctx,
        room: &str,
        extra: &str,
    ) -> Result<Side> {
        s.goto(&format!("{}?room={room}{extra}", ctx.url))?;
        s.wait_until(
            "window.__rtcDemo && window.__rtcDemo.ready && window.__rtcDemo.roomState !== 'connecting' \
             && window.__rtcDemo.roomState",
            JOIN,
            &format!("{name}: the page to load and join room {room}"),
        )?;
        Ok(Side { name, s })
    }

    fn js(&self, script: &str) -> Result<Value> {
        self.s.execute(script, vec![])
    }

    fn wait(&self, expr: &str, timeout: Duration, what: &str) -> Result<Value> {
        self.s.wait_until(expr, timeout, &format!("{}: {what}", self.name))
    }

    /// Waits until remote video plays, then until its `currentTime` moves on.
    fn remote_playing(&self, what: &str) -> Result<()> {
        let first = self.wait(
            REMOTE_PLAYING,
            CONNECT,
            &format!("{what}: remote video playing (videoWidth > 0) and Hang up enabled"),
        )?;
        let t0 = first["time"].as_f64().unwrap_or(0.0);
        self.wait(
            &format!("document.getElementById('remote').currentTime > {t0} + 0.3"),
            Duration::from_secs(10),
            &format!("{what}: remote video currentTime advancing past {t0:.2}s"),
        )?;
        Ok(())
    }

    /// Starts a watcher in the page that notes `Date.now()` when the call is released (see
    /// [`RELEASED`]); read it with [`Side::released_after`].
    fn watch_release(&self) -> Result<()> {
        self.js(&format!(
            "window.__releasedAt = 0; const w = setInterval(() => {{ \
               if ({RELEASED}) {{ window.__releasedAt = Date.now(); clearInterval(w); }} }}, 5); \
             return null;"
        ))?;
        Ok(())
    }

    /// Waits for the watcher and returns how long after `t0` (ms since the epoch) the call
    /// was released; fails with the page state after `deadline`.
    fn released_after(&self, t0: i64, deadline: Duration, what: &str) -> Result<i64> {
        match self.wait("window.__releasedAt", deadline, what) {
            Ok(at) => Ok(at.as_i64().unwrap_or(0) - t0),
            Err(e) => {
                let state = self.js(&format!("return {DEBUG_STATE};"))?;
                bail!("{e:#}; page state: {state}");
            }
        }
    }

    /// Clicks `id` from a script and returns `Date.now()` just before the click.
    fn click_at_now(&self, id: &str) -> Result<i64> {
        let t = self.js(&format!(
            "const t = Date.now(); document.getElementById('{id}').click(); return t;"
        ))?;
        t.as_i64().context("Date.now() of the click")
    }

    /// Fails on CSP violations or console errors (the probe's record, emptied by this).
    fn clean(&self) -> Result<()> {
        no_csp_violations(&self.s).with_context(|| self.name)?;
        no_page_errors(&self.s).with_context(|| self.name)
    }

    /// Forgets the connections the probe recorded (the next check is about the next call).
    fn forget(&self) -> Result<()> {
        self.js("window.__rtcProbe.forgetConnections(); return null;")?;
        Ok(())
    }
}

/// JS expression: the call has ended and released everything: Hang up disabled, no
/// `srcObject`, the connections of the call all closed (raw `connectionState`),
/// no listener on a WebRTC or media object, no live local track.
const RELEASED: &str = "(() => { const p = window.__rtcProbe; \
     const pcs = p.connections(); \
     return document.getElementById('hangup').disabled \
     && document.getElementById('remote').srcObject === null && document.getElementById('remote').srcObject === null \
     && document.getElementById('local').srcObject === null \
     && pcs.length > 0 && p.openConnections() === 0 \
     && pcs.every((pc) => pc.connectionState === 'closed') \
     && p.listeners() === 0 && p.liveLocalTracks() === 0; })()";

const DEBUG_STATE: &str = "(() => { const d = window.__rtcDemo, p = window.__rtcProbe; return { \
     hangUpDisabled: d.hangUpDisabled, callDisabled: d.callDisabled, active: d.active, \
     remoteHasSrcObject: d.remoteHasSrcObject, localHasSrcObject: d.localHasSrcObject, \
     roomState: d.roomState, connections: p.connectionStates(), \
     listeners: p.listenerTypes(), liveLocalTracks: p.liveLocalTracks(), errors: d.errors, \
     lastEndReason: d.lastEndReason }; })()";

/// Opens both pages in a fresh room and waits until each sees the other.
fn pair(ctx: &Ctx, drivers: &Drivers, case: &str, extra: &str) -> Result<(Side, Side)> {
    let room = new_room(case);
    let chromium = Side::open("Chromium", &drivers.chromium, ctx, &room, extra)?;
    let firefox = Side::open("Firefox", &drivers.firefox, ctx, &room, extra)?;
    for side in [&chromium, &firefox] {
        side.wait(
            "window.__rtcDemo.roomState === 'peer' && !document.getElementById('call').disabled",
            JOIN,
            "the other side in the room, Call enabled",
        )?;
    }
    let polite = (
        chromium.js("return window.__rtcDemo.polite;")?,
        firefox.js("return window.__rtcDemo.polite;")?,
    );
    ensure!(
        polite == (json!(false), json!(true)),
        "the member that joined second is not the only polite one: (Chromium, Firefox) polite = {polite:?}"
    );
    Ok((chromium, firefox))
}

/// One call: `caller` presses Call, both videos play.
fn connect(caller: &Side, callee: &Side, what: &str) -> Result<()> {
    caller.forget()?;
    callee.forget()?;
    caller.s.click("#call")?;
    caller.remote_playing(&format!("{what}, caller"))?;
    callee.remote_playing(&format!("{what}, callee"))?;
    Ok(())
}

/// `hanger` presses Hang up; both sides are released, the other within 1 s.
fn hang_up(hanger: &Side, other: &Side, what: &str) -> Result<()> {
    other.watch_release()?;
    let t0 = hanger.click_at_now("hangup")?;
    let seen = other.released_after(
        t0,
        Duration::from_secs(10),
        &format!("{what}: call ended and released after the other side's Hang up"),
    )?;
    ensure!(
        seen <= HANG_UP_SEEN_MS as i64,
        "{what}: {} saw the hang-up after {seen} ms (more than {HANG_UP_SEEN_MS} ms)",
        other.name
    );
    hanger.wait(
        RELEASED,
        Duration::from_secs(5),
        &format!("{what}: released after its own Hang up"),
    )?;
    for side in [hanger, other] {
        side.wait(
            "!document.getElementById('call').disabled",
            Duration::from_secs(1),
            &format!("{what}: Call enabled again"),
        )?;
    }
    let reasons = (
        hanger.js("return window.__rtcDemo.lastEndReason;")?,
        other.js("return window.__rtcDemo.lastEndReason;")?,
    );
    ensure!(
        reasons == (json!("local"), json!("remote")),
        "{what}: end reasons (hanger, other) = {reasons:?}, not (local, remote)"
    );
    println!("xtask: rooms   {what}: {} saw {}'s hang-up after {seen} ms", other.name, hanger.name);
    hanger.clean()?;
    other.clean()
}

fn call_cycles(ctx: &Ctx, drivers: &Drivers) -> Result<()> {
    let (chromium, firefox) = pair(ctx, drivers, "cycles", "")?;
    for cycle in 1..=CYCLES {
        // Callers alternate every cycle, the side that hangs up every two cycles: each
        // caller/hanger combination comes up.
        let (caller, callee) =
            if cycle % 2 == 1 { (&chromium, &firefox) } else { (&firefox, &chromium) };
        let (hanger, other) =
            if (cycle / 2) % 2 == 0 { (caller, callee) } else { (callee, caller) };
        let what = format!("cycle {cycle}: {} calls, {} hangs up", caller.name, hanger.name);
        connect(caller, callee, &what)?;
        if cycle == 1 {
            for side in [caller, callee] {
                let stats = side.wait(
                    "(() => { const t = window.__rtcDemo.stats; \
                     return t.width > 0 && t.fps > 0 && t.kbps > 0 && t.path && t; })()",
                    Duration::from_secs(10),
                    "live stats (resolution, fps, bitrate, path)",
                )?;
                println!("xtask: rooms   {}: stats {stats}", side.name);
            }
        }
        hang_up(hanger, other, &what)?;
    }
    Ok(())
}

fn close_tab(ctx: &Ctx, drivers: &Drivers) -> Result<()> {
    for closing_chromium in [true, false] {
        let (chromium, firefox) = pair(ctx, drivers, "close", "")?;
        let (closing, other) =
            if closing_chromium { (chromium, firefox) } else { (firefox, chromium) };
        let what = format!("{} closes its tab", closing.name);
        connect(&closing, &other, &what)?;
        other.watch_release()?;
        // Lose the Bye: nothing this page sends through the relay arrives any more, so only
        // the connection itself (the liveness channel) can tell the other side.
        closing.js("WebSocket.prototype.send = function () {}; return null;")?;
        // The tab's document goes away as when the tab is closed (pagehide, unload: the
        // browser closes the page's connections). Deleting the WebDriver session instead
        // ends the whole browser process, which closes nothing first: the other side then
        // only sees ICE go `disconnected`.
        let t0 = now_ms();
        closing.s.goto("about:blank")?;
        let seen = other.released_after(
            t0,
            Duration::from_secs(15),
            &format!("{what}: the other side's call ended and released"),
        )?;
        ensure!(
            seen <= CLOSE_SEEN_MS as i64,
            "{what}: {} saw it after {seen} ms (more than {CLOSE_SEEN_MS} ms)",
            other.name
        );
        let reason = other.js("return window.__rtcDemo.lastEndReason;")?;
        ensure!(reason == json!("remote"), "{what}: end reason {reason}, not remote");
        println!("xtask: rooms   {what}: {} saw it after {seen} ms", other.name);
        other.clean()?;
    }
    Ok(())
}

fn glare(ctx: &Ctx, drivers: &Drivers) -> Result<()> {
    let (chromium, firefox) = pair(ctx, drivers, "glare", "")?;
    for round in 1..=2 {
        let what = format!("glare round {round}");
        for side in [&chromium, &firefox] {
            side.forget()?;
        }
        // Both pages click Call at the same wall-clock moment (one machine, one clock).
        let at = now_ms() + 400;
        for side in [&chromium, &firefox] {
            side.js(&format!(
                "window.__clickedAt = 0; setTimeout(() => {{ window.__clickedAt = Date.now(); \
                 document.getElementById('call').click(); }}, {at} - Date.now()); return null;"
            ))?;
        }
        let mut clicked = Vec::new();
        for side in [&chromium, &firefox] {
            let t = side.wait(
                "window.__clickedAt",
                Duration::from_secs(5),
                "the scheduled Call click",
            )?;
            clicked.push(t.as_i64().unwrap_or(0));
        }
        let apart = (clicked[0] - clicked[1]).abs();
        ensure!(
            apart <= GLARE_MS,
            "{what}: the clicks were {apart} ms apart (more than {GLARE_MS} ms)"
        );
        for side in [&chromium, &firefox] {
            side.remote_playing(&what)?;
        }
        // One call: each page made exactly one connection for it, and it is connected.
        for side in [&chromium, &firefox] {
            let pcs =
                side.js("return window.__rtcProbe.connections().map((pc) => pc.connectionState);")?;
            ensure!(
                pcs == json!(["connected"]),
                "{what}: {} has connections {pcs}, not one connected connection",
                side.name
            );
        }
        println!("xtask: rooms   {what}: clicks {apart} ms apart, one call, both videos play");
        let (hanger, other) =
            if round == 1 { (&chromium, &firefox) } else { (&firefox, &chromium) };
        hang_up(hanger, other, &what)?;
    }
    Ok(())
}

/// JS: the raw local description and ICE username fragment of the page's one connection.
const SDP: &str = "const [pc] = window.__rtcProbe.connections(); \
     const sdp = pc && pc.localDescription ? pc.localDescription.sdp : ''; \
     const m = /a=ice-ufrag:(\\S+)/.exec(sdp); return { sdp, ufrag: m ? m[1] : '' };";

fn switch_and_reconnect(ctx: &Ctx, drivers: &Drivers) -> Result<()> {
    let (chromium, firefox) = pair(ctx, drivers, "switch", "")?;
    connect(&chromium, &firefox, "switch camera")?;
    for (switching, other) in [(&chromium, &firefox), (&firefox, &chromium)] {
        let what = format!("{} switches camera", switching.name);
        let before = (switching.js(SDP)?, other.js(SDP)?);
        let source = switching.js("return window.__rtcDemo.videoSource;")?;
        switching.s.click("#switch")?;
        switching.wait(
            &format!("window.__rtcDemo.videoSource !== {source} && !document.getElementById('switch').disabled"),
            Duration::from_secs(10),
            &format!("{what}: the video source switched from {source}"),
        )?;
        // The remote side keeps playing new frames, and nothing was renegotiated.
        let t = other.js("return document.getElementById('remote').currentTime;")?;
        other.wait(
            &format!("document.getElementById('remote').currentTime > {t} + 0.5 && document.getElementById('remote').videoWidth > 0"),
            Duration::from_secs(10),
            &format!("{what}: remote video still advancing"),
        )?;
        let after = (switching.js(SDP)?, other.js(SDP)?);
        ensure!(before == after, "{what}: the local descriptions changed (renegotiated)");
        let live = switching.js("return window.__rtcProbe.liveLocalTracks();")?;
        ensure!(
            live == json!(2),
            "{what}: {live} live local tracks, not 2 (the replaced one is stopped)"
        );
    }
    for (side, other) in [(&chromium, &firefox), (&firefox, &chromium)] {
        let what = format!("{} presses Reconnect", side.name);
        let before = side.js(SDP)?;
        side.s.click("#reconnect")?;
        side.wait(
            &format!("(() => {{ {SDP} }})().ufrag !== {}", before["ufrag"]),
            Duration::from_secs(10),
            &format!("{what}: new ICE credentials in the local description"),
        )?;
        for s in [side, other] {
            s.wait(
                "window.__rtcProbe.connections()[0].connectionState === 'connected'",
                CONNECT,
                &format!("{what}: connected again"),
            )?;
            let t = s.js("return document.getElementById('remote').currentTime;")?;
            s.wait(
                &format!("document.getElementById('remote').currentTime > {t} + 0.5"),
                Duration::from_secs(10),
                &format!("{what}: remote video advancing after the ICE restart"),
            )?;
        }
    }
    hang_up(&firefox, &chromium, "after switch and reconnect")
}

fn room_full(ctx: &Ctx, drivers: &Drivers) -> Result<()> {
    let (chromium, firefox) = pair(ctx, drivers, "full", "")?;
    connect(&firefox, &chromium, "room full")?;
    let room = chromium.js("return window.__rtcDemo.room;")?;
    let room = room.as_str().context("room name")?.to_string();
    // A third browser (a second Chromium session) opens the same link.
    let third = Side::open("third browser", &drivers.chromium, ctx, &room, "")?;
    third.wait(
        "window.__rtcDemo.roomState === 'full' && document.getElementById('call').disabled \
         && !document.getElementById('notice').hidden \
         && /room full/i.test(document.getElementById('room-state').textContent)",
        JOIN,
        "\"room full\" shown, Call disabled",
    )?;
    // The call goes on, untouched: both videos still advance, both still see each other.
    for side in [&chromium, &firefox] {
        let state = side.js("return window.__rtcDemo.roomState;")?;
        ensure!(
            state == json!("peer"),
            "{}: room state {state} after the third browser",
            side.name
        );
        let t = side.js("return document.getElementById('remote').currentTime;")?;
        side.wait(
            &format!("document.getElementById('remote').currentTime > {t} + 0.5"),
            Duration::from_secs(10),
            "remote video still advancing after the third browser",
        )?;
    }
    let third_pcs = third.js("return window.__rtcProbe.connections().length;")?;
    ensure!(third_pcs == json!(0), "the third browser made {third_pcs} connections");
    third.clean()?;
    // And another tab of that browser, too.
    let first_tab = third.s.window_handle()?;
    let tab = third.s.new_window()?;
    third.s.switch_to(&tab)?;
    third.s.goto(&format!("{}?room={room}", ctx.url))?;
    third.wait(
        "window.__rtcDemo && window.__rtcDemo.roomState === 'full'",
        JOIN,
        "a second tab of the third browser: room full",
    )?;
    third.clean()?;
    third.s.switch_to(&first_tab)?;
    drop(third);
    hang_up(&chromium, &firefox, "room full")
}

/// The run's TURN settings, from its config endpoint (`{url, username, credential}`).
fn turn_settings() -> Result<Value> {
    let port = std::env::var(turn_config::PORT_VAR)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(turn_config::NAMESPACE_PORT);
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .with_context(|| format!("connecting to the TURN config endpoint on port {port}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", turn_config::PATH)?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .context("no body in the TURN config response")?;
    serde_json::from_str(body).context("the TURN config is not JSON")
}

fn relay_only(ctx: &Ctx, drivers: &Drivers) -> Result<()> {
    let turn = turn_settings()?;
    let field = |k: &str| {
        turn[k].as_str().map(percent_encode).with_context(|| format!("turn.json has no {k}"))
    };
    let extra = format!(
        "&turn={}&username={}&credential={}&relay=1",
        field("url")?,
        field("username")?,
        field("credential")?
    );
    let (chromium, firefox) = pair(ctx, drivers, "relay", &extra)?;
    connect(&chromium, &firefox, "relay-only call")?;
    for side in [&chromium, &firefox] {
        let path = side.wait(
            "window.__rtcDemo.stats.path",
            Duration::from_secs(10),
            "the stats panel's network path",
        )?;
        ensure!(
            path == json!("relay (TURN)"),
            "{}: the call did not go through the relay: path {path}",
            side.name
        );
        let shown = side.js("return document.getElementById('stat-path').textContent;")?;
        ensure!(
            shown.as_str().is_some_and(|t| t.starts_with("relay")),
            "{}: the stats panel shows path {shown}",
            side.name
        );
    }
    hang_up(&firefox, &chromium, "relay-only call")
}

/// The README's room screenshot: the app served at `url` (as people get it, no probe) open in
/// one room in headless Chromium and headless Firefox, both sending the synthetic source;
/// Firefox calls, and Chromium's page is written to `path` mid-call.
pub fn readme_screenshot(tools: &Tools, url: &str, path: &std::path::Path) -> Result<()> {
    let ctx = Ctx { url: url.to_string() };
    let options = SessionOptions { fake_media: false, ..SessionOptions::default() };
    let chromium = Driver::start(tools, Browser::Chromium)?;
    let firefox = Driver::start(tools, Browser::Firefox)?;
    let room = "chromium-and-firefox";
    let c = Side::open_with("Chromium", chromium.session_with(&options)?, &ctx, room, "")?;
    let f = Side::open_with("Firefox", firefox.session_with(&options)?, &ctx, room, "")?;
    c.wait("window.__rtcDemo.roomState === 'peer'", JOIN, "the other side in the room")?;
    f.s.click("#call")?;
    f.remote_playing("screenshot call")?;
    c.remote_playing("screenshot call")?;
    c.wait(
        "window.__rtcDemo.stats.fps > 0 && window.__rtcDemo.stats.rttMs > 0",
        Duration::from_secs(10),
        "live stats on the page",
    )?;
    c.s.set_window_size(1280, 1240)?;
    // Let the layout, the stats and the video move on a little.
    std::thread::sleep(Duration::from_millis(2500));
    let png = c.s.screenshot_png()?;
    ensure!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    std::fs::write(path, &png).with_context(|| format!("writing {}", path.display()))?;
    println!("xtask: wrote {} ({} bytes)", path.display(), png.len());
    c.s.click("#hangup")?;
    no_csp_violations(&c.s)?;
    no_csp_violations(&f.s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole suite, by itself (slow): `cargo test -p xtask -- --ignored --nocapture rooms_suite`
    /// inside `cargo xtask netns` (for the TURN settings).
    #[test]
    #[ignore = "drives two real browsers for minutes; `cargo xtask test` runs it"]
    fn rooms_suite() {
        let tools = crate::setup::ensure().expect("tools");
        let mut report = Report::default();
        run(&tools, &mut report).expect("the room suite");
        report.print_summary();
        assert_eq!(report.failed(), 0);
    }
}
