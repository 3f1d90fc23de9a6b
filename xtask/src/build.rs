//! `cargo xtask build`: the wasm package, release, with wasm-pack.
//! TODO(xtask-core helper): implement.

use std::path::PathBuf;

use anyhow::Result;

use crate::setup::Tools;

/// The wasm-pack `--target`s we ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `--target web` into `pkg/` (what the demo imports).
    Web,
    /// `--target bundler` into `pkg-bundler/`.
    Bundler,
}

/// Builds the package and returns its out-dir.
pub fn package(_tools: &Tools, _target: Target) -> Result<PathBuf> {
    anyhow::bail!("build is not implemented yet")
}
