//! Running child processes: echoing the command, streaming its output, capturing lines.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;

use anyhow::{bail, Context, Result};

/// `program arg arg…` as a shell-like line for logs (env and cwd left out).
pub fn display(cmd: &Command) -> String {
    let mut out = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        out.push(' ');
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            out.push_str(&format!("'{arg}'"));
        } else {
            out.push_str(&arg);
        }
    }
    out
}

/// A `cargo` command: the cargo that runs us (`$CARGO`), else `cargo` from PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cmd` with inherited stdio after printing it; returns whether it succeeded.
/// Failing to start at all is an error.
pub fn status(cmd: &mut Command) -> Result<bool> {
    println!("$ {}", display(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", display(cmd)))?;
    Ok(status.success())
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
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `cmd` after printing it, echoing stdout and stderr line by line as they arrive, and
/// returns the exit status with every line (both streams, in arrival order).
pub fn stream(cmd: &mut Command) -> Result<(ExitStatus, Vec<String>)> {
    println!("$ {}", display(cmd));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{}`", display(cmd)))?;
    let (tx, rx) = mpsc::channel::<String>();
    let readers = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|pipe| {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf);
                        let line = line.trim_end_matches(['\n', '\r']).to_string();
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        })
    })
    .collect::<Vec<_>>();
    drop(tx);
    let mut lines = Vec::new();
    for line in rx {
        println!("{line}");
        lines.push(line);
    }
    for reader in readers {
        let _ = reader.join();
    }
    let status = child.wait().context("waiting for a child process")?;
    Ok((status, lines))
}
