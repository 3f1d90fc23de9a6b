//! `cargo xtask netns -- CMD…`: one command (a single suite by hand) in the test network of
//! the browser phases, with coturn and its config endpoint up. Build first: nothing inside can
//! reach a registry. Afterwards `target/` is searched for the TURN credential.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::test::secret_scan;
use crate::{netns, setup};
use harness::coturn::Turn;
use harness::process;
use harness::report::Report;
use harness::turn_config::{self, TurnConfig};

/// How long CMD may run.
const DEADLINE: Duration = Duration::from_secs(60 * 60);

/// The command: runs CMD inside and exits with its status (1 when the credential leaked).
pub fn run(command: &[String]) -> Result<()> {
    if command.is_empty() {
        bail!("usage: cargo xtask netns -- CMD [ARGS…]");
    }
    setup::ensure()?;
    let value = netns::run_inside("exec", command, DEADLINE + Duration::from_secs(60))?;
    let code = value["code"].as_i64().unwrap_or(1);
    let leaked = value["leaked"].as_bool().unwrap_or(true);
    if leaked {
        eprintln!("xtask: netns: the TURN credential was found under target/ (see above)");
    }
    if code != 0 || leaked {
        std::process::exit(if code != 0 { code as i32 } else { 1 });
    }
    Ok(())
}

/// `xtask __in-netns exec CMD…`: coturn and its config endpoint, then CMD.
pub fn inside(command: &[String]) -> Result<Value> {
    let tools = setup::ensure()?;
    let (program, args) = command.split_first().context("netns: no command to run")?;
    let credential_made = std::time::SystemTime::now();
    let turn = Turn::start(&tools)?;
    let config = TurnConfig::start(turn_config::listen_namespace()?, &turn)?;
    println!(
        "xtask: netns: coturn on {} (pid {}), its credentials at {}",
        turn.url(),
        turn.pid(),
        config.url()
    );
    let janus = harness::janus::endpoint::Running::start(&tools.janus)?;
    println!("xtask: netns: {}", janus.describe());
    let mut cmd = Command::new(program);
    let status = process::exit_within(cmd.args(args).stdin(Stdio::null()), DEADLINE)?;
    println!(
        "xtask: netns: {program} ended ({status}); the TURN config was read {} times",
        config.served()
    );
    let credential = turn.credential.clone();
    drop(config);
    drop(turn);
    let mut report = Report::default();
    let target = setup::target_dir(&tools.root);
    secret_scan::check_target(&mut report, &target, &credential, credential_made);
    Ok(json!({ "code": status.code().unwrap_or(1), "leaked": report.failed() > 0 }))
}
