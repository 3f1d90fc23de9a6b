//! `cargo xtask`: the one entry point for setting up, building, serving, testing and
//! measuring rtc-peer. Run `cargo xtask help` for the commands.

mod browser;
mod build;
mod coturn;
mod report;
mod serve;
mod setup;
mod test;
mod webdriver;

use anyhow::{bail, Result};

const HELP: &str = "\
cargo xtask <command> [options]

commands:
  setup            install whatever is missing (wasm target, wasm-pack, wasm-bindgen CLI,
                   Chromium, Firefox, their drivers, wasm-opt, coturn, npm packages)
  build            build the wasm package (release) with wasm-pack
  demo [--port N]  build, then serve the demo on http://127.0.0.1:N (default 8080)
  test             run every check and test in headless Chromium and Firefox
  bench            run the benchmarks and print ratios against raw JS
";

fn main() {
    if let Err(err) = run() {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    match command {
        "setup" => setup::ensure().map(|_| ()),
        "build" => {
            let tools = setup::ensure()?;
            build::package(&tools, build::Target::Web).map(|_| ())
        }
        "test" => test::run(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{HELP}"),
    }
}
