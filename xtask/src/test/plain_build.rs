//! The package a user builds: a plain `wasm-pack build --release --target web` of the library
//! (no other flags) must give the whole JS API with a typed `.d.ts`. It writes `pkg/`, which
//! the test command rebuilds right after with `cargo xtask build`.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use harness::process;
use harness::report::Report;
use harness::suites::js_tests;
use harness::Tools;

/// Suite name in the report.
pub const SUITE: &str = "plain wasm-pack build --release --target web";

/// What the `.d.ts` must declare, each a (what, text) pair.
const EXPORTS: &[(&str, &str)] = &[
    ("onTrack(pc: RTCPeerConnection, …)", "export function onTrack(pc: RTCPeerConnection"),
    ("the TrackSubscription class", "export class TrackSubscription"),
    (
        "connectPair(offerer: RTCPeerConnection, answerer: RTCPeerConnection)",
        "export function connectPair(offerer: RTCPeerConnection, answerer: RTCPeerConnection)",
    ),
    ("the TrackView interface", "export interface TrackView"),
    ("TrackView.track: MediaStreamTrack", "readonly track: MediaStreamTrack;"),
    ("TrackView.streams: MediaStream[]", "readonly streams: ReadonlyArray<MediaStream>;"),
    ("TrackView.event: RTCTrackEvent", "readonly event: RTCTrackEvent;"),
];

/// Runs the plain build and checks its `.d.ts`; one check per expected export.
pub fn run(tools: &Tools, report: &mut Report) -> Result<()> {
    process::run(crate::build::wasm_pack(tools).args(["--release", "--target", "web"]))?;
    let dts = tools.root.join("pkg").join("rtc_peer.d.ts");
    for (what, ok) in check_dts(&dts)? {
        println!("xtask: plain build: {} {what}", if ok { "ok    " } else { "FAILED" });
        report.check(&format!("{SUITE}: .d.ts has {what}"), ok);
    }
    Ok(())
}

/// Each expected export of the `.d.ts` at `path`, and whether it is there; last, whether no
/// `any` nor bare `Function` is in its API part.
fn check_dts(path: &Path) -> Result<Vec<(String, bool)>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut checks: Vec<(String, bool)> =
        EXPORTS.iter().map(|(what, needle)| (what.to_string(), text.contains(needle))).collect();
    let untyped = js_tests::api_problems(&text);
    checks.push((format!("no `any` nor bare `Function` {untyped:?}"), untyped.is_empty()));
    Ok(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_untyped_dts_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rtc_peer.d.ts");
        // What a build without the `js` feature gives.
        fs::write(&path, "/* tslint:disable */\n/* eslint-disable */\n").unwrap();
        assert!(check_dts(&path).unwrap().iter().filter(|c| !c.1).count() >= EXPORTS.len());
        let mut typed: String = EXPORTS.iter().map(|(_, n)| format!("{n}\n")).collect();
        assert!(check_dts(&path.with_file_name("missing.d.ts")).is_err());
        fs::write(&path, &typed).unwrap();
        assert!(check_dts(&path).unwrap().iter().all(|c| c.1));
        typed.push_str("export function onTrack(pc: any, callback: any): TrackSubscription;\n");
        fs::write(&path, &typed).unwrap();
        assert!(!check_dts(&path).unwrap().last().unwrap().1);
    }
}
