//! The run's one temporary directory: everything started inside the network namespace
//! (coturn, Janus, page servers, drivers, browsers and their profiles) gets it as `TMPDIR`, and
//! it goes when the run ends: on return, on error, and on Ctrl-C ([`process`] removes it after
//! killing the children). What is still in it at the end is what the run's processes left
//! behind; [`RunDir::finish`] names it before removing it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};

use harness::process;

/// The prefix of a run directory's name, in the system's temporary directory.
pub const PREFIX: &str = "xtask-run-";

/// A run directory, removed (with everything in it) on drop.
#[derive(Debug)]
pub struct RunDir {
    dir: PathBuf,
}

impl RunDir {
    /// A new run directory in `base` (the system's temporary directory, for a real run),
    /// removed on Ctrl-C too.
    pub fn new_in(base: &Path) -> Result<RunDir> {
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(base)
            .with_context(|| format!("creating the run directory in {}", base.display()))?
            .keep();
        process::remove_on_interrupt(&dir);
        Ok(RunDir { dir })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Makes `cmd`, and everything it starts, write its temporary files here.
    pub fn apply<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("TMPDIR", self.path())
    }

    /// The names of what the run left here (sorted; `except` left out), then removes it all.
    pub fn finish(self, except: &[&Path]) -> Vec<String> {
        let mut left: Vec<String> = fs::read_dir(self.path())
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok())
            .filter(|entry| !except.contains(&entry.path().as_path()))
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        left
    }
}

impl Drop for RunDir {
    /// Removes the directory; a process that was still writing into it gets two more tries.
    fn drop(&mut self) {
        for _ in 0..3 {
            if fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if self.dir.exists() {
            eprintln!("xtask: could not remove the run directory {}", self.dir.display());
        }
        process::forget_on_interrupt(&self.dir);
    }
}

/// One line on what a run left in its run directory, or `None` when it left nothing.
pub fn describe_left(left: &[String]) -> Option<String> {
    const SHOWN: usize = 8;
    if left.is_empty() {
        return None;
    }
    let mut names = left.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if left.len() > SHOWN {
        names.push_str(&format!(", … ({} more)", left.len() - SHOWN));
    }
    let entries = if left.len() == 1 { "entry" } else { "entries" };
    Some(format!(
        "the run's processes left {} {entries} in its run directory (removed with it): {names}",
        left.len()
    ))
}
