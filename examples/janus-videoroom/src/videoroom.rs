//! The VideoRoom plugin (multistream): publishers send one connection each; a subscriber
//! receives every feed it asks for on one connection, with one m-line (`mid`) per feed.
//!
//! Janus puts every subscribed track in one MediaStream (named `janus`), so a track's stream
//! does not say whose it is: its transceiver's `mid` does, looked up in the `streams` list
//! Janus sends with each offer ([`Subscription::feed_of_mid`]).

use std::cell::RefCell;

use rtc_peer::{MediaStream, MediaStreamTrack, PeerConnection, SdpType};
use serde_json::{json, Value};

use crate::client::{Event, Handle, JanusError, Session};
use crate::gather::gathered_description;
use crate::EVENT_MS;

/// The plugin's package name.
pub const PLUGIN: &str = "janus.plugin.videoroom";

/// Creates room `room` for up to `publishers` publishers (not permanent: it lives as long as
/// this Janus runs).
///
/// # Errors
///
/// [`JanusError::Plugin`] 427 when the room exists; any other [`JanusError`].
pub async fn create_room(handle: &Handle, room: u64, publishers: u32) -> Result<(), JanusError> {
    handle
        .request(json!({
            "request": "create",
            "room": room,
            "publishers": publishers,
            "permanent": false,
            "bitrate": 256_000,
        }))
        .await
        .map(drop)
}

/// A publisher in a room: its own connection, sending one track.
pub struct Publisher {
    pub connection: PeerConnection,
    pub handle: Handle,
    /// Its feed id in the room (what subscribers ask for).
    pub feed: u64,
    /// The feeds (id and display name) publishing in the room when it joined.
    pub others: Vec<(u64, String)>,
}

impl Publisher {
    /// Joins `room` as a publisher named `display`, publishes `track` (in `stream`) and waits
    /// until Janus reports the connection up (`webrtcup`).
    ///
    /// # Errors
    ///
    /// [`JanusError::Plugin`] 426 when there is no such room; any other [`JanusError`].
    pub async fn join(
        session: &Session,
        room: u64,
        display: &str,
        track: &MediaStreamTrack,
        stream: &MediaStream,
    ) -> Result<Publisher, JanusError> {
        let handle = session.attach(PLUGIN).await?;
        let joined = handle
            .send(
                json!({"request": "join", "ptype": "publisher", "room": room, "display": display}),
                None,
                EVENT_MS,
            )
            .await?;
        let feed = joined
            .data
            .as_ref()
            .and_then(|d| d["id"].as_u64())
            .ok_or_else(|| JanusError::Malformed("a publisher joined without an id".into()))?;
        let others = publishers(&joined);
        let connection = PeerConnection::new()?;
        connection.add_track(track, &[stream])?;
        let offer = connection.create_offer().await?;
        connection.set_local_description(&offer).await?;
        let offer = gathered_description(&connection, EVENT_MS).await?;
        let published = handle
            .send(json!({"request": "publish"}), Some(&offer), EVENT_MS)
            .await?;
        let answer = published
            .jsep
            .ok_or_else(|| JanusError::Malformed("publish was answered without a jsep".into()))?;
        connection.set_remote_description(&answer).await?;
        // Subscribers can ask for the feed once Janus has its media path up (before, 428).
        handle
            .wait_for(EVENT_MS, "webrtcup for the publisher", |e| {
                e.kind == "webrtcup"
            })
            .await?;
        Ok(Publisher {
            connection,
            handle,
            feed,
            others,
        })
    }

    /// Unpublishes (subscribers get an updated offer with its m-line inactive), leaves the
    /// room and closes the connection. A bare `leave` sent no offer to subscribers here.
    ///
    /// # Errors
    ///
    /// As [`Handle::message`].
    pub async fn leave(&self) -> Result<(), JanusError> {
        self.handle
            .send(json!({"request": "unpublish"}), None, EVENT_MS)
            .await?;
        let result = self.handle.message(json!({"request": "leave"}), None).await;
        self.connection.close();
        result.map(drop)
    }
}

/// One m-line of a subscription, as Janus lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    pub mid: String,
    /// The publisher's feed, while the m-line carries one.
    pub feed: Option<u64>,
    /// Whether it carries media (`false` once its publisher left).
    pub active: bool,
}

/// A subscriber: one connection receiving every subscribed feed.
pub struct Subscription {
    pub connection: PeerConnection,
    pub handle: Handle,
    streams: RefCell<Vec<StreamInfo>>,
}

impl Subscription {
    /// Joins `room` as a subscriber to `feeds` on `connection`: Janus offers one m-line per
    /// feed, this side answers. Register `on_track` on `connection` before: the track events
    /// fire while Janus's offer is applied.
    ///
    /// # Errors
    ///
    /// Any [`JanusError`] (426 no such room, 428 no such feed, a refused offer).
    pub async fn join(
        session: &Session,
        room: u64,
        connection: PeerConnection,
        feeds: &[u64],
    ) -> Result<Subscription, JanusError> {
        let handle = session.attach(PLUGIN).await?;
        let subscription = Subscription {
            connection,
            handle,
            streams: RefCell::new(Vec::new()),
        };
        let body = json!({
            "request": "join",
            "ptype": "subscriber",
            "room": room,
            "streams": feed_list(feeds),
        });
        let offer = subscription.request_offer(body).await?;
        subscription.answer(&offer).await?;
        Ok(subscription)
    }

    /// Adds `feeds` to this subscription: Janus renegotiates (offers again) on the same
    /// connection, this side answers.
    ///
    /// # Errors
    ///
    /// As [`Subscription::join`].
    pub async fn add(&self, feeds: &[u64]) -> Result<(), JanusError> {
        let body = json!({"request": "subscribe", "streams": feed_list(feeds)});
        let offer = self.request_offer(body).await?;
        self.answer(&offer).await
    }

    /// Sends `body` and waits for Janus's offer (or the plugin's error for it).
    async fn request_offer(&self, body: Value) -> Result<Event, JanusError> {
        let what = format!("Janus's offer for {}", body["request"]);
        let transaction = match self.handle.message(body, None).await? {
            crate::client::Reply::Ack { transaction } => transaction,
            crate::client::Reply::Success(data) => {
                return Err(JanusError::Malformed(format!(
                    "an offer was expected, got {data}"
                )))
            }
        };
        let event = self
            .handle
            .wait_for(EVENT_MS, &what, |e| {
                e.jsep.is_some() || e.transaction.as_deref() == Some(transaction.as_str())
            })
            .await?;
        match event.plugin_error() {
            Some(e) => Err(e),
            None => Ok(event),
        }
    }

    /// Waits at most `ms` for Janus's next offer on its own (a publisher left or stopped) and
    /// returns it, unanswered: apply it with [`Subscription::answer`].
    ///
    /// # Errors
    ///
    /// [`JanusError::Timeout`], or the session's error.
    pub async fn next_offer(&self, ms: u32) -> Result<Event, JanusError> {
        self.handle
            .wait_for(ms, "an updated offer from Janus", |e| {
                e.jsep.as_ref().is_some_and(|j| j.kind == SdpType::Offer)
            })
            .await
    }

    /// Applies an offer event from Janus (its `streams` list, then its JSEP) and answers it
    /// with `start`.
    ///
    /// # Errors
    ///
    /// [`JanusError::Malformed`] when the event has no offer or no valid `streams` list (the
    /// connection is left as it was); [`JanusError::Rtc`] when the browser refuses the offer.
    pub async fn answer(&self, event: &Event) -> Result<(), JanusError> {
        let offer = match &event.jsep {
            Some(jsep) if jsep.kind == SdpType::Offer => jsep.clone(),
            _ => {
                return Err(JanusError::Malformed(
                    "an event without an offer where Janus offers".into(),
                ))
            }
        };
        let streams = event
            .data
            .as_ref()
            .map(|d| parse_streams(&d["streams"]))
            .unwrap_or_else(|| Err(JanusError::Malformed("an offer without data".into())))?;
        let before = self.streams.replace(streams);
        if let Err(e) = self.connection.set_remote_description(&offer).await {
            self.streams.replace(before);
            return Err(e.into());
        }
        let answer = self.connection.create_answer().await?;
        self.connection.set_local_description(&answer).await?;
        let answer = gathered_description(&self.connection, EVENT_MS).await?;
        self.handle
            .message(json!({"request": "start"}), Some(&answer))
            .await
            .map(drop)
    }

    /// The feed an active m-line carries, by its `mid`.
    pub fn feed_of_mid(&self, mid: &str) -> Option<u64> {
        self.streams
            .borrow()
            .iter()
            .find(|s| s.mid == mid && s.active)
            .and_then(|s| s.feed)
    }

    /// Every m-line as Janus last listed it.
    pub fn streams(&self) -> Vec<StreamInfo> {
        self.streams.borrow().clone()
    }
}

fn feed_list(feeds: &[u64]) -> Value {
    Value::Array(feeds.iter().map(|f| json!({"feed": f})).collect())
}

/// The `streams` list of an `attached` or `updated` event.
///
/// # Errors
///
/// [`JanusError::Malformed`] when it is not an array of objects with a string `mid`.
pub fn parse_streams(value: &Value) -> Result<Vec<StreamInfo>, JanusError> {
    let list = value
        .as_array()
        .ok_or_else(|| JanusError::Malformed(format!("a streams list that is not one: {value}")))?;
    list.iter()
        .map(|s| {
            let mid = s["mid"]
                .as_str()
                .ok_or_else(|| JanusError::Malformed(format!("a stream without a mid: {s}")))?;
            Ok(StreamInfo {
                mid: mid.to_string(),
                feed: s["feed_id"].as_u64(),
                active: s["active"].as_bool().unwrap_or(true) && s["feed_id"].is_u64(),
            })
        })
        .collect()
}

/// The feed ids and display names of the publishers an event lists (`publishers` in
/// `joined` and in the room's later events).
pub fn publishers(event: &Event) -> Vec<(u64, String)> {
    event
        .data
        .as_ref()
        .and_then(|d| d["publishers"].as_array())
        .map(|list| {
            list.iter()
                .filter_map(|p| {
                    let display = p["display"].as_str().unwrap_or_default().to_string();
                    Some((p["id"].as_u64()?, display))
                })
                .collect()
        })
        .unwrap_or_default()
}
