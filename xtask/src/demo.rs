//! `cargo xtask demo [--port N] [--host IP]`: set up, build the web package (release), serve
//! `www/` and the package, print the URL, serve until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::browser::server::Server;
use crate::build::{self, Target};
use crate::flags;
use crate::setup::{self, Tools};

/// The port the README promises.
pub const DEFAULT_PORT: u16 = 8080;

/// Where the demo is served from.
struct Options {
    addr: SocketAddr,
}

/// The mounts the demo serves: `/` from `www/`, `/pkg/` from the web package.
pub fn mounts(root: &Path, pkg: PathBuf) -> Vec<(String, PathBuf)> {
    vec![
        ("/".to_string(), root.join("www")),
        ("/pkg/".to_string(), pkg),
    ]
}

/// Serves the demo on a free loopback port for the browser tests, building the web package
/// first if it is missing (the test command builds it before these suites run).
pub fn serve_for_tests(tools: &Tools) -> Result<Server> {
    let pkg = tools.root.join(&tools.settings.web_out_dir);
    if !pkg.join("rtc_peer.js").is_file() {
        build::package(tools, Target::Web)?;
    }
    Server::start(
        "127.0.0.1:0".parse().context("loopback address")?,
        mounts(&tools.root, pkg),
    )
}

/// Runs the demo command.
pub fn run(flags: &flags::Demo) -> Result<()> {
    let options = Options {
        addr: SocketAddr::new(
            flags.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            flags.port.unwrap_or(DEFAULT_PORT),
        ),
    };
    // Say so now, not after a build of several minutes, when the port is taken.
    drop(Server::start(options.addr, Vec::new())?);
    let tools = setup::ensure()?;
    let pkg = build::package(&tools, Target::Web)?;
    let server = Server::start(options.addr, mounts(&tools.root, pkg))?;
    if !options.addr.ip().is_loopback() {
        println!(
            "xtask: WARNING: serving on {}, reachable from other machines. Browsers only allow \
             the camera on https:// or localhost pages, so other machines get the synthetic source.",
            options.addr.ip()
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
    println!("  two tabs:      {url}?mode=tabs  (open it twice, press Call in one)");
    println!();
    println!("  serving www/ and the package at /pkg/; press Ctrl-C to stop");
    server.wait_forever();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_the_committed_page() {
        let root = setup::repo_root();
        let www = root.join("www");
        for file in ["index.html", "app.js", "style.css"] {
            assert!(www.join(file).is_file(), "www/{file} is missing");
        }
    }
}
