//! A real TURN relay for the tests: coturn on a free loopback port with long-term credentials
//! generated for this run, stopped (by pid) when the guard drops.
//!
//! The credential is written only to a config file in a private (0700) temporary directory, so
//! it shows neither on coturn's command line (`ps`) nor in any log line of the run; the guard's
//! `Debug` redacts it. The wasm suites receive it at run time, from the endpoint in
//! [`crate::turn_config`].

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::setup::Tools;

/// The realm coturn is started with (any string works; both ends only need to agree).
pub const REALM: &str = "rtc-peer.test";

/// How long [`Turn::start`] waits for coturn to answer a STUN binding request.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);

/// How many free ports are tried before giving up (another process may grab the port
/// between our probe and coturn's bind).
const ATTEMPTS: usize = 3;

/// A running coturn, killed (by its pid) when this guard drops, also when tests fail.
pub struct Turn {
    child: Child,
    dir: PathBuf,
    port: u16,
    /// The long-term-credential user name generated for this run.
    pub username: String,
    /// The password generated for this run. Never print it; `Debug` redacts it.
    pub credential: String,
}

impl Turn {
    /// Starts coturn (`tools.turnserver`) on a free 127.0.0.1 port (UDP and TCP) and waits
    /// until it answers a STUN binding request (at most 10 s per attempt).
    pub fn start(tools: &Tools) -> Result<Turn> {
        Turn::start_with(&tools.turnserver)
    }

    /// Like [`Turn::start`], with an explicit `turnserver` binary.
    pub fn start_with(turnserver: &Path) -> Result<Turn> {
        let mut last_error = None;
        for attempt in 1..=ATTEMPTS {
            match Turn::try_start(turnserver) {
                Ok(turn) => return Ok(turn),
                Err(err) => {
                    eprintln!("xtask: coturn attempt {attempt}/{ATTEMPTS} failed: {err:#}");
                    last_error = Some(err);
                }
            }
        }
        match last_error {
            Some(err) => {
                Err(err.context(format!("coturn did not start after {ATTEMPTS} attempts")))
            }
            None => bail!("coturn was not started"),
        }
    }

    fn try_start(turnserver: &Path) -> Result<Turn> {
        let username = format!("rtcpeer-{}", random_hex(4)?);
        let credential = random_hex(16)?;
        let port = free_port()?;
        let dir = private_dir()?;
        let config = dir.join("turnserver.conf");
        write_private(&config, &format!("user={username}:{credential}\n"))?;
        let log = File::create(dir.join("turnserver.log"))
            .with_context(|| format!("creating {}", dir.join("turnserver.log").display()))?;
        let log_err = log
            .try_clone()
            .context("duplicating the coturn log handle")?;
        let spawned = Command::new(turnserver)
            .arg("-c")
            .arg(&config)
            .args([
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--allow-loopback-peers",
                "--no-cli",
                "--lt-cred-mech",
                "--no-tls",
                "--no-dtls",
                "--log-file=stdout",
                "--simple-log",
            ])
            .arg(format!("--realm={REALM}"))
            .arg(format!("--listening-port={port}"))
            .arg(format!(
                "--pidfile={}",
                dir.join("turnserver.pid").display()
            ))
            .arg(format!("--userdb={}", dir.join("turndb").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(err).with_context(|| format!("starting {}", turnserver.display()));
            }
        };
        // From here on, the guard owns the process and the directory: any early return kills
        // and removes them.
        let mut turn = Turn {
            child,
            dir,
            port,
            username,
            credential,
        };
        turn.wait_listening(LISTEN_TIMEOUT)?;
        Ok(turn)
    }

    /// Polls with STUN binding requests until coturn answers, it exits, or `timeout` passes.
    fn wait_listening(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a UDP probe")?;
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .context("setting the probe's timeout")?;
        let server = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut attempt: u32 = 0;
        loop {
            if let Some(status) = self.child.try_wait().context("polling coturn")? {
                bail!(
                    "coturn exited ({status}) before listening on port {}; its log:\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            attempt += 1;
            let id = transaction_id(attempt);
            // Errors here (connection refused before coturn binds) just mean "not yet".
            let _ = socket.send_to(&binding_request(id), server);
            let mut buf = [0u8; 1500];
            if let Ok((n, from)) = socket.recv_from(&mut buf) {
                if from == server && buf.get(..n).is_some_and(|r| is_binding_success(r, id)) {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                bail!(
                    "coturn did not answer a STUN binding request on 127.0.0.1:{} within {:?}; \
                     its log:\n{}",
                    self.port,
                    timeout,
                    self.log_tail()
                );
            }
        }
    }

    /// The URL to give `RTCIceServer.urls`: `turn:127.0.0.1:PORT?transport=udp`.
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=udp", self.port())
    }

    /// The UDP/TCP port coturn listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// coturn's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines of coturn's log, with the credential (should it ever appear) redacted.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.dir.join("turnserver.log")) {
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(20);
        lines
            .get(start..)
            .unwrap_or_default()
            .join("\n")
            .replace(&self.credential, "<redacted>")
    }

    /// Whether coturn's log mentions the credential anywhere (it must not).
    pub fn log_leaks_credential(&self) -> bool {
        fs::read(self.dir.join("turnserver.log")).is_ok_and(|log| {
            let needle = self.credential.as_bytes();
            log.windows(needle.len()).any(|w| w == needle)
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to exactly this pid (coturn uses threads, not children).
        let _ = self.child.kill();
        if self.log_leaks_credential() {
            eprintln!("xtask: coturn: its log mentioned the TURN credential (it was deleted)");
        }
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl fmt::Debug for Turn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Turn")
            .field("url", &self.url())
            .field("pid", &self.child.id())
            .field("username", &self.username)
            .field("credential", &"<redacted>")
            .finish()
    }
}

/// `n` random bytes from the kernel, hex-encoded.
fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A port free on 127.0.0.1 for both UDP and TCP (coturn listens on both).
fn free_port() -> Result<u16> {
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a UDP port")?;
        let port = udp.local_addr().context("reading the UDP port")?.port();
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("found no port free for both UDP and TCP on 127.0.0.1")
}

/// A fresh directory only this user can read (it holds the credential).
fn private_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "rtc-peer-turn-{}-{}",
        std::process::id(),
        random_hex(6)?
    ));
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn write_private(path: &Path, contents: &str) -> Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(contents.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];

fn transaction_id(attempt: u32) -> [u8; 12] {
    let mut id = *b"rtc-peer\0\0\0\0";
    id[8..].copy_from_slice(&attempt.to_be_bytes());
    id
}

/// A STUN Binding Request (RFC 5389 §6) with no attributes.
fn binding_request(id: [u8; 12]) -> [u8; 20] {
    let mut msg = [0u8; 20];
    msg[..2].copy_from_slice(&0x0001u16.to_be_bytes());
    // bytes 2..4: message length 0
    msg[4..8].copy_from_slice(&MAGIC_COOKIE);
    msg[8..].copy_from_slice(&id);
    msg
}

/// Whether `reply` is a Binding Success Response to the request with transaction `id`.
fn is_binding_success(reply: &[u8], id: [u8; 12]) -> bool {
    reply.len() >= 20
        && reply[..2] == 0x0101u16.to_be_bytes()
        && reply[4..8] == MAGIC_COOKIE
        && reply[8..20] == id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_random_per_call() {
        let a = random_hex(16).unwrap();
        let b = random_hex(16).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn binding_request_is_well_formed_and_matched() {
        let id = transaction_id(7);
        let req = binding_request(id);
        assert_eq!(&req[..4], &[0x00, 0x01, 0x00, 0x00]);
        assert_eq!(&req[4..8], &MAGIC_COOKIE);
        let mut reply = req;
        reply[..2].copy_from_slice(&[0x01, 0x01]);
        assert!(is_binding_success(&reply, id));
        assert!(!is_binding_success(&reply, transaction_id(8)));
        assert!(!is_binding_success(&req, id), "a request is not a response");
        assert!(!is_binding_success(&reply[..19], id));
    }

    #[test]
    fn free_port_is_bindable_on_udp_and_tcp() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }

    fn turnserver() -> PathBuf {
        let path = PathBuf::from("/usr/bin/turnserver");
        assert!(
            path.exists(),
            "coturn is not installed at /usr/bin/turnserver: run `cargo xtask setup`"
        );
        path
    }

    fn answers_stun(port: u16) -> bool {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let id = transaction_id(99);
        let _ = socket.send_to(&binding_request(id), (Ipv4Addr::LOCALHOST, port));
        let mut buf = [0u8; 1500];
        matches!(socket.recv_from(&mut buf), Ok((n, _)) if is_binding_success(&buf[..n], id))
    }

    fn pid_alive(pid: u32) -> bool {
        Path::new(&format!("/proc/{pid}")).exists()
    }

    #[test]
    fn starts_listens_redacts_and_stops_on_drop() {
        let turn = Turn::start_with(&turnserver()).unwrap();
        let (port, pid, dir) = (turn.port(), turn.pid(), turn.dir.clone());
        assert!(answers_stun(port), "coturn answers STUN on its port");
        assert!(pid_alive(pid));
        assert_eq!(turn.url(), format!("turn:127.0.0.1:{port}?transport=udp"));
        assert!(turn.username.starts_with("rtcpeer-"));
        assert_eq!(turn.credential.len(), 32);

        let shown = format!("{turn:?}");
        assert!(shown.contains(&turn.username));
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains(&turn.credential), "Debug leaks: {shown}");

        let args = fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let args = String::from_utf8_lossy(&args);
        assert!(
            !args.contains(&turn.credential),
            "the command line shows it"
        );
        assert!(!turn.log_leaks_credential(), "coturn's log shows it");
        assert!(!turn.log_tail().contains(&turn.credential));

        drop(turn);
        let deadline = Instant::now() + Duration::from_secs(5);
        while pid_alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!pid_alive(pid), "coturn (pid {pid}) still runs after drop");
        assert!(!answers_stun(port), "something still answers on {port}");
        assert!(!dir.exists(), "{} was not removed", dir.display());
    }

    #[test]
    fn two_servers_get_distinct_ports_and_credentials() {
        let a = Turn::start_with(&turnserver()).unwrap();
        let b = Turn::start_with(&turnserver()).unwrap();
        assert_ne!(a.port(), b.port());
        assert_ne!(a.username, b.username);
        assert_ne!(a.credential, b.credential);
    }

    #[test]
    fn a_missing_binary_is_an_error_not_a_hang() {
        let err = Turn::start_with(Path::new("/nonexistent/turnserver")).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/turnserver"));
    }
}
