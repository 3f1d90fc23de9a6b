//! `cargo xtask test`: every check, every suite, both browsers, one summary.
//!
//! Steps run in order and a failing step never stops the next one; the command fails at the
//! end if anything failed. The last line printed is `N passed, N failed`.

use std::time::Instant;

use anyhow::Result;

use crate::build::{self, Target};
use crate::coturn;
use crate::js_tests;
use crate::process;
use crate::report::Report;
use crate::setup::{self, Tools};
use crate::wasm_suites;

/// Runs everything; `Ok(false)` when some check or test failed.
pub fn run(_args: &[String]) -> Result<bool> {
    let started = Instant::now();
    let tools = setup::ensure()?;
    let mut report = Report::default();

    // 1. Formatting and lints.
    report.suite("static checks", |r| {
        check(&tools, r, "cargo fmt --check", &["fmt", "--all", "--check"])?;
        check(
            &tools,
            r,
            "clippy rtc-peer wasm32",
            &[
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "rtc-peer",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
        )?;
        check(
            &tools,
            r,
            "clippy rtc-peer wasm32, default features",
            &[
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "rtc-peer",
                "--lib",
                "--",
                "-D",
                "warnings",
            ],
        )?;
        check(
            &tools,
            r,
            "clippy xtask",
            &[
                "clippy",
                "-p",
                "xtask",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
    });

    // 2. Host tests: the library's pure-Rust unit tests, its doctests (`no_run` ones only
    //    compile), and xtask's own tests.
    report.suite("host tests", |r| {
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
    for &browser in &tools.settings.browsers {
        report.suite(&format!("wasm suites in {browser}"), |r| {
            wasm_suites::run(&tools, browser, &turn_env, r)
        });
    }

    // 5. The package a user builds (plain wasm-pack), then the release packages.
    report.suite(crate::plain_build::SUITE, |r| {
        crate::plain_build::run(&tools, r)
    });
    for target in [Target::Web, Target::Bundler] {
        let name = format!("wasm-pack build --target {}", target.name());
        report.suite(&name, |r| {
            build::package(&tools, target)?;
            r.check(&name, true);
            Ok(())
        });
    }

    // 6. The other suites: each owner adds ONE line here, in this form:
    //    report.suite("<suite name>", |r| <module>::run(&tools, r));
    report.suite("e2e demo page", |r| crate::e2e::run(&tools, r));
    report.suite("demo abuse", |r| crate::abuse::run(&tools, r));
    report.suite("JS package", |r| js_tests::run(&tools, r));
    report.suite("bench smoke", |r| crate::bench_smoke::run(&tools, r));

    drop(turn);
    let secs = started.elapsed().as_secs();
    println!("\nxtask: test took {}m{:02}s", secs / 60, secs % 60);
    report.print_summary();
    Ok(report.failed() == 0)
}

/// A pass/fail step: `cargo <args>` in the repo root.
fn check(tools: &Tools, report: &mut Report, name: &str, args: &[&str]) -> Result<()> {
    let ok = process::status(
        process::cargo()
            .current_dir(&tools.root)
            .args(args)
            .stdin(std::process::Stdio::null()),
    )?;
    report.check(name, ok);
    Ok(())
}
