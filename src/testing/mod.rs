//! A kit for testing WebRTC code in headless browsers (`wasm-bindgen-test`), with the helpers
//! this crate's own suites use.
//!
//! Only with the `testing` feature (off by default; turn it on for `dev-dependencies`):
//!
//! ```toml
//! [dev-dependencies]
//! rtc-peer = { version = "0.1", features = ["testing"] }
//! ```
//!
//! - bounded waits: [`within`], [`wait_until`], [`wait_until_with`], [`wait_until_async`],
//!   [`sleep`];
//! - two connected [`PeerConnection`](crate::PeerConnection)s in one page: [`LoopbackPair`],
//!   candidates passed directly; or [`LoopbackPair::negotiated`], a [`NegotiatedPair`] of two
//!   [`Negotiator`](crate::Negotiator)s whose signals cross a [`SignalChannel`] that delays
//!   (and, if asked, reorders) them from a seed ([`SeededRng`]); a data channel open at both
//!   ends: [`LoopbackPair::open_channel`], [`channel_open`];
//! - media to send: [`CanvasSource`] (video of a chosen size and colour), [`ToneSource`]
//!   (audio);
//! - checks on what arrives: [`media_flows`], [`pixel_colour`], and without a `<video>`:
//!   [`frames_decoded`], [`frames_grow`]; every `track` event of a connection: [`TrackLog`];
//! - the browser's own event-listener registry: [`ListenerCount`], and what the page logged
//!   as errors: [`no_page_errors`], [`take_page_errors`]; leak checks: [`open_connections`],
//!   [`live_local_tracks`].
//!
//! Nothing here mocks the browser: the pair is two real connections, the sources are real
//! tracks, the checks read the real `<video>` and the real `addEventListener` calls. Every
//! helper that can fail returns a [`TestFailure`] carrying a message such as
//! `no remote frame within 5000 ms (videoWidth 0)`, so a test can `?` it (wasm-bindgen-test
//! accepts tests returning `Result<(), impl Debug>`) or `expect` it.
//!
//! # Examples
//!
//! ```no_run
//! use rtc_peer::testing::{media_flows, within, CanvasSource, Colour, LoopbackPair, TestFailure};
//! use rtc_peer::attach_stream;
//!
//! # async fn video_reaches_the_other_side(video: &web_sys::HtmlVideoElement) -> Result<(), TestFailure> {
//! let source = CanvasSource::new(320, 240, Colour::rgb(200, 40, 40))?;
//! let pair = LoopbackPair::new()?;
//! pair.a.add_track(source.track(), &[source.stream()])?;
//! let remote = pair.b.track_events();
//! pair.negotiate().await?;
//! # let stream: rtc_peer::MediaStream = unimplemented!();
//! within(5_000, "the <video> plays", attach_stream(video, &stream)).await??;
//! media_flows(video).await?;
//! # drop(remote);
//! # Ok(()) }
//! ```

mod canvas_source;
mod channel_pair;
mod decoded_frames;
mod failure;
mod listener_count;
mod loopback_pair;
mod media_check;
mod negotiated_pair;
mod page;
mod page_errors;
pub mod probe;
mod seeded_rng;
mod signal_channel;
mod tone_source;
mod track_log;
mod wait;

pub use canvas_source::{CanvasSource, Colour};
pub use channel_pair::channel_open;
pub use decoded_frames::{frames_decoded, frames_grow};
pub use failure::TestFailure;
pub use listener_count::ListenerCount;
pub use loopback_pair::{negotiate, LoopbackPair};
pub use media_check::{media_flows, media_flows_within, pixel_colour, MEDIA_FLOW_MS};
pub use negotiated_pair::{NegotiatedPair, NegotiatedSide};
pub use page_errors::{live_local_tracks, no_page_errors, open_connections, take_page_errors};
pub use seeded_rng::SeededRng;
pub use signal_channel::{SignalChannel, SignalDelay};
pub use tone_source::ToneSource;
pub use track_log::TrackLog;
pub use wait::{now_ms, sleep, wait_until, wait_until_async, wait_until_with, within};
