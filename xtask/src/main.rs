//! `cargo xtask`: the one entry point for setting up, building, serving, testing and
//! measuring rtc-peer. Run `cargo xtask help` for the commands.

mod abuse;
mod bench;
mod bench_smoke;
mod browser;
mod build;
mod coturn;
mod demo;
mod e2e;
mod js_tests;
mod libtest;
mod plain_build;
mod process;
mod report;
mod serve;
mod settings;
mod setup;
mod test;
mod wasm_suites;
mod webdriver;

use anyhow::{bail, Result};

const HELP: &str = "\
cargo xtask <command> [options]

commands:
  setup            install whatever is missing (wasm target, wasm-pack, wasm-bindgen CLI,
                   Chromium, Firefox, their drivers, wasm-opt, coturn, npm packages)
  build [--bundler] build the wasm package (release) with wasm-pack into pkg/
                   (--bundler: pkg-bundler/); settings from wasm-pack.toml
  demo [--port N] [--host IP]
                   build the demo app (www/), then serve it on http://127.0.0.1:N (default 8080)
  demo --screenshot
                   refresh the README's screenshot docs/demo.png (headless Chromium, mid-call)
  test             run every check and test in headless Chromium and Firefox
  bench [--browser chromium|firefox]… [--smoke] [--render]
                   run the benchmarks (release) and print ratios against raw JS; writes
                   target/bench/results.json, docs/bench.svg and the table in docs/bench.md
                   (--render: only redraw those from the last results.json)
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
        "setup" => {
            let tools = setup::ensure()?;
            setup::print_tools(&tools);
            Ok(())
        }
        "build" => {
            let tools = setup::ensure()?;
            let target = match rest.first().map(String::as_str) {
                None | Some("--web") => build::Target::Web,
                Some("--bundler") => build::Target::Bundler,
                Some(other) => bail!("build: unknown option `{other}` (--web or --bundler)"),
            };
            build::package(&tools, target).map(|_| ())
        }
        "demo" => demo::run(rest),
        "bench" => bench::run(rest),
        "test" => {
            if !test::run(rest)? {
                // The summary's last line already says how many failed.
                std::process::exit(1);
            }
            Ok(())
        }
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{HELP}"),
    }
}
