//! `cargo xtask size`: what the browser downloads, measured as a user builds it (a plain
//! `wasm-pack build --release`, gzip -9 of each file): the JS package, the Rust-app figure (what
//! the rtc-peer app of `benches/rust-app` weighs above the raw web-sys one) and `twiggy top` of
//! the package. Prints it with the budgets of `wasm-pack.toml`'s `[size]` table and writes it into
//! `docs/size.md` between its markers; `cargo xtask test` holds the figures to the budgets
//! ([`budget`]).

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Value};

pub mod budget;
mod twiggy;

use crate::flags;
use crate::setup;
use budget::Budgets;
use harness::process;
use harness::Tools;

/// The two minimal apps of the Rust-app figure: with rtc-peer (`on_track` → `first_stream()` →
/// `attach_stream`), and in raw web-sys (`Closure` + `set_ontrack` + `forget` + `play()`).
const RUST_APP_DIR: &str = "benches/rust-app";
const RTC_PEER_APP: &str = "rtc-peer";
const RAW_APP: &str = "raw-web-sys";

const DOC: &str = "docs/size.md";
const BEGIN: &str = "<!-- size:begin -->";
const END: &str = "<!-- size:end -->";

/// Raw and gzip -9 bytes of one built package: its wasm and its JS files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measured {
    pub wasm: u64,
    pub wasm_gzip: u64,
    pub js: u64,
    pub js_gzip: u64,
}

impl Measured {
    /// What the browser downloads, compressed: wasm plus JS, each gzip -9.
    pub fn gzip(&self) -> u64 {
        self.wasm_gzip + self.js_gzip
    }
}

/// The Rust-app figure: both apps, measured.
#[derive(Debug, Clone, Copy)]
pub struct RustApps {
    pub rtc_peer: Measured,
    pub raw: Measured,
}

impl RustApps {
    /// Bytes (gzip -9) the rtc-peer app weighs above the raw web-sys app; negative when below.
    pub fn over_raw(&self) -> i64 {
        self.rtc_peer.gzip() as i64 - self.raw.gzip() as i64
    }
}

pub fn run(_flags: &flags::Size) -> Result<()> {
    let tools = setup::ensure()?;
    let package = package(&tools)?;
    let apps = rust_apps(&tools)?;
    let top = twiggy::top(&tools, &out_dir(&tools.root).join("pkg-names"), 20)?;
    let text = render(&tools.root, &tools.settings.size, &package, &apps, &top);
    println!("\n{text}");
    let doc = tools.root.join(DOC);
    if !write_between(&doc, BEGIN, END, &text)? {
        bail!("{} has no {BEGIN} … {END} markers", doc.display());
    }
    println!("xtask: size: wrote {}", doc.display());
    Ok(())
}

/// `target/size`: every build this module makes.
fn out_dir(root: &Path) -> PathBuf {
    setup::target_dir(root).join("size")
}

/// Builds the JS package as a user does (`wasm-pack build --release`, nothing else but the
/// out-dir) into `target/size/pkg` and measures it.
pub fn package(tools: &Tools) -> Result<Measured> {
    let out = out_dir(&tools.root).join("pkg");
    plain_build(tools, None, &out, &[])?;
    measure(&out)
}

/// Builds both apps of `benches/rust-app` as a user does and measures them.
pub fn rust_apps(tools: &Tools) -> Result<RustApps> {
    let build = |name: &str| -> Result<Measured> {
        let crate_dir = Path::new(RUST_APP_DIR).join(name);
        let out = out_dir(&tools.root).join("rust-app").join(name);
        plain_build(tools, Some(&crate_dir), &out, &[])?;
        measure(&out)
    };
    Ok(RustApps { rtc_peer: build(RTC_PEER_APP)?, raw: build(RAW_APP)? })
}

/// The JSON of the bench results' size figure.
pub fn measured_json(m: &Measured) -> Value {
    json!({
        "wasm": m.wasm, "wasm_gzip": m.wasm_gzip,
        "js": m.js, "js_gzip": m.js_gzip,
        "gzip": m.gzip(),
    })
}

/// `wasm-pack build [crate_dir] --release [extra…] --out-dir <out>`, from the repository root.
pub fn plain_build(
    tools: &Tools,
    crate_dir: Option<&Path>,
    out: &Path,
    extra: &[&str],
) -> Result<()> {
    crate::build::clear_out_dir(out)?;
    let mut cmd = crate::build::wasm_pack(tools);
    process::run(cmd.args(crate_dir).arg("--release").args(extra).arg("--out-dir").arg(out))
}

/// The package in `dir`: its one `*_bg.wasm` and every `.js` file (the glue, and snippets),
/// raw and gzip -9, each file compressed on its own, as served.
pub fn measure(dir: &Path) -> Result<Measured> {
    let mut m = Measured::default();
    let mut wasm_files = 0;
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy();
        let (raw, gzip) = if name.ends_with("_bg.wasm") {
            wasm_files += 1;
            (&mut m.wasm, &mut m.wasm_gzip)
        } else if name.ends_with(".js") && entry.file_type().is_file() {
            (&mut m.js, &mut m.js_gzip)
        } else {
            continue;
        };
        let bytes = fs::read(entry.path())
            .with_context(|| format!("reading {}", entry.path().display()))?;
        *raw += bytes.len() as u64;
        *gzip += gzip9(&bytes)?.len() as u64;
    }
    if wasm_files != 1 {
        bail!("{} should hold one *_bg.wasm, found {wasm_files}", dir.display());
    }
    Ok(m)
}

pub fn gzip9(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `16,000 B ✅` when `value` is within `limit`, else with ❌.
fn against(value: i64, limit: u64) -> String {
    format!("{} B {}", thousands(limit), if value <= limit as i64 { "✅" } else { "❌" })
}

/// The tables of `docs/size.md`.
fn render(
    root: &Path,
    budgets: &Budgets,
    package: &Measured,
    apps: &RustApps,
    top: &[twiggy::Row],
) -> String {
    let commit = commit(root).unwrap_or_else(|| "unknown".into());
    let mut s = format!(
        "Measured by `cargo xtask size` on commit `{commit}`; gzip -9, each file on its own.\n\n\
         | what | wasm | JS | gzip -9 total | budget | target |\n\
         | --- | --- | --- | --- | --- | --- |\n"
    );
    let limits = |value: i64, budget: u64, target: u64| [budget, target].map(|l| against(value, l));
    let package_limits =
        limits(package.gzip() as i64, budgets.package_gzip, budgets.package_target_gzip);
    for (what, m, [budget, target]) in [
        ("JS package (`wasm-pack build --release`)", package, package_limits),
        (
            "Rust app with rtc-peer (`benches/rust-app/rtc-peer`)",
            &apps.rtc_peer,
            Default::default(),
        ),
        (
            "the same app in raw web-sys (`benches/rust-app/raw-web-sys`)",
            &apps.raw,
            Default::default(),
        ),
    ] {
        let _ = writeln!(
            s,
            "| {what} | {} B (gzip {}) | {} B (gzip {}) | **{} B** | {budget} | {target} |",
            thousands(m.wasm),
            thousands(m.wasm_gzip),
            thousands(m.js),
            thousands(m.js_gzip),
            thousands(m.gzip()),
        );
    }
    let over = apps.over_raw();
    let [budget, target] =
        limits(over, budgets.rust_app_over_raw_gzip, budgets.rust_app_over_raw_target_gzip);
    let sign = if over < 0 { "-" } else { "+" };
    let over = thousands(over.unsigned_abs());
    let _ = writeln!(
        s,
        "| **Rust app: rtc-peer above raw web-sys** | | | **{sign}{over} B** | {budget} | {target} |\n\n\
         Where the package's wasm goes: `twiggy top` of the same build with its function names \
         kept (wasm-opt `-g`), the names section left out; shallow bytes, uncompressed.\n"
    );
    s.push_str(&twiggy::table(top));
    s
}

/// `git rev-parse --short HEAD`, with `+dirty` when the work tree has changes.
pub fn commit(root: &Path) -> Option<String> {
    let git = |args: &[&str]| process::probe(Command::new("git").current_dir(root).args(args));
    let head = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty = git(&["status", "--porcelain"]).is_none_or(|s| !s.is_empty());
    Some(format!("{head}{}", if dirty { "+dirty" } else { "" }))
}

/// Replaces what is between the `begin` and `end` markers of the file at `path` with `text`,
/// keeping the rest; `Ok(false)` (nothing written) when the file has no such markers.
pub fn write_between(path: &Path, begin: &str, end: &str, text: &str) -> Result<bool> {
    let doc = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let Some(updated) = replace_between(&doc, begin, end, text) else { return Ok(false) };
    fs::write(path, updated).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

fn replace_between(doc: &str, begin: &str, end: &str, text: &str) -> Option<String> {
    let start = doc.find(begin)? + begin.len();
    let stop = start + doc[start..].find(end)?;
    Some(format!("{}\n{}\n{}", &doc[..start], text.trim_end(), &doc[stop..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_doc_is_replaced_between_its_markers_only() {
        let doc = format!("intro\n{BEGIN}\nold\n{END}\nafter\n");
        let new = replace_between(&doc, BEGIN, END, "new\n").unwrap();
        assert_eq!(new, format!("intro\n{BEGIN}\nnew\n{END}\nafter\n"));
        assert!(replace_between("no markers", BEGIN, END, "x").is_none());
    }

    #[test]
    fn measure_counts_the_wasm_and_every_js_file() {
        let dir = std::env::temp_dir().join(format!("xtask-size-{}", std::process::id()));
        fs::create_dir_all(dir.join("snippets")).unwrap();
        fs::write(dir.join("app_bg.wasm"), [0u8; 100]).unwrap();
        fs::write(dir.join("app.js"), "x".repeat(10)).unwrap();
        fs::write(dir.join("snippets").join("s.js"), "y".repeat(20)).unwrap();
        fs::write(dir.join("app.d.ts"), "ignored").unwrap();
        let m = measure(&dir).unwrap();
        assert_eq!((m.wasm, m.js), (100, 30));
        assert!(m.gzip() > 0);
        fs::remove_file(dir.join("app_bg.wasm")).unwrap();
        assert!(measure(&dir).is_err(), "no wasm must be an error");
        fs::remove_dir_all(dir).unwrap();
    }
}
