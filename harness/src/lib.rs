//! The real parts rtc-peer's browser tests drive, and the page suites that drive them.
//!
//! `cargo xtask` keeps the command line and what cargo cannot do (install the tools, build the
//! packages, serve, orchestrate a run in its private network, summarise it, measure); this
//! crate is what those runs start and check. Nothing here installs or builds: a suite gets
//! the [`Tools`] `cargo xtask setup` found and what xtask built or serves for it (the demo's
//! URL, the package folders). One arrow: `xtask -> harness`, never the reverse; of this
//! repository's crates the harness depends only on the demo's signalling relay (for the socket
//! under a page server's connection).
//!
//! - [`browser`]: the two browsers and their one description from `wasm-pack.toml`, a
//!   W3C WebDriver client ([`browser::webdriver`]) and the static page server
//!   ([`browser::server`]).
//! - [`process`]: child processes with a deadline each, in process groups killed on timeout
//!   and on Ctrl-C. `daemon`: a server process the run starts and stops by its pid.
//! - [`coturn`]: a TURN relay with credentials made for the run; [`turn_config`] hands them to
//!   the pages at run time through a loopback `json_endpoint`.
//! - [`janus`]: the SFU, started from a private configuration, its URL served at run time;
//!   [`janus::example`] checks the Janus example's page.
//! - [`suites`]: the page suites of the demo (`e2e`, `rooms`, `abuse`, sharing `page`)
//!   and of the JS package (`js_tests`).
//! - [`report`]: pass/fail counts per suite and browser, and the run's closing summary.
//! - [`settings`]: `wasm-pack.toml` and the release wasm-opt arguments; [`Tools`]: where every
//!   tool is.
//!
//! Every child process has a deadline and is stopped by its pid, also when a check fails;
//! every wait in a suite has a deadline and says what it waited for.
//!
//! # Examples
//!
//! A suite adds its counts per browser to the run's [`report::Report`]; one that fails as a
//! whole counts against every browser it was meant for:
//!
//! ```
//! use rtc_peer_harness::browser::Browser;
//! use rtc_peer_harness::report::Report;
//!
//! let mut report = Report::default();
//! report.suite("two checks", &[Browser::Firefox], |r| {
//!     r.add("two checks", Some(Browser::Firefox), 2, 0);
//!     Ok(())
//! });
//! report.suite("no driver", &Browser::ALL, |_| anyhow::bail!("geckodriver is missing"));
//! assert_eq!(report.totals(|s| s.browser == Some(Browser::Firefox)), (2, 1));
//! assert_eq!(report.failed(), 2);
//! ```

pub mod browser;
pub mod coturn;
mod daemon;
pub mod janus;
mod json_endpoint;
pub mod process;
pub mod report;
pub mod settings;
pub mod suites;
mod tools;
pub mod turn_config;

pub use tools::Tools;

/// The repository root, for tests that read its files (the parent of `harness/`).
#[cfg(test)]
fn repo_root() -> std::path::PathBuf {
    let harness = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    harness.parent().unwrap_or(harness).to_path_buf()
}
