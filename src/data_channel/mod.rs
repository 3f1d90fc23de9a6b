//! Data channels: [`DataChannel`], its [`DataChannelOptions`], [`DataChannelState`],
//! received [`Message`]s and their [`Messages`] stream, and backpressure
//! ([`DataChannel::writable`]).

mod backpressure;
mod channel;
mod message;
mod messages;
mod options;
mod peer;
mod state;

pub use channel::DataChannel;
pub use message::Message;
pub use messages::Messages;
pub use options::DataChannelOptions;
pub use state::DataChannelState;
