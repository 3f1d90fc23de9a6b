//! The JavaScript package suite: what a JS or TypeScript developer gets from the wasm-pack
//! packages.
//!
//! 1. `tsc --strict --noEmit` passes on `tests/ts/consumer.ts` and fails on
//!    `tests/ts/must_fail.ts` with exactly its one deliberate TS2322, so it cannot pass vacuously.
//! 2. The API part of `rtc_peer.d.ts` has no `any` nor bare `Function` and names the DOM types;
//!    it declares exactly what the glue exports (each class with its members), so declarations
//!    written by hand cannot drift from the code; both `package.json`s carry the fields a
//!    publishable package needs.
//! 3. `examples/bundler-app` (Vite over the `--target bundler` package) builds.
//! 4. `tests/js/index.html` (over the `--target web` package) and the built bundler app run the
//!    JS tests in every browser; each page publishes `window.__rtcPeerTests`. A skip counts as
//!    failed unless the test declared it with its reason (`skip: { when, reason }`).
//!
//! Runs on the two package folders xtask built (`--target web`, `--target bundler`) and the npm
//! packages `cargo xtask setup` installed.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

use crate::browser::server::Server;
use crate::browser::webdriver::Driver;
use crate::browser::Browser;
use crate::process;
use crate::report::Report;
use crate::Tools;

/// How long one test page may take in one browser (each test inside has its own 20 s deadline).
const PAGE_TIMEOUT: Duration = Duration::from_secs(240);

/// Fields every generated `package.json` must carry.
const PACKAGE_FIELDS: &[&str] =
    &["name", "description", "version", "license", "repository", "files", "sideEffects"];

/// Names the `.d.ts` must use for this package's API, separated by spaces.
const DTS_NAMES: &str = "onTrack connectPair TrackSubscription TrackView TrackCallback \
    RTCPeerConnection RTCTrackEvent MediaStream MediaStreamTrack RTCRtpReceiver RTCRtpTransceiver";

/// Runs the whole suite on the `--target web` package in `web` and the `--target bundler` one
/// in `bundler`, adding one entry per check and per page per browser.
pub fn run(tools: &Tools, web: &Path, bundler: &Path, report: &mut Report) -> Result<()> {
    let root = &tools.root;

    // 1. TypeScript.
    let ts = root.join("tests/ts");
    let tsc = npm_bin(&ts, "tsc")?;
    let tsc = |config: &str| -> Result<(bool, Vec<String>)> {
        let args = ["-p", config, "--strict", "--noEmit", "--pretty", "false"];
        let out = process::stream(
            Command::new(&tsc).args(args).current_dir(&ts),
            Duration::from_secs(600),
        )?;
        Ok((out.status.is_some_and(|s| s.success()), out.lines))
    };
    report.check("tsc --strict: tests/ts/consumer.ts compiles", tsc("tsconfig.json")?.0);
    let (ok, lines) = tsc("tsconfig.must-fail.json")?;
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains("error TS")).collect();
    let expected = !ok
        && matches!(&errors[..], [e] if e.starts_with("must_fail.ts(") && e.contains("error TS2322"));
    if !expected {
        println!("xtask: must_fail.ts should fail with exactly one TS2322 (tsc passed: {ok}): {errors:?}");
    }
    report.check("tsc --strict: tests/ts/must_fail.ts fails with its one TS2322", expected);

    // 2. The generated types and package metadata.
    let dts = fs::read_to_string(web.join("rtc_peer.d.ts")).context("reading rtc_peer.d.ts")?;
    let mut problems = api_problems(&dts);
    problems.extend(
        DTS_NAMES
            .split_whitespace()
            .filter(|n| !api_tokens(&dts).contains(n))
            .map(|n| format!("`{n}` is not named")),
    );
    for p in &problems {
        println!("xtask: rtc_peer.d.ts: {p}");
    }
    report.check("rtc_peer.d.ts: DOM types, no `any` / bare `Function`", problems.is_empty());
    let glue = fs::read_to_string(web.join("rtc_peer.js")).context("reading rtc_peer.js")?;
    let drift = declaration_drift(&glue, &dts);
    for d in &drift {
        println!("xtask: rtc_peer.d.ts against rtc_peer.js: {d}");
    }
    report.check("rtc_peer.d.ts declares exactly what rtc_peer.js exports", drift.is_empty());
    for dir in [web, bundler] {
        let path = dir.join("package.json");
        let json: Value = serde_json::from_str(&fs::read_to_string(&path)?)
            .with_context(|| format!("parsing {}", path.display()))?;
        let missing: Vec<&str> = PACKAGE_FIELDS
            .iter()
            .copied()
            .filter(|f| json.get(f).is_none_or(Value::is_null))
            .collect();
        if !missing.is_empty() {
            println!("xtask: {} lacks {}", path.display(), missing.join(", "));
        }
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        report.check(&format!("{name}/package.json: publishable fields"), missing.is_empty());
    }

    // 3. The bundler example.
    let app = root.join("examples/bundler-app");
    let mut vite = Command::new(&tools.node);
    vite.arg(npm_bin(&app, "vite")?)
        .arg("build")
        .current_dir(&app)
        .stdin(std::process::Stdio::null());
    let built = process::status(&mut vite)?;
    report.check("examples/bundler-app: vite build", built);

    // 4. The pages, in every browser.
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let web_pages =
        vec![("/".to_string(), root.join("tests/js")), ("/pkg/".to_string(), web.to_path_buf())];
    let web_server = Server::start(loopback, web_pages)?;
    let bundler_server = if built {
        Some(Server::start(loopback, vec![("/".to_string(), app.join("dist"))])?)
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

/// `<dir>/node_modules/.bin/<name>` (resolved to the real script, run with node).
fn npm_bin(dir: &Path, name: &str) -> Result<PathBuf> {
    let bin = dir.join("node_modules/.bin").join(name);
    fs::canonicalize(&bin)
        .with_context(|| format!("{} is missing: run `cargo xtask setup`", bin.display()))
}

/// The identifiers of the API part of a `.d.ts`: before wasm-bindgen's init declarations
/// (raw wasm exports typed `any`), comment lines left out.
fn api_tokens(dts: &str) -> Vec<&str> {
    let api = dts.find("export type InitInput").map_or(dts, |end| &dts[..end]);
    let code =
        api.lines().filter(|l| !["/*", "*", "//"].iter().any(|c| l.trim_start().starts_with(c)));
    code.flat_map(|l| l.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')))
        .filter(|t| !t.is_empty())
        .collect()
}

/// `any` or bare `Function` in the API part of a `.d.ts` (empty: none).
pub fn api_problems(dts: &str) -> Vec<String> {
    let tokens = api_tokens(dts);
    let count = |bad: &&str| tokens.iter().filter(|t| *t == bad).count();
    ["any", "Function"]
        .iter()
        .filter(|b| count(b) > 0)
        .map(|b| format!("`{b}` appears {} time(s)", count(b)))
        .collect()
}

/// The exports of a module and its `.d.ts`: every top-level `export class` / `export function`
/// (with `declare` or not), the names of an `export { .. }` list but `default`, and each class's members as `Class.member`. In the glue a member is
/// a four-space-indented method or accessor, wasm-bindgen's internals (`__wrap`, `__destroy_into_raw`)
/// left out; in the `.d.ts` it is a four-space-indented name before `(` or `:`, the private
/// constructor left out.
fn exported_names(source: &str, declarations: bool) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut class: Option<String> = None;
    for line in source.lines() {
        let top = line.strip_prefix("export ").map(|l| l.strip_prefix("declare ").unwrap_or(l));
        if let Some(list) = top.and_then(|l| l.strip_prefix('{')) {
            // `export { initSync, __wbg_init as default };`: each name as it is exported.
            let list = list.split('}').next().unwrap_or_default().split(',');
            let exported = list.filter_map(|item| item.split(" as ").last().map(str::trim));
            names.extend(exported.filter(|n| !n.is_empty() && *n != "default").map(String::from));
            class = None;
            continue;
        }
        if let Some(rest) = top {
            let (kind, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let name: String =
                rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let exported = matches!(kind, "class" | "function") && !name.is_empty();
            if exported {
                names.insert(name.clone());
            }
            class = (exported && kind == "class").then_some(name);
            continue;
        }
        if line.starts_with('}') {
            class = None;
        }
        let (Some(class), Some(member)) = (&class, line.strip_prefix("    ")) else { continue };
        let member = member.strip_prefix("static ").unwrap_or(member);
        let member = ["get ", "set ", "readonly "]
            .iter()
            .fold(member, |m, p| m.strip_prefix(p).unwrap_or(m));
        let name: String =
            member.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let next = member[name.len()..].chars().next();
        let internal =
            ["__wrap", "__destroy_into_raw", "constructor", "private"].contains(&name.as_str());
        let shaped = if declarations { matches!(next, Some('(' | ':')) } else { next == Some('(') };
        if !name.is_empty() && shaped && !internal {
            names.insert(format!("{class}.{name}"));
        }
    }
    names
}

/// What the `.d.ts` declares that the glue does not export, and the reverse (empty: they agree).
fn declaration_drift(glue: &str, dts: &str) -> Vec<String> {
    let (exported, declared) = (exported_names(glue, false), exported_names(dts, true));
    let only = |a: &std::collections::BTreeSet<String>,
                b: &std::collections::BTreeSet<String>,
                what: &str| {
        a.difference(b).map(|n| format!("`{n}` {what}")).collect::<Vec<_>>()
    };
    let mut drift = only(&declared, &exported, "is declared but not exported");
    drift.extend(only(&exported, &declared, "is exported but not declared"));
    drift
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
            report.fail(name, Some(browser), "not run: its page did not build (see above)");
            continue;
        };
        let url = format!("{}index.html", server.url());
        let outcome = session.goto(&url).and_then(|()| {
            let done = "window.__rtcPeerTests && window.__rtcPeerTests.done";
            session.wait_until(done, PAGE_TIMEOUT, &format!("the tests of {url} to finish"))?;
            session.execute("return window.__rtcPeerTests;", vec![])
        });
        match outcome.and_then(|page| record(name, browser, page, report)) {
            Ok(()) => {}
            Err(err) => report.fail(name, Some(browser), &format!("{err:#}")),
        }
    }
    Ok(())
}

/// One test as a page publishes it.
#[derive(Deserialize)]
struct PageTest {
    name: String,
    status: String,
    #[serde(default)]
    message: String,
    /// Set by the harness when the test declared its skip (with `when` and a `reason`).
    #[serde(default)]
    declared: bool,
    #[serde(default)]
    ms: f64,
}

/// Prints every test of a page and adds the page's counts to `report`. A skip counts as a
/// failure unless the test declared it with its reason.
fn record(name: &str, browser: Browser, page: Value, report: &mut Report) -> Result<()> {
    #[derive(Deserialize)]
    struct Page {
        results: Vec<PageTest>,
    }
    let tests = serde_json::from_value::<Page>(page)
        .with_context(|| format!("{name}: no results"))?
        .results;
    if tests.is_empty() {
        bail!("{name}: the page ran no test");
    }
    let (mut passed, mut failed) = (0, 0);
    for t in &tests {
        println!("  {:<7} {} ({:.0} ms)", t.status, t.name, t.ms);
        let why = t.message.lines().next().unwrap_or("").trim();
        match t.status.as_str() {
            "passed" => passed += 1,
            "skipped" if t.declared && !why.is_empty() => {
                report.left_out(name, Some(browser), &t.name, &format!("declared skip: {why}"));
            }
            status => {
                failed += 1;
                if status == "skipped" {
                    println!("          a skip without a declared reason counts as a failure");
                }
                t.message.lines().for_each(|l| println!("          {l}"));
            }
        }
    }
    report.add(name, Some(browser), passed, failed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn any_and_function_count_in_code_not_in_comments_nor_the_init_part() {
        let dts =
            "/** may be called any number of times */\nexport function f(a: Foo): void;\n// any\n";
        assert_eq!(api_problems(dts), Vec::<String>::new());
        let problems = api_problems("export function onTrack(pc: any, cb: Function): void;");
        assert_eq!(problems, ["`any` appears 1 time(s)", "`Function` appears 1 time(s)"]);
        let dts = format!("export declare {DTS_NAMES};\nexport type InitInput = any;\n");
        assert_eq!(api_problems(&dts), Vec::<String>::new());
        assert!(DTS_NAMES.split_whitespace().all(|n| api_tokens(&dts).contains(&n)));
    }

    #[test]
    fn the_declarations_must_name_every_export_and_member_and_nothing_else() {
        let glue = "export class Sub {\n    static __wrap(ptr) {\n        return 1;\n    }\n    free() {\n    }\n    get active() {\n        if (x) {\n        }\n    }\n    dispose() {\n    }\n}\nexport function onTrack(pc, cb) {\n}\nfunction helper() {}\nexport { initSync, __wbg_init as default };\n";
        let dts = "export class Sub {\n    private constructor();\n    free(): void;\n    /**\n     * Stops: idempotent.\n     */\n    dispose(): void;\n    readonly active: boolean;\n}\nexport function onTrack(pc: RTCPeerConnection, cb: Cb): Sub;\nexport interface Cb {\n    x: number;\n}\nexport function initSync(m: Module): Out;\nexport default function __wbg_init(m?: Input): Promise<Out>;\n";
        assert_eq!(declaration_drift(glue, dts), Vec::<String>::new());
        let stale = dts.replace("    dispose(): void;\n", "").replace("onTrack", "on_track");
        assert_eq!(
            declaration_drift(glue, &stale),
            [
                "`on_track` is declared but not exported",
                "`Sub.dispose` is exported but not declared",
                "`onTrack` is exported but not declared"
            ]
        );
    }

    #[test]
    fn a_skip_counts_as_failed_unless_declared_with_its_reason() {
        for (test, failed) in [
            (json!({"name": "s", "status": "skipped", "message": "no using"}), 1),
            (json!({"name": "s", "status": "skipped", "declared": true, "message": ""}), 1),
            (json!({"name": "s", "status": "skipped", "declared": true, "message": "no using"}), 0),
            (json!({"name": "s", "status": "failed", "message": "boom"}), 1),
        ] {
            let page =
                json!({ "done": true, "results": [{"name": "ok", "status": "passed"}, test] });
            let mut r = Report::default();
            record("page", Browser::Firefox, page, &mut r).unwrap();
            assert_eq!(r.failed(), failed, "{test}");
        }
        let empty = json!({ "done": true, "results": [] });
        assert!(record("page", Browser::Firefox, empty, &mut Report::default()).is_err());
    }
}
