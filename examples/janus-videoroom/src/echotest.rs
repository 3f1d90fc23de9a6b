//! The EchoTest plugin: Janus sends back what it receives.

use rtc_peer::{MediaStream, MediaStreamTrack, PeerConnection};
use serde_json::json;

use crate::client::{Handle, JanusError, Session};
use crate::gather::gathered_description;
use crate::EVENT_MS;

/// The plugin's package name.
pub const PLUGIN: &str = "janus.plugin.echotest";

/// A connection whose video Janus echoes back, and the plugin handle it was set up through.
pub struct Echo {
    pub connection: PeerConnection,
    pub handle: Handle,
}

impl Echo {
    /// Offers `track` (in `stream`) on `connection` to the EchoTest plugin and applies its
    /// answer. Register `on_track` before: the echoed track's event fires while the answer is
    /// applied.
    ///
    /// # Errors
    ///
    /// Any [`JanusError`]: the plugin is missing, no answer arrives, the answer is refused.
    pub async fn start(
        session: &Session,
        connection: PeerConnection,
        track: &MediaStreamTrack,
        stream: &MediaStream,
    ) -> Result<Echo, JanusError> {
        let handle = session.attach(PLUGIN).await?;
        connection.add_track(track, &[stream])?;
        let offer = connection.create_offer().await?;
        connection.set_local_description(&offer).await?;
        let offer = gathered_description(&connection, EVENT_MS).await?;
        let event = handle
            .send(
                json!({"audio": false, "video": true}),
                Some(&offer),
                EVENT_MS,
            )
            .await?;
        let answer = event
            .jsep
            .ok_or_else(|| JanusError::Malformed("the echo test answered without a jsep".into()))?;
        connection.set_remote_description(&answer).await?;
        Ok(Echo { connection, handle })
    }
}
