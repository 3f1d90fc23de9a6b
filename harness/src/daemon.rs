//! A server the runs start and stop (coturn, Janus): one child process whose configuration and
//! log live in a private (0700) temporary directory, ready when a probe says so, stopped by its
//! pid when dropped (SIGTERM, then SIGKILL after a grace), its directory removed with it.

use std::fs::{self, File};
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

/// A running server process, stopped by its pid when dropped, also when tests fail.
pub struct Daemon {
    name: &'static str,
    child: Option<Child>,
    dir: TempDir,
    /// How long a SIGTERM may take before SIGKILL (zero: SIGKILL at once).
    grace: Duration,
}

impl Daemon {
    /// A fresh private directory `rtc-peer-<name>-…` for the configuration, before the start.
    pub fn dir(name: &str) -> Result<TempDir> {
        let prefix = format!("rtc-peer-{name}-");
        tempfile::Builder::new().prefix(&prefix).tempdir().context("creating a private directory")
    }

    /// Starts `cmd` with stdin closed and stdout and stderr into `<dir>/<name>.log`.
    pub fn spawn(
        name: &'static str,
        dir: TempDir,
        grace: Duration,
        cmd: &mut Command,
    ) -> Result<Daemon> {
        let mut daemon = Daemon { name, child: None, dir, grace };
        daemon.respawn(cmd)?;
        Ok(daemon)
    }

    /// Kills the process at once, as a crash would, then starts `cmd` in its place (same
    /// directory, a fresh log).
    pub fn respawn(&mut self, cmd: &mut Command) -> Result<()> {
        self.grace_then_kill(Duration::ZERO);
        let log = File::create(self.path(&format!("{}.log", self.name)))
            .with_context(|| format!("creating {}'s log", self.name))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", cmd.get_program().to_string_lossy()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Polls `ready` until it holds; fails, with the log's tail, when the process exits first
    /// or `timeout` passes. `ready` should take a moment to answer no.
    pub fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let (name, pid) = (self.name, self.pid());
        while !ready() {
            if let Some(status) = self.exited()? {
                bail!(
                    "{name} (pid {pid}) exited ({status}) before it could {what}; its log:\n{}",
                    self.log_tail(30)
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "{name} (pid {pid}) did not {what} within {timeout:?}; its log:\n{}",
                    self.log_tail(30)
                );
            }
        }
        Ok(())
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        let child = self.child.as_mut().context("not started")?;
        child.try_wait().with_context(|| format!("polling {}", self.name))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// A file in the private directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The whole log.
    pub fn log(&self) -> String {
        let log = fs::read(self.path(&format!("{}.log", self.name))).unwrap_or_default();
        String::from_utf8_lossy(&log).into_owned()
    }

    /// The last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// Stops the process (SIGTERM to exactly its pid, SIGKILL after the grace) and reaps it.
    pub fn stop(&mut self) {
        self.grace_then_kill(self.grace);
    }

    fn grace_then_kill(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let (false, Ok(pid)) = (grace.is_zero(), i32::try_from(child.id())) {
            // SAFETY: kill(2) with a pid we spawned and have not reaped yet.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + grace;
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_)) | Err(_)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port free on 127.0.0.1 for both UDP and TCP (coturn listens on both).
pub fn free_port() -> Result<u16> {
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a UDP port")?;
        let port = udp.local_addr()?.port();
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("found no port free for both UDP and TCP on 127.0.0.1")
}
