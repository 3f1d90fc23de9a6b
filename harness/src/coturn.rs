//! A real TURN relay for the tests: coturn on a free loopback port with long-term credentials
//! generated for this run, stopped (by pid) when the guard drops.
//!
//! The credential is written only to a config file in a private (0700) temporary directory, so
//! it shows neither on coturn's command line (`ps`) nor in any log line; the guard's `Debug`
//! redacts it. The wasm suites receive it at run time, from [`crate::turn_config`].

use std::fmt;
use std::fs;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

use crate::daemon::{self, Daemon};
use crate::Tools;

/// The realm coturn is started with (any string works; both ends only need to agree).
const REALM: &str = "rtc-peer.test";

/// How long [`Turn::start`] waits for coturn to answer a STUN binding request.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(30);

/// How many free ports are tried (another process may take one between our probe and
/// coturn's bind).
const ATTEMPTS: usize = 3;

/// A running coturn, killed (by its pid) when this guard drops, also when tests fail.
pub struct Turn {
    /// Holds the config (with the credential) and the log; removed on drop.
    daemon: Daemon,
    port: u16,
    /// The long-term-credential user name generated for this run.
    pub username: String,
    /// The password generated for this run. Never print it; `Debug` redacts it.
    pub credential: String,
}

impl Turn {
    /// Starts coturn (`tools.turnserver`) on a free 127.0.0.1 port (UDP and TCP) and waits
    /// until it answers a STUN binding request.
    pub fn start(tools: &Tools) -> Result<Turn> {
        Turn::start_with(&tools.turnserver)
    }

    /// Like [`Turn::start`], with an explicit `turnserver` binary.
    pub fn start_with(turnserver: &Path) -> Result<Turn> {
        let mut attempt = 1;
        loop {
            match Turn::try_start(turnserver) {
                Err(err) if attempt < ATTEMPTS => {
                    eprintln!("xtask: coturn attempt {attempt}/{ATTEMPTS} failed: {err:#}");
                    attempt += 1;
                }
                done => {
                    return done.context(format!("coturn did not start after {attempt} attempts"))
                }
            }
        }
    }

    fn try_start(turnserver: &Path) -> Result<Turn> {
        let (username, credential) = (format!("rtcpeer-{}", random_hex(4)?), random_hex(16)?);
        let port = daemon::free_port()?;
        // Made 0700: only this user can read the config.
        let dir = Daemon::dir("turn")?;
        let file = |name: &str| dir.path().join(name);
        fs::write(file("turnserver.conf"), format!("user={username}:{credential}\n"))?;
        let mut cmd = Command::new(turnserver);
        cmd.arg("-c")
            .arg(file("turnserver.conf"))
            .args(["--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--allow-loopback-peers"])
            .args(["--no-cli", "--lt-cred-mech", "--no-tls", "--no-dtls"])
            .args(["--log-file=stdout", "--simple-log"])
            .arg(format!("--realm={REALM}"))
            .arg(format!("--listening-port={port}"))
            .arg(format!("--pidfile={}", file("turnserver.pid").display()))
            .arg(format!("--userdb={}", file("turndb").display()));
        // coturn uses threads, not children: SIGKILL to its pid stops all of it.
        let daemon = Daemon::spawn("turnserver", dir, Duration::ZERO, &mut cmd)?;
        // From here on the guard owns the process and the directory.
        let mut turn = Turn { daemon, port, username, credential };
        let what = format!("answer a STUN binding request on 127.0.0.1:{port}");
        let probe = move || answers_stun(port, Duration::from_millis(200));
        if let Err(err) = turn.daemon.wait_until(&what, LISTEN_TIMEOUT, probe) {
            bail!("{}", format!("{err:#}").replace(&turn.credential, "<redacted>"));
        }
        Ok(turn)
    }

    /// The URL to give `RTCIceServer.urls`: `turn:127.0.0.1:PORT?transport=udp`.
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=udp", self.port)
    }

    /// coturn's process id.
    pub fn pid(&self) -> u32 {
        self.daemon.pid()
    }

    /// Whether coturn's log mentions the credential anywhere (it must not).
    fn log_leaks_credential(&self) -> bool {
        self.daemon.log().contains(&self.credential)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.daemon.stop();
        if self.log_leaks_credential() {
            eprintln!("xtask: coturn: its log mentioned the TURN credential (it was deleted)");
        }
    }
}

impl fmt::Debug for Turn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Turn")
            .field("url", &self.url())
            .field("pid", &self.pid())
            .field("username", &self.username)
            .field("credential", &"<redacted>")
            .finish()
    }
}

/// `n` random bytes from the operating system, hex-encoded.
fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no random bytes from the system: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
/// Whether a STUN Binding Request (RFC 5389 §6, no attributes) to 127.0.0.1:`port` gets its
/// Binding Success Response within `wait`.
fn answers_stun(port: u16, wait: Duration) -> bool {
    const COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
    // A fresh socket per probe: whatever answers it answers this request.
    let id = *b"rtc-peer-stn";
    let request = [&[0x00, 0x01, 0x00, 0x00][..], &COOKIE, &id].concat();
    let Ok(socket) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
        return false;
    };
    let _ = socket.set_read_timeout(Some(wait));
    // A refused send (nothing bound yet) just means "not yet".
    let _ = socket.send_to(&request, (Ipv4Addr::LOCALHOST, port));
    let mut reply = [0u8; 1500];
    matches!(socket.recv_from(&mut reply), Ok((n, from)) if from.port() == port && n >= 20
        && reply[..2] == [0x01, 0x01] && reply[4..8] == COOKIE && reply[8..20] == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Instant;

    /// Polls `ok` every 50 ms for at most 20 s; fails with `what` when it never holds.
    fn eventually(what: &str, ok: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ok() {
            assert!(Instant::now() < deadline, "not within 20 s: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn turnserver() -> &'static Path {
        let path = Path::new("/usr/bin/turnserver");
        assert!(
            path.exists(),
            "coturn is not installed at /usr/bin/turnserver: run `cargo xtask setup`"
        );
        path
    }

    #[test]
    fn credentials_are_random_per_call() {
        let a = random_hex(16).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(16).unwrap());
    }

    #[test]
    fn stun_is_answered_only_by_a_stun_server() {
        // A UDP socket that echoes the request back: a request is not a success response.
        let echo = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = echo.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = echo.recv_from(&mut buf) {
                let _ = echo.send_to(&buf[..n], from);
            }
        });
        assert!(!answers_stun(port, Duration::from_millis(300)), "an echo is not a STUN server");
        let free = daemon::free_port().unwrap();
        assert!(!answers_stun(free, Duration::from_millis(300)), "nothing listens");
    }

    #[test]
    fn free_port_is_bindable_on_udp_and_tcp() {
        // Another test may take the port between the probe and these binds: a few tries.
        let mut taken = Vec::new();
        for _ in 0..5 {
            let port = daemon::free_port().unwrap();
            assert_ne!(port, 0);
            match (
                UdpSocket::bind((Ipv4Addr::LOCALHOST, port)),
                TcpListener::bind((Ipv4Addr::LOCALHOST, port)),
            ) {
                (Ok(_), Ok(_)) => return,
                other => taken.push((port, format!("{other:?}"))),
            }
        }
        panic!("no port from free_port() was bindable on both UDP and TCP: {taken:?}");
    }

    #[test]
    fn starts_listens_redacts_and_stops_on_drop() {
        let turn = Turn::start_with(turnserver()).unwrap();
        let (port, pid, dir) = (turn.port, turn.pid(), turn.daemon.path(""));
        let alive = move || Path::new(&format!("/proc/{pid}")).exists();
        assert!(
            answers_stun(port, Duration::from_secs(5)),
            "coturn answers STUN on its port {port}"
        );
        assert!(alive());
        assert_eq!(turn.url(), format!("turn:127.0.0.1:{port}?transport=udp"));
        assert!(turn.username.starts_with("rtcpeer-"));
        assert_eq!(turn.credential.len(), 32);

        let shown = format!("{turn:?}");
        assert!(shown.contains(&turn.username) && shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains(&turn.credential), "Debug leaks: {shown}");
        let args = String::from_utf8_lossy(&fs::read(format!("/proc/{pid}/cmdline")).unwrap())
            .into_owned();
        assert!(!args.contains(&turn.credential), "the command line shows it");
        assert!(!turn.log_leaks_credential(), "coturn's log shows it");

        drop(turn);
        eventually(&format!("coturn (pid {pid}) is gone after drop"), || !alive());
        eventually(&format!("nothing answers STUN on {port}"), || {
            !answers_stun(port, Duration::from_millis(200))
        });
        assert!(!dir.exists(), "{} was not removed", dir.display());
    }

    #[test]
    fn two_servers_get_distinct_ports_and_credentials() {
        let a = Turn::start_with(turnserver()).unwrap();
        let b = Turn::start_with(turnserver()).unwrap();
        assert_ne!(a.port, b.port);
        assert_ne!(a.username, b.username);
        assert_ne!(a.credential, b.credential);
    }

    #[test]
    fn a_server_that_exits_is_retried_then_reported_with_why_and_no_credential() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (fake, count) = (dir.path().join("turnserver"), dir.path().join("starts"));
        // It prints its config (the credential's line) before it exits: the error shows its
        // log, and must not show the credential.
        let script =
            format!("#!/bin/sh\necho started >> {}\ncat \"$2\"\nexit 7\n", count.display());
        fs::write(&fake, script).unwrap();
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
        let err = format!("{:#}", Turn::start_with(&fake).unwrap_err());
        assert!(err.contains(&format!("after {ATTEMPTS} attempts")), "{err}");
        assert!(err.contains("exited (exit status: 7) before it could answer"), "{err}");
        let shown = err.split("user=").nth(1).unwrap_or_else(|| panic!("its log: {err}"));
        assert!(shown.contains(":<redacted>"), "the credential is shown: {err}");
        let starts = fs::read_to_string(&count).unwrap();
        assert_eq!(starts.lines().count(), ATTEMPTS, "started {starts:?}");
    }

    #[test]
    fn a_missing_binary_is_an_error_not_a_hang() {
        let err = Turn::start_with(Path::new("/nonexistent/turnserver")).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/turnserver"));
    }
}
