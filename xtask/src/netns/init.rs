//! The namespace's first process reaps what is orphaned inside it, as an init does.
//!
//! `unshare --pid --fork` makes the inner xtask pid 1 of the run's PID namespace, and every
//! process whose parent exits is handed to pid 1 (a browser's helpers when its driver
//! ends). A pid 1 that never waits for them leaves them as zombies until the run ends. So pid 1
//! forks at once: the child does the run, and pid 1 only waits, for its child and for every
//! orphan, then exits with its child's status. When pid 1 exits the kernel ends whatever is
//! still running in the namespace.

use anyhow::{bail, Result};

/// In pid 1 of a PID namespace: forks, returns in the child and never returns in pid 1, which
/// reaps until the child ends and then exits as it did. Anywhere else: returns at once.
///
/// Call it before any thread is started: the child of a fork has only the calling thread.
pub fn become_reaper() -> Result<()> {
    // SAFETY: getpid has no preconditions.
    if unsafe { libc::getpid() } != 1 {
        return Ok(());
    }
    // SAFETY: called first thing in main, while the process has a single thread, so the child
    // is a full copy of it (no lock held by another thread).
    let child = unsafe { libc::fork() };
    match child {
        -1 => bail!("fork: {}", std::io::Error::last_os_error()),
        0 => Ok(()),
        child => std::process::exit(reap_until(child)),
    }
}

/// Waits for any child until `worker` has ended; returns its exit code (128 + the signal that
/// killed it, as shells report it).
fn reap_until(worker: libc::pid_t) -> i32 {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid place for waitpid to write to.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid == worker {
            return if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                128 + libc::WTERMSIG(status)
            };
        }
        if pid == -1 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            // No child left at all: the worker's status was lost.
            return 1;
        }
    }
}
