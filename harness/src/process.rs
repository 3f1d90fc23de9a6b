//! Running child processes: echoing the command, streaming its output, and a deadline for
//! every one. Each child leads a process group of its own; at its deadline the whole group
//! (runner, driver, browser) is killed with a message naming it, and so is a group left
//! behind when its leader exits, or when this process is interrupted.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use wait_timeout::ChildExt;

/// The deadline of a child that names none (installs, builds, lints on a busy machine).
pub const LONG: Duration = Duration::from_secs(60 * 60);

/// Process groups still running, killed on Ctrl-C.
static GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Run directories in use, removed on Ctrl-C once the groups are killed.
static RUN_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// `program arg arg…` quoted as a shell would need it, for logs (env and cwd left out).
pub fn display(cmd: &Command) -> String {
    let words = std::iter::once(cmd.get_program()).chain(cmd.get_args());
    shell_words::join(words.map(|w| w.to_string_lossy()))
}

/// A `cargo` command: the cargo that runs us (`$CARGO`), else `cargo` from PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Kills every process of the group led by `pid` (SIGKILL); quiet when none is left.
pub(crate) fn kill_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory involved.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
}

/// Makes Ctrl-C kill the children's process groups, then remove the run directories, before
/// this process exits.
pub fn kill_children_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        for pid in GROUPS.lock().map(|g| g.clone()).unwrap_or_default() {
            kill_group(pid);
        }
        for dir in RUN_DIRS.lock().map(|d| d.clone()).unwrap_or_default() {
            // The killed processes may still be going: a few tries.
            for _ in 0..5 {
                if std::fs::remove_dir_all(&dir).is_ok() || !dir.exists() {
                    break;
                }
                thread::sleep(Duration::from_millis(200));
            }
        }
        std::process::exit(130);
    });
}

/// Has Ctrl-C remove `dir` (a run directory) after killing the children.
pub fn remove_on_interrupt(dir: &Path) {
    if let Ok(mut dirs) = RUN_DIRS.lock() {
        dirs.push(dir.to_path_buf());
    }
}

/// Undoes [`remove_on_interrupt`] (the directory is gone).
pub fn forget_on_interrupt(dir: &Path) {
    if let Ok(mut dirs) = RUN_DIRS.lock() {
        dirs.retain(|d| d != dir);
    }
}

/// A started child in its own process group, registered for Ctrl-C.
fn spawn(cmd: &mut Command) -> Result<Child> {
    let child = cmd
        .process_group(0)
        .spawn()
        .with_context(|| format!("could not start `{}`", display(cmd)))?;
    if let Ok(mut groups) = GROUPS.lock() {
        groups.push(child.id());
    }
    Ok(child)
}

/// Waits for `child` until `deadline`, then kills its group; kills what the group left behind
/// either way. `Err` names the command and the deadline when it was killed.
fn finish(mut child: Child, name: &str, deadline: Instant, limit: Duration) -> Result<ExitStatus> {
    let left = deadline.saturating_duration_since(Instant::now());
    let status = child.wait_timeout(left).context("waiting for a child process")?;
    kill_group(child.id());
    let _ = child.wait();
    if let Ok(mut groups) = GROUPS.lock() {
        groups.retain(|&g| g != child.id());
    }
    status.with_context(|| {
        let msg = format!("killed `{name}` (and its process group): still running after {limit:?}");
        println!("xtask: {msg}");
        msg
    })
}

/// Runs `cmd` with inherited stdout and stderr after printing it, within `limit`; returns how
/// it exited. Failing to start, or running past `limit`, is an error.
pub fn exit_within(cmd: &mut Command, limit: Duration) -> Result<ExitStatus> {
    println!("$ {}", display(cmd));
    let child = spawn(cmd)?;
    finish(child, &display(cmd), Instant::now() + limit, limit)
}

/// [`exit_within`], and whether it succeeded.
pub fn status_within(cmd: &mut Command, limit: Duration) -> Result<bool> {
    Ok(exit_within(cmd, limit)?.success())
}

/// [`status_within`] with the [`LONG`] deadline.
pub fn status(cmd: &mut Command) -> Result<bool> {
    status_within(cmd, LONG)
}

/// Like [`status`], but a non-zero exit is an error too.
pub fn run(cmd: &mut Command) -> Result<()> {
    if !status(cmd)? {
        bail!("`{}` failed", display(cmd));
    }
    Ok(())
}

/// Quietly runs `cmd` and returns its trimmed stdout if it succeeded (for version probes).
pub fn probe(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// How a streamed child ended.
#[derive(Debug)]
pub struct Streamed {
    /// `None` when it was killed at its deadline.
    pub status: Option<ExitStatus>,
    /// Every line of stdout and stderr, in arrival order.
    pub lines: Vec<String>,
    /// Why it was killed (names the command and the deadline).
    pub killed: Option<String>,
}

/// Runs `cmd` after printing it, echoing stdout and stderr line by line as they arrive, and
/// kills its process group after `limit`.
pub fn stream(cmd: &mut Command, limit: Duration) -> Result<Streamed> {
    println!("$ {}", display(cmd));
    // One pipe for both streams, so lines keep the order they were written in (cargo's
    // `Running …` on stderr before the runner's output on stdout).
    let (reader, writer) = std::io::pipe().context("creating a pipe")?;
    let child = spawn(cmd.stdin(Stdio::null()).stdout(writer.try_clone()?).stderr(writer));
    // `cmd` keeps its copies of the writing end until told otherwise: drop them, or the pipe
    // never ends.
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let child = child?;
    let (tx, rx) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in BufReader::new(reader).split(b'\n').map_while(|l| l.ok()) {
            let line = String::from_utf8_lossy(&line).trim_end_matches('\r').to_string();
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + limit;
    let mut lines = Vec::new();
    // Until the pipe closes, or the deadline (a grandchild may hold a pipe after the kill).
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        println!("{line}");
        lines.push(line);
    }
    let ended = finish(child, &display(cmd), deadline, limit);
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        println!("{line}");
        lines.push(line);
    }
    Ok(Streamed {
        killed: ended.as_ref().err().map(|e| format!("{e:#}")),
        status: ended.ok(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hung_child_and_its_group_are_killed_at_the_deadline() {
        let started = Instant::now();
        // The grandchild `sleep` holds the pipe too: the whole group must go.
        let out = stream(
            Command::new("sh").args(["-c", "echo started; sleep 30 & sleep 30"]),
            Duration::from_millis(500),
        )
        .unwrap();
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(10),
            "not killed at its 500 ms deadline: ended after {took:?}"
        );
        assert_eq!(out.lines, ["started"]);
        assert!(out.status.is_none());
        assert!(out.killed.unwrap().contains("sh -c"), "the message names the command");
        let err = status_within(Command::new("sleep").arg("30"), Duration::from_millis(200));
        assert!(format!("{:#}", err.unwrap_err()).contains("killed `sleep 30`"));
    }

    #[test]
    fn a_child_that_ends_in_time_keeps_its_status_and_lines() {
        let out = stream(
            Command::new("sh").args(["-c", "echo a; echo b >&2; exit 3"]),
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(out.status.and_then(|s| s.code()), Some(3));
        assert_eq!(out.lines.len(), 2);
        assert!(out.killed.is_none());
    }
}
