//! The command line of `cargo xtask`, declared once: `--help` works for every command, and an
//! unknown argument is refused with the usage.

use std::net::IpAddr;

use harness::browser::Browser;

xflags::xflags! {
    /// The one entry point for setting up, building, serving, testing and measuring rtc-peer.
    cmd xtask {
        /// Install whatever is missing (wasm target, wasm-pack, wasm-bindgen CLI, Chromium,
        /// Firefox, their drivers, wasm-opt, coturn, Janus, npm packages).
        cmd setup {}
        /// Build the wasm package (release) with wasm-pack into pkg/; settings from
        /// wasm-pack.toml.
        cmd build {
            /// Build the `--target bundler` package into pkg-bundler/ instead.
            optional --bundler
        }
        /// Build, then serve the demo on http://127.0.0.1:8080 until Ctrl-C.
        cmd demo {
            /// The port to serve on (default 8080).
            optional -p, --port port: u16
            /// The address to serve on (default 127.0.0.1).
            optional --host host: IpAddr
            /// Serve nothing: refresh the README's screenshot docs/demo.png (headless
            /// Chromium, mid-call, the synthetic source).
            optional --screenshot
        }
        /// Run every check and test in headless Chromium and Firefox; the last line printed
        /// is `N passed, N failed`.
        cmd test {
            /// Run the browser phases on this machine's own network instead of a private
            /// network namespace made for the run (prints a warning).
            optional --host-network
        }
        /// Run the benchmarks (release) and print ratios against raw JS; writes
        /// target/bench/results.json, docs/bench.svg and the table in docs/bench.md.
        cmd bench {
            /// A browser to measure in (chromium or firefox; repeatable; default both).
            repeated --browser browser: Browser
            /// Tiny round counts: a check that the page works, not a measurement.
            optional --smoke
            /// Measure nothing: redraw the table and chart from the last results.json.
            optional --render
            /// Run the pages on this machine's own network instead of a private network
            /// namespace made for the run (prints a warning).
            optional --host-network
        }
        /// Measure the JS package and the Rust-app figure as users build them (gzip -9), with
        /// the budgets of wasm-pack.toml and twiggy's top 20; writes docs/size.md.
        cmd size {}
        /// Build examples/janus-videoroom, start Janus (the tests' private configuration),
        /// serve the page on http://127.0.0.1:8090 and print its URL; Ctrl-C stops Janus by its
        /// pid. Janus never gathers ICE on loopback: name the interface it gathers on.
        cmd janus-example {
            /// The network interface (e.g. eth0) whose IPv4 address Janus gathers ICE on and
            /// puts in its SDP; needed except inside `cargo xtask netns` (10.200.0.1).
            optional --interface interface: String
            /// The port to serve the page on (default 8090).
            optional -p, --port port: u16
            /// Serve nothing: open the page in N windows of headless Chromium, then of Firefox,
            /// and check that the last one plays N tiles, then stop (run by `cargo xtask test`).
            optional --check tabs: u32
        }
        /// Run a command in the test network of the browser phases (a private network
        /// namespace with coturn and its config endpoint), e.g. one wasm suite by hand:
        /// `cargo xtask netns -- cargo test --target wasm32-unknown-unknown --test api`.
        cmd netns {
            /// The command and its arguments.
            repeated command: String
        }
    }
}

/// Parses this process's arguments; on a mistake prints it with the usage and exits (2).
pub fn from_env_or_usage() -> Xtask {
    Xtask::from_env().unwrap_or_else(|err| {
        if err.is_help() {
            println!("{err}");
            std::process::exit(0);
        }
        eprintln!("xtask: {err}\n\n{}", usage());
        std::process::exit(2)
    })
}

/// The text of `cargo xtask --help`.
fn usage() -> String {
    Xtask::from_vec(vec!["--help".into()]).map_or_else(|help| help.to_string(), |_| String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> xflags::Result<Xtask> {
        Xtask::from_vec(args.iter().map(Into::into).collect())
    }

    #[test]
    fn every_command_parses_its_options_and_refuses_others() {
        let XtaskCmd::Bench(b) =
            parse(&["bench", "--browser", "firefox", "--smoke"]).unwrap().subcommand
        else {
            panic!("not bench")
        };
        assert_eq!((b.browser, b.smoke, b.render), (vec![Browser::Firefox], true, false));
        assert!(parse(&["bench", "--browser", "safari"]).is_err());
        let XtaskCmd::Demo(d) = parse(&["demo", "--port", "9000"]).unwrap().subcommand else {
            panic!("not demo")
        };
        assert_eq!(d.port, Some(9000));
        let XtaskCmd::Test(t) = parse(&["test"]).unwrap().subcommand else { panic!("not test") };
        assert!(!t.host_network, "the host network is opt-in");
        for bad in [&["test", "--fast"][..], &["test", "x"], &["build", "--web2"], &["demo", "-p"]]
        {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        let help = parse(&["test", "--help"]).unwrap_err().to_string();
        assert!(help.contains("N passed, N failed"), "{help}");
        assert!(usage().contains("xtask bench"), "{}", usage());
    }
}
