//! Where every tool the runs need is: the browsers, their drivers, coturn, Janus, wasm-pack,
//! wasm-opt, node, and the project's settings. `cargo xtask setup` finds or installs them and
//! returns this; everything here only reads it.

use std::path::{Path, PathBuf};

use crate::browser::Browser;
use crate::settings::Settings;

/// Where every tool the tasks need was found (or installed).
#[derive(Debug, Clone)]
pub struct Tools {
    pub wasm_pack: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub firefox: PathBuf,
    pub geckodriver: PathBuf,
    pub turnserver: PathBuf,
    /// The Janus WebRTC server (Debian's `janus`), the SFU of the SFU tests.
    pub janus: PathBuf,
    /// Directory holding `wasm-opt` (binaryen from npm), first on PATH: `tools/node_modules/.bin`
    /// (also has `tsc`).
    pub wasm_opt_dir: PathBuf,
    /// `wasm-bindgen` CLI and `wasm-bindgen-test-runner` (the cargo runner for wasm32 tests,
    /// `.cargo/config.toml`), the same version as the `wasm-bindgen` crate in Cargo.lock.
    pub wasm_bindgen: [PathBuf; 2],
    /// `node` and `npm`.
    pub node: PathBuf,
    pub npm: PathBuf,
    /// The repository root (where `Cargo.toml` and `wasm-pack.toml` are).
    pub root: PathBuf,
    /// `wasm-pack.toml`.
    pub settings: Settings,
}

impl Tools {
    /// The browser executable.
    pub fn browser_binary(&self, browser: Browser) -> &Path {
        match browser {
            Browser::Chromium => &self.chromium,
            Browser::Firefox => &self.firefox,
        }
    }

    /// The WebDriver server for `browser` (chromedriver / geckodriver).
    pub fn driver(&self, browser: Browser) -> &Path {
        match browser {
            Browser::Chromium => &self.chromedriver,
            Browser::Firefox => &self.geckodriver,
        }
    }

    /// The `wasm-opt` executable.
    pub fn wasm_opt(&self) -> PathBuf {
        self.wasm_opt_dir.join("wasm-opt")
    }
}
