//! The VideoRoom plugin of a real Janus: publishers in one page, one subscriber connection
//! receiving them all, tracks mapped to publishers by `mid`, a feed added, a feed leaving.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use janus_videoroom::videoroom::{self, Publisher, Subscription};
use janus_videoroom::Session;
use rtc_peer::testing::{
    media_flows_within, now_ms, pixel_colour, wait_until, CanvasSource, Colour, TestFailure,
};
use rtc_peer::{PeerConnection, TrackEvent};
use wasm_bindgen_test::*;
use web_sys::HtmlVideoElement;

use common::{fail, janus_url, play};

wasm_bindgen_test_configure!(run_in_browser);

const COLOURS: [Colour; 4] = [
    Colour::rgb(200, 40, 40),
    Colour::rgb(40, 160, 40),
    Colour::rgb(40, 40, 200),
    Colour::rgb(200, 200, 40),
];

/// How far a decoded pixel may be from its source's colour (VP8 at a low bitrate, and the
/// video range expanded on the way back to RGB: a 160 green comes back near 190).
const TOLERANCE: u8 = 64;

/// Whether `seen` is `COLOURS[who]`: near it, and nearer to it than to any other source.
fn is_colour_of(seen: Colour, who: usize) -> bool {
    let distance = |c: Colour| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(seen.r, c.r) + d(seen.g, c.g) + d(seen.b, c.b)
    };
    let nearest = (0..COLOURS.len()).min_by_key(|i| distance(COLOURS[*i]));
    seen.is_near(COLOURS[who], TOLERANCE) && nearest == Some(who)
}

/// A fresh room per run, so suites in both browsers never meet.
fn room_id() -> u64 {
    10_000 + (js_sys::Math::random() * 1e9) as u64
}

/// Which publisher an event's track comes from: its transceiver's mid, looked up in the
/// streams list Janus sent with its offer (the stream id is "janus" for every track).
fn publisher_of(
    subscription: &Subscription,
    publishers: &[Publisher],
    event: &TrackEvent,
) -> Result<usize, TestFailure> {
    let mid = event
        .mid()
        .ok_or_else(|| TestFailure::new("a track event without a mid"))?;
    let feed = subscription.feed_of_mid(&mid).ok_or_else(|| {
        TestFailure::new(format!(
            "mid {mid} carries no feed in Janus's list {:?}",
            subscription.streams()
        ))
    })?;
    publishers
        .iter()
        .position(|p| p.feed == feed)
        .ok_or_else(|| TestFailure::new(format!("feed {feed} (mid {mid}) is no publisher of ours")))
}

/// Plays `event`'s track and checks it shows `colour`.
async fn shows(
    event: &TrackEvent,
    colour: Colour,
    who: usize,
) -> Result<HtmlVideoElement, TestFailure> {
    let video = play(&event.track()).await?;
    media_flows_within(15_000, &video)
        .await
        .map_err(|e| e.context(&format!("publisher {who}'s track")))?;
    let seen = pixel_colour(&video)?;
    if !is_colour_of(seen, who) {
        return Err(TestFailure::new(format!(
            "publisher {who}'s track (mid {:?}) shows {seen}, its source is {colour}",
            event.mid()
        )));
    }
    Ok(video)
}

#[wasm_bindgen_test]
async fn one_subscription_carries_every_publisher_as_they_come_and_go() -> Result<(), TestFailure> {
    let session = Session::create(&janus_url().await?)
        .await
        .map_err(fail("creating a session"))?;
    let admin = session
        .attach(videoroom::PLUGIN)
        .await
        .map_err(fail("attaching the videoroom"))?;
    let room = room_id();
    videoroom::create_room(&admin, room, 10)
        .await
        .map_err(fail("creating the room"))?;

    // Three publishers, three connections, three colours.
    let sources = COLOURS
        .iter()
        .map(|c| CanvasSource::new(320, 240, *c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut publishers = Vec::new();
    for (i, source) in sources.iter().take(3).enumerate() {
        let p = Publisher::join(
            &session,
            room,
            &format!("p{i}"),
            source.track(),
            source.stream(),
        )
        .await
        .map_err(fail(&format!("publisher {i} joining")))?;
        publishers.push(p);
    }

    // One subscriber connection, one multistream subscription to all three.
    let connection = PeerConnection::new().map_err(|e| TestFailure::new(e.to_string()))?;
    let events: Rc<RefCell<Vec<TrackEvent>>> = Rc::default();
    let _on_track = {
        let events = Rc::clone(&events);
        connection.on_track(move |e| events.borrow_mut().push(e))
    };
    let feeds: Vec<u64> = publishers.iter().map(|p| p.feed).collect();
    let subscription = Subscription::join(&session, room, connection.clone(), &feeds)
        .await
        .map_err(fail("subscribing to three feeds"))?;
    wait_until(10_000, "three track events", || events.borrow().len() >= 3).await?;
    assert_eq!(events.borrow().len(), 3, "one track event per feed");

    let mut videos = Vec::new();
    let mut seen_publishers = Vec::new();
    let first_three = events.borrow().clone();
    for event in first_three {
        let who = publisher_of(&subscription, &publishers, &event)?;
        assert!(
            !seen_publishers.contains(&who),
            "two tracks map to publisher {who}"
        );
        seen_publishers.push(who);
        videos.push((who, event.clone(), shows(&event, COLOURS[who], who).await?));
    }

    // A fourth publisher: added to the same subscription, one more track event.
    let fourth = Publisher::join(
        &session,
        room,
        "p3",
        sources[3].track(),
        sources[3].stream(),
    )
    .await
    .map_err(fail("publisher 3 joining"))?;
    let fourth_feed = fourth.feed;
    publishers.push(fourth);
    subscription
        .add(&[fourth_feed])
        .await
        .map_err(fail("adding the fourth feed"))?;
    wait_until(10_000, "a fourth track event", || {
        events.borrow().len() >= 4
    })
    .await?;
    assert_eq!(events.borrow().len(), 4, "exactly one more track event");
    assert_eq!(
        connection.transceivers().len(),
        4,
        "the fourth feed arrives on the same connection"
    );
    let event = events.borrow()[3].clone();
    let who = publisher_of(&subscription, &publishers, &event)?;
    assert_eq!(who, 3, "the new track is the fourth publisher's");
    videos.push((who, event.clone(), shows(&event, COLOURS[3], 3).await?));

    // The green publisher leaves: its track reports removed within 3 s of Janus's offer.
    let (_, leaving_event, _) = videos
        .iter()
        .find(|(who, _, _)| *who == 1)
        .cloned()
        .ok_or_else(|| TestFailure::new("no track of publisher 1"))?;
    let leaving_track = leaving_event.remote_track();
    let removed_at: Rc<Cell<Option<f64>>> = Rc::default();
    let _on_removed = {
        let removed_at = Rc::clone(&removed_at);
        leaving_track.on_removed(move || removed_at.set(Some(now_ms())))
    };
    publishers[1]
        .leave()
        .await
        .map_err(fail("publisher 1 leaving"))?;
    let offer = subscription
        .next_offer(10_000)
        .await
        .map_err(fail("Janus's updated offer after a publisher left"))?;
    let offered_at = now_ms();
    subscription
        .answer(&offer)
        .await
        .map_err(fail("answering the updated offer"))?;
    wait_until(
        3_000,
        "the leaving publisher's track reports removed",
        || removed_at.get().is_some(),
    )
    .await?;
    let after = removed_at.get().unwrap_or(f64::MAX) - offered_at;
    assert!(after <= 3_000.0, "removed {after} ms after the offer");
    assert!(leaving_track.is_removed());
    let mid = leaving_event.mid().unwrap_or_default();
    assert_eq!(
        subscription.feed_of_mid(&mid),
        None,
        "mid {mid} carries no feed now"
    );

    // The others keep playing their own colours.
    for (who, event, video) in videos.iter().filter(|(who, _, _)| *who != 1) {
        media_flows_within(5_000, video)
            .await
            .map_err(|e| e.context(&format!("publisher {who} after publisher 1 left")))?;
        let seen = pixel_colour(video)?;
        assert!(
            is_colour_of(seen, *who),
            "publisher {who} (mid {:?}) still shows its colour, got {seen}",
            event.mid()
        );
        assert!(
            !event.remote_track().is_removed(),
            "publisher {who} is not removed"
        );
    }

    for p in &publishers {
        p.connection.close();
    }
    connection.close();
    Ok(())
}
