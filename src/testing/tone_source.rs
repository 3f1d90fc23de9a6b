//! An audio track: a Web Audio oscillator routed to a media stream.

use std::fmt;

use wasm_bindgen::JsCast;
use web_sys::{AudioContext, MediaStream, MediaStreamTrack, OscillatorNode};

use super::page::js_failure;
use super::TestFailure;

/// A sine tone of a chosen frequency from a Web Audio `OscillatorNode`, and the audio track of
/// the `MediaStreamAudioDestinationNode` it plays into.
///
/// On drop the oscillator stops, the track is stopped and the audio context closed. A page
/// without a user gesture may keep the context suspended; the track is live and negotiates all
/// the same (a headless test browser started for media, as this crate's suites are, plays it).
///
/// # Examples
///
/// ```no_run
/// # fn example(pc: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// let tone = rtc_peer::testing::ToneSource::new(440.0)?;
/// pc.add_track(tone.track(), &[tone.stream()])?;
/// # Ok(()) }
/// ```
///
/// See [MDN: MediaStreamAudioDestinationNode](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamAudioDestinationNode).
pub struct ToneSource {
    context: AudioContext,
    oscillator: OscillatorNode,
    stream: MediaStream,
    track: MediaStreamTrack,
}

impl ToneSource {
    /// A tone of `frequency_hz`, playing from now on.
    ///
    /// # Errors
    ///
    /// When the page has no Web Audio or refuses to create the nodes.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// let tone = rtc_peer::testing::ToneSource::new(880.0)?;
    /// assert_eq!(tone.track().kind(), "audio");
    /// # Ok(()) }
    /// ```
    pub fn new(frequency_hz: f32) -> Result<ToneSource, TestFailure> {
        let context = AudioContext::new().map_err(|e| js_failure("new AudioContext()", &e))?;
        let oscillator = context
            .create_oscillator()
            .map_err(|e| js_failure("createOscillator", &e))?;
        oscillator.frequency().set_value(frequency_hz);
        let destination = context
            .create_media_stream_destination()
            .map_err(|e| js_failure("createMediaStreamDestination", &e))?;
        oscillator
            .connect_with_audio_node(&destination)
            .map_err(|e| js_failure("connecting the oscillator", &e))?;
        oscillator
            .start()
            .map_err(|e| js_failure("starting the oscillator", &e))?;
        // A suspended context (no user gesture) is asked to run; the track exists either way.
        let _ = context.resume();
        let stream = destination.stream();
        let track: MediaStreamTrack = stream
            .get_audio_tracks()
            .get(0)
            .dyn_into()
            .map_err(|_| TestFailure::new("the audio destination gave no audio track"))?;
        Ok(ToneSource {
            context,
            oscillator,
            stream,
            track,
        })
    }

    /// The audio track.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(tone: rtc_peer::testing::ToneSource) {
    /// let id = tone.track().id();
    /// # let _ = id;
    /// # }
    /// ```
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }

    /// The stream holding [`track`](Self::track).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(tone: rtc_peer::testing::ToneSource) {
    /// assert_eq!(tone.stream().get_audio_tracks().length(), 1);
    /// # }
    /// ```
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// Stops the tone, the track and the audio context (what dropping does).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(tone: rtc_peer::testing::ToneSource) {
    /// tone.stop();
    /// # }
    /// ```
    pub fn stop(self) {
        drop(self);
    }
}

impl fmt::Debug for ToneSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToneSource")
            .field("frequency_hz", &self.oscillator.frequency().value())
            .field("track", &self.track.id())
            .finish()
    }
}

impl Drop for ToneSource {
    fn drop(&mut self) {
        let _ = self.oscillator.stop();
        self.track.stop();
        let _ = self.context.close();
    }
}
