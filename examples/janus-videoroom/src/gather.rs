//! Waiting until a connection has gathered its ICE candidates, so its description carries
//! them (no trickling needed).

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::oneshot;
use rtc_peer::{IceGatheringState, PeerConnection, SessionDescription};

use crate::client::JanusError;
use crate::timer::{first_of, sleep};

/// The connection's local description once gathering is complete (waiting at most `ms`).
///
/// # Errors
///
/// [`JanusError::Timeout`] when gathering does not complete in time; [`JanusError::Malformed`]
/// when there is no local description.
pub async fn gathered_description(
    connection: &PeerConnection,
    ms: u32,
) -> Result<SessionDescription, JanusError> {
    if connection.ice_gathering_state() != IceGatheringState::Complete {
        let (done, complete) = oneshot::channel::<()>();
        let done = Rc::new(RefCell::new(Some(done)));
        let _listener = connection.on_ice_gathering_state_change(move |state| {
            if state == IceGatheringState::Complete {
                if let Some(done) = done.borrow_mut().take() {
                    let _ = done.send(());
                }
            }
        });
        if connection.ice_gathering_state() != IceGatheringState::Complete
            && first_of(complete, sleep(ms)).await.is_err()
        {
            return Err(JanusError::Timeout(format!(
                "ICE gathering to complete ({ms} ms)"
            )));
        }
    }
    connection
        .local_description()
        .ok_or_else(|| JanusError::Malformed("no local description after gathering".into()))
}
