//! Typed, leak-free Rust bindings to the browser's own `RTCPeerConnection`.
//!
//! Raw `web-sys` asks for `Closure::wrap` + `set_ontrack` + `forget()` (a leak per listener,
//! and one listener per event) and hands back untyped `js_sys::Array`s. Here,
//! [`PeerConnection::on_track`] takes any `FnMut(TrackEvent)` and returns a [`Listener`] that
//! removes itself when dropped; [`TrackEvent`] has typed accessors; every browser error is an
//! [`Error`] with the DOMException name and the browser's message; no function panics on
//! browser input.
//!
//! # Examples
//!
//! Show the remote side's first stream in a `<video>`:
//!
//! ```no_run
//! # fn main() -> Result<(), rtc_peer::Error> {
//! use rtc_peer::{attach_stream, PeerConnection};
//!
//! # let video: web_sys::HtmlMediaElement = unimplemented!();
//! let pc = PeerConnection::new()?;
//! let listener = pc.on_track(move |event| {
//!     if let Some(stream) = event.first_stream() {
//!         let video = video.clone();
//!         wasm_bindgen_futures::spawn_local(async move {
//!             let _ = attach_stream(&video, &stream).await;
//!         });
//!     }
//! });
//! // Keep `listener` as long as you want events; dropping it unregisters the closure.
//! # drop(listener);
//! # Ok(()) }
//! ```
//!
//! # After the `track` event
//!
//! [`TrackEvent::remote_track`] follows the track's life ([`RemoteTrack::on_state_change`]:
//! muted, live, ended; [`RemoteTrack::on_removed`]: the remote side stopped sending it).
//! [`PeerConnection::add_track`] returns a [`Sender`] that swaps the track without
//! renegotiating and caps the bitrate. [`PeerConnection::stats_report`] reads the statistics
//! as typed entries (the selected candidate pair, inbound and outbound RTP).
//!
//! # The `track` event fires inside `set_remote_description`
//!
//! Register `on_track` (or [`PeerConnection::track_events`]) *before* applying the remote
//! description: the browser fires `track` while processing it, before the future returns.
//!
//! # A real call
//!
//! [`PeerConnection::negotiate`] runs perfect negotiation over the app's own signalling
//! channel ([`Signal`], a versioned JSON format): tracks may be added or removed on either side
//! at any time, also both at once, and [`Negotiator::on_end`] reports once how the call ended.
//! See the [`negotiation`] module for the pattern and a full example, and
//! [`PeerConnection::restart_ice`] and [`PeerConnection::on_ice_candidate_error`] for ICE.
//!
//! # Data channels, and knowing when the other side hung up
//!
//! [`PeerConnection::create_data_channel`] and [`PeerConnection::on_data_channel`] give
//! [`DataChannel`]s: text and bytes as [`Message`]s, a [`Messages`] stream that ends on close,
//! backpressure through [`DataChannel::writable`]. [`Liveness`] (kept by the negotiator by
//! default) reports within milliseconds that the other side closed its connection, even when
//! its `Bye` never arrives.
//!
//! # Features
//!
//! - `js` (default): the `#[wasm_bindgen]` surface for JavaScript callers (`onTrack`,
//!   `TrackSubscription`, `connectPair`, `negotiate`), so a plain `wasm-pack build` gives the
//!   whole JS package. Exports are never removed as dead code: a Rust app that does not call
//!   them from JavaScript depends on the crate with `default-features = false` and does not pay
//!   for them.
//! - `panic-hook`: `set_panic_hook()` (console_error_panic_hook), for the application around
//!   the crate.
//! - `testing`: [`testing`], a kit for headless browser tests of code that uses this crate
//!   (for `dev-dependencies`).
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod closing;
mod config;
mod data_channel;
mod deferred;
mod error;
mod ice;
mod ice_candidate_error;
mod ice_state;
#[cfg(feature = "js")]
pub mod js;
mod kinds;
mod listener;
mod liveness;
mod media;
pub mod negotiation;
mod on_settled;
mod peer;
mod remote_track;
mod sender;
mod session_description;
pub mod signal;
mod state;
mod stats;
mod stream;
mod sys;
#[cfg(feature = "testing")]
pub mod testing;
mod text;
mod track_event;
mod webidl_enum;

pub use config::{BundlePolicy, Configuration, IceServer, IceTransportPolicy};
pub use data_channel::{DataChannel, DataChannelOptions, DataChannelState, Message, Messages};
pub use error::Error;
pub use ice_candidate_error::IceCandidateError;
pub use ice_state::{IceConnectionState, IceGatheringState};
pub use kinds::{MediaKind, TransceiverDirection};
pub use listener::Listener;
pub use liveness::Liveness;
pub use media::{attach_stream, attach_stream_then, detach_stream, stop_tracks, Playback};
pub use negotiation::{CallEnd, Negotiator, Role};
pub use peer::{ice_candidate, PeerConnection};
pub use remote_track::{RemoteTrack, TrackState};
pub use sender::Sender;
pub use session_description::{SdpType, SessionDescription};
pub use signal::Signal;
pub use state::{PeerConnectionState, SignalingState};
pub use stats::{CandidatePair, CandidateType, InboundRtp, OutboundRtp, StatsReport};
pub use stream::{ConnectionStates, IceCandidates, TrackEvents};
pub use track_event::TrackEvent;

pub use web_sys::{
    HtmlMediaElement, MediaStream, MediaStreamTrack, RtcDataChannel, RtcIceCandidate,
    RtcPeerConnection, RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver, RtcTrackEvent,
};

/// Sends Rust panics to the browser console (`console.error`) with their message and location.
///
/// Only with the `panic-hook` feature. This crate itself never panics on browser input; the
/// hook is for the application around it.
#[cfg(feature = "panic-hook")]
pub fn set_panic_hook() {
    console_error_panic_hook::set_once();
}
