//! Reading `cargo test` output (libtest and wasm-bindgen-test print the same summary lines) and
//! turning it into [`Report`] entries, so that a compile error or a crashed runner is a failure
//! and never a silent 0/0.

use std::process::ExitStatus;

use crate::browser::Browser;
use crate::report::Report;

/// How one test binary ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It printed `test result: … N passed; M failed`.
    Finished { passed: u32, failed: u32 },
    /// wasm-bindgen-test-runner found no tests in it (`no tests to run!`).
    NoTests,
    /// It started (`Running …`) but never printed a result: crashed, killed or timed out.
    Crashed,
}

/// One test binary that cargo ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// What cargo called it: `tests/foo.rs`, `unittests src/lib.rs`, `doctests rtc_peer`.
    pub name: String,
    pub outcome: Outcome,
}

/// Everything read from one `cargo test` run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub binaries: Vec<Binary>,
    /// Output lines starting with `NOTE:` (tests report e.g. hostile-case counts this way).
    pub notes: Vec<String>,
}

/// Parses `N passed; M failed` out of a `test result:` line.
pub fn parse_result_line(line: &str) -> Option<(u32, u32)> {
    let rest = &line[line.find("test result:")? + "test result:".len()..];
    let count = |word: &str| -> Option<u32> {
        let mut last = None;
        for token in rest.split([';', ',', '.']) {
            let mut parts = token.split_whitespace();
            if let (Some(n), Some(w)) = (parts.next(), parts.next()) {
                if w == word {
                    last = n.parse().ok();
                }
            }
        }
        last
    };
    Some((count("passed")?, count("failed")?))
}

/// cargo's status line for a test binary: `     Running tests/a.rs (target/…/a-123.wasm)` or
/// `   Doc-tests rtc_peer` (indented, unlike the runner's own `Running headless tests in …`).
fn cargo_header(line: &str) -> Option<String> {
    if !line.starts_with(' ') {
        return None;
    }
    let trimmed = line.trim();
    if let Some(rest) = trimmed.strip_prefix("Running ") {
        let (name, path) = rest.split_once(" (")?;
        return path.ends_with(')').then(|| name.to_string());
    }
    trimmed
        .strip_prefix("Doc-tests ")
        .map(|name| format!("doctests {name}"))
}

/// Reads cargo's `Running …` / `Doc-tests …` headers, each binary's `test result:` line, the
/// runner's `no tests to run!`, and `NOTE:` lines.
pub fn parse(lines: &[String]) -> Parsed {
    let mut parsed = Parsed::default();
    // Index of the binary that is running and has no outcome yet.
    let mut open: Option<usize> = None;
    for line in lines {
        let trimmed = line.trim();
        let header = cargo_header(line);
        if let Some(name) = header {
            parsed.binaries.push(Binary {
                name,
                outcome: Outcome::Crashed,
            });
            open = Some(parsed.binaries.len() - 1);
        } else if let Some((passed, failed)) = parse_result_line(trimmed) {
            let outcome = Outcome::Finished { passed, failed };
            match open.take() {
                Some(i) => parsed.binaries[i].outcome = outcome,
                None => parsed.binaries.push(Binary {
                    name: "tests".into(),
                    outcome,
                }),
            }
        } else if trimmed == "no tests to run!" {
            if let Some(i) = open.take() {
                parsed.binaries[i].outcome = Outcome::NoTests;
            }
        } else if line.starts_with("NOTE:") && !parsed.notes.iter().any(|n| n == trimmed) {
            // Unindented only: a failing test's log is repeated, indented, under `failures:`.
            parsed.notes.push(trimmed.to_string());
        }
    }
    parsed
}

/// Adds one `cargo test` run to `report`: one entry per binary, named `{prefix}{binary}`.
/// A binary without a result, a run where nothing ran, or a failing exit status with no failed
/// test counted, are each counted as a failure of `{prefix}{what}` with the reason.
pub fn record(
    report: &mut Report,
    prefix: &str,
    what: &str,
    browser: Option<Browser>,
    status: ExitStatus,
    lines: &[String],
) {
    let parsed = parse(lines);
    for note in &parsed.notes {
        report.note(browser, note);
    }
    let mut failed = 0;
    for b in &parsed.binaries {
        let suite = format!("{prefix}{}", b.name);
        match b.outcome {
            Outcome::Finished { passed, failed: f } => {
                failed += f;
                report.add(&suite, browser, passed, f);
            }
            Outcome::NoTests => report.add(&suite, browser, 0, 0),
            Outcome::Crashed => {
                failed += 1;
                report.fail(
                    &suite,
                    browser,
                    "the test binary ended without a `test result` line \
                     (runner crashed, browser/driver failed, or it timed out); see its output above",
                );
            }
        }
    }
    let name = format!("{prefix}{what}");
    let name = name.as_str();
    if parsed.binaries.is_empty() {
        let why = if status.success() {
            "no test binary ran".to_string()
        } else {
            format!("cargo test failed before any test ran ({status}): compile error? see above")
        };
        report.fail(name, browser, &why);
    } else if !status.success() && failed == 0 {
        report.fail(
            name,
            browser,
            &format!("cargo test exited with {status} although no test failed: see above"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn result_lines_give_passed_and_failed() {
        assert_eq!(
            parse_result_line(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; \
                 0 filtered out; finished in 0.52s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            parse_result_line("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out"),
            Some((3, 2))
        );
        assert_eq!(
            parse_result_line("   test result: ok. 0 passed; 0 failed; 0 ignored"),
            Some((0, 0))
        );
        assert_eq!(parse_result_line("test foo ... ok"), None);
        assert_eq!(parse_result_line("test result: garbage"), None);
    }

    #[test]
    fn binaries_notes_crashes_and_empty_runners() {
        let parsed = parse(&lines(
            "   Compiling rtc-peer v0.1.0\n\
             \x20    Running unittests src/lib.rs (target/wasm32-unknown-unknown/debug/deps/rtc_peer-1.wasm)\n\
             no tests to run!\n\
             \x20    Running tests/binding.rs (target/wasm32-unknown-unknown/debug/deps/binding-2.wasm)\n\
             Running headless tests in Chrome on `http://127.0.0.1:33103/`\n\
             running 3 tests\n\
             NOTE: hostile cases: 7\n\
             failures:\n\
             \x20       NOTE: hostile cases: 7\n\
             test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n\
             \x20    Running tests/crash.rs (target/x/crash-3.wasm)\n\
             Failed to detect test as having been run. It might have timed out.\n\
             \x20  Doc-tests rtc_peer\n\
             test result: ok. 4 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out\n",
        ));
        assert_eq!(parsed.notes, ["NOTE: hostile cases: 7"]);
        let got: Vec<_> = parsed
            .binaries
            .iter()
            .map(|b| (b.name.as_str(), b.outcome.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("unittests src/lib.rs", Outcome::NoTests),
                (
                    "tests/binding.rs",
                    Outcome::Finished {
                        passed: 2,
                        failed: 1
                    }
                ),
                ("tests/crash.rs", Outcome::Crashed),
                (
                    "doctests rtc_peer",
                    Outcome::Finished {
                        passed: 4,
                        failed: 0
                    }
                ),
            ]
        );
    }

    fn exit(code: i32) -> ExitStatus {
        std::process::Command::new("sh")
            .args(["-c", &format!("exit {code}")])
            .status()
            .unwrap()
    }

    #[test]
    fn compile_failures_and_crashes_count_as_failures() {
        let mut r = Report::default();
        record(
            &mut r,
            "wasm ",
            "--test a",
            Some(Browser::Firefox),
            exit(101),
            &lines("error[E0425]: x"),
        );
        assert_eq!(r.failed(), 1);

        let mut r = Report::default();
        record(&mut r, "host ", "--lib", None, exit(0), &[]);
        assert_eq!(r.failed(), 1, "nothing ran is not a success");

        let mut r = Report::default();
        record(
            &mut r,
            "wasm ",
            "--test a",
            Some(Browser::Chromium),
            exit(101),
            &lines("     Running tests/a.rs (a.wasm)\nthread 'main' panicked"),
        );
        assert_eq!(r.failed(), 1);

        let mut r = Report::default();
        record(
            &mut r,
            "wasm ",
            "--test a",
            Some(Browser::Chromium),
            exit(101),
            &lines("     Running tests/a.rs (a.wasm)\ntest result: ok. 5 passed; 0 failed;"),
        );
        assert_eq!(
            r.failed(),
            1,
            "non-zero exit with all passed is still a failure"
        );

        let mut r = Report::default();
        record(
            &mut r,
            "wasm ",
            "--test a",
            Some(Browser::Chromium),
            exit(0),
            &lines("     Running tests/a.rs (a.wasm)\ntest result: ok. 5 passed; 0 failed;"),
        );
        assert_eq!(r.failed(), 0);
    }
}
