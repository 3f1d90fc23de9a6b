//! The bench page's smoke test (part of `cargo xtask test`): runs `benches/page` with tiny round
//! counts in headless Chromium, so the benchmark cannot rot between `cargo xtask bench` runs.
//! It checks that every figure runs to the end (each handler saw every event, every call
//! reached its first frame, every cycle closed); it measures nothing.

use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use crate::bench;
use crate::browser::Browser;
use crate::report::Report;
use crate::setup::Tools;

const SUITE: &str = "bench smoke";

/// The page's figures, by their key in `window.benchResults.figures`.
const FIGURES: [&str; 5] = ["dispatch", "offer_answer", "first_frame", "leak", "scale"];

/// Where the smoke test's bench package is built (`<this>/pkg`).
pub fn out_dir(tools: &Tools) -> std::path::PathBuf {
    bench::out_dir(&tools.root).join("smoke")
}

/// Serves the bench page with the package built before the browser phases (no wasm-opt: speed
/// over size here; built now only if missing), runs it with `{smoke: true}` in Chromium and
/// counts one pass or failure per figure.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let out = out_dir(tools);
    let pkg = out.join("pkg");
    if !pkg.join("rtc_peer_bench_bg.wasm").is_file() {
        bench::build_bench(tools, &out, false)?;
    }
    let server = bench::serve(&tools.root, &pkg)?;
    let results = bench::run_page(
        tools,
        Browser::Chromium,
        &server.url(),
        &json!({ "smoke": true }),
        Duration::from_secs(180),
    )?;
    let mut passed = 0;
    for key in FIGURES {
        if let Some(err) = results["errors"].get(key).and_then(|e| e.as_str()) {
            report.fail(SUITE, Some(Browser::Chromium), &format!("{key}: {err}"));
        } else if !results["figures"][key].is_object() {
            report.fail(SUITE, Some(Browser::Chromium), &format!("{key}: no result"));
        } else {
            passed += 1;
        }
    }
    report.add(SUITE, Some(Browser::Chromium), passed, 0);
    Ok(())
}
