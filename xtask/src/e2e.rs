//! End-to-end tests of the demo page in real browsers (being written).

use anyhow::Result;

use crate::report::Report;
use crate::setup::Tools;

/// Runs the demo's end-to-end tests.
#[allow(dead_code)]
pub fn run(_tools: &Tools, _report: &mut Report) -> Result<()> {
    Ok(())
}
