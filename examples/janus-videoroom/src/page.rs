//! The example page: joins a room as a publisher (a canvas of a random colour with its name),
//! subscribes to every other publisher on one connection, and keeps one tile per publisher as
//! they come and go.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{attach_stream, MediaStream, PeerConnection};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlVideoElement};

use crate::client::{JanusError, Session};
use crate::videoroom::{self, Publisher, Subscription};

/// Runs the page: publishes into `room` on the Janus at `janus_url` and shows every
/// publisher's video in `#tiles`. Resolves when the session ends.
///
/// # Errors
///
/// The [`JanusError`] that ended it, as its message.
#[wasm_bindgen]
pub async fn run(janus_url: String, room: u32) -> Result<(), JsValue> {
    run_room(&janus_url, u64::from(room))
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))
}

async fn run_room(janus_url: &str, room: u64) -> Result<(), JanusError> {
    let document = document()?;
    let tiles = document
        .get_element_by_id("tiles")
        .ok_or_else(|| JanusError::Malformed("the page has no #tiles".into()))?;
    let session = Session::create(janus_url).await?;
    let admin = session.attach(videoroom::PLUGIN).await?;
    // A room made on demand (427: it exists already, which is fine).
    match videoroom::create_room(&admin, room, 12).await {
        Ok(()) | Err(JanusError::Plugin { code: 427, .. }) => {}
        Err(e) => return Err(e),
    }
    let (stream, name) = own_canvas(&document)?;
    let track = stream
        .get_video_tracks()
        .get(0)
        .dyn_into::<rtc_peer::MediaStreamTrack>()
        .map_err(|_| JanusError::Malformed("the canvas gave no video track".into()))?;
    let me = Publisher::join(&session, room, &name, &track, &stream).await?;
    add_tile(&document, &tiles, &format!("{name} (you)"), &stream)?;

    let connection = PeerConnection::new()?;
    let subscription: Rc<RefCell<Option<Rc<Subscription>>>> = Rc::default();
    // The remote tiles by mid, captioned once Janus's list says whose each mid is (the
    // track events fire while its offer is applied, before that call returns).
    let captions: Rc<RefCell<Vec<(String, Element)>>> = Rc::default();
    let _tracks = {
        let (captions, document, tiles) = (Rc::clone(&captions), document.clone(), tiles.clone());
        connection.on_track(move |event| {
            let Some(mid) = event.mid() else { return };
            let Ok(stream) = MediaStream::new_with_tracks(&js_sys::Array::of1(&event.track()))
            else {
                return;
            };
            if let Ok(tile) = add_tile(&document, &tiles, "…", &stream) {
                captions.borrow_mut().push((mid, tile.clone()));
                event
                    .remote_track()
                    .on_removed(move || tile.remove())
                    .forget();
            }
        })
    };
    let names: RefCell<Vec<(u64, String)>> = RefCell::new(Vec::new());
    let relabel = |subscription: &Subscription| {
        for (mid, tile) in captions.borrow().iter() {
            let Some(feed) = subscription.feed_of_mid(mid) else {
                continue;
            };
            let name = names.borrow().iter().find(|(f, _)| *f == feed).map_or_else(
                || format!("feed {feed}"),
                |(_, n)| format!("feed {feed}: {n}"),
            );
            if let Some(caption) = tile.query_selector("figcaption").ok().flatten() {
                caption.set_text_content(Some(&name));
            }
        }
    };
    let mut known: Vec<u64> = Vec::new();
    names.borrow_mut().extend(me.others.iter().cloned());
    let others: Vec<u64> = me.others.iter().map(|(f, _)| *f).collect();
    if !others.is_empty() {
        let s = Subscription::join(&session, room, connection.clone(), &others).await?;
        relabel(&s);
        *subscription.borrow_mut() = Some(Rc::new(s));
        known.extend(others);
    }
    // One loop for both handles (each is waited on by one task only): the room's news, then
    // any offer Janus makes on its own (a publisher left).
    loop {
        let event = match me.handle.next_event(1_000).await {
            Err(JanusError::Timeout(_)) => None,
            other => Some(other?),
        };
        let listed = event.map(|e| videoroom::publishers(&e)).unwrap_or_default();
        names.borrow_mut().extend(listed.iter().cloned());
        let feeds: Vec<u64> = listed
            .into_iter()
            .map(|(f, _)| f)
            .filter(|f| *f != me.feed && !known.contains(f))
            .collect();
        let current = subscription.borrow().clone();
        if !feeds.is_empty() {
            match &current {
                Some(s) => {
                    s.add(&feeds).await?;
                    relabel(s);
                }
                None => {
                    let s = Subscription::join(&session, room, connection.clone(), &feeds).await?;
                    relabel(&s);
                    *subscription.borrow_mut() = Some(Rc::new(s));
                }
            }
            known.extend(feeds);
        } else if let Some(s) = current {
            match s.next_offer(200).await {
                Ok(offer) => {
                    s.answer(&offer).await?;
                    relabel(&s);
                }
                Err(JanusError::Timeout(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

fn document() -> Result<Document, JanusError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JanusError::Malformed("no document".into()))
}

fn add_tile(
    document: &Document,
    tiles: &Element,
    label: &str,
    stream: &MediaStream,
) -> Result<Element, JanusError> {
    let fail = |_| JanusError::Malformed("could not build a tile".into());
    let tile = document.create_element("figure").map_err(fail)?;
    let video: HtmlVideoElement = document
        .create_element("video")
        .map_err(fail)?
        .unchecked_into();
    video.set_muted(true);
    let caption = document.create_element("figcaption").map_err(fail)?;
    caption.set_text_content(Some(label));
    tile.append_child(&video).map_err(fail)?;
    tile.append_child(&caption).map_err(fail)?;
    tiles.append_child(&tile).map_err(fail)?;
    let video2 = video.clone();
    let stream = stream.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = attach_stream(&video2, &stream).await;
    });
    Ok(tile)
}

/// A canvas of a random colour with a running clock, captured at 15 fps, and its name.
fn own_canvas(document: &Document) -> Result<(MediaStream, String), JanusError> {
    let fail = |_| JanusError::Malformed("could not make the canvas source".into());
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(fail)?
        .unchecked_into();
    canvas.set_width(320);
    canvas.set_height(240);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(fail)?
        .ok_or_else(|| JanusError::Malformed("no 2d context".into()))?
        .unchecked_into();
    let hue = (js_sys::Math::random() * 360.0).floor();
    let name = format!("hue {hue}");
    let colour = format!("hsl({hue}, 70%, 45%)");
    let draw = {
        let name = name.clone();
        Closure::<dyn FnMut()>::new(move || {
            context.set_fill_style_str(&colour);
            context.fill_rect(0.0, 0.0, 320.0, 240.0);
            context.set_fill_style_str("white");
            context.set_font("24px sans-serif");
            let now = js_sys::Date::new_0().to_locale_time_string("en-GB");
            let _ = context.fill_text(&format!("{name}  {}", String::from(now)), 16.0, 128.0);
        })
    };
    let window = web_sys::window().ok_or_else(|| JanusError::Malformed("no window".into()))?;
    // The page's own clock: redrawn for as long as the page lives.
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        draw.into_js_value().unchecked_ref(),
        100,
    );
    let capture = js_sys::Reflect::get(&canvas, &"captureStream".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| JanusError::Malformed("no canvas.captureStream".into()))?;
    let stream = capture
        .call1(&canvas, &JsValue::from(15))
        .map_err(fail)?
        .unchecked_into();
    Ok((stream, name))
}
