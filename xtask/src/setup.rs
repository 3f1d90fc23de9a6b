//! `cargo xtask setup`: installs exactly what is missing (or the wrong version), printing each
//! install command first; a second run does nothing. Afterwards `PATH` starts with
//! `tools/node_modules/.bin` (wasm-opt, tsc) and cargo's bin dir, for every child process.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use harness::process;
use harness::settings::Settings;
use harness::Tools;

/// Directories (relative to the repo root) whose committed `package-lock.json` is installed
/// with `npm ci`; those without one are skipped.
pub const NPM_DIRS: &[&str] =
    &["tools", "tests/ts", "examples/bundler-app", "www", "benches/size", "tests/interop"];

/// The repository root: the parent of `xtask/`.
pub fn repo_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// `$CARGO_TARGET_DIR`, else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Checks every tool, installs what is missing, and returns where everything is.
pub fn ensure() -> Result<Tools> {
    let root = repo_root();
    let settings = Settings::load(&root)?;
    let mut s = Setup::default();

    let cargo_bin = cargo_bin_dir();
    let node_bin_dir = root.join("tools").join("node_modules").join(".bin");
    prepend_path(&[&node_bin_dir, &cargo_bin])?;

    // The wasm target.
    if !has_wasm_target() {
        s.run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
        if !has_wasm_target() {
            bail!("the wasm32-unknown-unknown target is still missing after rustup");
        }
    }

    // Browsers, drivers, coturn and Janus from apt: one `apt-get update`, one install of all
    // that is missing.
    let (chromium_s, firefox_s) = (&settings.chromium, &settings.firefox);
    let apt = [
        (chromium_s.binary.as_str(), "chromium"),
        (chromium_s.driver.as_str(), "chromium-driver"),
        (firefox_s.binary.as_str(), "firefox-esr"),
        ("turnserver", "coturn"),
        ("janus", "janus"),
    ];
    let missing: Vec<&str> =
        apt.iter().filter(|(exe, _)| find(exe).is_none()).map(|a| a.1).collect();
    if !missing.is_empty() {
        s.apt_install(&missing)?;
    }
    let [chromium, chromedriver, firefox, turnserver, janus] =
        apt.map(|(exe, package)| require(exe, &format!("apt-get install {package}")));

    // Node tools (wasm-opt from binaryen, tsc, and the lockfiles of the JS tests and benches).
    let node = require("node", "Node.js 20 must be installed")?;
    let npm = require("npm", "npm must be installed with Node.js")?;
    for dir in NPM_DIRS {
        let dir = root.join(dir);
        if !dir.join("package-lock.json").is_file() {
            continue;
        }
        if let Err(why) = npm_up_to_date(&dir) {
            println!("setup: {}: {why}", dir.display());
            s.run(Command::new(&npm).args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
        }
    }
    let wasm_opt_dir = node_bin_dir;
    let wasm_opt_version =
        process::probe(Command::new(wasm_opt_dir.join("wasm-opt")).arg("--version"))
            .ok_or_else(|| anyhow!("wasm-opt is missing from {}", wasm_opt_dir.display()))?;

    // wasm-pack and geckodriver from crates.io.
    let [wasm_pack, geckodriver] = [("wasm-pack", "wasm-pack"), (&firefox_s.driver, "geckodriver")]
        .map(|(exe, krate)| {
            if find(exe).is_none() {
                s.run(&mut cargo_install(&[krate, "--locked"]))?;
            }
            require(exe, &format!("cargo install {krate}"))
        });

    // The wasm-bindgen CLI must match Cargo.lock exactly (wasm-pack would try to download it).
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let want = wasm_bindgen_version(&lock)
        .ok_or_else(|| anyhow!("Cargo.lock has no wasm-bindgen package"))?;
    let installed = |exe: &str| {
        let out = process::probe(Command::new(find(exe)?).arg("--version"))?;
        out.split_whitespace().nth(1).map(str::to_string)
    };
    let have = (installed("wasm-bindgen"), installed("wasm-bindgen-test-runner"));
    if have.0.as_deref() != Some(&want) || have.1.as_deref() != Some(&want) {
        println!(
            "setup: wasm-bindgen CLI is {} / test runner {}; Cargo.lock wants {want}",
            have.0.as_deref().unwrap_or("missing"),
            have.1.as_deref().unwrap_or("missing"),
        );
        // No --locked: one of its locked dependencies is not in the registry.
        s.run(&mut cargo_install(&["wasm-bindgen-cli", "--version", &want, "--force"]))?;
        let now = installed("wasm-bindgen");
        if now.as_deref() != Some(&want) {
            bail!("wasm-bindgen --version says {now:?} after installing {want}");
        }
    }
    let [bindgen, runner] = ["wasm-bindgen", "wasm-bindgen-test-runner"]
        .map(|exe| require(exe, "cargo install wasm-bindgen-cli"));

    if s.actions == 0 {
        println!(
            "setup: nothing to install: wasm32 target, wasm-pack, wasm-bindgen {want}, \
             {wasm_opt_version}, chromium, chromedriver, firefox, geckodriver, coturn, \
             janus, npm packages are all present"
        );
    } else {
        println!("setup: done ({} install steps)", s.actions);
    }
    Ok(Tools {
        wasm_pack: wasm_pack?,
        chromium: chromium?,
        chromedriver: chromedriver?,
        firefox: firefox?,
        geckodriver: geckodriver?,
        turnserver: turnserver?,
        janus: janus?,
        wasm_opt_dir,
        wasm_bindgen: [bindgen?, runner?],
        node,
        npm,
        root,
        settings,
    })
}

/// Prints where each tool is and its version (`cargo xtask setup`).
pub fn print_tools(tools: &Tools) {
    let rows: [(&str, &Path); 12] = [
        ("wasm-pack", &tools.wasm_pack),
        ("wasm-bindgen", &tools.wasm_bindgen[0]),
        ("wasm-bindgen-test-runner", &tools.wasm_bindgen[1]),
        ("wasm-opt", &tools.wasm_opt()),
        ("chromium", &tools.chromium),
        ("chromedriver", &tools.chromedriver),
        ("firefox", &tools.firefox),
        ("geckodriver", &tools.geckodriver),
        ("turnserver", &tools.turnserver),
        ("janus", &tools.janus),
        ("node", &tools.node),
        ("npm", &tools.npm),
    ];
    for (name, path) in rows {
        // turnserver prints no version on a flag without side effects.
        let version = (name != "turnserver").then(|| {
            let out = process::probe(Command::new(path).arg("--version"));
            out.and_then(|v| v.lines().next().map(str::to_string)).unwrap_or_else(|| "?".into())
        });
        println!("  {name:<26} {:<48} {}", path.display(), version.unwrap_or_default());
    }
}

/// Counts the install steps run.
#[derive(Default)]
struct Setup {
    actions: u32,
}

impl Setup {
    fn run(&mut self, cmd: &mut Command) -> Result<()> {
        self.actions += 1;
        print!("setup: ");
        process::run(cmd)
    }

    fn apt_install(&mut self, packages: &[&str]) -> Result<()> {
        let sudo = !is_root();
        if sudo && find("sudo").is_none() {
            bail!("missing {packages:?}: run `apt-get install -y {}` as root", packages.join(" "));
        }
        let apt = |args: &[&str]| {
            let mut cmd = Command::new(if sudo { "sudo" } else { "env" });
            cmd.args(sudo.then_some("env")).args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            cmd.args(args);
            cmd
        };
        self.run(&mut apt(&["update"]))?;
        let mut args = vec!["install", "-y"];
        args.extend_from_slice(packages);
        self.run(&mut apt(&args))
    }
}

fn cargo_install(args: &[&str]) -> Command {
    let mut cmd = process::cargo();
    cmd.arg("install").args(args);
    cmd
}

pub fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn has_wasm_target() -> bool {
    let Some(sysroot) = process::probe(Command::new("rustc").args(["--print", "sysroot"])) else {
        return false;
    };
    Path::new(&sysroot).join("lib/rustlib/wasm32-unknown-unknown/lib").is_dir()
}

/// `$CARGO_HOME/bin`, else `~/.cargo/bin`.
fn cargo_bin_dir() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin"),
    }
}

/// Puts `dirs` first on this process's PATH (children inherit it), without duplicates.
fn prepend_path(dirs: &[&Path]) -> Result<()> {
    let old = std::env::var_os("PATH").unwrap_or_default();
    let rest = std::env::split_paths(&old).filter(|p| !dirs.contains(&p.as_path()));
    let path = std::env::join_paths(dirs.iter().map(|d| d.to_path_buf()).chain(rest))?;
    std::env::set_var("PATH", path);
    Ok(())
}

/// An executable: `name` itself when it is a path, else the first match on PATH.
pub fn find(name: &str) -> Option<PathBuf> {
    which::which(name).ok()
}

fn require(name: &str, how: &str) -> Result<PathBuf> {
    find(name).ok_or_else(|| anyhow!("`{name}` not found ({how})"))
}

/// The version of the `wasm-bindgen` package in a Cargo.lock.
fn wasm_bindgen_version(lock: &str) -> Option<String> {
    let lock: toml::Table = toml::from_str(lock).ok()?;
    lock.get("package")?.as_array()?.iter().find_map(|p| {
        (p.get("name")?.as_str()? == "wasm-bindgen")
            .then(|| p.get("version")?.as_str().map(str::to_string))?
    })
}

/// A `package-lock.json` entry, or an installed `package.json`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct NpmPackage {
    version: String,
    optional: bool,
    link: bool,
}

/// Ok when every package in `dir/package-lock.json` is in `dir/node_modules` at the locked
/// version; otherwise why not (then `npm ci` is needed).
fn npm_up_to_date(dir: &Path) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Lock {
        packages: BTreeMap<String, NpmPackage>,
    }
    let read = |p: &Path| fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let lock: Lock = serde_json::from_str(&read(&dir.join("package-lock.json"))?)
        .map_err(|e| format!("package-lock.json (lockfileVersion >= 2 needed): {e}"))?;
    for (key, want) in lock.packages {
        if !key.starts_with("node_modules/") || want.optional || want.link {
            continue;
        }
        let have = read(&dir.join(&key).join("package.json")).ok();
        match have.and_then(|t| serde_json::from_str::<NpmPackage>(&t).ok()) {
            Some(have) if have.version == want.version => {}
            Some(have) => {
                return Err(format!(
                    "{key} is {}, the lockfile wants {}",
                    have.version, want.version
                ))
            }
            None => return Err(format!("{key} is not installed")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_cargo_lock_names_a_wasm_bindgen_version() {
        let lock = fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
        let v = wasm_bindgen_version(&lock).unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }

    #[test]
    fn npm_check_compares_installed_versions_with_the_lockfile() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        fs::create_dir_all(dir.join("node_modules/a")).unwrap();
        fs::write(
            dir.join("package-lock.json"),
            r#"{"lockfileVersion":3,"packages":{"":{"name":"t"},
                "node_modules/a":{"version":"1.0.0"},
                "node_modules/opt":{"version":"2.0.0","optional":true}}}"#,
        )
        .unwrap();
        for (installed, want) in [
            (None, Err("node_modules/a is not installed".to_string())),
            (Some("0.9.0"), Err("node_modules/a is 0.9.0, the lockfile wants 1.0.0".into())),
            (Some("1.0.0"), Ok(())),
        ] {
            if let Some(v) = installed {
                let manifest = format!(r#"{{"version":"{v}"}}"#);
                fs::write(dir.join("node_modules/a/package.json"), manifest).unwrap();
            }
            assert_eq!(npm_up_to_date(dir), want, "{installed:?}");
        }
    }
}
