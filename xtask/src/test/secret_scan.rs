//! After a run: no file under `target/` may hold the run's TURN credential.
//!
//! The wasm suites read the credential at run time, so nothing that cargo, wasm-bindgen or the
//! test runner writes should contain it. A credential read with `option_env!` would show up in
//! cargo's dep-info files (and in the test binary); this search, of text and binary files
//! alike, finds that.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use memchr::memmem::Finder;

use super::report::Report;

/// Read size; the last `needle.len() - 1` bytes of a chunk are searched again with the next.
const CHUNK: usize = 4 << 20;

/// What a search found.
#[derive(Debug, Default)]
pub struct Found {
    /// Files that contain the needle.
    pub files: Vec<PathBuf>,
    /// How many files and bytes were searched.
    pub searched_files: u64,
    pub searched_bytes: u64,
}

/// Searches every regular file under `dir` (symbolic links are not followed) for `needle`.
/// A missing `dir` holds nothing.
pub fn search(dir: &Path, needle: &[u8]) -> Result<Found> {
    let mut found = Found::default();
    if needle.is_empty() || !dir.exists() {
        return Ok(found);
    }
    let finder = Finder::new(needle);
    let mut buf = vec![0u8; CHUNK + needle.len()];
    for entry in walkdir::WalkDir::new(dir) {
        let entry = match entry {
            Ok(entry) => entry,
            // Removed since it was listed (a build running next to us): nothing to search.
            Err(e) if e.io_error().is_some_and(|e| e.kind() == ErrorKind::NotFound) => continue,
            Err(e) => return Err(e).context("listing target/"),
        };
        if entry.file_type().is_file() {
            let (hit, bytes) = file_contains(entry.path(), &finder, needle.len(), &mut buf)?;
            found.searched_files += 1;
            found.searched_bytes += bytes;
            if hit {
                found.files.push(entry.into_path());
            }
        }
    }
    found.files.sort();
    Ok(found)
}

/// Whether the file holds the needle, and how many bytes were read.
fn file_contains(
    path: &Path,
    finder: &Finder,
    needle_len: usize,
    buf: &mut [u8],
) -> Result<(bool, u64)> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        // Removed since it was listed (a build running next to us): nothing to search.
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok((false, 0)),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let keep = needle_len - 1;
    let mut filled = 0;
    let mut total = 0u64;
    loop {
        let n =
            file.read(&mut buf[filled..]).with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            return Ok((false, total));
        }
        total += n as u64;
        filled += n;
        if finder.find(&buf[..filled]).is_some() {
            return Ok((true, total));
        }
        if filled > keep {
            buf.copy_within(filled - keep..filled, 0);
            filled = keep;
        }
    }
}

/// Adds the check "no file under `target` holds the credential" to `report`.
pub fn check_target(report: &mut Report, target: &Path, credential: &str) {
    const NAME: &str = "no TURN credential under target/";
    match search(target, credential.as_bytes()) {
        Ok(found) => {
            println!(
                "xtask: searched {} files ({} MB) under {} for this run's TURN credential",
                found.searched_files,
                found.searched_bytes >> 20,
                target.display()
            );
            if found.files.is_empty() {
                report.check(NAME, true);
            } else {
                let why = format!(
                    "the TURN credential of this run is written in {:?} (was it read at compile \
                     time, e.g. with option_env!?)",
                    found.files
                );
                report.fail(NAME, None, &why);
            }
        }
        Err(err) => report.fail(NAME, None, &format!("searching {}: {err:#}", target.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_needle_in_text_binary_nested_and_across_chunks() {
        use std::fs;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        fs::create_dir_all(dir.join("a/b")).unwrap();
        let needle = b"0123456789abcdef0123456789abcdef";
        fs::write(dir.join("clean.txt"), b"nothing here").unwrap();
        let mut binary = vec![0u8, 0xff, 7];
        binary.extend_from_slice(needle);
        fs::write(dir.join("a/b/bin.wasm"), &binary).unwrap();
        // Straddles the first chunk boundary.
        let mut big = vec![b'x'; CHUNK - 10];
        big.extend_from_slice(needle);
        big.extend_from_slice(&[b'y'; 100]);
        fs::write(dir.join("a/big.d"), &big).unwrap();
        let mut near = vec![b'x'; CHUNK - 10];
        near.extend_from_slice(&needle[..20]);
        fs::write(dir.join("a/near.d"), &near).unwrap();

        let found = search(&dir, needle).unwrap();
        assert_eq!(found.files, vec![dir.join("a/b/bin.wasm"), dir.join("a/big.d")]);
        assert_eq!(found.searched_files, 4);

        let mut report = Report::default();
        check_target(&mut report, &dir, std::str::from_utf8(needle).unwrap());
        assert_eq!(report.failed(), 1);
        fs::remove_dir_all(&dir).unwrap();
        let mut report = Report::default();
        check_target(&mut report, &dir, std::str::from_utf8(needle).unwrap());
        assert_eq!(report.failed(), 0, "a missing target/ holds nothing");
    }
}
