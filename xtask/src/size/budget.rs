//! The size budgets (`wasm-pack.toml`'s `[size]` table, their one place) and the check that
//! holds the builds to them, a step of `cargo xtask test`.
//!
//! It builds the JS package and both Rust apps as users build them (so it needs the package
//! registries and runs before the browser phases' network namespace) and fails when the
//! package's gzip -9 bytes exceed `package-gzip`, or the rtc-peer app weighs more than
//! `rust-app-over-raw-gzip` above the raw web-sys app.

use anyhow::Result;
use harness::report::Report;
pub use harness::settings::Budgets;
use harness::Tools;

use super::{package, rust_apps, thousands};

pub const SUITE: &str = "size budgets";

/// One line per budget: (what, within budget).
fn verdicts(budgets: &Budgets, package_gzip: u64, over_raw: i64) -> Vec<(String, bool)> {
    vec![
        (
            format!(
                "JS package {} B gzip -9 within its budget of {} B",
                thousands(package_gzip),
                thousands(budgets.package_gzip)
            ),
            package_gzip <= budgets.package_gzip,
        ),
        (
            format!(
                "Rust app with rtc-peer {over_raw:+} B gzip -9 above raw web-sys, within its \
                 budget of {} B",
                thousands(budgets.rust_app_over_raw_gzip)
            ),
            over_raw <= budgets.rust_app_over_raw_gzip as i64,
        ),
    ]
}

/// Builds and measures, then one check per budget.
pub fn check(tools: &Tools, report: &mut Report) -> Result<()> {
    let budgets = &tools.settings.size;
    let package = package(tools)?;
    let apps = rust_apps(tools)?;
    for (what, ok) in verdicts(budgets, package.gzip(), apps.over_raw()) {
        println!("xtask: size: {} {what}", if ok { "ok    " } else { "FAILED" });
        report.check(&format!("{SUITE}: {what}"), ok);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_budgets_load() {
        let b = harness::settings::Settings::load(&crate::setup::repo_root()).unwrap().size;
        assert!(b.package_target_gzip <= b.package_gzip, "{b:?}");
        assert!(b.rust_app_over_raw_target_gzip <= b.rust_app_over_raw_gzip, "{b:?}");
    }

    #[test]
    fn a_figure_over_its_budget_fails_and_one_at_it_passes() {
        let b: Budgets = toml::from_str(
            "package-gzip = 100\npackage-target-gzip = 90\n\
             rust-app-over-raw-gzip = 10\nrust-app-over-raw-target-gzip = 5\n",
        )
        .unwrap();
        let ok = |p, o| verdicts(&b, p, o).into_iter().map(|(_, ok)| ok).collect::<Vec<_>>();
        assert_eq!(ok(100, 10), [true, true]);
        assert_eq!(ok(101, -50), [false, true]);
        assert_eq!(ok(50, 11), [true, false]);
    }
}
