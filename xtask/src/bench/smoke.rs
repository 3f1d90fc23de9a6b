//! The bench page's smoke test (part of `cargo xtask test`): runs `benches/page` with tiny round
//! counts in headless Chromium, so the benchmark cannot rot between `cargo xtask bench` runs.
//! Every figure must run to the end (each handler saw every event, every call reached its first
//! frame, every cycle closed), and the leak figure's rtc-peer blocks (full calls, calls hung up
//! during setup, data-channel calls) must leave 0 listeners and show 0 wasm-memory and 0
//! Rust-heap growth, no open connection and no pending future (the leak verdict of the bench
//! table). It times nothing.

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

#[cfg(test)]
mod tests {
    use super::super::docs::leak_problems;
    use serde_json::{json, Value};

    #[test]
    fn a_listener_or_memory_left_behind_fails_the_smoke_test() {
        let block = |listeners: i64, wasm: i64, heap: i64| {
            json!({ "cycles": 5, "error": null, "listeners_left_pc": listeners,
                    "listeners_left_all": listeners, "wasm_growth_bytes": wasm,
                    "rust_heap_growth_bytes": heap, "connections_open_left": 0,
                    "pending_attach_left": 0, "pending_candidates_left": 0 })
        };
        let results = |full: Value, early: Value| {
            json!({ "config": { "leakCycles": 5, "leakEarlyCycles": 5, "leakDataCycles": 5 },
                    "figures": { "leak": { "rtc_peer": full,
                                           "hang_up_during_setup": { "rtc_peer": early },
                                           "data_channels": { "rtc_peer": block(0, 0, 0) } } } })
        };
        assert_eq!(leak_problems(&results(block(0, 0, 0), block(0, 0, -16))), Vec::<String>::new());
        for (full, early) in [
            (block(1, 0, 0), block(0, 0, 0)),
            (block(0, 65536, 0), block(0, 0, 0)),
            (block(0, 0, 0), block(0, 0, 24)),
        ] {
            assert!(!leak_problems(&results(full, early)).is_empty());
        }
        let missing = results(json!({ "cycles": 5, "error": null }), block(0, 0, 0));
        assert_eq!(leak_problems(&missing).len(), 7, "absent figures are failures");
    }
}
