//! Collects pass/fail counts from every suite and prints the closing summary, whose last line
//! is `N passed, N failed`. A suite that errors as a whole counts against the browsers it was
//! to run in, and a browser that recorded nothing at all is a failure, so
//! `firefox: N passed, 0 failed` never prints when Firefox's suites did not run.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::browser::Browser;

/// The outcome of one suite in one browser (or on the host when `browser` is `None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteResult {
    pub suite: String,
    pub browser: Option<Browser>,
    pub passed: u32,
    pub failed: u32,
}

/// Serializable so a run in a network namespace hands its report back to the process outside.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Report {
    results: Vec<SuiteResult>,
    /// `NOTE:` lines from tests and other remarks, printed in the summary.
    notes: Vec<String>,
    /// Why things failed (infrastructure errors, crashed runners), printed in the summary.
    problems: Vec<String>,
    /// What a filter left out, printed in the summary.
    left_out: Vec<String>,
    /// How long each [`Report::suite`] took.
    timings: Vec<(String, Duration)>,
}

fn place(browser: Option<Browser>) -> String {
    browser.map_or("host".to_string(), |b| b.to_string())
}

impl Report {
    pub fn add(&mut self, suite: &str, browser: Option<Browser>, passed: u32, failed: u32) {
        println!("xtask: {suite} [{}]: {passed} passed, {failed} failed", place(browser));
        self.push(suite, browser, passed, failed);
    }

    fn push(&mut self, suite: &str, browser: Option<Browser>, passed: u32, failed: u32) {
        self.results.push(SuiteResult { suite: suite.to_string(), browser, passed, failed });
    }

    /// A check that either passes or fails as a whole (fmt, clippy, a build).
    pub fn check(&mut self, suite: &str, ok: bool) {
        self.add(suite, None, u32::from(ok), u32::from(!ok));
    }

    /// Counts one failure of `suite` and remembers why (shown in the summary).
    pub fn fail(&mut self, suite: &str, browser: Option<Browser>, why: &str) {
        let where_ = place(browser);
        println!("xtask: {suite} [{where_}]: FAILED: {why}");
        self.problems.push(format!("{where_}: {suite}: {why}"));
        self.push(suite, browser, 0, 1);
    }

    /// A line for the summary (e.g. a test's `NOTE:` output).
    pub fn note(&mut self, browser: Option<Browser>, text: &str) {
        self.notes.push(format!("[{}] {}", place(browser), text.trim()));
    }

    /// Something a filter (like `XTASK_E2E_ONLY`) or a browser-specific case left out of a run.
    pub fn left_out(&mut self, suite: &str, browser: Option<Browser>, what: &str, why: &str) {
        let line = format!("{}: {suite}: left out `{what}` ({why})", place(browser));
        println!("xtask: {line}");
        self.left_out.push(line);
    }

    /// Runs one whole suite meant for `browsers` (none: the host): `f` adds its own counts;
    /// an `Err` from it counts as one failure of `name` in each of those browsers, with the
    /// error as the reason. Never stops the run.
    pub fn suite(
        &mut self,
        name: &str,
        browsers: &[Browser],
        f: impl FnOnce(&mut Report) -> anyhow::Result<()>,
    ) {
        println!("\nxtask: ==== {name} ====");
        let started = Instant::now();
        if let Err(err) = f(self) {
            let why = format!("{err:#}");
            if browsers.is_empty() {
                self.fail(name, None, &why);
            }
            for &browser in browsers {
                self.fail(name, Some(browser), &why);
            }
        }
        let took = started.elapsed();
        println!("xtask: ==== {name}: {:.1}s ====", took.as_secs_f64());
        self.timings.push((name.to_string(), took));
    }

    /// Counts a failure for each of `browsers` that has no result at all.
    pub fn expect_browsers(&mut self, browsers: &[Browser]) {
        for &browser in browsers {
            if !self.results.iter().any(|r| r.browser == Some(browser)) {
                self.fail("browser suites", Some(browser), "nothing ran in this browser");
            }
        }
    }

    /// Appends everything `other` recorded (a report handed back from another process).
    pub fn merge(&mut self, other: Report) {
        self.results.extend(other.results);
        self.notes.extend(other.notes);
        self.problems.extend(other.problems);
        self.left_out.extend(other.left_out);
        self.timings.extend(other.timings);
    }

    pub fn failed(&self) -> u32 {
        self.results.iter().map(|r| r.failed).sum()
    }

    /// Prints one line per browser and a final `N passed, N failed` line.
    pub fn print_summary(&self) {
        print!("{}", self.summary());
    }

    /// The closing summary: every result, the timings, notes, what was left out, the problems,
    /// a line per browser and the host, and last `N passed, N failed`.
    fn summary(&self) -> String {
        let mut out = String::from("\nsummary:\n");
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        for r in &self.results {
            let (suite, place, p, f) = (&r.suite, place(r.browser), r.passed, r.failed);
            line(format!("  {suite:<38} {place:<9} {p:>4} passed, {f:>3} failed"));
        }
        let timings = self
            .timings
            .iter()
            .map(|(name, took)| format!("{name:<38} {:>7.1}s", took.as_secs_f64()));
        let sections = [
            ("timings:", timings.collect()),
            ("notes:", self.notes.clone()),
            ("left out:", self.left_out.clone()),
            ("problems:", self.problems.clone()),
        ];
        for (title, lines) in sections.iter().filter(|(_, lines)| !lines.is_empty()) {
            line(title.to_string());
            lines.iter().for_each(|l| line(format!("  {l}")));
        }
        for browser in Browser::ALL {
            let (p, f) = self.totals(|r| r.browser == Some(browser));
            line(format!("{browser}: {p} passed, {f} failed"));
        }
        let (p, f) = self.totals(|r| r.browser.is_none());
        line(format!("host: {p} passed, {f} failed"));
        let (p, f) = self.totals(|_| true);
        line(format!("{p} passed, {f} failed"));
        out
    }

    pub fn totals(&self, keep: impl Fn(&SuiteResult) -> bool) -> (u32, u32) {
        self.results
            .iter()
            .filter(|r| keep(r))
            .fold((0, 0), |(p, f), r| (p + r.passed, f + r.failed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_what_was_left_out_and_ends_with_the_totals() {
        let mut r = Report::default();
        r.add("e2e demo page", Some(Browser::Firefox), 3, 0);
        r.left_out("e2e demo page", Some(Browser::Firefox), "two tabs", "XTASK_E2E_ONLY=loopback");
        r.fail("coturn", None, "did not start");
        let summary = r.summary();
        let after = |title: &str| summary.split(title).nth(1).unwrap_or_default().to_string();
        let left_out = "firefox: e2e demo page: left out `two tabs` (XTASK_E2E_ONLY=loopback)";
        assert!(after("left out:\n").starts_with(&format!("  {left_out}\n")), "{summary}");
        assert!(after("problems:\n").starts_with("  host: coturn: did not start\n"), "{summary}");
        assert!(summary.contains("firefox: 3 passed, 0 failed\n"), "{summary}");
        assert!(summary.ends_with("\nhost: 0 passed, 1 failed\n3 passed, 1 failed\n"), "{summary}");
    }

    #[test]
    fn a_suite_that_errors_counts_against_its_browsers_and_silence_is_a_failure() {
        let mut r = Report::default();
        r.suite("e2e", &[Browser::Firefox], |_| anyhow::bail!("driver crashed"));
        assert_eq!(r.totals(|s| s.browser == Some(Browser::Firefox)), (0, 1));
        assert_eq!(r.totals(|s| s.browser.is_none()), (0, 0), "not counted on the host");
        let mut r = Report::default();
        r.add("wasm tests/a.rs", Some(Browser::Chromium), 3, 0);
        r.expect_browsers(&Browser::ALL);
        assert_eq!(r.totals(|s| s.browser == Some(Browser::Firefox)), (0, 1));
        assert_eq!(r.failed(), 1);
    }
}
