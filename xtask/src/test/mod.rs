//! `cargo xtask test`: every check, every suite, both browsers, one summary.
//!
//! Steps run in order and a failing step never stops the next one; the command fails at the
//! end if anything failed. Every child process has a deadline. The last line printed is
//! `N passed, N failed`. xtask builds, serves and orchestrates; the page suites, the servers
//! they drive and the report are the harness's (`harness::suites`, `harness::report`).

mod libtest;
mod plain_build;
mod prebuild;
pub mod secret_scan;
mod wasm_suites;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use harness::browser::Browser;
use harness::report::Report;
use harness::suites::{abuse, e2e, js_tests, rooms};
use harness::turn_config::{self, TurnConfig};
use harness::{coturn, process, Tools};
use serde_json::Value;

use crate::build::{self, Target};
use crate::netns::{self, Network};
use crate::{demo, flags, setup};

/// How long the browser phases may take in all (each has its own deadlines inside).
const BROWSER_PHASES_DEADLINE: Duration = Duration::from_secs(2 * 60 * 60);

/// The static checks: (name, `cargo` arguments).
const STATIC_CHECKS: &[(&str, &str)] = &[
    ("cargo fmt --check", "fmt --all --check"),
    (
        "clippy rtc-peer wasm32",
        "clippy --target wasm32-unknown-unknown -p rtc-peer --all-targets --all-features -- -D warnings",
    ),
    (
        "clippy rtc-peer wasm32, no default features",
        "clippy --target wasm32-unknown-unknown -p rtc-peer --lib --no-default-features -- -D warnings",
    ),
    (
        "clippy demo app wasm32",
        "clippy --target wasm32-unknown-unknown -p rtc-peer-demo --all-targets -- -D warnings",
    ),
    ("clippy xtask", "clippy -p xtask --all-targets -- -D warnings"),
    ("clippy harness", "clippy -p rtc-peer-harness --all-targets -- -D warnings"),
];

/// Runs everything; `Ok(false)` when some check or test failed.
pub fn run(flags: &flags::Test) -> Result<bool> {
    let started = Instant::now();
    let network = Network::from_host_network_flag(flags.host_network);
    let tools = setup::ensure()?;
    network.check()?;
    let browsers = tools.settings.browsers.clone();
    let mut report = Report::default();

    // 1. Formatting and lints.
    report.suite("static checks", &[], |r| {
        for (name, args) in STATIC_CHECKS {
            check(&tools, r, name, args)?;
        }
        Ok(())
    });

    // 2. Host tests: the library's unit tests (none today), its doctests (`no_run` ones only
    //    compile), the Janus client's, the signalling relay's, xtask's and the harness's.
    report.suite("host tests", &[], |r| {
        wasm_suites::host(&tools, "rtc-peer", &["-p", "rtc-peer", "--lib"], r)?;
        wasm_suites::host(&tools, "rtc-peer", &["-p", "rtc-peer", "--doc"], r)?;
        wasm_suites::host(&tools, "janus-videoroom", &["-p", "janus-videoroom", "--lib"], r)?;
        wasm_suites::host(&tools, "rtc-peer-relay", &["-p", "rtc-peer-relay"], r)?;
        wasm_suites::host(&tools, "xtask", &["-p", "xtask"], r)?;
        wasm_suites::host(&tools, "rtc-peer-harness", &["-p", "rtc-peer-harness"], r)
    });

    // 3. Everything the browser phases need, built here where registries are reachable.
    //    On the host network the TURN config endpoint's port is chosen first: the wasm suites
    //    are compiled with it (it is no secret; the credential reaches them at run time).
    let host_config = match network {
        Network::Namespace => None,
        Network::Host => {
            let listener = turn_config::listen_any()?;
            let port = listener.local_addr()?.port();
            std::env::set_var(turn_config::PORT_VAR, port.to_string());
            Some(listener)
        }
    };
    report.suite(plain_build::SUITE, &[], |r| plain_build::run(&tools, r));
    report.suite(crate::size::budget::SUITE, &[], |r| crate::size::budget::check(&tools, r));
    report.suite("build for the browser phases", &[], |r| prebuild::run(&tools, r));

    // 4. The browser phases, in the run's own network namespace (or, asked for, on the host).
    match host_config {
        None => report.suite("browser phases in a network namespace", &browsers, |r| {
            let value = netns::run_inside("test", &[], BROWSER_PHASES_DEADLINE)?;
            r.merge(serde_json::from_value(value)?);
            Ok(())
        }),
        Some(listener) => browser_phases(&tools, listener, &mut report),
    }

    report.expect_browsers(&browsers);
    let secs = started.elapsed().as_secs();
    println!("\nxtask: test took {}m{:02}s", secs / 60, secs % 60);
    report.print_summary();
    Ok(report.failed() == 0)
}

/// `xtask __in-netns test`: the browser phases inside the namespace; their report as JSON.
pub fn inside(_args: &[String]) -> Result<Value> {
    let tools = setup::ensure()?;
    let mut report = Report::default();
    let listener = turn_config::listen_namespace()?;
    browser_phases(&tools, listener, &mut report);
    Ok(serde_json::to_value(&report)?)
}

/// Every phase that runs a browser: coturn with its config endpoint on `config_listener`, the
/// wasm suites, e2e, abuse, the JS package and the bench smoke test; then the search of
/// `target/` for the TURN credential.
fn browser_phases(tools: &Tools, config_listener: TcpListener, report: &mut Report) {
    let browsers = tools.settings.browsers.clone();
    // A TURN server on loopback for the relay tests; its URL and credentials reach the wasm
    // suites at run time, from the config endpoint. Without it the TURN tests fail.
    let credential_made = std::time::SystemTime::now();
    let turn = coturn::Turn::start(tools).and_then(|t| {
        let config = TurnConfig::start(config_listener, &t)?;
        Ok((t, config))
    });
    match &turn {
        Ok((t, config)) => println!(
            "xtask: coturn listening on {} (pid {}); its credentials at {}",
            t.url(),
            t.pid(),
            config.url()
        ),
        Err(e) => report.fail("coturn", None, &format!("{e:#}")),
    }
    // The SFU of the Janus suites (examples/janus-videoroom), its URL served at run time.
    let janus = harness::janus::endpoint::Running::start(&tools.janus);
    match &janus {
        Ok(j) => println!("xtask: {}", j.describe()),
        Err(e) => report.fail("janus", None, &format!("{e:#}")),
    }
    report.suite("fresh test binaries", &[], |r| prebuild::check_nothing_rebuilt(tools, r));

    // The wasm-bindgen-test suites, in every browser from wasm-pack.toml (Chromium, Firefox).
    for &browser in &browsers {
        report.suite(&format!("wasm suites in {browser}"), &[browser], |r| {
            wasm_suites::run(tools, browser, r)
        });
    }
    if let Ok((_, config)) = &turn {
        println!("xtask: the TURN config was read {} times", config.served());
        report.check("wasm suites read the TURN config at run time", config.served() > 0);
    }

    drop(janus);

    // The browser suites of the demo, the JS package and the bench page.
    report.suite(e2e::SUITE, &browsers, |r| on_demo(tools, r, e2e::run));
    report.suite(rooms::SUITE, &browsers, |r| on_demo(tools, r, rooms::run));
    report.suite("demo abuse", &browsers, |r| on_demo(tools, r, abuse::run));
    report.suite("JS package", &browsers, |r| js_package(tools, r));
    let smoke_browsers: [Browser; 1] = [crate::bench::smoke::BROWSER];
    report.suite("bench smoke", &smoke_browsers, |r| crate::bench::smoke::run(tools, r));
    report.suite(harness::janus::example::SUITE, &browsers, |r| {
        harness::janus::example::suite(tools, r)
    });

    if let Ok((t, config)) = turn {
        let credential = t.credential.clone();
        drop(config);
        drop(t);
        let target = setup::target_dir(&tools.root);
        secret_scan::check_target(report, &target, &credential, credential_made);
    }
}

/// A demo suite of the harness (`run`) on the app served for it with the page probe.
fn on_demo(tools: &Tools, report: &mut Report, run: DemoSuite) -> Result<()> {
    let server = demo::serve_for_tests(tools)?;
    run(tools, &server.url(), report)
}

/// A demo suite: the tools, the demo's URL, the report.
type DemoSuite = fn(&Tools, &str, &mut Report) -> Result<()>;

/// The JS package suite on the `--target web` and `--target bundler` packages the run built
/// before its browser phases (built here only when missing).
fn js_package(tools: &Tools, report: &mut Report) -> Result<()> {
    let [web, bundler] = [Target::Web, Target::Bundler].map(|target| package_dir(tools, target));
    js_tests::run(tools, &web?, &bundler?, report)
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

/// A pass/fail step: `cargo <args>` in the repo root.
fn check(tools: &Tools, report: &mut Report, name: &str, args: &str) -> Result<()> {
    let ok = process::status(
        process::cargo()
            .current_dir(&tools.root)
            .args(args.split_whitespace())
            .stdin(std::process::Stdio::null()),
    )?;
    report.check(name, ok);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One suite by itself (slow), in the test network for the TURN settings:
    /// `cargo xtask netns -- env XTASK_SUITE=rooms cargo test -p xtask -- --ignored --nocapture
    /// one_suite` (`e2e`, `rooms`, `abuse`, `plain-build`, `js`; `XTASK_E2E_ONLY` picks cases).
    /// `js` builds both packages first.
    #[test]
    #[ignore = "drives real browsers for minutes; `cargo xtask test` runs every suite"]
    fn one_suite() {
        let tools = setup::ensure().expect("tools");
        let suite = std::env::var("XTASK_SUITE").unwrap_or_default();
        let run = |tools: &Tools, r: &mut Report| match suite.as_str() {
            "e2e" => on_demo(tools, r, e2e::run),
            "rooms" => on_demo(tools, r, rooms::run),
            "abuse" => on_demo(tools, r, abuse::run),
            "plain-build" => plain_build::run(tools, r),
            // Built afresh: a package left by an earlier build may predate a change to src/.
            "js" => {
                let [web, bundler] =
                    [Target::Web, Target::Bundler].map(|t| build::package(tools, t));
                js_tests::run(tools, &web?, &bundler?, r)
            }
            _ => panic!("XTASK_SUITE={suite:?}: not e2e, rooms, abuse, plain-build or js"),
        };
        let mut report = Report::default();
        report.left_out(
            "cargo xtask test",
            None,
            "every other step",
            &format!("XTASK_SUITE={suite}"),
        );
        report.suite(&suite, &tools.settings.browsers, |r| run(&tools, r));
        report.print_summary();
        assert_eq!(report.failed(), 0);
    }

    /// The harness's WebDriver client drives the installed browsers (slow; needs the tools
    /// `cargo xtask setup` finds: `cargo test -p xtask -- --ignored drives_both`).
    #[test]
    #[ignore]
    fn drives_both_installed_browsers() {
        use serde_json::json;
        let tools = setup::ensure().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<!doctype html><body></body>").unwrap();
        let mounts = vec![("/".into(), dir.path().to_path_buf())];
        let server =
            harness::browser::server::Server::start("127.0.0.1:0".parse().unwrap(), mounts);
        let server = server.unwrap();
        for browser in Browser::ALL {
            let d = harness::browser::webdriver::Driver::start(&tools, browser).unwrap();
            let s = d.session().unwrap();
            s.goto(&server.url()).unwrap();
            s.execute("document.body.innerHTML = '<button id=b>x</button>'; document.getElementById('b').onclick = () => { window.clicked = 1 + arguments.length; }; return null;", vec![]).unwrap();
            let sum = s.execute("return arguments[0] + arguments[1];", vec![json!(2), json!(3)]);
            assert_eq!(sum.unwrap(), json!(5));
            let doubled = "const done = arguments[arguments.length - 1]; setTimeout(() => done(arguments[0] * 2), 50);";
            assert_eq!(s.execute_async(doubled, vec![json!(21)]).unwrap(), json!(42));
            s.click("#b").unwrap();
            let clicked = s.wait_until("window.clicked", Duration::from_secs(5), "the click");
            assert_eq!(clicked.unwrap(), json!(1));
            // JavaScript's truthiness: 0, "" and null keep it waiting; [] and {} end the wait.
            for falsy in ["window.never", "0", "''", "null", "false"] {
                let err = s.wait_until(falsy, Duration::from_millis(300), "never").unwrap_err();
                assert!(format!("{err}").contains("never"), "{falsy}: {err}");
            }
            for truthy in ["[]", "({})", "'x'", "1"] {
                s.wait_until(truthy, Duration::from_secs(5), truthy).unwrap();
            }
            assert_eq!(&s.screenshot_png().unwrap()[..8], b"\x89PNG\r\n\x1a\n");
            let (first, second) = (s.window_handle().unwrap(), s.new_window().unwrap());
            s.switch_to(&second).unwrap();
            assert_eq!(s.window_handle().unwrap(), second);
            s.switch_to(&first).unwrap();
            let media = s.execute_async("const done = arguments[arguments.length - 1]; navigator.mediaDevices.getUserMedia({video: true}).then(s => done(s.getVideoTracks().length), e => done(String(e)));", vec![]).unwrap();
            assert_eq!(media, json!(1), "{browser}");
        }
    }
}
