//! `cargo xtask build`: the wasm package, release, with wasm-pack (`--no-opt`; out-dirs, scope
//! and features from `wasm-pack.toml`), then binaryen's `wasm-opt` with the arguments a plain
//! `wasm-pack build` uses (Cargo.toml's `[package.metadata.wasm-pack.profile.release]`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{flags, setup};
use harness::process;
use harness::Tools;

/// The wasm-pack `--target`s we ship: `web` into `pkg/` (what the demo imports), `bundler` into
/// `pkg-bundler/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Web,
    Bundler,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Web => "web",
            Target::Bundler => "bundler",
        }
    }
}

pub fn run(flags: &flags::Build) -> Result<()> {
    let tools = setup::ensure()?;
    package(&tools, if flags.bundler { Target::Bundler } else { Target::Web }).map(drop)
}

/// Builds the npm package (features from `wasm-pack.toml`) and returns its out-dir (absolute).
pub fn package(tools: &Tools, target: Target) -> Result<PathBuf> {
    let settings = &tools.settings;
    let out_dir = match target {
        Target::Web => &settings.web_out_dir,
        Target::Bundler => &settings.bundler_out_dir,
    };
    package_with(tools, target, out_dir, &settings.features)
}

/// Builds the package with `features` into `out_dir` (relative to the repo root or absolute)
/// and returns the out-dir (absolute).
pub fn package_with(
    tools: &Tools,
    target: Target,
    out_dir: &str,
    features: &[String],
) -> Result<PathBuf> {
    let settings = &tools.settings;
    let mut cmd = wasm_pack(tools);
    cmd.args(["--release", "--no-opt", "--target", target.name(), "--out-dir", out_dir]);
    if let Some(scope) = &settings.scope {
        cmd.args(["--scope", scope]);
    }
    if !features.is_empty() {
        cmd.args(["--", "--features", &features.join(",")]);
    }
    let out = tools.root.join(out_dir);
    clear_out_dir(&out)?;
    built(tools, &mut cmd, &out.join("rtc_peer_bg.wasm"), true)?;
    Ok(out)
}

/// Removes a package out-dir before a build writes it: wasm-pack leaves files of an earlier
/// build there (a snippet the crate no longer has), which the tests would load and the size
/// figures count.
pub fn clear_out_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// `wasm-pack build` from the repository root, for its arguments: a crate folder first when
/// not the library's (`--out-dir` is relative to that crate).
pub fn wasm_pack(tools: &Tools) -> Command {
    let mut cmd = Command::new(&tools.wasm_pack);
    cmd.current_dir(&tools.root).arg("build");
    cmd
}

/// Runs `cmd`, a [`wasm_pack`] build, checks that it wrote `wasm` and, with `optimize`, runs
/// wasm-opt on it ([`optimize`]).
pub fn built(tools: &Tools, cmd: &mut Command, wasm: &Path, optimize: bool) -> Result<()> {
    process::run(cmd)?;
    if !wasm.is_file() {
        bail!("wasm-pack succeeded but {} is missing", wasm.display());
    }
    if optimize {
        self::optimize(tools, wasm, &[])?;
    }
    Ok(())
}

/// Runs wasm-opt on `wasm` in place, with the release arguments (Cargo.toml's metadata) and
/// `extra` ones.
pub fn optimize(tools: &Tools, wasm: &Path, extra: &[&str]) -> Result<()> {
    let optimized = wasm.with_extension("opt.wasm");
    let mut cmd = Command::new(tools.wasm_opt());
    process::run(
        cmd.args(&tools.settings.wasm_opt).args(extra).arg(wasm).arg("-o").arg(&optimized),
    )?;
    fs::rename(&optimized, wasm)
        .with_context(|| format!("moving {} over {}", optimized.display(), wasm.display()))
}
