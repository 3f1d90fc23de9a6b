//! `cargo xtask bench`: rtc-peer against hand-written JavaScript in the same page and the same
//! run, and against simple-peer and PeerJS for size. Every figure is a ratio against a baseline
//! measured in the same page and run, the median over rounds in which the variants alternate
//! (`benches/page/bench.js`). Writes `target/bench/results.json`, `docs/bench.svg` and the table
//! in `docs/bench.md` ([`docs`]).
//!
//! While working on one figure: `XTASK_BENCH_ONLY=dispatch,offer_answer` runs only the page
//! figures named (their keys in `window.benchResults.figures`), with full round counts; the run
//! prints what it left out and, like `--smoke`, writes `target/bench/results-partial.json` and
//! leaves the docs alone.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

mod docs;
mod misses;
pub mod smoke;

use crate::build::{self, Target};
use crate::flags;
use crate::netns::{self, Network};
use crate::setup;
use crate::size;
use harness::browser::server::Server;
use harness::browser::webdriver::{Driver, SessionOptions};
use harness::browser::Browser;
use harness::process;
use harness::Tools;

/// The Rust sides of figures 2-10, the page that runs them against plain JS, and the npm
/// packages measured for size next to ours (installed by setup from their lockfile).
const BENCH_CRATE: &str = "benches/web";
const PAGE_DIR: &str = "benches/page";
const SIZE_DIR: &str = "benches/size";

/// How long one browser may take for the whole page: about 4 minutes on an idle 2-core
/// machine; Chromium took 8m47s of the 9 minutes allowed at load average 15, and Firefox ran
/// out of them in the leak figure.
const PAGE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The browsers `--browser` names, in [`Browser::ALL`]'s order; all when none is named.
fn browsers(flags: &flags::Bench) -> Vec<Browser> {
    let named = |b: &Browser| flags.browser.is_empty() || flags.browser.contains(b);
    Browser::ALL.into_iter().filter(named).collect()
}

pub fn run(flags: &flags::Bench) -> Result<()> {
    let started = Instant::now();
    let browsers = browsers(flags);
    // The command as typed: the docs' "measured by", and what the run inside is given.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if flags.render {
        let root = setup::repo_root();
        let path = out_dir(&root).join("results.json");
        let text = fs::read_to_string(&path).with_context(|| {
            format!("reading {} (run `cargo xtask bench` first)", path.display())
        })?;
        let results: Value = serde_json::from_str(&text)?;
        let misses = load_misses(&root)?;
        let table = docs::table(&results, &misses);
        println!("{table}");
        let audit = docs::audit(&results, &misses);
        docs::warn_unexplained(&audit);
        docs::write_docs(&root, &results, &table)?;
        docs::print_stale(&audit);
        return Ok(());
    }
    let network = Network::from_host_network_flag(flags.host_network);
    let tools = setup::ensure()?;
    // Read first: a mistake in it must not wait for the end of a long run.
    let misses = load_misses(&tools.root)?;
    network.check()?;
    // What is measured: before this run writes docs/.
    let commit = size::commit(&tools.root);
    let out = out_dir(&tools.root);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    // Figure 1: sizes. The library is the package with `library-features`; the demo page loads
    // the demo app's own package (`www/pkg`, the app crate with the library inside).
    let lib_dir = out.join("pkg-library");
    let lib_pkg = build::package_with(
        &tools,
        Target::Web,
        &lib_dir.to_string_lossy(),
        &tools.settings.library_features,
    )?;
    let demo_pkg = crate::demo::build_app(&tools)?;
    // Figure 11: both Rust apps, built as `cargo xtask size` builds them.
    let apps = size::rust_apps(&tools)?;
    let sizes = sizes(&tools, &lib_pkg, &demo_pkg, &apps)?;

    // Figures 2-6: the page, in each browser, in the run's own network namespace.
    let bench_pkg = build_bench(&tools, &out, true)?;
    let pages = match network {
        Network::Namespace => {
            netns::run_inside("bench", &args, PAGE_TIMEOUT * (browsers.len() as u32 + 1))?
        }
        Network::Host => pages(&tools, &bench_pkg, &browsers, flags.smoke)?,
    };

    let elapsed = started.elapsed().as_secs();
    let only = only_figures();
    let only_var = only.as_ref().map(|o| format!("{ONLY_VAR}={}", o.join(",")));
    let env = only_var.as_ref().map(|v| format!("{v} ")).unwrap_or_default();
    let command = format!("{env}cargo xtask {}", args.join(" "));
    let results = json!({
        "command": command,
        "commit": commit,
        "date": process::probe(Command::new("date").args(["-u", "+%Y-%m-%d"])),
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "smoke": flags.smoke,
        "seconds": elapsed,
        "sizes": sizes,
        "browsers": pages,
    });
    // A smoke or partial run must not replace the last real results (`--render` draws from
    // them), nor the docs.
    let partial = match (flags.smoke, &only) {
        (true, _) => Some(("results-smoke.json", "--smoke: tiny round counts".to_string())),
        (false, Some(only)) => Some((
            "results-partial.json",
            format!("{}: left out {}", only_var.unwrap_or_default(), left_out(only).join(", ")),
        )),
        (false, None) => None,
    };
    let json_path = out.join(partial.as_ref().map_or("results.json", |p| p.0));
    fs::write(&json_path, serde_json::to_string_pretty(&results)?)
        .with_context(|| format!("writing {}", json_path.display()))?;

    let table = docs::table(&results, &misses);
    println!("\n{table}");
    // Tiny round counts decide nothing: no warnings of misses, no stale entries.
    let audit = if flags.smoke { docs::Audit::default() } else { docs::audit(&results, &misses) };
    docs::warn_unexplained(&audit);
    let took = format!("{}m{:02}s", elapsed / 60, elapsed % 60);
    println!("xtask: bench took {took}; results in {}", json_path.display());
    match partial {
        Some((_, why)) => {
            println!("xtask: {why}; docs/bench.md and docs/bench.svg left as they are")
        }
        None => docs::write_docs(&tools.root, &results, &table)?,
    }
    docs::print_stale(&audit);
    Ok(())
}

/// `benches/misses.toml`, checked against the table's figure keys.
fn load_misses(root: &Path) -> Result<misses::Misses> {
    misses::Misses::load(root, &docs::figure_keys(), docs::SINGLE)
}

/// The environment variable that picks page figures by key (see the module docs).
const ONLY_VAR: &str = "XTASK_BENCH_ONLY";

/// The page's figures, by key, in the order of its full run.
#[rustfmt::skip]
pub const PAGE_FIGURES: &[&str] = &[
    "dispatch", "offer_answer", "first_frame", "scale", "glare", "throughput", "hang_up", "sfu", "leak",
];

/// The figure keys named by `XTASK_BENCH_ONLY`, if set (and not empty).
fn only_figures() -> Option<Vec<String>> {
    let value = std::env::var(ONLY_VAR).ok()?;
    let keys: Vec<String> =
        value.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
    (!keys.is_empty()).then_some(keys)
}

/// The page figures `only` leaves out.
fn left_out(only: &[String]) -> Vec<&'static str> {
    PAGE_FIGURES.iter().copied().filter(|k| !only.iter().any(|o| o == k)).collect()
}

/// `xtask __in-netns bench <the bench command's arguments>`: the pages of the package
/// [`build_bench`] built, inside the namespace.
pub fn inside(args: &[String]) -> Result<Value> {
    let flags::XtaskCmd::Bench(flags) =
        flags::Xtask::from_vec(args.iter().map(Into::into).collect())?.subcommand
    else {
        bail!("__in-netns bench: not the arguments of a bench command: {args:?}");
    };
    let tools = setup::ensure()?;
    let bench_pkg = out_dir(&tools.root).join("pkg");
    pages(&tools, &bench_pkg, &browsers(&flags), flags.smoke)
}

/// Runs the page in each of `browsers`: `{browser: results or {error}}`.
fn pages(tools: &Tools, bench_pkg: &Path, browsers: &[Browser], smoke: bool) -> Result<Value> {
    let server = serve(&tools.root, bench_pkg)?;
    let mut page_options = json!({ "smoke": smoke });
    if let Some(only) = only_figures() {
        if let Some(unknown) = only.iter().find(|k| !PAGE_FIGURES.contains(&k.as_str())) {
            bail!("{ONLY_VAR}: no page figure `{unknown}` (figures: {})", PAGE_FIGURES.join(", "));
        }
        println!(
            "xtask: {ONLY_VAR}: running {}, leaving out {}",
            only.join(", "),
            left_out(&only).join(", ")
        );
        page_options["only"] = json!(only);
    }
    let mut pages = serde_json::Map::new();
    for &browser in browsers {
        println!("\nxtask: bench [{browser}]: running {}", server.url());
        let t0 = Instant::now();
        let value = match run_page(tools, browser, &server.url(), &page_options, PAGE_TIMEOUT) {
            Ok(mut v) => {
                v["wall_seconds"] = json!(t0.elapsed().as_secs());
                v
            }
            Err(e) => {
                println!("xtask: bench [{browser}]: FAILED: {e:#}");
                json!({ "error": format!("{e:#}") })
            }
        };
        pages.insert(browser.name().to_string(), value);
    }
    Ok(Value::Object(pages))
}

/// `target/bench` under the repository root: the bench package, results and logs.
pub fn out_dir(root: &Path) -> PathBuf {
    root.join("target").join("bench")
}

/// Builds `benches/web` (release, `--target web`) into `<out>/pkg`; with `optimize`, runs
/// wasm-opt with the library's arguments (Cargo.toml's wasm-pack metadata) on it, as users
/// would.
pub fn build_bench(tools: &Tools, out: &Path, optimize: bool) -> Result<PathBuf> {
    let pkg = out.join("pkg");
    let mut cmd = build::wasm_pack(tools);
    cmd.args([BENCH_CRATE, "--release", "--no-opt", "--no-typescript", "--target", "web"]);
    build::built(
        tools,
        cmd.arg("--out-dir").arg(&pkg),
        &pkg.join("rtc_peer_bench_bg.wasm"),
        optimize,
    )?;
    Ok(pkg)
}

/// Serves the page at `/` and the bench package at `/pkg/` on a free loopback port.
pub fn serve(root: &Path, bench_pkg: &Path) -> Result<Server> {
    Server::start(
        "127.0.0.1:0".parse().context("loopback address")?,
        vec![
            ("/".to_string(), root.join(PAGE_DIR)),
            ("/pkg/".to_string(), bench_pkg.to_path_buf()),
        ],
    )
}

/// Starts the SFU of figure 10 (Janus, its URL served as for the Janus suites), opens the page
/// in `browser` (no media devices, the browser's `bench` settings from `wasm-pack.toml`), runs
/// `window.runBench(options)`, prints its progress and returns `window.benchResults`.
pub fn run_page(
    tools: &Tools,
    browser: Browser,
    url: &str,
    options: &Value,
    timeout: Duration,
) -> Result<Value> {
    let mut options = options.clone();
    let janus = harness::janus::endpoint::Running::start(&tools.janus);
    match &janus {
        Ok(j) => println!("xtask: bench [{browser}]: {}", j.describe()),
        Err(e) => options["janus_error"] = json!(format!("{e:#}")),
    }
    let driver = Driver::start(tools, browser)?;
    let session = driver.session_with(&SessionOptions { fake_media: false, bench: true })?;
    session.goto(url)?;
    session.wait_until(
        "window.benchState && window.benchState.ready",
        Duration::from_secs(60),
        "the bench page to load its wasm package",
    )?;
    session.execute("window.runBench(arguments[0]); return true;", vec![options])?;
    let deadline = Instant::now() + timeout;
    let mut phase = String::new();
    loop {
        let state = session.execute("return window.benchState;", vec![])?;
        let now = state["phase"].as_str().unwrap_or("").to_string();
        if now != phase {
            println!("xtask: bench [{browser}]: {now}");
            phase = now;
        }
        if state["done"].as_bool() == Some(true) {
            break;
        }
        if Instant::now() >= deadline {
            bail!("the bench page did not finish within {timeout:?} (last phase: {phase})");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let results = session.execute("return window.benchResults;", vec![])?;
    if !results.is_object() {
        bail!("the bench page finished without results (got {results})");
    }
    Ok(results)
}

/// Figures 1 and 11: gzip -9 sizes of the library package, the demo, simple-peer and PeerJS;
/// of both Rust apps; and their targets (`wasm-pack.toml`'s `[size]` table).
fn sizes(tools: &Tools, lib_pkg: &Path, demo_pkg: &Path, apps: &size::RustApps) -> Result<Value> {
    let (lib, full) = (size::measure(lib_pkg)?, size::measure(demo_pkg)?);
    let gzip = |path: &Path| -> Result<(usize, usize)> {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Ok((bytes.len(), size::gzip9(&bytes)?.len()))
    };
    // The demo: what its page loads, the app's package plus www/'s scripts, HTML and CSS.
    let mut demo_extra = 0;
    for entry in fs::read_dir(tools.root.join("www")).context("reading www/")? {
        let path = entry?.path();
        if path.is_file()
            && path.extension().is_some_and(|e| e == "js" || e == "html" || e == "css")
        {
            demo_extra += gzip(&path)?.1 as u64;
        }
    }
    // Their versions are pinned in benches/size/package.json.
    let modules = tools.root.join(SIZE_DIR).join("node_modules");
    let other = |file: &str| -> Result<Value> {
        let (raw, gzip) = gzip(&modules.join(file))?;
        Ok(json!({ "file": file, "raw": raw, "gzip": gzip }))
    };
    Ok(json!({
        "library": size::measured_json(&lib),
        "package": size::measured_json(&full),
        "demo": { "gzip": full.gzip() + demo_extra },
        "simple_peer": other("simple-peer/simplepeer.min.js")?,
        "peerjs": other("peerjs/dist/peerjs.min.js")?,
        "target_gzip": tools.settings.size.package_target_gzip,
        "rust_app": {
            "rtc_peer": size::measured_json(&apps.rtc_peer),
            "raw_web_sys": size::measured_json(&apps.raw),
            "over_raw_gzip": apps.over_raw(),
            "target_gzip": tools.settings.size.rust_app_over_raw_target_gzip,
        },
    }))
}
