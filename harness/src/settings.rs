//! The project's build and test settings, read with the `toml` crate: `wasm-pack.toml` (which
//! wasm-pack itself never reads) and the wasm-opt arguments of Cargo.toml's
//! `[package.metadata.wasm-pack.profile.release]` (a plain `wasm-pack build` uses them too).

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::browser::{Browser, BrowserSettings};

/// `wasm-pack.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct File {
    package: PackageFile,
    test: TestFile,
    chromium: BrowserSettings,
    firefox: BrowserSettings,
    size: Budgets,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PackageFile {
    scope: String,
    features: Vec<String>,
    library_features: Vec<String>,
    web: OutDir,
    bundler: OutDir,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct OutDir {
    out_dir: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct TestFile {
    browsers: Vec<Browser>,
    timeout_secs: u64,
}

/// Everything the tasks need from both files.
#[derive(Debug, Clone)]
pub struct Settings {
    /// npm scope (`--scope`), `None` when empty.
    pub scope: Option<String>,
    /// wasm-opt arguments of the release build (Cargo.toml's wasm-pack metadata).
    pub wasm_opt: Vec<String>,
    /// Cargo features of the npm package.
    pub features: Vec<String>,
    /// Cargo features of the library-only package that the bench measures.
    pub library_features: Vec<String>,
    pub web_out_dir: String,
    pub bundler_out_dir: String,
    /// Browsers the browser suites run in, in order.
    pub browsers: Vec<Browser>,
    /// `WASM_BINDGEN_TEST_TIMEOUT` for one test binary.
    pub timeout_secs: u64,
    pub chromium: BrowserSettings,
    pub firefox: BrowserSettings,
    /// The `[size]` budgets.
    pub size: Budgets,
}

/// `wasm-pack.toml`'s `[size]` table: bytes, gzip -9 (`cargo xtask size` and the size check of
/// `cargo xtask test` hold the builds to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Budgets {
    /// The JS package may weigh at most this (wasm + JS glue); `cargo xtask test` fails above.
    pub package_gzip: u64,
    /// What the package should weigh (shown next to the budget).
    pub package_target_gzip: u64,
    /// The rtc-peer Rust app may weigh at most this much above the raw web-sys one.
    pub rust_app_over_raw_gzip: u64,
    /// What the rtc-peer app should weigh at most above the raw one (shown next to the budget).
    pub rust_app_over_raw_target_gzip: u64,
}

impl Settings {
    /// Reads `<root>/wasm-pack.toml` and the wasm-opt arguments from `<root>/Cargo.toml`.
    pub fn load(root: &Path) -> Result<Settings> {
        let read = |name: &str| {
            let path = root.join(name);
            std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
        };
        let file: File = toml::from_str(&read("wasm-pack.toml")?).context("in wasm-pack.toml")?;
        let manifest: toml::Table =
            toml::from_str(&read("Cargo.toml")?).context("in Cargo.toml")?;
        if file.test.timeout_secs == 0 {
            bail!("wasm-pack.toml: [test] timeout-secs must be positive");
        }
        Ok(Settings {
            scope: Some(file.package.scope).filter(|s| !s.is_empty()),
            wasm_opt: wasm_opt_args(&manifest)?,
            features: file.package.features,
            library_features: file.package.library_features,
            web_out_dir: file.package.web.out_dir,
            bundler_out_dir: file.package.bundler.out_dir,
            browsers: file.test.browsers,
            timeout_secs: file.test.timeout_secs,
            chromium: file.chromium,
            firefox: file.firefox,
            size: file.size,
        })
    }

    pub fn browser(&self, browser: Browser) -> &BrowserSettings {
        match browser {
            Browser::Chromium => &self.chromium,
            Browser::Firefox => &self.firefox,
        }
    }
}

/// `[package.metadata.wasm-pack.profile.release] wasm-opt` of a Cargo manifest.
fn wasm_opt_args(manifest: &toml::Table) -> Result<Vec<String>> {
    let key = "[package.metadata.wasm-pack.profile.release] wasm-opt";
    let path = ["metadata", "wasm-pack", "profile", "release", "wasm-opt"];
    let value = path.iter().fold(manifest.get("package"), |v, k| v.and_then(|v| v.get(k)));
    let value = value.with_context(|| format!("Cargo.toml has no {key}"))?;
    value.clone().try_into().with_context(|| format!("Cargo.toml: {key} must be a list of strings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_files_load() {
        let s = Settings::load(&crate::repo_root()).unwrap();
        assert_eq!(s.browsers, Browser::ALL);
        assert!(s.wasm_opt.iter().any(|a| a == "-Oz"), "{:?}", s.wasm_opt);
        assert_eq!(s.chromium.driver, "/usr/bin/chromedriver");
    }

    #[test]
    fn wasm_opt_comes_from_the_cargo_metadata() {
        let table = |text: &str| toml::from_str::<toml::Table>(text).unwrap();
        let ok = table("[package.metadata.wasm-pack.profile.release]\nwasm-opt = [\"-O\"]\n");
        assert_eq!(wasm_opt_args(&ok).unwrap(), ["-O"]);
        let err = wasm_opt_args(&table("[package]\nname = \"x\"\n")).unwrap_err();
        assert!(format!("{err:#}").contains("has no"), "{err:#}");
        let bad = table("[package.metadata.wasm-pack.profile.release]\nwasm-opt = 3\n");
        assert!(wasm_opt_args(&bad).is_err());
    }

    #[test]
    fn the_demo_bench_and_app_crates_copy_the_library_wasm_opt_arguments() {
        let root = crate::repo_root();
        let args = |dir: &str| {
            let text = std::fs::read_to_string(root.join(dir).join("Cargo.toml")).unwrap();
            wasm_opt_args(&toml::from_str(&text).unwrap()).unwrap()
        };
        let library = args(".");
        for crate_dir in
            ["www", "benches/web", "benches/rust-app/rtc-peer", "benches/rust-app/raw-web-sys"]
        {
            assert_eq!(args(crate_dir), library, "{crate_dir}/Cargo.toml's wasm-opt arguments");
        }
    }
}
