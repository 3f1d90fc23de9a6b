//! `cargo xtask demo [--port N] [--host IP] [--screenshot]`: set up, build the demo app (`www/`,
//! release, with wasm-pack into `www/pkg/`), serve `www/` and the signalling relay (the
//! `rtc-peer-relay` crate, at `/signal`), print the URL, serve until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Result;
use rtc_peer_relay as relay;

use crate::setup;
use crate::{build, flags};
use harness::browser::server::Server;
use harness::Tools;

/// The app's wasm-bindgen output name (its package name, `rtc-peer-demo`).
const APP_MODULE: &str = "rtc_peer_demo";

/// The port the README promises.
const DEFAULT_PORT: u16 = 8080;

/// A free port on 127.0.0.1, for the browser tests and the screenshots.
const LOOPBACK_ANY_PORT: (Ipv4Addr, u16) = (Ipv4Addr::LOCALHOST, 0);

/// Builds the app (release, `--target web`) into `www/pkg/`, runs wasm-opt on it, and returns
/// `www/` (what to serve).
pub fn build_app(tools: &Tools) -> Result<PathBuf> {
    let www = tools.root.join("www");
    let args = ["www", "--release", "--no-opt", "--target", "web", "--out-dir", "pkg"];
    build::clear_out_dir(&www.join("pkg"))?;
    build::built(tools, build::wasm_pack(tools).args(args), &app_wasm(&www), true)?;
    Ok(www)
}

fn app_wasm(www: &Path) -> PathBuf {
    www.join("pkg").join(format!("{APP_MODULE}_bg.wasm"))
}

/// Starts the demo's server on `addr`: `/` from `www/` (the page files, the app in `/pkg/`;
/// with the page probe when given) and the signalling relay at [`relay::PATH`], with the
/// default limits.
fn start(addr: SocketAddr, www: PathBuf, probe: Option<&Path>) -> Result<Server> {
    let relay = relay::Relay::new(relay::Limits::default());
    Server::start_with(
        addr,
        vec![("/".to_string(), www)],
        probe,
        vec![(relay::PATH, relay.handler())],
    )
}

/// The page probe that the browser tests inject into the served page (`/__probe.js`).
fn probe_script(root: &Path) -> PathBuf {
    root.join("src").join("testing").join("probe.js")
}

/// Serves the app and the relay on a free loopback port for the browser tests, with the page
/// probe injected into the page (never in what `cargo xtask demo` serves). The test command builds the app
/// before its browser phases (their network namespace reaches no registry); it is built here
/// only when missing.
pub fn serve_for_tests(tools: &Tools) -> Result<Server> {
    let www = tools.root.join("www");
    if !app_wasm(&www).is_file() {
        build_app(tools)?;
    }
    start(LOOPBACK_ANY_PORT.into(), www, Some(&probe_script(&tools.root)))
}

/// `cargo xtask demo --screenshot`: builds and serves the app on a free loopback port, and
/// writes the README's `docs/demo.png` (headless Chromium, mid-call, the synthetic source) and
/// `docs/demo-room.png` (Chromium's page in a room call with Firefox).
fn screenshot(tools: &Tools) -> Result<()> {
    let server = start(LOOPBACK_ANY_PORT.into(), build_app(tools)?, None)?;
    let docs = tools.root.join("docs");
    harness::suites::e2e::readme_screenshot(tools, &server.url(), &docs.join("demo.png"))?;
    harness::suites::rooms::readme_screenshot(tools, &server.url(), &docs.join("demo-room.png"))
}

pub fn run(flags: &flags::Demo) -> Result<()> {
    if flags.screenshot {
        return screenshot(&setup::ensure()?);
    }
    let addr = SocketAddr::new(
        flags.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        flags.port.unwrap_or(DEFAULT_PORT),
    );
    // Say so now, not after a build of several minutes, when the port is taken.
    drop(Server::start(addr, Vec::new())?);
    let tools = setup::ensure()?;
    let www = build_app(&tools)?;
    let server = start(addr, www, None)?;
    if !addr.ip().is_loopback() {
        println!(
            "xtask: WARNING: serving on {}, reachable from other machines, with no TLS and no \
             authentication: anyone who can reach it can load the page and join a room. Browsers \
             only allow the camera on https:// or localhost pages, so other machines get the \
             synthetic source.",
            addr.ip()
        );
    }
    let url = match server.addr().ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            format!("http://127.0.0.1:{}/", server.addr().port())
        }
        _ => server.url(),
    };
    println!();
    println!("  rtc-peer demo: {url}");
    println!("  a room:        {url}?room=demo  (open it in two browsers, press Call in either)");
    println!();
    println!("  serving www/ (the app built into www/pkg/) and the signalling relay at");
    println!("  {}; press Ctrl-C to stop", relay::PATH);
    server.wait_forever();
    Ok(())
}
