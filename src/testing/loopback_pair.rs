//! Two connections in one page with each one's ICE candidates handed straight to the other.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::{now_ms, sleep, wait_until, within, TestFailure};
use crate::{
    Configuration, Listener, MediaKind, PeerConnection, PeerConnectionState, RtcIceCandidate,
    TransceiverDirection,
};

/// How long each step of [`LoopbackPair`] may take (an offer, an answer, a candidate waiting
/// for its remote description, connecting), in milliseconds.
const STEP_MS: u32 = 10_000;

/// What one side gathered and what went wrong delivering it.
type Record = Rc<RefCell<Vec<String>>>;

/// Two real `RTCPeerConnection`s in one page, `a` (the offerer) and `b` (the answerer), each
/// one's ICE candidates passed directly to the other, without a signalling server.
///
/// Both connections are closed when the pair is dropped.
///
/// For two connections that negotiate by themselves (a `Negotiator` on each, signals over a
/// delayed in-page channel) see [`LoopbackPair::negotiated`].
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// use rtc_peer::{testing::LoopbackPair, PeerConnectionState};
///
/// let pair = LoopbackPair::connect().await?;
/// assert_eq!(pair.b.connection_state(), PeerConnectionState::Connected);
/// # Ok(()) }
/// ```
///
/// See [MDN: RTCPeerConnection](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection).
#[derive(Debug)]
pub struct LoopbackPair {
    /// The offerer.
    pub a: PeerConnection,
    /// The answerer.
    pub b: PeerConnection,
    gathered_by_a: Rc<RefCell<Vec<Option<String>>>>,
    gathered_by_b: Rc<RefCell<Vec<Option<String>>>>,
    candidate_errors: Record,
    _ice: [Listener; 2],
}

impl LoopbackPair {
    /// Two fresh connections (default configuration), wired for trickle ICE, not negotiated.
    ///
    /// # Errors
    ///
    /// When the browser refuses to create a connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::{testing::LoopbackPair, MediaKind, TransceiverDirection};
    ///
    /// let pair = LoopbackPair::new()?;
    /// pair.a.add_transceiver(MediaKind::Audio, TransceiverDirection::SendRecv)?;
    /// pair.negotiate().await?;
    /// # Ok(()) }
    /// ```
    pub fn new() -> Result<LoopbackPair, TestFailure> {
        LoopbackPair::with_configuration(&Configuration::new())
    }

    /// Two fresh connections with `config` (the same on both sides), wired for trickle ICE,
    /// not negotiated.
    ///
    /// # Errors
    ///
    /// When the browser refuses `config` or to create a connection.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// use rtc_peer::{testing::LoopbackPair, Configuration, IceServer, IceTransportPolicy};
    ///
    /// let relay_only = Configuration::new()
    ///     .ice_server(IceServer::new("turn:127.0.0.1:3478").credentials("user", "secret"))
    ///     .ice_transport_policy(IceTransportPolicy::Relay);
    /// let pair = LoopbackPair::with_configuration(&relay_only)?;
    /// # drop(pair);
    /// # Ok(()) }
    /// ```
    pub fn with_configuration(config: &Configuration) -> Result<LoopbackPair, TestFailure> {
        let a = PeerConnection::with_configuration(config)
            .map_err(|e| TestFailure::from(e).context("the first connection"))?;
        let b = PeerConnection::with_configuration(config)
            .map_err(|e| TestFailure::from(e).context("the second connection"))?;
        let gathered_by_a = Rc::default();
        let gathered_by_b = Rc::default();
        let candidate_errors = Record::default();
        let ice = [
            forward_candidates(&a, &b, &gathered_by_a, &candidate_errors),
            forward_candidates(&b, &a, &gathered_by_b, &candidate_errors),
        ];
        Ok(LoopbackPair {
            a,
            b,
            gathered_by_a,
            gathered_by_b,
            candidate_errors,
            _ice: ice,
        })
    }

    /// Two connections that are connected: [`new`](Self::new), one send-receive `video`
    /// transceiver on `a` (no track; something for ICE to carry), [`negotiate`](Self::negotiate)
    /// and [`connected`](Self::connected).
    ///
    /// # Errors
    ///
    /// When a step fails or takes more than 10 s; the message names the step.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
    /// let pair = rtc_peer::testing::LoopbackPair::connect().await?;
    /// # drop(pair);
    /// # Ok(()) }
    /// ```
    pub async fn connect() -> Result<LoopbackPair, TestFailure> {
        let pair = LoopbackPair::new()?;
        pair.a
            .add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
            .map_err(|e| TestFailure::from(e).context("add_transceiver"))?;
        pair.negotiate().await?;
        pair.connected(STEP_MS).await?;
        Ok(pair)
    }

    /// One full offer (from `a`) / answer (from `b`) exchange, each step applied on both
    /// sides and bounded by 10 s.
    ///
    /// # Errors
    ///
    /// When a step fails or times out; the message names the step.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example(pair: rtc_peer::testing::LoopbackPair) -> Result<(), rtc_peer::testing::TestFailure> {
    /// pair.negotiate().await?; // again, after adding a track: a re-offer
    /// # Ok(()) }
    /// ```
    pub async fn negotiate(&self) -> Result<(), TestFailure> {
        negotiate(&self.a, &self.b).await
    }

    /// Waits at most `ms` milliseconds until both connections are `connected`.
    ///
    /// # Errors
    ///
    /// On timeout, with both states, the candidates each side gathered and any that failed to
    /// be added.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example(pair: rtc_peer::testing::LoopbackPair) -> Result<(), rtc_peer::testing::TestFailure> {
    /// pair.negotiate().await?;
    /// pair.connected(15_000).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connected(&self, ms: u32) -> Result<(), TestFailure> {
        let both = || {
            self.a.connection_state() == PeerConnectionState::Connected
                && self.b.connection_state() == PeerConnectionState::Connected
        };
        wait_until(ms, "both connections are connected", both)
            .await
            .map_err(|failure| {
                TestFailure::new(format!(
                    "{failure} (a {:?}, b {:?}; gathered by a {:?}, by b {:?}; candidate errors \
                     {:?})",
                    self.a.connection_state(),
                    self.b.connection_state(),
                    self.gathered_by_a(),
                    self.gathered_by_b(),
                    self.candidate_errors()
                ))
            })
    }

    /// The candidates `a` gathered so far, as `a=candidate` text; `None` marks the end of
    /// gathering.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pair: rtc_peer::testing::LoopbackPair) {
    /// let relay_only = pair.gathered_by_a().iter().flatten().all(|c| c.contains(" typ relay"));
    /// # let _ = relay_only;
    /// # }
    /// ```
    pub fn gathered_by_a(&self) -> Vec<Option<String>> {
        self.gathered_by_a.borrow().clone()
    }

    /// The candidates `b` gathered so far (as [`gathered_by_a`](Self::gathered_by_a)).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pair: rtc_peer::testing::LoopbackPair) {
    /// let done = pair.gathered_by_b().contains(&None);
    /// # let _ = done;
    /// # }
    /// ```
    pub fn gathered_by_b(&self) -> Vec<Option<String>> {
        self.gathered_by_b.borrow().clone()
    }

    /// Why candidates passed to the other side were refused (by a connection that is not
    /// closed), one message each; empty when all were added.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(pair: rtc_peer::testing::LoopbackPair) {
    /// assert!(pair.candidate_errors().is_empty(), "{:?}", pair.candidate_errors());
    /// # }
    /// ```
    pub fn candidate_errors(&self) -> Vec<String> {
        self.candidate_errors.borrow().clone()
    }
}

impl Drop for LoopbackPair {
    fn drop(&mut self) {
        self.a.close();
        self.b.close();
    }
}

/// One offer (from `offerer`) / answer (from `answerer`) exchange between two connections of
/// this page, each step applied on both sides and bounded by 10 s.
///
/// # Errors
///
/// When a step fails or times out; the message names the step.
///
/// # Examples
///
/// ```no_run
/// # async fn example(a: rtc_peer::PeerConnection, b: rtc_peer::PeerConnection) -> Result<(), rtc_peer::testing::TestFailure> {
/// rtc_peer::testing::negotiate(&b, &a).await?; // b re-offers to a
/// # Ok(()) }
/// ```
pub async fn negotiate(
    offerer: &PeerConnection,
    answerer: &PeerConnection,
) -> Result<(), TestFailure> {
    let offer = step("create_offer", offerer.create_offer()).await?;
    step(
        "offerer set_local_description(offer)",
        offerer.set_local_description(&offer),
    )
    .await?;
    step(
        "answerer set_remote_description(offer)",
        answerer.set_remote_description(&offer),
    )
    .await?;
    let answer = step("create_answer", answerer.create_answer()).await?;
    step(
        "answerer set_local_description(answer)",
        answerer.set_local_description(&answer),
    )
    .await?;
    step(
        "offerer set_remote_description(answer)",
        offerer.set_remote_description(&answer),
    )
    .await
}

/// One library call, bounded, its error named.
async fn step<T>(
    what: &str,
    call: impl std::future::Future<Output = Result<T, crate::Error>>,
) -> Result<T, TestFailure> {
    within(STEP_MS, what, call)
        .await?
        .map_err(|e| TestFailure::from(e).context(what))
}

/// Records every local candidate of `from` (and the end of gathering) and sends it to `to`.
fn forward_candidates(
    from: &PeerConnection,
    to: &PeerConnection,
    gathered: &Rc<RefCell<Vec<Option<String>>>>,
    errors: &Record,
) -> Listener {
    let to = to.clone();
    let gathered = gathered.clone();
    let errors = errors.clone();
    from.on_ice_candidate(move |candidate: Option<RtcIceCandidate>| {
        gathered
            .borrow_mut()
            .push(candidate.as_ref().map(RtcIceCandidate::candidate));
        if let Some(candidate) = candidate {
            deliver_candidate(&to, candidate, &errors);
        }
    })
}

/// Adds `candidate` to `to` once `to` has a remote description (the browser refuses
/// candidates before that), waiting at most 10 s; the empty end-of-candidates string is
/// skipped. A refusal by a connection that is not closed is recorded in `errors`.
fn deliver_candidate(to: &PeerConnection, candidate: RtcIceCandidate, errors: &Record) {
    if candidate.candidate().is_empty() {
        return;
    }
    let to = to.clone();
    let errors = errors.clone();
    spawn_local(async move {
        let deadline = now_ms() + f64::from(STEP_MS);
        while to.remote_description().is_none() && now_ms() < deadline {
            if to.connection_state() == PeerConnectionState::Closed {
                return;
            }
            sleep(10).await;
        }
        if let Err(err) = to.add_ice_candidate(&candidate).await {
            // A closed connection refuses late candidates; that is not a failure of the call.
            if to.connection_state() != PeerConnectionState::Closed {
                errors.borrow_mut().push(err.to_string());
            }
        }
    });
}
