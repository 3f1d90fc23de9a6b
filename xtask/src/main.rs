//! `cargo xtask`: the one entry point for setting up, building, serving, testing and
//! measuring rtc-peer. `cargo xtask --help` lists the commands; `main` only dispatches.

mod bench;
mod browser;
mod build;
mod coturn;
mod demo;
mod flags;
mod process;
mod settings;
mod setup;
mod test;

use flags::XtaskCmd;

fn main() {
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
    };
    if let Err(err) = result {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}
