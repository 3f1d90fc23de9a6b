//! The example page's logic (`run`), twice in one page as two tabs would: each shows its own
//! tile and one for the other publisher, playing.

mod common;

use rtc_peer::testing::{media_flows_within, wait_until, TestFailure};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlVideoElement;

use common::janus_url;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn two_pages_in_one_room_each_show_both_publishers() -> Result<(), TestFailure> {
    let url = janus_url().await?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| TestFailure::new("no document"))?;
    let tiles = document
        .create_element("div")
        .map_err(|_| TestFailure::new("no div"))?;
    tiles.set_id("tiles");
    document
        .body()
        .ok_or_else(|| TestFailure::new("no body"))?
        .append_child(&tiles)
        .map_err(|_| TestFailure::new("could not add #tiles"))?;
    let room = 10_000 + (js_sys::Math::random() * 1e9) as u32;
    for _ in 0..2 {
        let url = url.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = janus_videoroom::run(url, room).await {
                web_sys::console::error_1(&e);
            }
        });
    }
    // Two own tiles, and each page's tile of the other publisher.
    wait_until(20_000, "four tiles (two own, two remote)", || {
        tiles.child_element_count() >= 4
    })
    .await?;
    let videos = tiles
        .query_selector_all("video")
        .map_err(|_| TestFailure::new("querySelectorAll"))?;
    assert_eq!(videos.length(), 4, "one tile per publisher per page");
    for i in 0..videos.length() {
        let video: HtmlVideoElement = videos
            .get(i)
            .ok_or_else(|| TestFailure::new("a video went missing"))?
            .unchecked_into();
        media_flows_within(15_000, &video)
            .await
            .map_err(|e| e.context(&format!("tile {i}")))?;
    }
    let remote = tiles
        .query_selector_all("figcaption")
        .map_err(|_| TestFailure::new("querySelectorAll"))?;
    let captions: Vec<String> = (0..remote.length())
        .filter_map(|i| remote.get(i)?.text_content())
        .collect();
    assert_eq!(
        captions.iter().filter(|c| c.starts_with("feed ")).count(),
        2,
        "two remote tiles named by their feed: {captions:?}"
    );
    Ok(())
}
