//! A remote track's life, the send side and typed statistics, in real browsers over real
//! connections: `RemoteTrack` (removed, muted, ended), `Sender` (`replace_track`,
//! `set_max_bitrate`), `StatsReport` (host and relay pairs, RTP counters), and the listeners a
//! `RemoteTrack` leaves behind (none).
//!
//! The pair, sources, waits and listener counts are `rtc_peer::testing`'s (through `support`).
//! Every wait has a deadline and a message. Timings and per-browser facts are printed
//! (`--nocapture`) and pinned per engine where the browsers differ.

mod bitrate;
mod canvas_call;
mod leaks;
mod media;
mod mute;
mod removal;
mod replace;
mod stats;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The bound of most waits here, in milliseconds.
const WAIT_MS: u32 = 15_000;
