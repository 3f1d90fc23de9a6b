//! The `cargo test` suites: every wasm-bindgen-test target of [`PACKAGES`] in one headless
//! browser through `wasm-bindgen-test-runner` (the cargo runner in `.cargo/config.toml`), and
//! the host tests.
//!
//! Each target is its own `cargo test` run (a compile error fails that one only), first asked
//! for its list of tests (`-- --list`, which also builds it), then run and held to that list;
//! both steps have a deadline.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use serde_json::Value;

use super::libtest;
use crate::setup;
use harness::browser::{Browser, SessionOptions};
use harness::process;
use harness::report::Report;
use harness::Tools;

/// How long building and listing one target may take (the first builds every dependency).
const LIST_LIMIT: Duration = Duration::from_secs(40 * 60);
/// How long the host tests may run once built.
const HOST_RUN_LIMIT: Duration = Duration::from_secs(20 * 60);

/// Whether the runner reads environment variable `var` (its drivers, their remote variants,
/// headless and runtime switches): none may leak in from the caller's shell.
fn runner_reads(var: &str) -> bool {
    var.contains("DRIVER") || var == "NO_HEADLESS" || var.starts_with("WASM_BINDGEN_")
}

/// `cargo <this> -p PACKAGE` builds and runs the wasm test binaries (the same flags build them
/// beforehand).
pub const CARGO_TEST: &[&str] = &["test", "--target", "wasm32-unknown-unknown", "--all-features"];

/// The packages whose wasm tests run, and whether their `--lib` has tests of its own.
pub const PACKAGES: &[(&str, bool)] = &[
    ("rtc-peer", true),
    ("rtc-peer-demo", false),
    // The testing example users copy from (examples/testing/tests/).
    ("rtc-peer-example-testing", false),
    // The SFU example and its suites against Janus (examples/janus-videoroom/tests/).
    ("janus-videoroom", false),
];

/// The wasm test targets: for each of [`PACKAGES`], its name and `--lib` (when listed) plus
/// `--test <name>` for each integration test cargo knows (from `cargo metadata`).
fn targets(root: &Path) -> Result<Vec<(&'static str, Vec<String>)>> {
    let out = process::cargo()
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .context("running cargo metadata")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(out.status.success(), "cargo metadata failed: {stderr}");
    let meta: Value = serde_json::from_slice(&out.stdout).context("reading cargo metadata")?;
    let mut targets = Vec::new();
    for &(name, lib) in PACKAGES {
        let packages = meta["packages"].as_array().into_iter().flatten();
        let package = packages.into_iter().find(|p| p["name"] == name);
        let package = package.with_context(|| format!("cargo metadata lists no {name} package"))?;
        let is_test = |t: &&Value| t["kind"].as_array().is_some_and(|k| k.contains(&"test".into()));
        let tests = package["targets"].as_array().into_iter().flatten().filter(is_test);
        let mut tests: Vec<String> =
            tests.filter_map(|t| t["name"].as_str().map(String::from)).collect();
        tests.sort();
        if lib {
            targets.push((name, vec!["--lib".to_string()]));
        }
        targets.extend(tests.into_iter().map(|t| (name, vec!["--test".to_string(), t])));
    }
    Ok(targets)
}

/// Runs every wasm test target in `browser`, adding one report entry per test binary.
pub fn run(tools: &Tools, browser: Browser, report: &mut Report) -> Result<()> {
    let caps = setup::target_dir(&tools.root).join(format!("xtask/webdriver/{browser}.json"));
    std::fs::create_dir_all(caps.parent().unwrap_or(&tools.root))?;
    let binary = tools.browser_binary(browser);
    let json =
        tools.settings.browser(browser).capabilities(browser, binary, SessionOptions::default());
    std::fs::write(&caps, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", caps.display()))?;
    let driver_var = match browser {
        Browser::Chromium => "CHROMEDRIVER",
        Browser::Firefox => "GECKODRIVER",
    };
    let timeout = tools.settings.timeout_secs;
    for (package, target) in targets(&tools.root)? {
        let cargo = || {
            let mut cmd = process::cargo();
            cmd.current_dir(&tools.root).args(CARGO_TEST).args(["-p", package]).args(&target);
            for (var, _) in std::env::vars_os() {
                if var.to_str().is_some_and(runner_reads) {
                    cmd.env_remove(var);
                }
            }
            cmd.env(driver_var, tools.driver(browser))
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &caps)
                .env("WASM_BINDGEN_TEST_TIMEOUT", timeout.to_string())
                // Test binaries without `wasm_bindgen_test_configure!` run in the browser too.
                .env("WASM_BINDGEN_USE_BROWSER", "1");
            cmd
        };
        let what = match package {
            "rtc-peer" => target.join(" "),
            other => format!("-p {other} {}", target.join(" ")),
        };
        println!("\nxtask: ---- wasm {what} in {browser} ----");
        // The runner's own limit, plus the driver, the browser and the page starting.
        let limits = (LIST_LIMIT, Duration::from_secs(2 * timeout + 300));
        cargo_test(report, ("wasm ", &what), Some(browser), &cargo, limits)?;
    }
    Ok(())
}

/// Runs `cargo test <args>` on the host and records it like the wasm suites.
pub fn host(tools: &Tools, suite: &str, args: &[&str], report: &mut Report) -> Result<()> {
    let cargo = || {
        let mut cmd = process::cargo();
        cmd.current_dir(&tools.root).arg("test").args(args);
        cmd
    };
    let prefix = format!("{suite} ");
    cargo_test(report, (&prefix, &args.join(" ")), None, &cargo, (LIST_LIMIT, HOST_RUN_LIMIT))
}

/// Lists the tests of `cargo()` (a `cargo test …` command without `--`), runs them, and
/// records the run held to that list. `limits`: (build and list, run).
///
/// `-- --list` also lists ignored tests, which the run then counts as ignored.
fn cargo_test(
    report: &mut Report,
    (prefix, what): (&str, &str),
    browser: Option<Browser>,
    cargo: &dyn Fn() -> Command,
    (list_limit, run_limit): (Duration, Duration),
) -> Result<()> {
    let list = process::stream(cargo().args(["--", "--list"]), list_limit)?;
    if list.status.is_none_or(|s| !s.success()) {
        let why = list.killed.unwrap_or_else(|| {
            "building or listing its tests failed (compile error?): see above".into()
        });
        report.fail(&format!("{prefix}{what}"), browser, &why);
        return Ok(());
    }
    let listed = libtest::parse_list(&list.lines);
    // Browser tests print what they see (`NOTE:` lines, logs). Host tests stay captured: the
    // output of xtask's own fake runners must never be read as results of this run.
    let nocapture = browser.map(|_| "--nocapture");
    let mut ran = process::stream(cargo().arg("--").args(nocapture), run_limit)?;
    if browser.is_some() && libtest::page_never_started(&ran.lines) {
        // Headless Chromium now and then stops loading the runner's page before its scripts
        // run (its output stays `Loading scripts...` until the driver gives up on the page
        // load). No test code has run then, so the binary is run once more, and said so.
        report.note(
            browser,
            &format!("{prefix}{what}: its page never started (no test ran); run once more"),
        );
        ran = process::stream(cargo().arg("--").args(nocapture), run_limit)?;
    }
    libtest::record(report, (prefix, what), browser, &listed, &ran);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    use super::*;

    /// A fake `cargo test` (a shell script written by the test): `-- --list` prints `list`,
    /// the run prints `run` (both through `sh -c`).
    fn fake_cargo(list: &str, run: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cargo");
        let script =
            format!("#!/bin/sh\ncase \"$*\" in\n  *--list*) {list} ;;\n  *) {run} ;;\nesac\n");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    }

    /// Runs the fake as one wasm target in Firefox: (passed, failed) of Firefox, and the report.
    fn run_fake(list: &str, run: &str, run_limit: Duration) -> (u32, u32, Report) {
        let (_dir, cargo) = fake_cargo(list, run);
        let mut report = Report::default();
        let limits = (Duration::from_secs(30), run_limit);
        let firefox = Some(Browser::Firefox);
        cargo_test(&mut report, ("wasm ", "--test t"), firefox, &|| Command::new(&cargo), limits)
            .unwrap();
        let (p, f) = report.totals(|r| r.browser == firefox);
        (p, f, report)
    }

    const HEADER: &str = "echo '     Running tests/t.rs (t.wasm)' >&2";
    const LIST_TWO: &str =
        "echo '     Running tests/t.rs (t.wasm)' >&2; echo 'a: test'; echo 'b: test'";

    #[test]
    fn a_binary_is_held_to_its_own_list_of_tests() {
        let result = |passed| {
            format!("{HEADER}; echo 'test result: ok. {passed} passed; 0 failed; 0 ignored'")
        };
        for (what, list, run, want, reason) in [
            ("all it lists", LIST_TWO, result(2), (2, 0), ""),
            (
                "an empty binary",
                HEADER,
                format!("{HEADER}; echo 'no tests to run!'"),
                (0, 1),
                "ran no tests",
            ),
            ("a shortfall", LIST_TWO, result(1), (1, 1), "firefox: wasm tests/t.rs: ran 1 of 2"),
            (
                "a crashed runner",
                LIST_TWO,
                format!("{HEADER}; echo 'running 2 tests'; exit 101"),
                (0, 1),
                "without a `test result`",
            ),
            (
                "a build error",
                "echo 'error[E0425]' >&2; exit 101",
                "exit 101".into(),
                (0, 1),
                "compile error",
            ),
            (
                "a listed binary that never started",
                LIST_TWO,
                "echo 'test result: ok. 2 passed; 0 failed'; exit 101".into(),
                (2, 1),
                "it never started",
            ),
        ] {
            let (passed, failed, report) = run_fake(list, &run, Duration::from_secs(30));
            assert_eq!((passed, failed), want, "{what}: {report:?}");
            assert!(format!("{report:?}").contains(reason), "{what}: {report:?}");
        }
    }

    /// A page that never starts its tests is run once more, said in the notes; one that never
    /// starts twice is a failure.
    #[test]
    fn a_page_that_never_started_runs_once_more() {
        let marker = tempfile::tempdir().unwrap();
        let once = marker.path().join("stalled");
        let stall = format!("{HEADER}; echo 'Loading scripts...'; exit 1");
        let stall_once = format!(
            "if [ -e {0} ]; then {HEADER}; echo 'test result: ok. 2 passed; 0 failed'; \
             else touch {0}; {stall}; fi",
            once.display()
        );
        let (passed, failed, report) = run_fake(LIST_TWO, &stall_once, Duration::from_secs(30));
        assert_eq!((passed, failed), (2, 0), "{report:?}");
        assert!(format!("{report:?}").contains("never started (no test ran)"), "{report:?}");
        let (passed, failed, report) = run_fake(LIST_TWO, &stall, Duration::from_secs(30));
        assert_eq!((passed, failed), (0, 1), "{report:?}");
        assert!(format!("{report:?}").contains("no test was running"), "{report:?}");
        // A crash after tests began is not run again.
        let crash = format!("{HEADER}; echo 'running 2 tests'; exit 101");
        let (_, _, report) = run_fake(LIST_TWO, &crash, Duration::from_secs(30));
        assert!(!format!("{report:?}").contains("once more"), "{report:?}");
    }

    #[test]
    fn the_targets_come_from_cargo_metadata() {
        let targets = targets(&crate::setup::repo_root()).unwrap();
        let has =
            |package: &str, args: &[&str]| targets.iter().any(|(p, a)| *p == package && a == args);
        assert!(has("rtc-peer", &["--lib"]) && has("rtc-peer", &["--test", "api"]), "{targets:?}");
        assert!(!has("rtc-peer-demo", &["--lib"]), "{targets:?}");
    }

    #[test]
    fn a_hung_runner_is_killed_and_fails_the_run() {
        let started = std::time::Instant::now();
        let run = format!("{HEADER}; echo 'running 2 tests'; sleep 60");
        let (_, failed, report) = run_fake(LIST_TWO, &run, Duration::from_secs(1));
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(failed >= 1);
        assert!(format!("{report:?}").contains("killed `"), "{report:?}");
    }
}
