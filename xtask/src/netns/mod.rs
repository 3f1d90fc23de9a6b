//! A private network namespace for the browser phases of `cargo xtask test` and `bench`:
//! browsers talk only to loopback or to the test-host addresses of a network the run made.
//!
//! The command builds on the host network (registries reachable), then runs itself again under
//! `unshare` with the hidden command [`INNER`]: that process brings up `lo` and a veth pair with
//! [`TEST_HOSTS`], prints the addresses and routes, refuses a default route, runs the phase and
//! writes its result as JSON to a file the parent reads back. Its own PID namespace ends every
//! process started inside (coturn, drivers, browsers) with it, and everything inside writes its
//! temporary files in the run's one [`RunDir`] (`TMPDIR`), removed with the run. Where no
//! namespace can be made the run fails and names `--host-network` ([`Network::Host`]), which
//! runs on the host network with a warning (and its temporary files where the system keeps
//! them).

pub mod exec;
pub mod init;
pub mod run_dir;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

use crate::setup;
use harness::process;
use run_dir::RunDir;

/// The hidden command the parent runs itself with inside the namespace:
/// `xtask __in-netns <phase> <result.json> <args…>`.
pub const INNER: &str = "__in-netns";

/// The flag that runs the browser phases on the host network instead.
pub const HOST_NETWORK_FLAG: &str = "--host-network";

const UNSHARE: &str = "unshare";

/// The veth pair inside the namespace and its test-host addresses.
pub const TEST_HOSTS: [(&str, &str); 2] = [("v0", "10.200.0.1/24"), ("v1", "10.200.0.2/24")];

const LINK_UP: Duration = Duration::from_secs(10);

/// The parent's network namespace (`/proc/self/ns/net` inode), so the inner run can check that
/// it really is in another one.
const HOST_NETNS_VAR: &str = "XTASK_HOST_NETNS";

/// Where the browser phases run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    Namespace,
    Host,
}

impl Network {
    pub fn from_host_network_flag(host_network: bool) -> Network {
        if host_network {
            Network::Host
        } else {
            Network::Namespace
        }
    }

    /// Checks that a namespace can be made (so a refusal fails the run before minutes of
    /// building), or prints the host-network warning.
    pub fn check(self) -> Result<()> {
        match self {
            Network::Namespace => check_available(Path::new(UNSHARE)),
            Network::Host => {
                println!(
                    "xtask: WARNING: {HOST_NETWORK_FLAG}: the browser phases run on this \
                     machine's own network, not in a private namespace. Browsers gather \
                     candidates on every interface the machine has, and Chromium pairs \
                     \"loopback\" calls over the machine's network address."
                );
                Ok(())
            }
        }
    }
}

/// `unshare` with a new network, PID and mount namespace (the mount namespace only gives the
/// new PID namespace its own `/proc`); as a normal user also a user namespace (`-r`).
fn unshare_command(unshare: &Path) -> Command {
    let mut cmd = Command::new(unshare);
    if !setup::is_root() {
        cmd.arg("--map-root-user");
    }
    cmd.args(["--net", "--pid", "--fork", "--kill-child", "--mount-proc"]);
    cmd
}

/// Makes a namespace once (`unshare … true`) and fails, saying why and what to do, if that is
/// refused.
pub fn check_available(unshare: &Path) -> Result<()> {
    let mut cmd = unshare_command(unshare);
    cmd.arg("true").stdin(Stdio::null());
    let shown = process::display(&cmd);
    let why = match cmd.output() {
        Err(err) => format!("could not start `{shown}`: {err}"),
        Ok(out) if !out.status.success() => format!(
            "`{shown}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Ok(_) => return Ok(()),
    };
    bail!(
        "no private network namespace can be made for the browser phases: {why}\n\
         They run in a namespace of the run's own: `unshare -n` as root, `unshare -rn` as a \
         normal user where user namespaces are allowed. To run them on this machine's own \
         network instead, pass {HOST_NETWORK_FLAG} (a warning is printed; the browsers then \
         see every network the machine has)."
    )
}

/// Runs `xtask __in-netns <phase> <file> <args…>` in a new namespace with a run directory of
/// its own as `TMPDIR` ([`RunDir`]), waits at most `deadline` and returns the JSON value it
/// wrote to `<file>`. Prints what the run's processes left in the run directory, which goes
/// with the run.
pub fn run_inside(phase: &str, args: &[String], deadline: Duration) -> Result<Value> {
    let (value, left) =
        run_inside_with(Path::new(UNSHARE), &std::env::temp_dir(), phase, args, deadline)?;
    if let Some(line) = run_dir::describe_left(&left) {
        println!("xtask: {line}");
    }
    Ok(value)
}

/// Like [`run_inside`], with an explicit `unshare` binary and the run directory made in
/// `base`; also returns the names of what was left in the run directory.
pub fn run_inside_with(
    unshare: &Path,
    base: &Path,
    phase: &str,
    args: &[String],
    deadline: Duration,
) -> Result<(Value, Vec<String>)> {
    check_available(unshare)?;
    let exe = std::env::current_exe().context("finding the xtask binary")?;
    let run_dir = RunDir::new_in(base)?;
    let result = tempfile::NamedTempFile::new_in(run_dir.path())?;
    let mut cmd = unshare_command(unshare);
    run_dir.apply(&mut cmd);
    cmd.arg("--")
        .arg(&exe)
        .args([INNER, phase])
        .arg(result.path())
        .args(args)
        // Nothing inside can reach a registry: cargo must not try.
        .env("CARGO_NET_OFFLINE", "true")
        .env(HOST_NETNS_VAR, netns_id()?)
        .stdin(Stdio::null());
    // At the deadline its process group goes: `unshare`, and with its PID namespace every
    // process inside.
    let ok = process::status_within(&mut cmd, deadline)?;
    let text = fs::read_to_string(result.path())?;
    if text.is_empty() {
        bail!(
            "the {phase} run inside the network namespace ended (success: {ok}) without handing \
             back its results; see its output above"
        );
    }
    let value = serde_json::from_str(&text)
        .context("reading the results handed back from the namespace")?;
    Ok((value, run_dir.finish(&[result.path()])))
}

fn netns_id() -> Result<String> {
    fs::metadata("/proc/self/ns/net")
        .map(|m| m.ino().to_string())
        .context("reading /proc/self/ns/net")
}

/// `xtask __in-netns <phase> <file> <args…>`: sets up the namespace's network, runs `phase`
/// with `args` and writes what it returns to `<file>`.
pub fn inner(
    args: &[String],
    run_phase: impl FnOnce(&str, &[String]) -> Result<Value>,
) -> Result<()> {
    let [phase, result, rest @ ..] = args else {
        bail!("usage: xtask {INNER} <phase> <result.json> [args…] (run by xtask itself)");
    };
    set_up_network()?;
    let value = run_phase(phase, rest)?;
    fs::write(result, serde_json::to_vec(&value)?).with_context(|| format!("writing {result}"))
}

/// Brings up `lo` and the veth pair, prints `ip -brief addr` and `ip route`, and fails unless
/// this is a namespace other than the parent's, with no default route and the addresses set.
fn set_up_network() -> Result<()> {
    let host = std::env::var(HOST_NETNS_VAR).unwrap_or_default();
    let here = netns_id()?;
    ensure!(
        !host.is_empty() && host != here,
        "not in a network namespace of its own (namespace {here}, the parent's {host:?})"
    );
    let [(a, a_addr), (b, b_addr)] = TEST_HOSTS;
    ip(&["link", "set", "lo", "up"])?;
    ip(&["link", "add", a, "type", "veth", "peer", "name", b])?;
    for (link, addr) in TEST_HOSTS {
        ip(&["addr", "add", addr, "dev", link])?;
        ip(&["link", "set", link, "up"])?;
    }
    wait_links_up(&[a, b])?;

    let addrs = ip(&["-brief", "addr"])?;
    println!("xtask: network namespace {here}: ip -brief addr\n{addrs}");
    let routes = ip(&["route"])?;
    println!("xtask: network namespace: ip route\n{routes}");
    let defaults = format!(
        "{}{}",
        ip(&["-4", "route", "show", "default"])?,
        ip(&["-6", "route", "show", "default"])?
    );
    ensure!(
        defaults.trim().is_empty(),
        "the namespace has a default route, it must lead nowhere: {defaults}"
    );
    println!("xtask: network namespace: no default route (ip -4/-6 route show default: empty)");
    for want in ["127.0.0.1/8", a_addr, b_addr] {
        ensure!(
            addrs.split_whitespace().any(|w| w == want),
            "`ip -brief addr` lacks {want}:\n{addrs}"
        );
    }
    Ok(())
}

fn wait_links_up(links: &[&str]) -> Result<()> {
    let end = Instant::now() + LINK_UP;
    loop {
        let brief = ip(&["-brief", "link"])?;
        let up = |link: &str| {
            brief.lines().any(|l| {
                let mut words = l.split_whitespace();
                words.next().is_some_and(|n| n.split('@').next() == Some(link))
                    && words.next() == Some("UP")
            })
        };
        if links.iter().all(|l| up(l)) {
            return Ok(());
        }
        if Instant::now() >= end {
            bail!("the veth links did not come up within {LINK_UP:?}:\n{brief}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `ip <args>`: its stdout, or an error with its stderr.
fn ip(args: &[&str]) -> Result<String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("running ip (iproute2)")?;
    ensure!(
        out.status.success(),
        "`ip {}` failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake `unshare` that refuses like a kernel without namespace rights does.
    fn refusing_unshare() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unshare");
        fs::write(
            &path,
            "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n",
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    }

    #[test]
    fn a_refused_unshare_fails_loudly_with_why_and_how_to_run_anyway() {
        let (_dir, fake) = refusing_unshare();
        let base = tempfile::tempdir().unwrap();
        let err =
            run_inside_with(&fake, base.path(), "test", &[], Duration::from_secs(30)).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("no private network namespace"), "{text}");
        assert!(text.contains("Operation not permitted"), "the reason: {text}");
        assert!(text.contains(HOST_NETWORK_FLAG), "how to run anyway: {text}");
        let err = check_available(&fake).unwrap_err();
        assert!(format!("{err:#}").contains(HOST_NETWORK_FLAG));
        let err = check_available(Path::new("/nonexistent/unshare")).unwrap_err();
        assert!(format!("{err:#}").contains("could not start `/nonexistent/unshare"), "{err:#}");
    }

    /// A fake `unshare` that makes no namespace: it runs like the run's processes would,
    /// writing temporary files where `TMPDIR` says, and hands back where that was.
    fn littering_unshare(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("unshare");
        let script = r#"#!/bin/sh
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
[ $# -eq 0 ] && exit 0
result="$5"
tmp="${TMPDIR:-/tmp}"
mkdir "$tmp/org.chromium.Chromium.litter$$" && echo log > "$tmp/driver-litter$$.log"
printf '{"tmpdir":"%s"}' "$TMPDIR" > "$result"
"#;
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn what_the_run_leaves_is_named_then_removed_with_its_run_directory() {
        let (fakes, base) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let unshare = littering_unshare(fakes.path());
        let (value, left) =
            run_inside_with(&unshare, base.path(), "test", &[], Duration::from_secs(30)).unwrap();
        let tmpdir = Path::new(value["tmpdir"].as_str().unwrap());
        let name = tmpdir.file_name().unwrap().to_string_lossy();
        assert!(
            tmpdir.parent() == Some(base.path()) && name.starts_with(run_dir::PREFIX),
            "the run's TMPDIR ({tmpdir:?}) is not a run directory in {}",
            base.path().display()
        );
        assert_eq!(left.len(), 2, "what the run left: {left:?}");
        assert!(
            left[0].starts_with("driver-litter") && left[1].starts_with("org.chromium"),
            "{left:?}"
        );
        let line = run_dir::describe_left(&left).unwrap();
        assert!(line.contains("2 entries") && line.contains(&left[1]), "{line}");
        let remaining: Vec<_> =
            fs::read_dir(base.path()).unwrap().flatten().map(|e| e.path()).collect();
        assert!(remaining.is_empty(), "the run left behind: {remaining:?}");
        assert_eq!(run_dir::describe_left(&[]), None);
        let one = run_dir::describe_left(&left[..1]).unwrap();
        assert!(one.contains("1 entry in"), "{one}");
    }

    #[test]
    fn a_report_survives_the_hand_back() {
        use harness::browser::Browser;
        use harness::report::Report;
        let mut inside = Report::default();
        inside.add("wasm tests/turn.rs", Some(Browser::Firefox), 3, 0);
        inside.fail("e2e demo page", Some(Browser::Chromium), "timed out");
        let value = serde_json::to_value(&inside).unwrap();
        let mut outside = Report::default();
        outside.check("clippy xtask", true);
        outside.merge(serde_json::from_value(value).unwrap());
        assert_eq!(outside.failed(), 1);
        let back = serde_json::to_value(&outside).unwrap();
        assert_eq!(back["results"].as_array().unwrap().len(), 3);
        assert_eq!(back["results"][1]["browser"], "firefox");
        assert_eq!(back["problems"][0], "chromium: e2e demo page: timed out");
    }

    #[test]
    fn the_inner_run_refuses_the_parents_namespace() {
        std::env::set_var(HOST_NETNS_VAR, netns_id().unwrap());
        let err = set_up_network().unwrap_err();
        assert!(format!("{err:#}").contains("not in a network namespace of its own"));
    }
}
