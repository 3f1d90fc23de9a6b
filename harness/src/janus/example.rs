//! The Janus example's page (`examples/janus-videoroom`, built by xtask into its `pkg/`) against
//! a real Janus: [`serve`] starts Janus from the tests' private configuration and serves the
//! page, [`check`] opens it in N windows of one headless browser and waits until the last one
//! plays N tiles. [`suite`] is what `cargo xtask test` runs in its network namespace; `cargo xtask
//! janus-example` serves the same for a person, or checks it with `--check N`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::Result;

use super::{Janus, ICE_ADDRESS, READY_TIMEOUT};
use crate::browser::server::Server;
use crate::browser::webdriver::Driver;
use crate::browser::Browser;
use crate::report::Report;
use crate::Tools;

/// The example crate and the folder served (its `index.html` and the built `pkg/`).
pub const EXAMPLE_DIR: &str = "examples/janus-videoroom";

/// The suite `cargo xtask test` runs in its network namespace on the page xtask built before:
/// the command's Janus and page server, then [`check`] with three windows in each browser.
pub fn suite(tools: &Tools, report: &mut Report) -> Result<()> {
    let (janus, _server, url) = serve(tools, ICE_ADDRESS, (Ipv4Addr::LOCALHOST, 0).into())?;
    for &browser in &tools.settings.browsers {
        let outcome = check(tools, browser, &url, 3);
        if let Err(e) = &outcome {
            let log = janus.log_tail();
            println!("xtask: {SUITE} [{browser}] FAILED: {e:#}\nJanus's log:\n{log}");
        }
        let passed = u32::from(outcome.is_ok());
        report.add(SUITE, Some(browser), passed, 1 - passed);
    }
    Ok(())
}

/// The suite's name in the test report.
pub const SUITE: &str = "janus-example command";

/// Starts Janus gathering on `ice` and serves the built page on `addr`; returns both guards and
/// the page's URL (which names Janus's; add `&room=N`, see [`room_url`]).
pub fn serve(tools: &Tools, ice: &str, addr: SocketAddr) -> Result<(Janus, Server, String)> {
    let janus = Janus::start_within(&tools.janus, ice, READY_TIMEOUT)?;
    let server = Server::start(addr, vec![("/".to_string(), tools.root.join(EXAMPLE_DIR))])?;
    let url = format!("{}?janus={}", server.url(), janus.url());
    Ok((janus, server, url))
}

/// The room a person is given by `cargo xtask janus-example`.
pub const ROOM: u32 = 1234;

/// The page at `url` (from [`serve`]) in `room`.
pub fn room_url(url: &str, room: u32) -> String {
    format!("{url}&room={room}")
}

/// Opens `url` (from [`serve`]) in `tabs` windows of one headless `browser` session, then waits
/// until the last one shows `tabs` tiles (its own and one per other window) whose videos all
/// advance. Each browser has a room of its own: the windows of a browser checked before may
/// still be listed as publishers while Janus notices that they left.
pub fn check(tools: &Tools, browser: Browser, url: &str, tabs: u32) -> Result<()> {
    let room = match browser {
        Browser::Chromium => ROOM + 1,
        Browser::Firefox => ROOM + 2,
    };
    let url = room_url(url, room);
    let driver = Driver::start(tools, browser)?;
    let session = driver.session()?;
    for i in 0..tabs {
        if i > 0 {
            session.switch_to(&session.new_window()?)?;
        }
        session.goto(&url)?;
        session.wait_until(
            "document.querySelectorAll('#tiles video').length > 0",
            TILE_WAIT,
            "own tile",
        )?;
    }
    // Playback time, not decoded frames: headless Firefox counts no `totalVideoFrames`.
    let playing = "[...document.querySelectorAll('#tiles video')].filter((v) => v.readyState >= 2 \
        && v.videoWidth > 0 && v.currentTime > 0).length";
    let what = format!("{tabs} tiles playing in the last window");
    let tiles = "[...document.querySelectorAll('#tiles figure')].map((f) => { \
        const v = f.querySelector('video'); \
        return [f.textContent, v.readyState, v.videoWidth, v.currentTime]; })";
    let shown = || session.execute(&format!("return JSON.stringify({tiles});"), vec![]);
    let said =
        |e: anyhow::Error| e.context(format!("[caption, readyState, width, time]: {:?}", shown()));
    session
        .wait_until(&format!("{playing} === {tabs} && {playing}"), TILE_WAIT, &what)
        .map_err(said)?;
    // Then every one of them plays on (from when they all played).
    let times = "[...document.querySelectorAll('#tiles video')].map((v) => v.currentTime)";
    session.execute(&format!("window.timesThen = {times}; return true;"), vec![])?;
    let moved = format!("{times}.filter((t, i) => t > window.timesThen[i]).length === {tabs}");
    let what_moved = format!("{what} to play on");
    session.wait_until(&moved, Duration::from_secs(10), &what_moved).map_err(said)?;
    println!("xtask: janus-example [{browser}]: {what}, each playing on");
    Ok(())
}

/// How long one window may take to show its tiles.
const TILE_WAIT: Duration = Duration::from_secs(30);
