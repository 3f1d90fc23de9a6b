//! The bench page's smoke test (part of `cargo xtask test`): runs `benches/page` with tiny round
//! counts in headless Chromium, so the benchmark cannot rot between `cargo xtask bench` runs.
//! Every figure must run to the end, and the leak figure must pass the bench table's verdict
//! ([`super::docs::leak_problems`]). It times nothing.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use harness::browser::Browser;
use harness::report::Report;
use harness::Tools;

const SUITE: &str = "bench smoke";

/// The browser the smoke test runs in (exact memory figures and forced GC).
pub const BROWSER: Browser = Browser::Chromium;

/// Where the smoke test's bench package is built (`<this>/pkg`).
pub fn out_dir(tools: &Tools) -> std::path::PathBuf {
    super::out_dir(&tools.root).join("smoke")
}

/// Builds the bench crate (no wasm-opt: speed over size here), serves the page, runs it with
/// `{smoke: true}` in Chromium, counts one pass or failure per figure, then checks the leak
/// figure's blocks.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let out = out_dir(tools);
    let pkg = out.join("pkg");
    // Built before the browser phases (no registry is reachable inside their namespace).
    if !pkg.join("rtc_peer_bench_bg.wasm").is_file() {
        super::build_bench(tools, &out, false)?;
    }
    let server = super::serve(&tools.root, &pkg)?;
    let options = json!({ "smoke": true });
    let results =
        super::run_page(tools, BROWSER, &server.url(), &options, Duration::from_secs(180))?;
    let mut passed = 0;
    for &key in super::PAGE_FIGURES {
        if let Some(err) = results["errors"].get(key).and_then(|e| e.as_str()) {
            report.fail(SUITE, Some(BROWSER), &format!("{key}: {err}"));
        } else if !results["figures"][key].is_object() {
            report.fail(SUITE, Some(BROWSER), &format!("{key}: no result"));
        } else {
            passed += 1;
        }
    }
    let problems = super::docs::leak_problems(&results);
    for p in &problems {
        report.fail(SUITE, Some(BROWSER), p);
    }
    report.add(SUITE, Some(BROWSER), passed + u32::from(problems.is_empty()), 0);
    Ok(())
}
