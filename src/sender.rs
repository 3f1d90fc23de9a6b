//! [`Sender`]: the send side of a track: swapping the track without renegotiating, and a
//! bitrate cap.

use core::fmt;

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStreamTrack, RtcPeerConnection, RtcRtpSender};

use crate::closing::settle;
use crate::{sys, Error};

/// The sending half of a track on a connection, returned by
/// [`PeerConnection::add_track`](crate::PeerConnection::add_track).
///
/// Cloning gives another handle to the same `RTCRtpSender`. Its futures end with
/// [`Error::InvalidState`] when the connection is closed while they are pending, like every
/// other future of the library; a `Sender` made from a bare `RTCRtpSender` (`From`) does not
/// know its connection, and its futures end when the browser settles them.
///
/// # Examples
///
/// Switch from the camera to a screen share, with no renegotiation, and cap the bitrate:
///
/// ```no_run
/// # async fn demo(
/// #     pc: rtc_peer::PeerConnection,
/// #     camera: web_sys::MediaStreamTrack,
/// #     screen: web_sys::MediaStreamTrack,
/// #     stream: web_sys::MediaStream,
/// # ) -> Result<(), rtc_peer::Error> {
/// let sender = pc.add_track(&camera, &[&stream])?;
/// // ... once negotiated:
/// sender.replace_track(Some(&screen)).await?;
/// sender.set_max_bitrate(Some(500_000)).await?;
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCRtpSender](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender).
#[derive(Clone)]
pub struct Sender {
    raw: RtcRtpSender,
    /// The connection that made it, whose `close()` ends the pending calls.
    pc: Option<RtcPeerConnection>,
}

impl Sender {
    /// The sender `raw` of the connection `pc`.
    pub(crate) fn of(pc: &sys::Pc, raw: RtcRtpSender) -> Sender {
        Sender {
            raw,
            pc: Some(pc.unchecked_ref::<RtcPeerConnection>().clone()),
        }
    }

    /// The track being sent, or `None` when there is none (replaced with `None`, or removed).
    pub fn track(&self) -> Option<MediaStreamTrack> {
        self.raw.track()
    }

    /// Sends `track` instead of the current one, or nothing (`None`), without renegotiating:
    /// the remote side keeps its track, which gets media from the new source. After `None`
    /// the remote track gets no more frames but stays unmuted in Chromium and Firefox (see
    /// [`RemoteTrack`](crate::RemoteTrack)).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a track of the other kind (an audio track on a video sender);
    /// [`Error::InvalidState`] when the connection is closed or the transceiver stopped; the
    /// browser's error otherwise. On error the sender keeps its track.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(sender: rtc_peer::Sender) -> Result<(), rtc_peer::Error> {
    /// sender.replace_track(None).await?; // pause sending, keep the m-line
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: replaceTrack](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/replaceTrack).
    pub async fn replace_track(&self, track: Option<&MediaStreamTrack>) -> Result<(), Error> {
        self.check_open("replaceTrack")?;
        let call = sys::RtpSender::replace_track(self.sys(), track);
        self.settle("replaceTrack", call).await?;
        Ok(())
    }

    /// Caps the bitrate of every encoding at `bits_per_second`, or removes the cap (`None`),
    /// through `getParameters` / `setParameters` (no renegotiation).
    ///
    /// # Errors
    ///
    /// [`Error::Range`] (`RangeError`) for `Some(0)`, before the browser is asked: no media fits
    /// in zero bits per second, and the specification gives a cap of zero no meaning of its
    /// own; to stop sending, use [`replace_track(None)`](Self::replace_track). [`Error::InvalidState`]
    /// when the browser reports no encodings for the sender, or the connection is
    /// closed; the browser's error (`InvalidModificationError`,
    /// `InvalidStateError`, …) when it refuses the parameters. On error nothing changes.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(sender: rtc_peer::Sender) -> Result<(), rtc_peer::Error> {
    /// sender.set_max_bitrate(Some(150_000)).await?; // 150 kbit/s
    /// sender.set_max_bitrate(None).await?; // the browser's own rate control again
    /// # Ok(()) }
    /// ```
    ///
    /// See [MDN: setParameters](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/setParameters).
    pub async fn set_max_bitrate(&self, bits_per_second: Option<u32>) -> Result<(), Error> {
        if bits_per_second == Some(0) {
            return Err(Error::Range {
                message: "A maximum bitrate must be at least 1 bit per second: use \
                          replace_track(None) to stop sending, or None to remove the cap."
                    .to_owned(),
            });
        }
        self.check_open("setParameters")?;
        let parameters = sys::RtpSender::get_parameters(self.sys())?;
        let encodings = Reflect::get(&parameters, &JsValue::from_str("encodings"))
            .ok()
            .and_then(|list| list.dyn_into::<Array>().ok())
            .filter(|list| list.length() > 0)
            .ok_or_else(|| Error::InvalidState {
                message: "The sender has no encodings yet: negotiate before capping its bitrate."
                    .to_owned(),
            })?;
        let key = JsValue::from_str("maxBitrate");
        for encoding in encodings.iter() {
            match bits_per_second {
                Some(cap) => Reflect::set(&encoding, &key, &JsValue::from(cap))?,
                None => Reflect::delete_property(encoding.unchecked_ref::<js_sys::Object>(), &key)?,
            };
        }
        let call = sys::RtpSender::set_parameters(self.sys(), &parameters);
        self.settle("setParameters", call).await?;
        Ok(())
    }

    /// The underlying `RTCRtpSender`.
    pub fn as_raw(&self) -> &RtcRtpSender {
        &self.raw
    }

    fn sys(&self) -> &sys::RtpSender {
        self.raw.unchecked_ref()
    }

    /// `Err(InvalidState)` naming `operation` when the sender's connection is closed: the
    /// browsers refuse a sender call then, but not always clearly (Chromium's `getParameters`
    /// gives no encodings, so `set_max_bitrate` would blame the negotiation).
    fn check_open(&self, operation: &str) -> Result<(), Error> {
        let closed = self.pc.as_ref().is_some_and(|pc| {
            sys::Pc::signaling_state(pc.unchecked_ref()).map_or(true, |state| state == "closed")
        });
        if !closed {
            return Ok(());
        }
        let message = crate::text::join(&[
            "The RTCPeerConnection is closed: ",
            operation,
            " cannot be called on its sender.",
        ]);
        Err(Error::InvalidState { message })
    }

    /// Awaits the browser's promise of `operation`, ended by the connection's `close()`.
    async fn settle(
        &self,
        operation: &str,
        call: Result<js_sys::Promise, JsValue>,
    ) -> Result<JsValue, Error> {
        match &self.pc {
            Some(pc) => settle(pc.unchecked_ref(), operation, call).await,
            None => Ok(wasm_bindgen_futures::JsFuture::from(call?).await?),
        }
    }
}

impl PartialEq for Sender {
    /// Two handles are equal when they hold the same `RTCRtpSender`.
    fn eq(&self, other: &Sender) -> bool {
        self.raw == other.raw
    }
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("kind", &self.raw.track().map(|track| track.kind()))
            .finish()
    }
}

impl AsRef<RtcRtpSender> for Sender {
    fn as_ref(&self) -> &RtcRtpSender {
        &self.raw
    }
}

impl From<RtcRtpSender> for Sender {
    fn from(raw: RtcRtpSender) -> Self {
        Sender { raw, pc: None }
    }
}

impl From<Sender> for RtcRtpSender {
    fn from(sender: Sender) -> Self {
        sender.raw
    }
}
