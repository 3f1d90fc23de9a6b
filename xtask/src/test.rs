//! `cargo xtask test`: every check, every suite, both browsers, one summary.
//! TODO(xtask-core helper): implement the steps.

use anyhow::{bail, Result};

use crate::report::Report;
use crate::setup;

pub fn run(_args: &[String]) -> Result<()> {
    let _tools = setup::ensure()?;
    let mut report = Report::default();
    // Steps, in order (each adds its counts to `report` and never returns early on a test
    // failure, only on an infrastructure error):
    // 1. cargo fmt --check; clippy (wasm32, -D warnings)
    // 2. host tests + doctests
    // 3. coturn started (guard lives to the end of this function)
    // 4. wasm-bindgen-test suites in Chromium, then Firefox
    // 5. wasm-pack builds (web, bundler)
    // 6. e2e demo tests, JS package tests, interop, bench smoke
    report.print_summary();
    if report.failed() > 0 {
        bail!("{} failed", report.failed());
    }
    Ok(())
}
