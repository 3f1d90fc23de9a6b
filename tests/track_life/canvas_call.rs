//! The call most of these tests start from: a 320×240 canvas track (in its stream) sent from
//! `a` to `b` of a loopback pair, negotiated.

use rtc_peer::{RemoteTrack, Sender};
use support::{CanvasSource, LoopbackPair, TestFailure, TrackLog, SUITE_COLOUR};

use crate::WAIT_MS;

/// A canvas sent from `pair.a` to `pair.b`, with what each side holds of it.
pub struct CanvasCall {
    pub pair: LoopbackPair,
    pub source: CanvasSource,
    /// `a`'s sender of the canvas track.
    pub sender: Sender,
    /// The track events `b` saw (logged from before the negotiation).
    pub at_b: TrackLog,
}

impl CanvasCall {
    /// Adds a canvas track on `pair.a` and negotiates (without waiting for the connection).
    pub async fn negotiated(pair: LoopbackPair) -> Result<CanvasCall, TestFailure> {
        let at_b = TrackLog::on(&pair.b);
        let source = CanvasSource::new(320, 240, SUITE_COLOUR)?;
        let sender = pair
            .a
            .add_track(source.track(), &[source.stream()])
            .expect("add_track");
        pair.negotiate().await?;
        Ok(CanvasCall {
            pair,
            source,
            sender,
            at_b,
        })
    }

    /// [`CanvasCall::negotiated`], then both sides connected within [`WAIT_MS`].
    pub async fn connected(pair: LoopbackPair) -> Result<CanvasCall, TestFailure> {
        let call = CanvasCall::negotiated(pair).await?;
        call.pair.connected(WAIT_MS).await?;
        Ok(call)
    }

    /// The remote track of `b`'s last `track` event (panics when `b` saw none).
    pub fn remote(&self) -> RemoteTrack {
        self.at_b
            .last()
            .expect("b received a track event")
            .remote_track()
    }
}
