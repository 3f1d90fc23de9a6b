//! Where the package's wasm bytes go: `twiggy top` of the package built with its function
//! names kept.
//!
//! The shipped package has no names (wasm-opt drops them), so this builds the same package
//! with `--no-opt` and runs wasm-opt itself with the same arguments plus `-g` (keep names):
//! the same code, with a names section, which the table leaves out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use anyhow::{bail, Context, Result};
use regex::Regex;
use serde::Deserialize;

use crate::setup;
use harness::process;
use harness::Tools;

/// The twiggy release `cargo xtask size` installs when none is on PATH.
const VERSION: &str = "0.8.0";

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Row {
    pub name: String,
    pub shallow_size: u64,
}

/// The `n` largest items of the package (built into `out`), the names section left out, with
/// the total of every item but that section.
pub fn top(tools: &Tools, out: &Path, n: usize) -> Result<Vec<Row>> {
    let twiggy = ensure_twiggy()?;
    super::plain_build(tools, None, out, &["--no-opt"])?;
    let named = out.join("rtc_peer_bg.wasm");
    crate::build::optimize(tools, &named, &["-g"])?;
    let output = Command::new(&twiggy)
        .args(["top", "-n", "1000000", "-f", "json"])
        .arg(&named)
        .output()
        .with_context(|| format!("running {}", twiggy.display()))?;
    if !output.status.success() {
        bail!("twiggy top failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let rows: Vec<Row> =
        serde_json::from_slice(&output.stdout).context("reading twiggy's JSON output")?;
    Ok(largest(rows, n))
}

/// The `n` largest rows without the names section, then a last row with the total of all of
/// them.
fn largest(rows: Vec<Row>, n: usize) -> Vec<Row> {
    let code: Vec<Row> = rows
        .into_iter()
        .filter(|r| !r.name.contains("names\" subsection") && r.name != "\"name\" section headers")
        .collect();
    let total: u64 = code.iter().map(|r| r.shallow_size).sum();
    let mut top: Vec<Row> = code.into_iter().take(n).collect();
    top.push(Row { name: "Σ (every item but the names)".into(), shallow_size: total });
    top
}

/// twiggy on PATH (or in ~/.cargo/bin), else `cargo install twiggy`.
fn ensure_twiggy() -> Result<PathBuf> {
    if let Some(path) = setup::find("twiggy") {
        return Ok(path);
    }
    println!("xtask: size: installing twiggy {VERSION} (cargo install)");
    process::run(
        Command::new("cargo").args(["install", "twiggy", "--locked", "--version"]).arg(VERSION),
    )?;
    setup::find("twiggy").context("twiggy is still missing after `cargo install twiggy`")
}

/// `core[c5930c85a12de822]::fmt::write::h0123456789abcdef` → `core::fmt::write`: the hash
/// suffix of a mangled symbol and the crate disambiguators (16 hex digits each) go.
fn readable(name: &str) -> String {
    static NOISE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"::h[[:xdigit:]]{16}$|\[[[:xdigit:]]{16}\]").expect("a valid pattern")
    });
    NOISE.replace_all(name, "").into_owned()
}

/// The rows as a Markdown table: bytes, share of the total, item.
pub fn table(rows: &[Row]) -> String {
    let total = rows.last().map_or(0, |r| r.shallow_size).max(1);
    let mut s = String::from("| bytes | share | item |\n| ---: | ---: | --- |\n");
    for row in rows {
        let share = row.shallow_size as f64 * 100.0 / total as f64;
        let name = readable(&row.name).replace('|', "\\|");
        s.push_str(&format!("| {} | {share:.1}% | `{name}` |\n", row.shallow_size));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_hashes_and_disambiguators() {
        assert_eq!(
            readable("<core[c5930c85a12de822]::fmt::Formatter>::pad"),
            "<core::fmt::Formatter>::pad"
        );
        assert_eq!(
            readable("rtc_peer::closing::settle::{{closure}}::h7a88f90f86100dc4"),
            "rtc_peer::closing::settle::{{closure}}"
        );
        assert_eq!(readable("data segment \".rodata\""), "data segment \".rodata\"");
        assert_eq!(readable("type[27]: (i32) -> nil"), "type[27]: (i32) -> nil");
    }

    #[test]
    fn the_names_section_is_left_out_and_the_total_added() {
        let row = |name: &str, shallow_size| Row { name: name.into(), shallow_size };
        let rows = vec![
            row("\"function names\" subsection", 1000),
            row("a", 30),
            row("b", 20),
            row("c", 10),
        ];
        let top = largest(rows, 2);
        assert_eq!(top.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()[..2], ["a", "b"]);
        assert_eq!(top.last().unwrap().shallow_size, 60);
        assert!(table(&top).contains("| 30 | 50.0% | `a` |"), "{}", table(&top));
    }
}
