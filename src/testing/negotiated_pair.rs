//! Two connections of one page negotiating by themselves: a `Negotiator` on each, their
//! signals (the JSON of `Signal`) passing through a delayed in-page channel.

use std::cell::RefCell;
use std::fmt;
use std::rc::{Rc, Weak};

use wasm_bindgen_futures::spawn_local;

use super::{
    no_page_errors, take_page_errors, wait_until_with, LoopbackPair, SeededRng, SignalChannel,
    SignalDelay, TestFailure,
};
use crate::{
    CallEnd, Configuration, Listener, Negotiator, PeerConnection, PeerConnectionState, Role,
    Signal, SignalingState, TrackEvent,
};

/// What one side saw, shared with its listeners.
type Seen<T> = Rc<RefCell<Vec<T>>>;

/// One side of a [`NegotiatedPair`]: a connection, its [`Negotiator`] sending on a
/// [`SignalChannel`], and what it saw (`track` events, errors of the signals it received,
/// how the call ended).
///
/// Dropping it drops the negotiator (its listeners removed), then closes the connection.
///
/// # Examples
///
/// A side of your own against some other peer (a JavaScript one, say) in the same page:
///
/// ```no_run
/// use rtc_peer::testing::{NegotiatedSide, SignalChannel, SignalDelay};
/// use rtc_peer::{PeerConnection, Role};
///
/// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// let to_theirs = SignalChannel::new(1, SignalDelay::default());
/// let to_ours = SignalChannel::new(2, SignalDelay::default());
/// let ours = NegotiatedSide::new("ours", PeerConnection::new()?, Role::Polite, &to_theirs);
/// to_ours.connect(ours.deliverer());
/// to_theirs.connect(|text| web_sys::console::log_1(&text.into())); // to the other peer
/// # drop(ours);
/// # Ok(()) }
/// ```
pub struct NegotiatedSide {
    name: &'static str,
    tracks: Seen<TrackEvent>,
    errors: Seen<String>,
    ends: Seen<CallEnd>,
    _track: Listener,
    // Fields drop in order: the negotiator goes before the connection is closed.
    negotiator: Rc<Negotiator>,
    pc: ClosedOnDrop,
}

/// Closes the connection when dropped.
struct ClosedOnDrop(PeerConnection);

impl Drop for ClosedOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl NegotiatedSide {
    /// A side on `pc` in `role`, whose signals go out on `out`. Connect the other direction
    /// to [`deliverer`](Self::deliverer).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(out: rtc_peer::testing::SignalChannel) -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::{testing::NegotiatedSide, PeerConnection, Role};
    ///
    /// let side = NegotiatedSide::new("impolite", PeerConnection::new()?, Role::Impolite, &out);
    /// # drop(side);
    /// # Ok(()) }
    /// ```
    pub fn new(name: &'static str, pc: PeerConnection, role: Role, out: &SignalChannel) -> Self {
        let tracks: Seen<TrackEvent> = Rc::default();
        let track = {
            let tracks = Rc::clone(&tracks);
            pc.on_track(move |event| tracks.borrow_mut().push(event))
        };
        let out = out.clone();
        let negotiator = pc.negotiate(role, move |signal: Signal| out.send(signal.to_json()));
        let ends: Seen<CallEnd> = Rc::default();
        {
            let ends = Rc::clone(&ends);
            negotiator.on_end(move |end| ends.borrow_mut().push(end));
        }
        NegotiatedSide {
            name,
            tracks,
            errors: Rc::default(),
            ends,
            _track: track,
            negotiator: Rc::new(negotiator),
            pc: ClosedOnDrop(pc),
        }
    }

    /// What the channel towards this side calls with each message: parse it, hand it to
    /// [`Negotiator::receive`], record an error in [`errors`](Self::errors). It holds the
    /// negotiator weakly: once the side is dropped, messages are ignored.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide, incoming: rtc_peer::testing::SignalChannel) {
    /// incoming.connect(side.deliverer());
    /// # }
    /// ```
    pub fn deliverer(&self) -> impl Fn(String) + 'static {
        let negotiator: Weak<Negotiator> = Rc::downgrade(&self.negotiator);
        let errors = Rc::clone(&self.errors);
        let name = self.name;
        move |text: String| {
            let Some(negotiator) = negotiator.upgrade() else {
                return;
            };
            let errors = Rc::clone(&errors);
            spawn_local(async move {
                let result = match Signal::from_json(&text) {
                    Ok(signal) => negotiator.receive(signal).await,
                    Err(err) => Err(err),
                };
                if let Err(err) = result {
                    let start: String = text.chars().take(80).collect();
                    errors
                        .borrow_mut()
                        .push(format!("{name}: {err} (signal {start})"));
                }
            });
        }
    }

    /// The name given to [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide) {
    /// assert_eq!(side.name(), "polite");
    /// # }
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide, source: rtc_peer::testing::CanvasSource) -> Result<(), rtc_peer::Error> {
    /// side.pc().add_track(source.track(), &[source.stream()])?; // the negotiator offers
    /// # Ok(()) }
    /// ```
    pub fn pc(&self) -> &PeerConnection {
        &self.pc.0
    }

    /// Its negotiator.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide) {
    /// side.negotiator().hang_up();
    /// # }
    /// ```
    pub fn negotiator(&self) -> &Negotiator {
        &self.negotiator
    }

    /// Every `track` event so far, in order.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide) {
    /// let streams: Vec<_> = side.track_events().iter().filter_map(|e| e.first_stream()).collect();
    /// # let _ = streams;
    /// # }
    /// ```
    pub fn track_events(&self) -> Vec<TrackEvent> {
        self.tracks.borrow().clone()
    }

    /// Every error of `Signal::from_json` or `receive` for a message delivered to this side.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide) {
    /// assert!(side.errors().is_empty(), "{:?}", side.errors());
    /// # }
    /// ```
    pub fn errors(&self) -> Vec<String> {
        self.errors.borrow().clone()
    }

    /// How the call ended, once per `on_end` (so at most one entry).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide) {
    /// assert_eq!(side.ends(), [rtc_peer::CallEnd::RemoteHangUp]);
    /// # }
    /// ```
    pub fn ends(&self) -> Vec<CallEnd> {
        self.ends.borrow().clone()
    }

    /// Whether the signalling state is `stable`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(side: rtc_peer::testing::NegotiatedSide) {
    /// let between_offers = side.stable();
    /// # let _ = between_offers;
    /// # }
    /// ```
    pub fn stable(&self) -> bool {
        self.pc().signaling_state() == SignalingState::Stable
    }

    /// Its states and counts, for failure messages.
    fn describe(&self) -> String {
        format!(
            "{} {:?}/{:?}, {} track events",
            self.name,
            self.pc().signaling_state(),
            self.pc().connection_state(),
            self.tracks.borrow().len()
        )
    }
}

impl fmt::Debug for NegotiatedSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Two connections in one page, each driven by a [`Negotiator`] (`polite` and `impolite`,
/// the W3C perfect-negotiation roles), their signals passing through two [`SignalChannel`]s
/// that delay each message from a seed: the same seed, the same delays.
///
/// Nothing is negotiated until a side needs it: add a track or a data channel and the
/// negotiators make the offer, on either side or both at once (glare).
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::testing::{CanvasSource, Colour, LoopbackPair};
///
/// let call = LoopbackPair::negotiated(42)?;
/// let camera = CanvasSource::new(160, 120, Colour::rgb(0, 0, 200))?;
/// call.polite.pc().add_track(camera.track(), &[camera.stream()])?;
/// call.settle(10_000, "the track reaches the impolite side", |call| {
///     call.impolite.track_events().len() == 1
/// })
/// .await?;
/// call.no_errors("after the first offer")?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct NegotiatedPair {
    /// The polite side.
    pub polite: NegotiatedSide,
    /// The impolite side.
    pub impolite: NegotiatedSide,
    /// The channel towards `polite` (what `impolite` sends).
    pub to_polite: SignalChannel,
    /// The channel towards `impolite` (what `polite` sends).
    pub to_impolite: SignalChannel,
}

impl LoopbackPair {
    /// Two fresh connections driven by negotiators over a channel delaying each message by
    /// 0–30 ms in order (as a signalling server does), its delays drawn from `seed`: see
    /// [`NegotiatedPair`].
    ///
    /// # Errors
    ///
    /// When the browser refuses to create a connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// let seed = js_sys::Date::now() as u64; // print it, to replay a failure
    /// let call = rtc_peer::testing::LoopbackPair::negotiated(seed)?;
    /// # drop(call);
    /// # Ok(()) }
    /// ```
    pub fn negotiated(seed: u64) -> Result<NegotiatedPair, TestFailure> {
        NegotiatedPair::new(seed, SignalDelay::default())
    }
}

impl NegotiatedPair {
    /// Two fresh connections (default configuration) whose signals are delayed as `delay`
    /// says, from `seed`.
    ///
    /// # Errors
    ///
    /// When the browser refuses to create a connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::testing::{NegotiatedPair, SignalDelay};
    ///
    /// let shuffled = NegotiatedPair::new(7, SignalDelay::up_to(100).reordering())?;
    /// # drop(shuffled);
    /// # Ok(()) }
    /// ```
    pub fn new(seed: u64, delay: SignalDelay) -> Result<NegotiatedPair, TestFailure> {
        NegotiatedPair::with_configuration(seed, delay, &Configuration::new())
    }

    /// As [`new`](Self::new), both connections with `config`.
    ///
    /// What the page logged as errors before (earlier tests' errors) is forgotten, so that
    /// [`no_errors`](Self::no_errors) speaks of this pair.
    ///
    /// # Errors
    ///
    /// When the browser refuses `config` or to create a connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::testing::{NegotiatedPair, SignalDelay};
    /// use rtc_peer::{BundlePolicy, Configuration};
    ///
    /// let config = Configuration::new().bundle_policy(BundlePolicy::MaxBundle);
    /// let call = NegotiatedPair::with_configuration(7, SignalDelay::default(), &config)?;
    /// # drop(call);
    /// # Ok(()) }
    /// ```
    pub fn with_configuration(
        seed: u64,
        delay: SignalDelay,
        config: &Configuration,
    ) -> Result<NegotiatedPair, TestFailure> {
        let _ = take_page_errors();
        let mut seeds = SeededRng::new(seed);
        let to_polite = SignalChannel::new(seeds.next_u64(), delay);
        let to_impolite = SignalChannel::new(seeds.next_u64(), delay);
        let connection = |what: &str| {
            PeerConnection::with_configuration(config)
                .map_err(|e| TestFailure::from(e).context(what))
        };
        let polite = NegotiatedSide::new(
            "polite",
            connection("the polite connection")?,
            Role::Polite,
            &to_impolite,
        );
        let impolite = NegotiatedSide::new(
            "impolite",
            connection("the impolite connection")?,
            Role::Impolite,
            &to_polite,
        );
        to_polite.connect(polite.deliverer());
        to_impolite.connect(impolite.deliverer());
        Ok(NegotiatedPair {
            polite,
            impolite,
            to_polite,
            to_impolite,
        })
    }

    /// Both sides `stable` and no signal in flight.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(call: rtc_peer::testing::NegotiatedPair) {
    /// let quiet = call.settled();
    /// # let _ = quiet;
    /// # }
    /// ```
    pub fn settled(&self) -> bool {
        self.polite.stable()
            && self.impolite.stable()
            && self.to_polite.in_flight() == 0
            && self.to_impolite.in_flight() == 0
    }

    /// Waits at most `ms` until the pair is [`settled`](Self::settled) and `condition` holds.
    ///
    /// # Errors
    ///
    /// On timeout: `timed out after {ms} ms waiting until: {what} (…)`, with both sides'
    /// states, the signals in flight and the errors (see [`describe`](Self::describe)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example(call: rtc_peer::testing::NegotiatedPair) -> Result<(), rtc_peer::testing::TestFailure> {
    /// call.settle(10_000, "a track event each", |call| {
    ///     !call.polite.track_events().is_empty() && !call.impolite.track_events().is_empty()
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn settle(
        &self,
        ms: u32,
        what: &str,
        mut condition: impl FnMut(&NegotiatedPair) -> bool,
    ) -> Result<(), TestFailure> {
        wait_until_with(
            ms,
            what,
            || self.settled() && condition(self),
            || self.describe(),
        )
        .await
    }

    /// Waits at most `ms` until both connections are `connected`.
    ///
    /// # Errors
    ///
    /// On timeout, with [`describe`](Self::describe).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example(call: rtc_peer::testing::NegotiatedPair) -> Result<(), rtc_peer::testing::TestFailure> {
    /// call.connected(15_000).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connected(&self, ms: u32) -> Result<(), TestFailure> {
        let connected =
            |side: &NegotiatedSide| side.pc().connection_state() == PeerConnectionState::Connected;
        wait_until_with(
            ms,
            "both connections are connected",
            || connected(&self.polite) && connected(&self.impolite),
            || self.describe(),
        )
        .await
    }

    /// Both sides' states and counts, the signals in flight each way and the errors, for
    /// failure messages.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(call: rtc_peer::testing::NegotiatedPair) {
    /// assert!(call.settled(), "{}", call.describe());
    /// # }
    /// ```
    pub fn describe(&self) -> String {
        format!(
            "{}; {}; in flight {}/{}; errors {:?} {:?}",
            self.polite.describe(),
            self.impolite.describe(),
            self.to_polite.in_flight(),
            self.to_impolite.in_flight(),
            self.polite.errors(),
            self.impolite.errors(),
        )
    }

    /// Checks that no delivered signal gave an error on either side and that the page logged
    /// no error (console errors, uncaught exceptions) since the last check.
    ///
    /// # Errors
    ///
    /// `{what}: signals gave errors: …` or [`no_page_errors`](super::no_page_errors)'s message.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(call: rtc_peer::testing::NegotiatedPair) -> Result<(), rtc_peer::testing::TestFailure> {
    /// call.no_errors("after glare")?;
    /// # Ok(()) }
    /// ```
    pub fn no_errors(&self, what: &str) -> Result<(), TestFailure> {
        let (polite, impolite) = (self.polite.errors(), self.impolite.errors());
        if !polite.is_empty() || !impolite.is_empty() {
            return Err(TestFailure::new(format!(
                "{what}: signals gave errors: {polite:?} {impolite:?}"
            )));
        }
        no_page_errors(what)
    }
}
