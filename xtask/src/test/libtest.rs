//! Reading `cargo test` output (libtest and wasm-bindgen-test print the same lines) into
//! [`Report`] entries, each binary held to its own list of tests (`-- --list`): a compile error,
//! a crashed or killed runner, a binary that ran none or fewer than it lists, is a failure.

use harness::browser::Browser;
use harness::process::Streamed;
use harness::report::Report;

/// Test binaries allowed to hold no test, as (suite prefix, binary). Keep it short: an entry
/// here is a binary whose going empty nobody would notice.
const ALLOWED_EMPTY: &[(&str, &str)] = &[
    // The library has no unit tests: it is tested by the wasm suites in tests/ and by its
    // doctests. Its own test binary still runs, on the host and in each browser, so a unit
    // test added to src/ is run.
    ("rtc-peer ", "unittests src/lib.rs"),
    ("wasm ", "unittests src/lib.rs"),
];

/// How one test binary ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It printed `test result: … N passed; M failed; K ignored`: (N, M, K).
    Finished(u32, u32, u32),
    /// wasm-bindgen-test-runner found no tests in it (`no tests to run!`).
    NoTests,
    /// It started (`Running …`) but never printed a result: crashed, killed or timed out. Holds
    /// what the output shows of where: the test it was running and its last lines.
    Crashed(String),
}

/// Everything read from one `cargo test` run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// What cargo called each binary (`tests/foo.rs`, `unittests src/lib.rs`,
    /// `doctests rtc_peer`) and how it ended.
    pub binaries: Vec<(String, Outcome)>,
    /// Output lines starting with `NOTE:` (tests report e.g. hostile-case counts this way).
    pub notes: Vec<String>,
}

/// The counts of a `test result:` line: (passed, failed, ignored).
pub fn parse_result_line(line: &str) -> Option<(u32, u32, u32)> {
    let rest = &line[line.find("test result:")? + "test result:".len()..];
    let count = |word: &str| -> Option<u32> {
        rest.split([';', ',', '.']).find_map(|token| {
            let mut parts = token.split_whitespace();
            let n = parts.next()?;
            (parts.next() == Some(word)).then(|| n.parse().ok())?
        })
    };
    Some((count("passed")?, count("failed")?, count("ignored").unwrap_or(0)))
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
    trimmed.strip_prefix("Doc-tests ").map(|name| format!("doctests {name}"))
}

/// The tests each binary lists (`cargo test … -- --list`): (binary, number of tests).
pub fn parse_list(lines: &[String]) -> Vec<(String, u32)> {
    let mut listed: Vec<(String, u32)> = Vec::new();
    for line in lines {
        if let Some(name) = cargo_header(line) {
            listed.push((name, 0));
        } else if line.ends_with(": test") {
            if let Some((_, n)) = listed.last_mut() {
                *n += 1;
            }
        }
    }
    listed
}

/// Reads cargo's `Running …` / `Doc-tests …` headers, each binary's `test result:` line, the
/// runner's `no tests to run!`, and `NOTE:` lines.
pub fn parse(lines: &[String]) -> Parsed {
    let mut parsed = Parsed::default();
    // Index of the binary that is running and has no outcome yet, and where its output starts.
    let mut open: Option<(usize, usize)> = None;
    for (at, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if let Some(name) = cargo_header(line) {
            if let Some((i, from)) = open.take() {
                parsed.binaries[i].1 = Outcome::Crashed(where_it_stopped(&lines[from..at]));
            }
            parsed.binaries.push((name, Outcome::Finished(0, 0, 0)));
            open = Some((parsed.binaries.len() - 1, at + 1));
        } else if let Some((passed, failed, ignored)) = parse_result_line(trimmed) {
            let outcome = Outcome::Finished(passed, failed, ignored);
            match open.take() {
                Some((i, _)) => parsed.binaries[i].1 = outcome,
                None => parsed.binaries.push(("tests".into(), outcome)),
            }
        } else if trimmed == "no tests to run!" {
            if let Some((i, _)) = open.take() {
                parsed.binaries[i].1 = Outcome::NoTests;
            }
        } else if line.starts_with("NOTE:") && !parsed.notes.iter().any(|n| n == trimmed) {
            // Unindented only: a failing test's log is repeated, indented, under `failures:`.
            parsed.notes.push(trimmed.to_string());
        }
    }
    if let Some((i, from)) = open {
        parsed.binaries[i].1 = Outcome::Crashed(where_it_stopped(&lines[from..]));
    }
    parsed
}

/// Whether a test binary started but its page never began running tests: no `running N tests`
/// line and no result (the runner or the driver gave up while the page was loading).
pub fn page_never_started(lines: &[String]) -> bool {
    let began = lines.iter().any(|l| {
        let l = l.trim();
        l.starts_with("running ") && (l.ends_with(" tests") || l.ends_with(" test"))
    });
    let crashed = parse(lines).binaries.iter().any(|(_, o)| matches!(o, Outcome::Crashed(_)));
    crashed && !began
}

/// What the output of a binary that never printed its result shows of where it stopped: the
/// test it had started and not finished (`Invoking test: …` with no `test … ok`), and its last
/// lines, so that the run's closing summary says it even when the output above is cut.
fn where_it_stopped(output: &[String]) -> String {
    const TAIL: usize = 8;
    const WIDTH: usize = 160;
    let unfinished = output.iter().rev().find_map(|line| {
        let name = line.trim().strip_prefix("Invoking test: ")?;
        let finished = output.iter().any(|l| l.trim().starts_with(&format!("test {name} ... ")));
        (!finished).then(|| name.to_string())
    });
    let lines: Vec<&str> = output.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(TAIL)..].iter().map(|l| l.chars().take(WIDTH));
    let tail: Vec<String> = tail.map(String::from_iter).collect();
    let running =
        unfinished.map_or("no test was running".to_string(), |t| format!("it was running `{t}`"));
    format!("{running}; its last lines: {}", tail.join(" | "))
}

/// Adds one `cargo test` run to `report`: one entry per binary, named `{prefix}{binary}`, held
/// to `listed` (from [`parse_list`]). Whatever did not run as listed, a kill at the deadline,
/// or a failing exit with no failed test counted, is a failure of `{prefix}{what}` with why.
pub fn record(
    report: &mut Report,
    (prefix, what): (&str, &str),
    browser: Option<Browser>,
    listed: &[(String, u32)],
    run: &Streamed,
) {
    let parsed = parse(&run.lines);
    for note in &parsed.notes {
        report.note(browser, note);
    }
    let mut failed = 0;
    for (name, outcome) in &parsed.binaries {
        let suite = format!("{prefix}{name}");
        let expected = listed.iter().find(|(n, _)| n == name).map(|(_, n)| *n);
        let (passed, f, ignored) = match *outcome {
            Outcome::Finished(passed, failed, ignored) => (passed, failed, ignored),
            Outcome::NoTests => (0, 0, 0),
            Outcome::Crashed(ref stopped) => {
                failed += 1;
                report.fail(&suite, browser, &format!("the test binary ended without a `test result` line (runner crashed, browser/driver failed, timed out, or it was killed): {stopped}"));
                continue;
            }
        };
        failed += f;
        report.add(&suite, browser, passed, f);
        let ran = passed + f + ignored;
        let allowed = ALLOWED_EMPTY.contains(&(prefix, name.as_str()));
        if ran == 0 && !allowed {
            failed += 1;
            report.fail(
                &suite,
                browser,
                "ran no tests (a binary with none must be in libtest.rs's ALLOWED_EMPTY)",
            );
        } else if let Some(n) = expected.filter(|n| ran < *n) {
            failed += 1;
            report.fail(&suite, browser, &format!("ran {ran} of {n}"));
        }
    }
    for (name, n) in listed {
        if !parsed.binaries.iter().any(|(b, _)| b == name) {
            failed += 1;
            report.fail(
                &format!("{prefix}{name}"),
                browser,
                &format!("ran 0 of {n}: it never started"),
            );
        }
    }
    let why = match (&run.killed, run.status) {
        (Some(why), _) => why.clone(),
        (None, Some(status)) if parsed.binaries.is_empty() && status.success() => {
            "no test binary ran".into()
        }
        (None, Some(status)) if parsed.binaries.is_empty() => {
            format!("cargo test failed before any test ran ({status}): compile error? see above")
        }
        (None, Some(status)) if !status.success() && failed == 0 => {
            format!("cargo test exited with {status} although no test failed: see above")
        }
        _ => return,
    };
    report.fail(&format!("{prefix}{what}"), browser, &why);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn result_lines_give_passed_failed_and_ignored() {
        for (line, want) in [
            ("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.52s", Some((12, 0, 1))),
            ("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out", Some((3, 2, 0))),
            ("   test result: ok. 0 passed; 0 failed", Some((0, 0, 0))),
            ("test foo ... ok", None),
            ("test result: garbage", None),
        ] {
            assert_eq!(parse_result_line(line), want, "{line}");
        }
    }

    #[test]
    fn binaries_notes_crashes_empty_runners_and_lists() {
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
             Invoking test: done\n\
             test done ... ok\n\
             Invoking test: stuck::one\n\
             Failed to detect test as having been run. It might have timed out.\n\
             \x20  Doc-tests rtc_peer\n\
             test result: ok. 4 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out\n",
        ));
        assert_eq!(parsed.notes, ["NOTE: hostile cases: 7"]);
        let finished = Outcome::Finished;
        assert_eq!(
            parsed.binaries,
            [
                ("unittests src/lib.rs".into(), Outcome::NoTests),
                ("tests/binding.rs".into(), finished(2, 1, 0)),
                (
                    "tests/crash.rs".into(),
                    Outcome::Crashed(
                        "it was running `stuck::one`; its last lines: Invoking test: done | \
                         test done ... ok | Invoking test: stuck::one | Failed to detect test as \
                         having been run. It might have timed out."
                            .into()
                    )
                ),
                ("doctests rtc_peer".into(), finished(4, 0, 2)),
            ]
        );
        let listed = parse_list(&lines(
            "     Running unittests src/lib.rs (a.wasm)\n     Running tests/a.rs (b.wasm)\n\
             one: test\nmod::two: test\n   Doc-tests rtc_peer\nsrc/lib.rs - f (line 3): test\n\n1 test, 0 benchmarks\n",
        ));
        assert_eq!(
            listed,
            [
                ("unittests src/lib.rs".into(), 0),
                ("tests/a.rs".into(), 2),
                ("doctests rtc_peer".into(), 1)
            ]
        );
    }
}
