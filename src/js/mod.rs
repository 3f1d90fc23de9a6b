//! The `#[wasm_bindgen]` surface for JavaScript callers: what the wasm-pack package exports.
//!
//! - [`track_subscription`]: `onTrack(pc, callback)` subscribes to the `track` events of any
//!   `RTCPeerConnection` and returns a disposable `TrackSubscription` (`dispose()`,
//!   `[Symbol.dispose]`, `active`).
//! - [`track_view`]: the typed `TrackView` object the callback receives (`track`, `receiver`,
//!   `transceiver`, `streams`, `firstStream`, `event`).
//! - [`negotiation`]: `negotiate(pc, { polite, send, onEnd })` runs perfect negotiation and
//!   returns a `Negotiation` (`receive(message)`, `restartIce()`, `hangUp()`, `ended`,
//!   `dispose()`); messages are the JSON text of the Rust `Signal`.
//! - [`connect_pair`]: `connectPair(offerer, answerer)` negotiates two connections of one page
//!   (a loopback call).
//! - `allocator`: the package's global allocator (talc).
//!
//! Errors thrown (or rejected) to JavaScript are `Error` objects whose `name` is the
//! DOMException name (`InvalidStateError`, …) and whose `message` is the browser's; a wrong
//! argument type throws a `TypeError`. The generated `.d.ts` names the DOM types
//! (`RTCPeerConnection`, `RTCTrackEvent`, `MediaStream`, …).

mod allocator;
pub mod connect_pair;
pub mod negotiation;
pub mod track_subscription;
pub mod track_view;
