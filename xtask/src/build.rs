//! `cargo xtask build`: the wasm package, release, with wasm-pack (`--no-opt`; out-dirs, scope
//! and features from `wasm-pack.toml`), then binaryen's `wasm-opt` with the arguments a plain
//! `wasm-pack build` uses (Cargo.toml's `[package.metadata.wasm-pack.profile.release]`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::flags;
use crate::process;
use crate::setup::{self, Tools};

/// The wasm-pack `--target`s we ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `--target web` into `pkg/` (what the demo imports).
    Web,
    /// `--target bundler` into `pkg-bundler/`.
    Bundler,
}

impl Target {
    /// The wasm-pack `--target` value.
    pub fn name(self) -> &'static str {
        match self {
            Target::Web => "web",
            Target::Bundler => "bundler",
        }
    }
}

/// Sizes of a built package.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub wasm: u64,
    pub wasm_gz: u64,
    pub js: u64,
    pub js_gz: u64,
}

/// `cargo xtask build [--bundler]`.
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
    let mut cmd = Command::new(&tools.wasm_pack);
    cmd.current_dir(&tools.root)
        .args(["build", "--release", "--no-opt", "--target", target.name()])
        .args(["--out-dir", out_dir]);
    if let Some(scope) = &settings.scope {
        cmd.args(["--scope", scope]);
    }
    if !features.is_empty() {
        cmd.args(["--", "--features", &features.join(",")]);
    }
    process::run(&mut cmd)?;
    let out = tools.root.join(out_dir);
    let wasm = out.join("rtc_peer_bg.wasm");
    if !wasm.is_file() {
        bail!("wasm-pack succeeded but {} is missing", wasm.display());
    }

    optimize(tools, &wasm)?;

    let size = measure(&out)?;
    println!(
        "xtask: {} ({}): wasm {} B (gzip -9 {} B) + JS glue {} B (gzip -9 {} B) = gzip -9 {} B",
        out.display(),
        target.name(),
        size.wasm,
        size.wasm_gz,
        size.js,
        size.js_gz,
        size.wasm_gz + size.js_gz
    );
    Ok(out)
}

/// Runs wasm-opt on `wasm` in place, with the release arguments (Cargo.toml's metadata).
pub fn optimize(tools: &Tools, wasm: &Path) -> Result<()> {
    let optimized = wasm.with_extension("opt.wasm");
    process::run(
        Command::new(tools.wasm_opt())
            .args(&tools.settings.wasm_opt)
            .arg(wasm)
            .arg("-o")
            .arg(&optimized),
    )?;
    fs::rename(&optimized, wasm)
        .with_context(|| format!("moving {} over {}", optimized.display(), wasm.display()))
}

/// Raw and gzip -9 sizes of `rtc_peer_bg.wasm` and the JS glue (`rtc_peer.js` plus, for the
/// bundler target, `rtc_peer_bg.js`) in a package dir; each file compressed on its own.
pub fn measure(out: &Path) -> Result<Size> {
    let sizes = |files: &[&str]| -> Result<(u64, u64)> {
        let (mut raw, mut gz) = (0, 0);
        for f in files.iter().map(|f| out.join(f)).filter(|p| p.is_file()) {
            let bytes = fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
            raw += bytes.len() as u64;
            gz += gzip9(&bytes)?.len() as u64;
        }
        Ok((raw, gz))
    };
    let wasm = out.join("rtc_peer_bg.wasm");
    if !wasm.is_file() {
        bail!("{} is missing", wasm.display());
    }
    let ((wasm, wasm_gz), (js, js_gz)) =
        (sizes(&["rtc_peer_bg.wasm"])?, sizes(&["rtc_peer.js", "rtc_peer_bg.js"])?);
    Ok(Size { wasm, wasm_gz, js, js_gz })
}

/// `gzip -9` of `bytes`.
pub fn gzip9(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip9_round_trips_and_shrinks_repetitive_input() {
        let input = b"RTCPeerConnection ".repeat(200);
        let gz = gzip9(&input).unwrap();
        assert!(gz.len() < input.len() / 10, "{} bytes", gz.len());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, input);
    }
}
