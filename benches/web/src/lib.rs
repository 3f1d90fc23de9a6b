//! The Rust sides of rtc-peer's benchmarks, exported to the benchmark page
//! (`benches/page/bench.js`), which runs each one next to the same work written in plain
//! JavaScript and times both with `performance.now()`.
//!
//! - [`dispatch`]: `track` handlers for the dispatch and scale figures (figures 2 and 6):
//!   rtc-peer's `on_track` and a hand-written web-sys `Closure`.
//! - [`call`]: loopback calls negotiated with rtc-peer's async API: offer/answer rounds
//!   (figure 3), calls whose remote stream plays in a `<video>` (figure 4), create→close
//!   cycles (figure 5) and the pairs of the scale figure (figure 6).
//! - [`negotiated`]: two connections negotiated by rtc-peer's `Negotiator`, signals carried by
//!   the page as JSON text: glare convergence (figure 7) and hang-up detection (figure 9).
//! - [`data`]: a loopback pair with one data channel: 20 MB sent with `writable()` (figure 8).
//! - [`sfu`]: the subscriber of a Janus subscription of 1 to 8 feeds (figure 10).
//! - [`alloc`]: a counting global allocator, so figure 5 sees the Rust heap's live bytes.
//!
//! Nothing here is timed in Rust: the page measures every variant the same way.
// Unsafe code only in `alloc` (the counting allocator must implement `GlobalAlloc`).
#![deny(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

pub mod alloc;
pub mod call;
pub mod data;
pub mod dispatch;
pub mod negotiated;
pub mod sfu;
