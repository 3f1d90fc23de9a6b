//! A real SFU for the browser tests: Debian's Janus, started from a private copy of its
//! packaged configuration and stopped (by pid) when the guard drops, also when tests fail.
//!
//! The copy keeps only the `videoroom` and `echotest` plugins and the plain HTTP transport,
//! bound to 127.0.0.1 on a free port; no STUN server, no event handlers, no external loggers.
//! Janus never gathers ICE candidates on a loopback interface (it drops every `IFF_LOOPBACK`
//! interface), so it runs only inside the run's network namespace, where it gathers on the
//! veth's test-host address [`ICE_ADDRESS`] (and puts that address in its SDP).
//!
//! The browser suites learn its REST URL at run time from [`endpoint`]; `cargo xtask
//! janus-example` ([`example`]) starts the same configuration on an interface of the user's.

pub mod endpoint;
pub mod example;

use std::fs;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::daemon::{self, Daemon};

/// The test-host address of the run's network namespace Janus gathers on and advertises.
pub const ICE_ADDRESS: &str = "10.200.0.1";

/// The plugins the tests use; every other one in the plugins folder is disabled.
const PLUGINS: &[&str] = &["libjanus_videoroom.so", "libjanus_echotest.so"];

/// The one transport: plain HTTP (REST with long-polling).
const TRANSPORT: &str = "libjanus_http.so";

/// Where Debian's package keeps the configuration the private copy starts from.
const PACKAGED_CONFIG: &str = "/etc/janus";

/// Where Debian's package keeps the plugins and transports.
const LIB_DIR: &str = "/usr/lib/x86_64-linux-gnu/janus";

/// How long [`Janus::start`] waits for `GET /janus/info` to answer.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a SIGTERM may take before SIGKILL (Janus stops in about 2 s).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A running Janus, stopped by its pid when dropped.
pub struct Janus {
    daemon: Daemon,
    binary: PathBuf,
    port: u16,
    /// The address Janus gathers ICE candidates on and puts in its SDP.
    ice: String,
}

impl Janus {
    /// Starts `janus` from a fresh private configuration on a free 127.0.0.1 port and waits
    /// (at most 30 s) until its REST API answers `GET /janus/info`.
    ///
    /// # Errors
    ///
    /// Outside the run's network namespace (no [`ICE_ADDRESS`] to gather on), when the
    /// configuration cannot be written, or when Janus exits or does not answer in time (the
    /// error carries its log tail).
    pub fn start(binary: &Path) -> Result<Janus> {
        UdpSocket::bind((ICE_ADDRESS, 0)).with_context(|| {
            format!(
                "Janus needs the test-host address {ICE_ADDRESS} of the run's network namespace \
                 (it never gathers ICE on loopback); the SFU tests cannot run on the host network"
            )
        })?;
        Janus::start_within(binary, ICE_ADDRESS, READY_TIMEOUT)
    }

    /// [`Janus::start`] gathering on `ice` (an address of this machine, not loopback) instead,
    /// without the namespace check, waiting at most `timeout`.
    fn start_within(binary: &Path, ice: &str, timeout: Duration) -> Result<Janus> {
        let (dir, port) = (Daemon::dir("janus")?, daemon::free_port()?);
        write_config(dir.path(), port, ice)?;
        let command = command(binary, dir.path(), ice);
        let daemon = Daemon::spawn("janus", dir, STOP_GRACE, &mut { command })?;
        let (binary, ice) = (binary.to_path_buf(), ice.to_string());
        let mut janus = Janus { daemon, binary, port, ice };
        janus.wait_ready(timeout)?;
        Ok(janus)
    }

    /// The REST root, `http://127.0.0.1:PORT/janus`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/janus", self.port)
    }

    /// Janus's process id.
    pub fn pid(&self) -> u32 {
        self.daemon.pid()
    }

    /// Kills Janus at once (SIGKILL, as a crash would), then starts it again from the same
    /// configuration on the same port and waits until it answers. Returns the killed pid.
    ///
    /// # Errors
    ///
    /// When the new process does not come up (with its log tail).
    pub(crate) fn kill_and_restart(&mut self) -> Result<u32> {
        let killed = self.pid();
        self.daemon.respawn(&mut command(&self.binary, &self.daemon.path(""), &self.ice))?;
        self.wait_ready(READY_TIMEOUT)?;
        Ok(killed)
    }

    /// Polls `GET /janus/info` until it answers, Janus exits, or `timeout` passes.
    fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let agent = crate::browser::webdriver::loopback_agent(Duration::from_secs(2));
        let info = format!("{}/info", self.url());
        let answers = || {
            let reply =
                agent.get(&info).call().ok().and_then(|mut r| r.body_mut().read_json().ok());
            let ok = reply.is_some_and(|body: serde_json::Value| body["janus"] == "server_info");
            if !ok {
                std::thread::sleep(Duration::from_millis(200));
            }
            ok
        };
        self.daemon.wait_until(&format!("answer {info}"), timeout, answers)
    }

    /// Whether Janus has exited (and how).
    pub fn exited(&mut self) -> Result<Option<std::process::ExitStatus>> {
        self.daemon.exited()
    }

    /// The last 30 lines of Janus's log.
    pub fn log_tail(&self) -> String {
        self.daemon.log_tail(30)
    }
}

/// Janus with its private configuration in `dir`, gathering ICE on `ice`.
fn command(binary: &Path, dir: &Path, ice: &str) -> Command {
    let mut cmd = Command::new(binary);
    cmd.arg("-F").arg(dir).arg("-C").arg(dir.join("janus.jcfg")).args(["-i", ice, "-o"]);
    cmd
}

/// Writes the private configuration into `dir`: `janus.jcfg`, the HTTP transport's and the
/// two plugins' files, copied from the packaged ones and edited.
fn write_config(dir: &Path, port: u16, ice: &str) -> Result<()> {
    let packaged = Path::new(PACKAGED_CONFIG);
    let read = |name: &str| {
        fs::read_to_string(packaged.join(name))
            .with_context(|| format!("reading {}", packaged.join(name).display()))
    };
    let plugins = others(&Path::new(LIB_DIR).join("plugins"), PLUGINS)?;
    let transports = others(&Path::new(LIB_DIR).join("transports"), &[TRANSPORT])?;
    let main = edit_main(&read("janus.jcfg")?, &plugins, &transports, ice)?;
    let http = edit_http(&read("janus.transport.http.jcfg")?, port)?;
    let write = |name: &str, text: &str| {
        fs::write(dir.join(name), text).with_context(|| format!("writing {name}"))
    };
    write("janus.jcfg", &main)?;
    write("janus.transport.http.jcfg", &http)?;
    for plugin in ["janus.plugin.videoroom.jcfg", "janus.plugin.echotest.jcfg"] {
        write(plugin, &read(plugin)?)?;
    }
    Ok(())
}

/// The `.so` files in `folder` other than `keep`, comma-separated (Janus's `disable` list).
fn others(folder: &Path, keep: &[&str]) -> Result<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .with_context(|| format!("listing {}", folder.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".so") && !keep.contains(&n.as_str()))
        .collect();
    names.sort();
    Ok(names.join(","))
}

/// Replaces the first line of `text` that starts (after whitespace) with `starts` by
/// `replacement`, or fails naming what was missing.
fn replace_line(text: &str, starts: &str, replacement: &str) -> Result<String> {
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !done && line.trim_start().starts_with(starts) {
                done = true;
                format!("\t{replacement}")
            } else {
                line.to_string()
            }
        })
        .collect();
    if !done {
        bail!("the packaged Janus configuration has no line starting with `{starts}`");
    }
    Ok(lines.join("\n") + "\n")
}

/// `janus.jcfg`: every plugin and transport but ours disabled, the JSON logger off, event
/// handlers off, no STUN, ICE only on `ice`.
fn edit_main(text: &str, plugins: &str, transports: &str, ice: &str) -> Result<String> {
    let text = replace_line(
        text,
        "#disable = \"libjanus_voicemail.so",
        &format!("disable = \"{plugins}\""),
    )?;
    let text = replace_line(
        &text,
        "#disable = \"libjanus_rabbitmq.so\"",
        &format!("disable = \"{transports}\""),
    )?;
    let text = replace_line(
        &text,
        "#disable = \"libjanus_jsonlog.so\"",
        "disable = \"libjanus_jsonlog.so\"",
    )?;
    let text = replace_line(&text, "#broadcast = true", "broadcast = false")?;
    let text = replace_line(&text, "#ice_enforce_list", &format!("ice_enforce_list = \"{ice}\""))?;
    if text.lines().any(|l| l.trim_start().starts_with("stun_server")) {
        bail!("the packaged janus.jcfg names a STUN server; the tests must not use one");
    }
    Ok(text)
}

/// `janus.transport.http.jcfg`: plain HTTP on 127.0.0.1:`port`, no admin API.
fn edit_http(text: &str, port: u16) -> Result<String> {
    let text = replace_line(text, "port = 8088", &format!("port = {port}"))?;
    let text = replace_line(&text, "#ip =", "ip = \"127.0.0.1\"")?;
    replace_line(&text, "admin_http =", "admin_http = false")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn packaged(name: &str) -> Option<String> {
        fs::read_to_string(Path::new(PACKAGED_CONFIG).join(name)).ok()
    }

    #[test]
    fn the_private_config_keeps_only_our_plugins_and_transport() {
        let Some(main) = packaged("janus.jcfg") else {
            eprintln!("skipped: Janus is not installed (cargo xtask setup installs it)");
            return;
        };
        let plugins = others(&Path::new(LIB_DIR).join("plugins"), PLUGINS).unwrap();
        assert!(plugins.contains("libjanus_streaming.so"), "{plugins}");
        assert!(!plugins.contains("videoroom") && !plugins.contains("echotest"));
        let transports = others(&Path::new(LIB_DIR).join("transports"), &[TRANSPORT]).unwrap();
        assert!(transports.contains("libjanus_websockets.so"));
        assert!(!transports.contains("libjanus_http.so"));
        let edited = edit_main(&main, &plugins, &transports, ICE_ADDRESS).unwrap();
        assert!(edited.contains(&format!("disable = \"{plugins}\"")));
        assert!(edited.contains("broadcast = false"));
        assert!(edited.contains("disable = \"libjanus_jsonlog.so\""));
        assert!(edited.contains("ice_enforce_list = \"10.200.0.1\""));
        let http = edit_http(&packaged("janus.transport.http.jcfg").unwrap(), 4321).unwrap();
        assert!(http.contains("port = 4321"));
        assert!(http.contains("ip = \"127.0.0.1\""));
        assert!(!http.contains("port = 8088"));
    }

    #[test]
    fn a_missing_line_is_an_error_not_a_silent_default() {
        let err = replace_line("a = 1\n", "#broadcast", "broadcast = false").unwrap_err();
        assert!(format!("{err}").contains("#broadcast"));
    }

    /// A stand-in `janus` that runs `script`, in a folder removed when the guard drops.
    fn fake_janus(script: &str) -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new().prefix("xtask-fake-janus-").tempdir().unwrap();
        let path = dir.path().join("janus");
        fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    }

    #[test]
    fn a_janus_that_exits_fails_with_its_log_tail() {
        if packaged("janus.jcfg").is_none() {
            return; // the config copy needs the package
        }
        let (_dir, fake) = fake_janus("echo '[FATAL] could not load janus.jcfg'; exit 3");
        let err = Janus::start_within(&fake, ICE_ADDRESS, Duration::from_secs(10)).err();
        let err = err.expect("no start");
        let text = format!("{err:#}");
        assert!(text.contains("exited"), "{text}");
        assert!(text.contains("[FATAL] could not load janus.jcfg"), "the log tail: {text}");
    }

    #[test]
    fn a_janus_that_never_answers_is_stopped_at_the_deadline() {
        if packaged("janus.jcfg").is_none() {
            return;
        }
        let (_dir, fake) = fake_janus("echo 'starting…'; exec sleep 600");
        let started = Instant::now();
        let err = Janus::start_within(&fake, ICE_ADDRESS, Duration::from_secs(2)).err();
        let err = err.expect("no start");
        assert!(started.elapsed() < Duration::from_secs(15), "bounded");
        let text = format!("{err:#}");
        assert!(text.contains("did not answer"), "{text}");
        assert!(text.contains("starting…"), "the log tail: {text}");
        let pid = text.split("pid ").nth(1).and_then(|t| t.split(')').next()).unwrap().to_string();
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "pid {pid} was stopped");
    }

    #[test]
    fn outside_the_namespace_it_refuses_with_why() {
        if UdpSocket::bind((ICE_ADDRESS, 0)).is_ok() {
            return; // inside a namespace: the refusal does not apply
        }
        let err = Janus::start(Path::new("/usr/bin/janus")).err().expect("no start");
        assert!(format!("{err:#}").contains("never gathers ICE on loopback"));
    }
}
