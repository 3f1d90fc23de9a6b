//! The `#[wasm_bindgen]` surface for JavaScript callers: what the wasm-pack package exports.
//!
//! - [`track_subscription`]: subscribe to the `track` events of any `RTCPeerConnection`,
//!   with a disposable subscription.
//! - [`call`]: the demo's call object (start, hang up, state), so a page runs a call in a few
//!   lines of JavaScript.

pub mod call;
pub mod track_subscription;
