//! Switching the video source of a running call: `Sender::replace_track` (no renegotiation),
//! the preview's stream updated, the replaced track stopped.

use rtc_peer::{Error, MediaStreamTrack};

use crate::errors::closed_error;
use crate::page::CloneRef;
use crate::session::{with_current, Shared};

/// Sends `track` instead of the current video track of the current call.
pub(crate) async fn switch_video(shared: &Shared, track: MediaStreamTrack) -> Result<(), Error> {
    let found = shared.try_borrow().ok().and_then(|inner| {
        let session = inner.session.as_ref()?;
        Some((session.generation, session.video_sender.clone()?))
    });
    let Some((generation, sender)) = found else {
        track.stop();
        return Err(Error::from_name(
            "InvalidStateError",
            "There is no call sending video to switch.",
        ));
    };
    let old = sender.track();
    if let Err(err) = sender.replace_track(Some(&track)).await {
        track.stop();
        return Err(err);
    }
    let current = with_current(shared, generation, |session| {
        if let Some(old) = &old {
            session.local_tracks.retain(|t| t != old);
            session.local_stream.remove_track(old);
        }
        session
            .local_tracks
            .push(MediaStreamTrack::clone_ref(&track));
        session.local_stream.add_track(&track);
    });
    if current.is_none() {
        // The call ended while the track was being replaced: nothing owns it now.
        track.stop();
        return Err(closed_error());
    }
    if let Some(old) = old {
        old.stop();
    }
    Ok(())
}
