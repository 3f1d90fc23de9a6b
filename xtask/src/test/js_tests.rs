//! The JavaScript package suite: what a JS or TypeScript developer gets from the wasm-pack
//! packages.
//!
//! 1. `tsc --strict --noEmit` on `tests/ts/consumer.ts` must pass, and on
//!    `tests/ts/must_fail.ts` must fail with exactly its one deliberate error (TS2322), so the
//!    type check cannot pass vacuously.
//! 2. The generated `rtc_peer.d.ts` (the API part, comments left out) has no `any` and no bare
//!    `Function`, and names the DOM types; both `package.json`s carry the fields a publishable
//!    package needs.
//! 3. `examples/bundler-app` (Vite, importing the `--target bundler` package) builds.
//! 4. The test page `tests/js/index.html` (importing the `--target web` package) and the built
//!    bundler app page run the JavaScript tests in every browser of `wasm-pack.toml`; each page
//!    publishes its results on `window.__rtcPeerTests`. A test may only skip when it declares
//!    the skip and its reason up front (`skip: { when, reason }`); any other skip is a failure.
//!
//! Expects the packages built by the earlier step of `cargo xtask test` (`pkg/`,
//! `pkg-bundler/`), building them only when missing, and the npm packages installed by
//! `cargo xtask setup` (`npm ci` in `tests/ts` and `examples/bundler-app`).

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::report::Report;
use crate::browser::server::Server;
use crate::browser::webdriver::Driver;
use crate::browser::Browser;
use crate::build::{self, Target};
use crate::process;
use crate::setup::Tools;

/// How long one test page may take in one browser (each test inside has its own 20 s deadline).
const PAGE_TIMEOUT: Duration = Duration::from_secs(240);

/// Fields every generated `package.json` must carry.
const PACKAGE_FIELDS: &[&str] = &[
    "name",
    "description",
    "version",
    "license",
    "repository",
    "files",
    "sideEffects",
];

/// Names the `.d.ts` must use for this package's API (the issue asks for these DOM types).
const DTS_NAMES: &[&str] = &[
    "onTrack",
    "connectPair",
    "TrackSubscription",
    "TrackView",
    "TrackCallback",
    "RTCPeerConnection",
    "RTCTrackEvent",
    "MediaStream",
    "MediaStreamTrack",
    "RTCRtpReceiver",
    "RTCRtpTransceiver",
];

/// Runs the whole suite, adding one entry per check and per page per browser.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let root = &tools.root;
    let web = package_dir(tools, Target::Web)?;
    let bundler = package_dir(tools, Target::Bundler)?;

    // 1. TypeScript.
    let ts = root.join("tests/ts");
    let tsc = npm_bin(&ts, "tsc")?;
    let (ok, _) = run_tsc(&tsc, &ts, "tsconfig.json")?;
    report.check("tsc --strict: tests/ts/consumer.ts compiles", ok);
    let (ok, lines) = run_tsc(&tsc, &ts, "tsconfig.must-fail.json")?;
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains("error TS")).collect();
    let expected = !ok
        && errors.len() == 1
        && errors
            .iter()
            .all(|l| l.starts_with("must_fail.ts(") && l.contains("error TS2322"));
    if !expected {
        println!(
            "xtask: must_fail.ts should fail with exactly one TS2322 error; tsc {}, errors: {errors:?}",
            if ok { "passed" } else { "failed" }
        );
    }
    report.check(
        "tsc --strict: tests/ts/must_fail.ts fails with its one TS2322",
        expected,
    );

    // 2. The generated types and package metadata.
    let problems = dts_problems(&web.join("rtc_peer.d.ts"))?;
    for p in &problems {
        println!("xtask: rtc_peer.d.ts: {p}");
    }
    report.check(
        "rtc_peer.d.ts: DOM types, no `any` / bare `Function`",
        problems.is_empty(),
    );
    for dir in [&web, &bundler] {
        let missing = missing_package_fields(&dir.join("package.json"))?;
        if !missing.is_empty() {
            println!(
                "xtask: {}/package.json lacks {}",
                dir.display(),
                missing.join(", ")
            );
        }
        let name = format!(
            "{}/package.json: publishable fields",
            dir.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
        report.check(&name, missing.is_empty());
    }

    // 3. The bundler example.
    let app = root.join("examples/bundler-app");
    let vite = npm_bin(&app, "vite")?;
    let built = process::status(
        Command::new(&tools.node)
            .arg(&vite)
            .arg("build")
            .current_dir(&app)
            .stdin(std::process::Stdio::null()),
    )?;
    report.check("examples/bundler-app: vite build", built);

    // 4. The pages, in every browser.
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let web_server = Server::start(
        loopback,
        vec![
            ("/".to_string(), root.join("tests/js")),
            ("/pkg/".to_string(), web.clone()),
        ],
    )?;
    let dist = app.join("dist");
    let bundler_server = if built {
        Some(Server::start(loopback, vec![("/".to_string(), dist)])?)
    } else {
        None
    };
    for &browser in &tools.settings.browsers {
        let pages = [
            ("JS tests, --target web", Some(&web_server)),
            ("JS tests, Vite + --target bundler", bundler_server.as_ref()),
        ];
        if let Err(err) = run_pages(tools, browser, &pages, report) {
            report.fail("JS package pages", Some(browser), &format!("{err:#}"));
        }
    }
    Ok(())
}

/// The package out-dir for `target`; built now only if it has not been built yet.
fn package_dir(tools: &Tools, target: Target) -> Result<PathBuf> {
    let out = match target {
        Target::Web => &tools.settings.web_out_dir,
        Target::Bundler => &tools.settings.bundler_out_dir,
    };
    let dir = tools.root.join(out);
    if dir.join("rtc_peer.js").is_file() && dir.join("rtc_peer_bg.wasm").is_file() {
        Ok(dir)
    } else {
        build::package(tools, target)
    }
}

/// `<dir>/node_modules/.bin/<name>` (resolved to the real script, run with node).
fn npm_bin(dir: &Path, name: &str) -> Result<PathBuf> {
    let bin = dir.join("node_modules/.bin").join(name);
    fs::canonicalize(&bin).with_context(|| {
        format!(
            "{} is missing: run `cargo xtask setup` (npm ci in {})",
            bin.display(),
            dir.display()
        )
    })
}

/// `tsc -p <config> --strict --noEmit` in `dir`: (passed, output lines).
fn run_tsc(tsc: &Path, dir: &Path, config: &str) -> Result<(bool, Vec<String>)> {
    let out = process::stream(
        Command::new(tsc)
            .args(["-p", config, "--strict", "--noEmit", "--pretty", "false"])
            .current_dir(dir),
        Duration::from_secs(10 * 60),
    )?;
    Ok((out.status.is_some_and(|s| s.success()), out.lines))
}

/// What is wrong with the API part of a generated `.d.ts` (empty: nothing).
fn dts_problems(path: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(api_problems(&text))
}

fn api_problems(text: &str) -> Vec<String> {
    // wasm-bindgen's init declarations (raw wasm exports typed `any`) follow the API.
    let api = text
        .find("export type InitInput")
        .map_or(text, |end| &text[..end]);
    let code = strip_comments(api);
    let tokens: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|t| !t.is_empty())
        .collect();
    let mut problems = Vec::new();
    for bad in ["any", "Function"] {
        let n = tokens.iter().filter(|t| **t == bad).count();
        if n > 0 {
            problems.push(format!(
                "`{bad}` appears {n} time(s) in the API declarations"
            ));
        }
    }
    for name in DTS_NAMES {
        if !tokens.contains(name) {
            problems.push(format!("`{name}` does not appear in the API declarations"));
        }
    }
    problems
}

/// `text` without `/* … */` and `// …` comments.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
            out.push(' ');
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

fn missing_package_fields(path: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(PACKAGE_FIELDS
        .iter()
        .filter(|f| json.get(**f).is_none_or(|v| v.is_null()))
        .map(|f| f.to_string())
        .collect())
}

/// Opens each page (when its server runs) in one session of `browser` and records its results.
fn run_pages(
    tools: &Tools,
    browser: Browser,
    pages: &[(&str, Option<&Server>)],
    report: &mut Report,
) -> Result<()> {
    let driver = Driver::start(tools, browser)?;
    let session = driver.session()?;
    for (name, server) in pages {
        let Some(server) = server else {
            report.fail(
                name,
                Some(browser),
                "not run: its page did not build (see above)",
            );
            continue;
        };
        let url = format!("{}index.html", server.url());
        let outcome = (|| -> Result<Value> {
            session.goto(&url)?;
            session.wait_until(
                "window.__rtcPeerTests && window.__rtcPeerTests.done",
                PAGE_TIMEOUT,
                &format!("the tests of {url} to finish"),
            )?;
            session.execute("return window.__rtcPeerTests;", vec![])
        })();
        match outcome {
            Ok(results) => record(name, browser, &results, report)?,
            Err(err) => report.fail(name, Some(browser), &format!("{err:#}")),
        }
    }
    Ok(())
}

/// Prints every test of a page and adds the page's counts to `report`. A skip counts as a
/// failure unless the test declared it with its reason (`declared: true` from the harness).
fn record(name: &str, browser: Browser, results: &Value, report: &mut Report) -> Result<()> {
    let tests = results["results"]
        .as_array()
        .ok_or_else(|| anyhow!("{name}: the page published no results array: {results}"))?;
    let (mut passed, mut failed) = (0u32, 0u32);
    for test in tests {
        let field = |key: &str| test[key].as_str().unwrap_or("");
        let (status, test_name, message) = (field("status"), field("name"), field("message"));
        println!(
            "  {status:<7} {test_name} ({} ms)",
            test["ms"].as_u64().unwrap_or(0)
        );
        let why = message.lines().next().unwrap_or("");
        match status {
            "passed" => passed += 1,
            "skipped" if test["declared"] == true && !why.trim().is_empty() => {
                println!("          {why}");
                report.left_out(
                    name,
                    Some(browser),
                    test_name,
                    &format!("declared skip: {why}"),
                );
            }
            _ => {
                failed += 1;
                if status == "skipped" {
                    println!("          a skip without a declared reason counts as a failure");
                }
                for line in message.lines() {
                    println!("          {line}");
                }
            }
        }
    }
    if tests.is_empty() {
        bail!("{name}: the page ran no test");
    }
    report.add(name, Some(browser), passed, failed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_do_not_count_but_code_does() {
        let dts =
            "/** may be called any number of times */\nexport function f(a: Foo): void;\n// any\n";
        assert!(!strip_comments(dts).contains("any"));
        let problems = api_problems("export function onTrack(pc: any, cb: Function): void;");
        assert!(problems.iter().any(|p| p.contains("`any`")), "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("`Function`")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_skip_counts_as_failed_unless_declared_with_its_reason() {
        let page =
            |test: Value| json_results(vec![json!({"name": "ok", "status": "passed"}), test]);
        for (test, failed) in [
            (
                json!({"name": "s", "status": "skipped", "message": "no using"}),
                1,
            ),
            (
                json!({"name": "s", "status": "skipped", "declared": true, "message": ""}),
                1,
            ),
            (
                json!({"name": "s", "status": "skipped", "declared": true, "message": "no using"}),
                0,
            ),
            (
                json!({"name": "s", "status": "failed", "message": "boom"}),
                1,
            ),
        ] {
            let mut r = Report::default();
            record("page", Browser::Firefox, &page(test.clone()), &mut r).unwrap();
            assert_eq!(r.failed(), failed, "{test}");
        }
        let mut r = Report::default();
        assert!(record("page", Browser::Firefox, &json_results(vec![]), &mut r).is_err());
    }

    fn json_results(tests: Vec<Value>) -> Value {
        json!({ "done": true, "results": tests })
    }

    #[test]
    fn the_init_part_is_ignored() {
        let names = DTS_NAMES.join(" ");
        let dts = format!("export declare {names};\nexport type InitInput = any;\n");
        assert_eq!(api_problems(&dts), Vec::<String>::new());
    }
}
