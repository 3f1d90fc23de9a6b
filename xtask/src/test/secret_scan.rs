//! After a run: no file under `target/` may hold the run's TURN credential.
//!
//! The wasm suites read the credential at run time, so nothing that cargo, wasm-bindgen or the
//! test runner writes should contain it. A credential read with `option_env!` would show up in
//! cargo's dep-info files (and in the test binary); this search finds that, in text and binary
//! files alike, symbolic links not followed. The credential is made for each run, so only the
//! files written since it was made can hold it: the search reads those alone (a few hundred MB
//! of test binaries, not all of `target/`, which took minutes).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use memchr::memmem;

use harness::report::Report;

/// The files under `dir` written since `since` that hold `needle`; a missing `dir` holds
/// nothing.
pub fn search(dir: &Path, needle: &str, since: SystemTime) -> Result<Vec<PathBuf>> {
    if needle.is_empty() || !dir.exists() {
        return Ok(Vec::new());
    }
    // Coarse file-system clocks: a file written in the same second still counts.
    let since = since.checked_sub(Duration::from_secs(2)).unwrap_or(SystemTime::UNIX_EPOCH);
    let finder = memmem::Finder::new(needle.as_bytes());
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.with_context(|| format!("searching {}", dir.display()))?;
        let meta = entry.metadata()?;
        if !meta.is_file() || meta.modified()? < since {
            continue;
        }
        let bytes = std::fs::read(entry.path())
            .with_context(|| format!("reading {}", entry.path().display()))?;
        if finder.find(&bytes).is_some() {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}

/// Adds the check "no file under `target` written since `since` holds the credential" to
/// `report`.
pub fn check_target(report: &mut Report, target: &Path, credential: &str, since: SystemTime) {
    const NAME: &str = "no TURN credential under target/";
    match search(target, credential, since) {
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
    fn finds_the_needle_in_text_binary_and_nested_files_written_since() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        let needle = "0123456789abcdef0123456789abcdef";
        let old = dir.join("old.d");
        std::fs::write(&old, needle).unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(long_ago).unwrap();
        let since = SystemTime::now();
        std::fs::write(dir.join("clean.txt"), b"nothing here").unwrap();
        std::fs::write(dir.join("a/b/bin.wasm"), [&[0u8, 0xff, 7][..], needle.as_bytes()].concat())
            .unwrap();
        std::fs::write(dir.join("a/near.d"), &needle[..20]).unwrap();
        std::os::unix::fs::symlink(dir.join("a/b/bin.wasm"), dir.join("link")).unwrap();
        assert_eq!(search(dir, needle, since).unwrap(), vec![dir.join("a/b/bin.wasm")]);
        let mut all = search(dir, needle, long_ago).unwrap();
        all.sort();
        assert_eq!(all, vec![dir.join("a/b/bin.wasm"), old], "an older file counts when older");
        let mut report = Report::default();
        check_target(&mut report, dir, needle, since);
        assert_eq!(report.failed(), 1);
        let mut report = Report::default();
        check_target(&mut report, &dir.join("missing"), needle, since);
        assert_eq!(report.failed(), 0, "a missing target/ holds nothing");
    }
}
