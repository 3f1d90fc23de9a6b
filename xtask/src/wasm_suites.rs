//! The wasm-bindgen-test suites (`tests/*.rs` and the library's own wasm tests) in one headless
//! browser, through `wasm-bindgen-test-runner` (the cargo runner in `.cargo/config.toml`).
//!
//! Each test target is its own `cargo test` run, so a compile error in one file fails that file
//! only and the others still count. Browser capabilities come from `wasm-pack.toml`.

use std::process::Command;

use anyhow::{anyhow, Context, Result};

use crate::browser::Browser;
use crate::libtest;
use crate::process;
use crate::report::Report;
use crate::setup::Tools;

/// Environment variables the runner reads that must not leak in from the caller's shell.
const RUNNER_ENV: &[&str] = &[
    "CHROMEDRIVER",
    "GECKODRIVER",
    "SAFARIDRIVER",
    "CHROMEDRIVER_REMOTE",
    "GECKODRIVER_REMOTE",
    "SAFARIDRIVER_REMOTE",
    "NO_HEADLESS",
    "WASM_BINDGEN_USE_NODE_EXPERIMENTAL",
    "WASM_BINDGEN_USE_DENO",
    "WASM_BINDGEN_USE_DEDICATED_WORKER",
    "WASM_BINDGEN_USE_SHARED_WORKER",
    "WASM_BINDGEN_USE_SERVICE_WORKER",
    "WASM_BINDGEN_TEST_ONLY_NODE",
    "WASM_BINDGEN_TEST_ONLY_WEB",
];

/// `cargo <this>` builds and runs the wasm test binaries (the same flags build them beforehand).
pub const CARGO_TEST: &[&str] = &[
    "test",
    "--target",
    "wasm32-unknown-unknown",
    "-p",
    "rtc-peer",
    "--all-features",
];

/// The test targets of the `rtc-peer` package: `--lib` plus `--test <name>` for each
/// integration test cargo knows (from `cargo metadata`).
pub fn targets(tools: &Tools) -> Result<Vec<Vec<String>>> {
    let out = process::cargo()
        .current_dir(&tools.root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        return Err(anyhow!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let package = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "rtc-peer"))
        .ok_or_else(|| anyhow!("cargo metadata lists no rtc-peer package"))?;
    let mut targets = vec![vec!["--lib".to_string()]];
    let mut tests: Vec<String> = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"))
        })
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    tests.sort();
    targets.extend(tests.into_iter().map(|t| vec!["--test".to_string(), t]));
    Ok(targets)
}

/// Runs every wasm test target in `browser`, adding one report entry per test binary.
pub fn run(tools: &Tools, browser: Browser, report: &mut Report) -> Result<()> {
    let caps = tools.webdriver_json(browser)?;
    let driver_var = match browser {
        Browser::Chromium => "CHROMEDRIVER",
        Browser::Firefox => "GECKODRIVER",
    };
    for target in targets(tools)? {
        let mut cmd = process::cargo();
        cmd.current_dir(&tools.root)
            .args(CARGO_TEST)
            .args(&target)
            .args(["--", "--nocapture"]);
        for var in RUNNER_ENV {
            cmd.env_remove(var);
        }
        cmd.env(driver_var, tools.driver(browser))
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &caps)
            .env(
                "WASM_BINDGEN_TEST_TIMEOUT",
                tools.settings.timeout_secs.to_string(),
            )
            // Test binaries without `wasm_bindgen_test_configure!` run in the browser too.
            .env("WASM_BINDGEN_USE_BROWSER", "1");
        println!("\nxtask: ---- wasm {} in {browser} ----", target.join(" "));
        let (status, lines) = process::stream(&mut cmd)?;
        libtest::record(
            report,
            "wasm ",
            &target.join(" "),
            Some(browser),
            status,
            &lines,
        );
    }
    Ok(())
}

/// Runs `cargo test <args>` on the host and records it like the wasm suites.
pub fn host(tools: &Tools, suite: &str, args: &[&str], report: &mut Report) -> Result<()> {
    let mut cmd: Command = process::cargo();
    cmd.current_dir(&tools.root).arg("test").args(args);
    let (status, lines) = process::stream(&mut cmd)?;
    libtest::record(
        report,
        &format!("{suite} "),
        &args.join(" "),
        None,
        status,
        &lines,
    );
    Ok(())
}
