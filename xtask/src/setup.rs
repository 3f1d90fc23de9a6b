//! `cargo xtask setup`: installs exactly what is missing (see ../shared/TOOLCHAIN.md).
//! TODO(xtask-core helper): implement.

use std::path::PathBuf;

use anyhow::Result;

/// Where every tool the tasks need was found (or installed).
#[derive(Debug, Clone)]
pub struct Tools {
    pub wasm_pack: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub firefox: PathBuf,
    pub geckodriver: PathBuf,
    pub turnserver: PathBuf,
    /// Directory holding `wasm-opt` (binaryen from npm), to put first on PATH.
    pub wasm_opt_dir: PathBuf,
}

pub fn ensure() -> Result<Tools> {
    anyhow::bail!("setup is not implemented yet")
}
