//! After a run: no file under `target/` may hold the run's TURN credential.
//!
//! The wasm suites read the credential at run time, so nothing that cargo, wasm-bindgen or the
//! test runner writes should contain it. A credential read with `option_env!` would show up in
//! cargo's dep-info files (and in the test binary); this search (`grep -rlF`, text and binary
//! files alike, symbolic links not followed, the needle on stdin so no process list shows it)
//! finds that.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use super::report::Report;

/// The files under `dir` that hold `needle`; a missing `dir` holds nothing.
pub fn search(dir: &Path, needle: &str) -> Result<Vec<PathBuf>> {
    if needle.is_empty() || needle.contains('\n') || !dir.exists() {
        return Ok(Vec::new());
    }
    let mut grep = Command::new("grep")
        .args(["-rlFZ", "-f", "-", "--"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running grep")?;
    grep.stdin.take().context("grep's stdin")?.write_all(needle.as_bytes())?;
    let out = grep.wait_with_output()?;
    if out.status.code() == Some(2) {
        bail!("grep could not search {}", dir.display());
    }
    let names = out.stdout.split(|b| *b == 0).filter(|n| !n.is_empty());
    Ok(names.map(|n| PathBuf::from(String::from_utf8_lossy(n).into_owned())).collect())
}

/// Adds the check "no file under `target` holds the credential" to `report`.
pub fn check_target(report: &mut Report, target: &Path, credential: &str) {
    const NAME: &str = "no TURN credential under target/";
    match search(target, credential) {
        Ok(files) if files.is_empty() => report.check(NAME, true),
        Ok(files) => report.fail(
            NAME,
            None,
            &format!(
                "the TURN credential of this run is written in {files:?} (was it read at \
                 compile time, e.g. with option_env!?)"
            ),
        ),
        Err(err) => report.fail(NAME, None, &format!("{err:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_needle_in_text_binary_and_nested_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        let needle = "0123456789abcdef0123456789abcdef";
        std::fs::write(dir.join("clean.txt"), b"nothing here").unwrap();
        std::fs::write(dir.join("a/b/bin.wasm"), [&[0u8, 0xff, 7][..], needle.as_bytes()].concat())
            .unwrap();
        std::fs::write(dir.join("a/near.d"), &needle[..20]).unwrap();
        std::os::unix::fs::symlink(dir.join("a/b/bin.wasm"), dir.join("link")).unwrap();
        assert_eq!(search(dir, needle).unwrap(), vec![dir.join("a/b/bin.wasm")]);
        let mut report = Report::default();
        check_target(&mut report, dir, needle);
        assert_eq!(report.failed(), 1);
        let mut report = Report::default();
        check_target(&mut report, &dir.join("missing"), needle);
        assert_eq!(report.failed(), 0, "a missing target/ holds nothing");
    }
}
