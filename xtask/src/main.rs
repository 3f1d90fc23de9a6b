//! `cargo xtask`: the one entry point for setting up, building, serving, testing and
//! measuring rtc-peer. `cargo xtask --help` lists the commands; `main` only dispatches.

mod bench;
mod build;
mod demo;
mod flags;
mod janus_example;
mod netns;
mod setup;
mod size;
mod test;

use flags::XtaskCmd;
use harness::process;

fn main() {
    // The hidden command a run uses inside its network namespace (not part of the usage).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(netns::INNER) {
        if let Err(err) = netns::init::become_reaper() {
            eprintln!("xtask: error: {err:#}");
            std::process::exit(1);
        }
        let result = netns::inner(&args[1..], |phase, args| match phase {
            "test" => test::inside(args),
            "bench" => bench::inside(args),
            "exec" => netns::exec::inside(args),
            other => anyhow::bail!("{}: unknown phase `{other}`", netns::INNER),
        });
        if let Err(err) = result {
            eprintln!("xtask: error: {err:#}");
            std::process::exit(1);
        }
        return;
    }
    let flags = flags::from_env_or_usage();
    process::kill_children_on_interrupt();
    let result = match flags.subcommand {
        XtaskCmd::Setup(_) => setup::ensure().map(|tools| setup::print_tools(&tools)),
        XtaskCmd::Build(f) => build::run(&f),
        XtaskCmd::Demo(f) => demo::run(&f),
        XtaskCmd::Test(f) => test::run(&f).map(|passed| {
            if !passed {
                // The summary's last line already says how many failed.
                std::process::exit(1);
            }
        }),
        XtaskCmd::Bench(f) => bench::run(&f),
        XtaskCmd::Size(f) => size::run(&f),
        XtaskCmd::Netns(f) => netns::exec::run(&f.command),
        XtaskCmd::JanusExample(f) => janus_example::run(&f),
    };
    if let Err(err) = result {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}
