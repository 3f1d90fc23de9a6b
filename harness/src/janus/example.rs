//! The Janus example's page (`examples/janus-videoroom`, built by xtask into its `pkg/`) against
//! a real Janus: [`serve`] starts Janus from the tests' private configuration and serves the
//! page, [`check`] opens it in N headless Chromium windows and waits until the last one plays
//! N tiles. [`suite`] is what `cargo xtask test` runs in its network namespace; `cargo xtask
//! janus-example` serves the same for a person, or checks it with `--check N`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, Result};

use super::{Janus, ICE_ADDRESS, READY_TIMEOUT};
use crate::browser::server::Server;
use crate::browser::webdriver::Driver;
use crate::browser::Browser;
use crate::report::Report;
use crate::Tools;

/// The example crate and the folder served (its `index.html` and the built `pkg/`).
pub const EXAMPLE_DIR: &str = "examples/janus-videoroom";

/// The suite `cargo xtask test` runs in its network namespace on the page xtask built before:
/// the command's Janus and page server, then [`check`] with three windows.
pub fn suite(tools: &Tools, report: &mut Report) -> Result<()> {
    let (janus, _server, url) = serve(tools, ICE_ADDRESS, (Ipv4Addr::LOCALHOST, 0).into())?;
    check(tools, &url, 3).with_context(|| format!("Janus's log:\n{}", janus.log_tail()))?;
    report.add(SUITE, Some(Browser::Chromium), 1, 0);
    Ok(())
}

/// The suite's name in the test report.
pub const SUITE: &str = "janus-example command";

/// Starts Janus gathering on `ice` and serves the built page on `addr`; returns both guards and
/// the page's URL (which names Janus's).
pub fn serve(tools: &Tools, ice: &str, addr: SocketAddr) -> Result<(Janus, Server, String)> {
    let janus = Janus::start_within(&tools.janus, ice, READY_TIMEOUT)?;
    let server = Server::start(addr, vec![("/".to_string(), tools.root.join(EXAMPLE_DIR))])?;
    let url = format!("{}?janus={}&room=1234", server.url(), janus.url());
    Ok((janus, server, url))
}

/// Opens `url` in `tabs` windows of one headless Chromium session, then waits until the last
/// one shows `tabs` tiles (its own and one per other window) whose videos all advance.
pub fn check(tools: &Tools, url: &str, tabs: u32) -> Result<()> {
    let driver = Driver::start(tools, Browser::Chromium)?;
    let session = driver.session()?;
    for i in 0..tabs {
        if i > 0 {
            session.switch_to(&session.new_window()?)?;
        }
        session.goto(url)?;
        session.wait_until(
            "document.querySelectorAll('#tiles video').length > 0",
            TILE_WAIT,
            "own tile",
        )?;
    }
    let playing = "[...document.querySelectorAll('#tiles video')].filter((v) => v.readyState >= 2 \
        && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 1).length";
    let what = format!("{tabs} tiles playing in the last window");
    session.wait_until(&format!("{playing} === {tabs} && {playing}"), TILE_WAIT, &what)?;
    // Then every one of them decodes new frames (counted from when they all played).
    let frames = "[...document.querySelectorAll('#tiles video')].map((v) => \
        v.getVideoPlaybackQuality().totalVideoFrames)";
    session.execute(&format!("window.framesThen = {frames}; return true;"), vec![])?;
    let moved = format!("{frames}.filter((n, i) => n > window.framesThen[i]).length === {tabs}");
    session.wait_until(&moved, Duration::from_secs(10), &format!("{what} to decode new frames"))?;
    println!("xtask: janus-example: {what}, each decoding new frames");
    Ok(())
}

/// How long one window may take to show its tiles.
const TILE_WAIT: Duration = Duration::from_secs(30);
