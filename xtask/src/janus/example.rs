//! `cargo xtask janus-example [--interface NAME] [--port P] [--check N]`: builds
//! `examples/janus-videoroom` with wasm-pack, starts Janus from the tests' private
//! configuration gathering ICE on `--interface`, serves the page, prints its URL and, on
//! Ctrl-C, stops Janus by its pid. With `--check N` it opens the page in N headless Chromium
//! windows instead and checks that the last one plays N tiles (what `cargo xtask test` runs).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::{Janus, ICE_ADDRESS, READY_TIMEOUT};
use crate::browser::server::Server;
use crate::browser::webdriver::Driver;
use crate::browser::Browser;
use crate::setup::{self, Tools};
use crate::test::report::Report;
use crate::{flags, process};

/// The example crate and the folder served (its `index.html` and the built `pkg/`).
const EXAMPLE_DIR: &str = "examples/janus-videoroom";

/// The page's port unless `--port` names one.
const DEFAULT_PORT: u16 = 8090;

/// What to say when no interface is named outside the test network.
const NEEDS_INTERFACE: &str = "Janus never gathers ICE candidates on a loopback interface: name \
    the network interface your browser reaches this machine on, e.g. `cargo xtask janus-example \
    --interface eth0` (its IPv4 address goes into Janus's SDP)";

/// Set by SIGINT or SIGTERM.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
extern "C" fn interrupted(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Runs the command.
pub fn run(flags: &flags::JanusExample) -> Result<()> {
    let ice = match &flags.interface {
        Some(name) => interface_address(name)?,
        None if UdpSocket::bind((ICE_ADDRESS, 0)).is_ok() => ICE_ADDRESS.to_string(),
        None => bail!(NEEDS_INTERFACE),
    };
    let port = if flags.check.is_some() { 0 } else { flags.port.unwrap_or(DEFAULT_PORT) };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    // Say so now, not after a build of minutes, when the port is taken.
    drop(Server::start(addr, Vec::new())?);
    let tools = setup::ensure()?;
    build(&tools)?;
    let (mut janus, server, url) = serve(&tools, &ice, addr)?;
    if let Some(tabs) = flags.check {
        return check(&tools, &url, tabs)
            .with_context(|| format!("Janus's log:\n{}", janus.log_tail()));
    }
    // SAFETY: the handler only stores to an atomic (async-signal-safe); it replaces the one
    // that exits at once, so Janus is stopped below, by its pid.
    let handler = interrupted as extern "C" fn(libc::c_int) as libc::sighandler_t;
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
    println!("\n  Janus VideoRoom example: {url}");
    println!("  open it in two or more tabs: one tile per publisher in room 1234");
    println!("  Janus (pid {}) gathers ICE on {ice}; press Ctrl-C to stop\n", janus.pid());
    while !INTERRUPTED.load(Ordering::SeqCst) {
        if let Some(status) = janus.exited()? {
            bail!("janus exited ({status}); its log:\n{}", janus.log_tail());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("xtask: janus-example: stopping Janus (pid {})", janus.pid());
    drop(server);
    drop(janus);
    Ok(())
}

/// The suite `cargo xtask test` runs in its network namespace on the page [`build`] made before:
/// the command's Janus and page server, then [`check`] with three windows.
pub fn suite(tools: &Tools, report: &mut Report) -> Result<()> {
    let (janus, _server, url) = serve(tools, ICE_ADDRESS, (Ipv4Addr::LOCALHOST, 0).into())?;
    check(tools, &url, 3).with_context(|| format!("Janus's log:\n{}", janus.log_tail()))?;
    report.add(SUITE, Some(Browser::Chromium), 1, 0);
    Ok(())
}

/// The suite's name in the test report.
pub const SUITE: &str = "janus-example command";

/// Builds the example's page package (`pkg/`) with wasm-pack; `cargo xtask test` does it before
/// its network namespace, where no registry is reachable.
pub fn build(tools: &Tools) -> Result<()> {
    // No wasm-opt: a page to try, not a size to measure.
    process::run(crate::build::wasm_pack(tools).args([EXAMPLE_DIR, "--target", "web", "--no-opt"]))
}

/// Starts Janus gathering on `ice` and serves the built page on `addr`; returns both guards and
/// the page's URL (which names Janus's).
fn serve(tools: &Tools, ice: &str, addr: SocketAddr) -> Result<(Janus, Server, String)> {
    let janus = Janus::start_within(&tools.janus, ice, READY_TIMEOUT)?;
    let server = Server::start(addr, vec![("/".to_string(), tools.root.join(EXAMPLE_DIR))])?;
    let url = format!("{}?janus={}&room=1234", server.url(), janus.url());
    Ok((janus, server, url))
}

/// The IPv4 address of interface `name` (`ip -4 -o addr show dev NAME`), never loopback.
fn interface_address(name: &str) -> Result<String> {
    let out = process::probe(Command::new("ip").args(["-4", "-o", "addr", "show", "dev", name]))
        .with_context(|| format!("`ip addr show dev {name}` failed: no interface `{name}`?"))?;
    let address = out
        .split_whitespace()
        .skip_while(|w| *w != "inet")
        .nth(1)
        .and_then(|cidr| cidr.split('/').next())
        .with_context(|| format!("interface `{name}` has no IPv4 address"))?;
    if address.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback()) {
        bail!("`{name}` is a loopback interface. {NEEDS_INTERFACE}");
    }
    Ok(address.to_string())
}

/// Opens `url` in `tabs` windows of one headless Chromium session, then waits until the last
/// one shows `tabs` tiles (its own and one per other window) whose videos all advance.
fn check(tools: &Tools, url: &str, tabs: u32) -> Result<()> {
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_loopback_interface_is_refused_with_why() {
        let err = super::interface_address("lo").unwrap_err().to_string();
        assert!(err.contains("never gathers ICE candidates on a loopback"), "{err}");
    }
}
