//! `cargo xtask demo [--port N] [--host IP]`: set up, build the demo app (`www/`, its own
//! crate) with wasm-pack into `www/pkg/`, serve `www/`, print the URL, serve until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::build;
use crate::process;
use crate::serve::Server;
use crate::setup::{self, Tools};

/// The app's wasm-bindgen output name (its package name, `rtc-peer-demo`).
const APP_MODULE: &str = "rtc_peer_demo";

/// The port the README promises.
pub const DEFAULT_PORT: u16 = 8080;

/// Where the demo is served from, and whether to only refresh the README's screenshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub addr: SocketAddr,
    pub screenshot: bool,
}

/// Parses `--port N` / `--port=N` and `--host IP` / `--host=IP`.
pub fn parse_args(args: &[String]) -> Result<Options> {
    let mut port = DEFAULT_PORT;
    let mut screenshot = false;
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it
                    .next()
                    .cloned()
                    .with_context(|| format!("{name} needs a value")),
            }
        };
        match flag {
            "--port" | "-p" => {
                let v = value("--port")?;
                port = v
                    .parse()
                    .with_context(|| format!("--port: `{v}` is not a port number (0-65535)"))?;
            }
            "--screenshot" => screenshot = true,
            "--host" => {
                let v = value("--host")?;
                host = v
                    .parse()
                    .with_context(|| format!("--host: `{v}` is not an IP address"))?;
            }
            other => bail!(
                "demo: unknown option `{other}` (usage: cargo xtask demo [--port N] [--host IP] [--screenshot])"
            ),
        }
    }
    Ok(Options {
        addr: SocketAddr::new(host, port),
        screenshot,
    })
}

/// Builds the app (release, `--target web`) into `www/pkg/`, runs wasm-opt on it, and returns
/// `www/` (what to serve).
pub fn build_app(tools: &Tools) -> Result<PathBuf> {
    let www = tools.root.join("www");
    process::run(
        Command::new(&tools.wasm_pack)
            .current_dir(&www)
            .args(["build", "--release", "--no-opt", "--target", "web"])
            .args(["--out-dir", "pkg"]),
    )?;
    let pkg = www.join("pkg");
    let wasm = pkg.join(format!("{APP_MODULE}_bg.wasm"));
    if !wasm.is_file() {
        bail!("wasm-pack succeeded but {} is missing", wasm.display());
    }
    build::optimize(tools, &wasm)?;
    Ok(www)
}

/// The mounts the demo serves: `/` from `www/` (the page files, and the app in `/pkg/`).
pub fn mounts(www: PathBuf) -> Vec<(String, PathBuf)> {
    vec![("/".to_string(), www)]
}

/// The page probe that the browser tests inject into the served page (`/__probe.js`).
pub fn probe_script(root: &Path) -> PathBuf {
    root.join("tests").join("support").join("probe.js")
}

/// Builds the app and serves it on a free loopback port for the browser tests, with the page
/// probe injected into the page (never in what `cargo xtask demo` serves).
pub fn serve_for_tests(tools: &Tools) -> Result<Server> {
    let www = build_app(tools)?;
    Server::start_with_probe(
        "127.0.0.1:0".parse().context("loopback address")?,
        mounts(www),
        &probe_script(&tools.root),
    )
}

/// `cargo xtask demo --screenshot`: builds and serves the app on a free loopback port, and
/// writes the README's `docs/demo.png` (headless Chromium, mid-call, the synthetic source).
fn screenshot(tools: &Tools) -> Result<()> {
    let www = build_app(tools)?;
    let server = Server::start(
        "127.0.0.1:0".parse().context("loopback address")?,
        mounts(www),
    )?;
    crate::e2e::readme_screenshot(
        tools,
        &server.url(),
        &tools.root.join("docs").join("demo.png"),
    )
}

/// Runs the demo command.
pub fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    if options.screenshot {
        return screenshot(&setup::ensure()?);
    }
    // Say so now, not after a build of several minutes, when the port is taken.
    drop(Server::start(options.addr, Vec::new())?);
    let tools = setup::ensure()?;
    let www = build_app(&tools)?;
    let server = Server::start(options.addr, mounts(www))?;
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
    println!("  serving www/ (the app built into www/pkg/); press Ctrl-C to stop");
    server.wait_forever();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_to_loopback_8080() {
        let o = parse_args(&[]).unwrap();
        assert_eq!(o.addr, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn port_and_host_flags() {
        assert_eq!(
            parse_args(&args(&["--port", "9000"])).unwrap().addr.port(),
            9000
        );
        assert_eq!(parse_args(&args(&["--port=0"])).unwrap().addr.port(), 0);
        let o = parse_args(&args(&["--host", "::1", "-p", "81"])).unwrap();
        assert_eq!(o.addr, "[::1]:81".parse().unwrap());
        assert!(parse_args(&args(&["--port", "http"])).is_err());
        assert!(parse_args(&args(&["--port"])).is_err());
        assert!(parse_args(&args(&["--verbose"])).is_err());
        assert!(!parse_args(&[]).unwrap().screenshot);
        assert!(parse_args(&args(&["--screenshot"])).unwrap().screenshot);
    }

    #[test]
    fn serves_the_committed_page() {
        let root = setup::repo_root();
        let www = root.join("www");
        for file in ["index.html", "app.js", "style.css"] {
            assert!(www.join(file).is_file(), "www/{file} is missing");
        }
    }
}
