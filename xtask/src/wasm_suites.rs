//! The wasm-bindgen-test suites (`tests/*.rs`, the library's own wasm tests, and the demo app's
//! `www/tests/*.rs`) in one headless
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

/// The packages whose wasm tests run, and whether their `--lib` has tests of its own.
const PACKAGES: &[(&str, bool)] = &[("rtc-peer", true), ("rtc-peer-demo", false)];

/// The wasm test targets: for each of [`PACKAGES`], its package name and `--lib` (when listed)
/// plus `--test <name>` for each integration test cargo knows (from `cargo metadata`).
pub fn targets(tools: &Tools) -> Result<Vec<(&'static str, Vec<String>)>> {
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
    let mut targets = Vec::new();
    for &(name, lib) in PACKAGES {
        let package = meta["packages"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .ok_or_else(|| anyhow!("cargo metadata lists no {name} package"))?;
        if lib {
            targets.push((name, vec!["--lib".to_string()]));
        }
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
        targets.extend(
            tests
                .into_iter()
                .map(|t| (name, vec!["--test".to_string(), t])),
        );
    }
    Ok(targets)
}

/// Runs every wasm test target in `browser`, adding one report entry per test binary.
/// `env` is passed to cargo (compile-time settings such as the TURN server for `option_env!`).
pub fn run(
    tools: &Tools,
    browser: Browser,
    env: &[(&str, String)],
    report: &mut Report,
) -> Result<()> {
    let caps = tools.webdriver_json(browser)?;
    let driver_var = match browser {
        Browser::Chromium => "CHROMEDRIVER",
        Browser::Firefox => "GECKODRIVER",
    };
    for (package, target) in targets(tools)? {
        let mut cmd = process::cargo();
        cmd.current_dir(&tools.root)
            .args([
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                package,
                "--all-features",
            ])
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
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .envs(env.iter().map(|(k, v)| (k, v)));
        let target = match package {
            "rtc-peer" => target,
            other => [vec!["-p".to_string(), other.to_string()], target].concat(),
        };
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
