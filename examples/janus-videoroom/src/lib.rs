//! rtc-peer against a real SFU: a small client for the Janus REST API ([`client`]), the
//! EchoTest ([`echotest`]) and VideoRoom ([`videoroom`]) plugins on top of it, and the page
//! `index.html` runs ([`run`]): one tile per publisher in a room.
//!
//! Everything here uses rtc-peer's public API only.

pub mod client;
pub mod echotest;
mod gather;
mod page;
pub mod timer;
pub mod videoroom;

pub use client::{Event, Handle, JanusError, Reply, Session};
pub use page::run;

/// How long one answer from Janus may take (an event, ICE gathering).
pub const EVENT_MS: u32 = 10_000;
