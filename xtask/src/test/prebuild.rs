//! Everything the browser phases need, built before they run: they run in a network namespace
//! where no registry is reachable, and building there would also cost the run its time twice.
//!
//! Inside, [`check_nothing_rebuilt`] asks cargo for the same test binaries again (offline) and
//! fails if it compiles anything.

use std::fs;

use anyhow::{Context, Result};

use crate::bench;
use crate::build::{self, Target};
use harness::process;
use harness::Tools;

use super::wasm_suites;
use harness::report::Report;

/// `cargo test … --lib --tests --no-run`: every wasm test binary, built, none run.
fn test_binaries(tools: &Tools, package: &str) -> std::process::Command {
    let mut cmd = process::cargo();
    cmd.current_dir(&tools.root)
        .args(wasm_suites::CARGO_TEST)
        .args(["-p", package, "--lib", "--tests", "--no-run"]);
    cmd
}

/// Builds everything the browser phases use; one check per build.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    let mut check = |name: &str, built: Result<()>| {
        if let Err(err) = &built {
            println!("xtask: {name}: {err:#}");
        }
        report.check(name, built.is_ok());
    };
    for target in [Target::Web, Target::Bundler] {
        check(
            &format!("wasm-pack build --target {}", target.name()),
            build::package(tools, target).map(drop),
        );
    }
    check("the demo app builds (www/pkg)", crate::demo::build_app(tools).map(drop));
    check("the Janus example builds", crate::janus_example::build(tools));

    // A binary that does not compile is reported by its own suite (compiled again there).
    for &(package, _) in wasm_suites::PACKAGES {
        let built = process::stream(&mut test_binaries(tools, package), process::LONG)?;
        let built = built.status.filter(|s| s.success()).map(drop).context("see its output above");
        check(&format!("wasm test binaries of {package} build (cargo test --no-run)"), built);
    }

    // Removed first, so a failed build is never replaced by a stale page.
    let smoke = bench::smoke::out_dir(tools);
    let _ = fs::remove_dir_all(smoke.join("pkg"));
    check("bench smoke package builds", bench::build_bench(tools, &smoke, false).map(drop));
    Ok(())
}

/// Runs the build of [`run`] again and fails if cargo compiles anything: the prebuilt test
/// binaries are the ones the suites run, and nothing needs the network.
pub fn check_nothing_rebuilt(tools: &Tools, report: &mut Report) -> Result<()> {
    const NAME: &str = "nothing compiled after the build step";
    let mut ok = true;
    let mut lines = Vec::new();
    for &(package, _) in wasm_suites::PACKAGES {
        let again = process::stream(&mut test_binaries(tools, package), process::LONG)?;
        ok &= again.status.is_some_and(|s| s.success());
        lines.extend(again.lines);
    }
    let root = tools.root.to_string_lossy();
    let (local, registry) = compiled_crates(&lines, &root);
    if !local.is_empty() {
        println!(
            "xtask: NOTE: the workspace's own crates were compiled again (no registry needed): {}",
            local.join(", ")
        );
    }
    if registry.is_empty() && ok {
        report.check(NAME, true);
    } else {
        report.fail(
            NAME,
            None,
            &format!(
                "cargo (succeeded: {ok}) compiled {} dependency crate(s) again: {} (did the \
                 build before the namespace fail, or do the flags differ?)",
                registry.len(),
                registry.join(", ")
            ),
        );
    }
    Ok(())
}

/// The `Compiling …` lines of a cargo run, split into crates of the workspace under `root`
/// (their line names a path under it) and all others (registry dependencies).
fn compiled_crates<'a>(lines: &'a [String], root: &str) -> (Vec<&'a str>, Vec<&'a str>) {
    let under_root = format!("({root}");
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("Compiling "))
        .partition(|l| l.contains(&under_root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_registry_crates_compiled_again_fail_the_check() {
        let lines: Vec<String> = [
            "   Compiling rtc-peer v0.1.0 (/repo)",
            "   Compiling rtc-peer-test-support v0.0.0 (/repo/tests/support)",
            "   Compiling web-sys v0.3.107",
            "    Finished `dev` profile",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (local, registry) = compiled_crates(&lines, "/repo");
        assert_eq!(local.len(), 2, "{local:?}");
        assert_eq!(registry, ["Compiling web-sys v0.3.107"]);
        let (_, registry) = compiled_crates(&lines[..2], "/repo");
        assert!(registry.is_empty());
        // A crate of another checkout is not ours.
        let (_, registry) = compiled_crates(&lines[..1], "/other");
        assert_eq!(registry.len(), 1);
    }
}
