//! Collects pass/fail counts from every suite and prints the closing summary.

use crate::browser::Browser;

/// The outcome of one suite in one browser (or on the host when `browser` is `None`).
#[derive(Debug, Clone)]
pub struct SuiteResult {
    pub suite: String,
    pub browser: Option<Browser>,
    pub passed: u32,
    pub failed: u32,
}

#[derive(Debug, Default)]
pub struct Report {
    results: Vec<SuiteResult>,
}

impl Report {
    pub fn add(&mut self, suite: &str, browser: Option<Browser>, passed: u32, failed: u32) {
        let where_ = browser.map_or("host".to_string(), |b| b.to_string());
        println!("xtask: {suite} [{where_}]: {passed} passed, {failed} failed");
        self.results.push(SuiteResult {
            suite: suite.to_string(),
            browser,
            passed,
            failed,
        });
    }

    /// A check that either passes or fails as a whole (fmt, clippy, a build).
    pub fn check(&mut self, suite: &str, ok: bool) {
        self.add(suite, None, u32::from(ok), u32::from(!ok));
    }

    pub fn failed(&self) -> u32 {
        self.results.iter().map(|r| r.failed).sum()
    }

    /// Prints one line per browser and a final `N passed, N failed` line.
    pub fn print_summary(&self) {
        println!();
        println!("summary:");
        for r in &self.results {
            let where_ = r.browser.map_or("host".to_string(), |b| b.to_string());
            println!(
                "  {:<28} {:<9} {:>4} passed, {:>3} failed",
                r.suite, where_, r.passed, r.failed
            );
        }
        for browser in Browser::ALL {
            let (p, f) = self.totals(|r| r.browser == Some(browser));
            println!("{browser}: {p} passed, {f} failed");
        }
        let (p, f) = self.totals(|r| r.browser.is_none());
        println!("host: {p} passed, {f} failed");
        let (p, f) = self.totals(|_| true);
        println!("{p} passed, {f} failed");
    }

    fn totals(&self, keep: impl Fn(&SuiteResult) -> bool) -> (u32, u32) {
        self.results
            .iter()
            .filter(|r| keep(r))
            .fold((0, 0), |(p, f), r| (p + r.passed, f + r.failed))
    }
}
