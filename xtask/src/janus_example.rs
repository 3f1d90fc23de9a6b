//! `cargo xtask janus-example [--interface NAME] [--port P] [--check N]`: builds
//! `examples/janus-videoroom` with wasm-pack, starts Janus from the tests' private
//! configuration gathering ICE on `--interface`, serves the page, prints its URL and, on
//! Ctrl-C, stops Janus by its pid. With `--check N` it opens the page in N windows of each
//! headless browser instead and checks that the last one plays N tiles (the check, and the suite
//! `cargo xtask test` runs, are [`harness::janus::example`]).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use harness::browser::server::Server;
use harness::janus::example::{check, room_url, serve, EXAMPLE_DIR, ROOM};
use harness::janus::ICE_ADDRESS;
use harness::{process, Tools};

use crate::flags;
use crate::setup;

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
        for &browser in &tools.settings.browsers {
            check(&tools, browser, &url, tabs)
                .with_context(|| format!("{browser}; Janus's log:\n{}", janus.log_tail()))?;
        }
        return Ok(());
    }
    let url = room_url(&url, ROOM);
    // SAFETY: the handler only stores to an atomic (async-signal-safe); it replaces the one
    // that exits at once, so Janus is stopped below, by its pid.
    let handler = interrupted as extern "C" fn(libc::c_int) as libc::sighandler_t;
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
    println!("\n  Janus VideoRoom example: {url}");
    println!("  open it in two or more tabs: one tile per publisher in room {ROOM}");
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

/// Builds the example's page package (`pkg/`) with wasm-pack; `cargo xtask test` does it before
/// its network namespace, where no registry is reachable.
pub fn build(tools: &Tools) -> Result<()> {
    // No wasm-opt: a page to try, not a size to measure.
    process::run(crate::build::wasm_pack(tools).args([EXAMPLE_DIR, "--target", "web", "--no-opt"]))
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_loopback_interface_is_refused_with_why() {
        let err = super::interface_address("lo").unwrap_err().to_string();
        assert!(err.contains("never gathers ICE candidates on a loopback"), "{err}");
    }
}
