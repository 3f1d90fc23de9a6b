//! `cargo xtask test`: every check, every suite, both browsers, one summary.
//!
//! Steps run in order and a failing step never stops the next one; the command fails at the
//! end if anything failed. Every child process has a deadline. The last line printed is
//! `N passed, N failed`.

pub mod abuse;
pub mod e2e;
mod js_tests;
mod libtest;
pub mod report;
mod wasm_suites;

use std::time::Instant;

use anyhow::Result;

use crate::build::{self, Target};
use crate::coturn;
use crate::flags;
use crate::process;
use crate::setup::{self, Tools};
use report::Report;

/// The static checks: (name, `cargo` arguments).
const STATIC_CHECKS: &[(&str, &str)] = &[
    ("cargo fmt --check", "fmt --all --check"),
    (
        "clippy rtc-peer wasm32",
        "clippy --target wasm32-unknown-unknown -p rtc-peer --all-targets --all-features -- -D warnings",
    ),
    (
        "clippy rtc-peer wasm32, default features",
        "clippy --target wasm32-unknown-unknown -p rtc-peer --lib -- -D warnings",
    ),
    ("clippy xtask", "clippy -p xtask --all-targets -- -D warnings"),
];

/// Runs everything; `Ok(false)` when some check or test failed.
pub fn run(_flags: &flags::Test) -> Result<bool> {
    let started = Instant::now();
    let tools = setup::ensure()?;
    let browsers = tools.settings.browsers.clone();
    let mut report = Report::default();

    // 1. Formatting and lints.
    report.suite("static checks", &[], |r| {
        for (name, args) in STATIC_CHECKS {
            check(&tools, r, name, args)?;
        }
        Ok(())
    });

    // 2. Host tests: the library's unit tests (none today), its doctests (`no_run` ones only
    //    compile), and xtask's own tests.
    report.suite("host tests", &[], |r| {
        wasm_suites::host(&tools, "rtc-peer", &["-p", "rtc-peer", "--lib"], r)?;
        wasm_suites::host(&tools, "rtc-peer", &["-p", "rtc-peer", "--doc"], r)?;
        wasm_suites::host(&tools, "xtask", &["-p", "xtask"], r)
    });

    // 3. A TURN server on loopback for the relay tests; its address and credentials reach the
    //    wasm suites at compile time (`option_env!("RTC_PEER_TURN_URL")` etc.). Without it the
    //    TURN tests fail (they say to run through `cargo xtask test`). `turn` lives until the end.
    let turn = coturn::Turn::start(&tools);
    let turn_env: Vec<(&str, String)> = match &turn {
        Ok(t) => {
            println!("xtask: coturn listening on {} (pid {})", t.url(), t.pid());
            t.env().to_vec()
        }
        Err(e) => {
            report.fail("coturn", None, &format!("{e:#}"));
            Vec::new()
        }
    };

    // 4. The wasm-bindgen-test suites, in every browser from wasm-pack.toml (Chromium, Firefox).
    for &browser in &browsers {
        report.suite(&format!("wasm suites in {browser}"), &[browser], |r| {
            wasm_suites::run(&tools, browser, &turn_env, r)
        });
    }

    // 5. The release packages.
    for target in [Target::Web, Target::Bundler] {
        let name = format!("wasm-pack build --target {}", target.name());
        report.suite(&name, &[], |r| {
            build::package(&tools, target)?;
            r.check(&name, true);
            Ok(())
        });
    }

    // 6. The browser suites of the demo, the JS package and the bench page.
    report.suite("e2e demo page", &browsers, |r| e2e::run(&tools, r));
    report.suite("demo abuse", &browsers, |r| abuse::run(&tools, r));
    report.suite("JS package", &browsers, |r| js_tests::run(&tools, r));
    let smoke_browsers = [crate::bench::smoke::BROWSER];
    report.suite("bench smoke", &smoke_browsers, |r| {
        crate::bench::smoke::run(&tools, r)
    });

    drop(turn);
    report.expect_browsers(&browsers);
    let secs = started.elapsed().as_secs();
    println!("\nxtask: test took {}m{:02}s", secs / 60, secs % 60);
    report.print_summary();
    Ok(report.failed() == 0)
}

/// A pass/fail step: `cargo <args>` in the repo root.
fn check(tools: &Tools, report: &mut Report, name: &str, args: &str) -> Result<()> {
    let ok = process::status(
        process::cargo()
            .current_dir(&tools.root)
            .args(args.split_whitespace())
            .stdin(std::process::Stdio::null()),
    )?;
    report.check(name, ok);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::Browser;

    #[test]
    fn a_suite_that_errors_counts_against_its_browsers_and_silence_is_a_failure() {
        let mut r = Report::default();
        r.suite("e2e", &[Browser::Firefox], |_| {
            anyhow::bail!("driver crashed")
        });
        assert_eq!(r.totals(|s| s.browser == Some(Browser::Firefox)), (0, 1));
        assert_eq!(
            r.totals(|s| s.browser.is_none()),
            (0, 0),
            "not counted on the host"
        );
        let mut r = Report::default();
        r.add("wasm tests/a.rs", Some(Browser::Chromium), 3, 0);
        r.expect_browsers(&Browser::ALL);
        assert_eq!(r.totals(|s| s.browser == Some(Browser::Firefox)), (0, 1));
        assert_eq!(r.failed(), 1);
    }
}
