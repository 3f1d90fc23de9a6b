//! Glare: both sides add a video track in the same task, so both offer at once. 50 rounds.

use wasm_bindgen_test::wasm_bindgen_test;

use support::{frames_grow, seed, sleep, wait_until_with, LoopbackPair, SeededRng, TestFailure};

use crate::{camera, WAIT_MS};

const ROUNDS: u32 = 50;

/// The `type` of the first description among `messages` (JSON of `Signal`).
pub fn first_description_type(messages: &[String]) -> Option<String> {
    messages.iter().find_map(|text| {
        let value = js_sys::JSON::parse(text).ok()?;
        let description = js_sys::Reflect::get(&value, &"description".into()).ok()?;
        js_sys::Reflect::get(&description, &"type".into())
            .ok()?
            .as_string()
    })
}

#[wasm_bindgen_test]
async fn glare_converges_with_one_track_event_each_and_video_both_ways() -> Result<(), TestFailure>
{
    let mut rng = SeededRng::new(seed("glare"));
    let polite_camera = camera()?;
    let impolite_camera = camera()?;
    for round in 1..=ROUNDS {
        let call = LoopbackPair::negotiated(rng.next_u64())?;
        // The same task: both `negotiationneeded` events fire before any signal arrives.
        call.polite
            .pc()
            .add_track(polite_camera.track(), &[polite_camera.stream()])
            .expect("addTrack (polite)");
        call.impolite
            .pc()
            .add_track(impolite_camera.track(), &[impolite_camera.stream()])
            .expect("addTrack (impolite)");
        wait_until_with(
            WAIT_MS,
            &format!("round {round}: both stable with a track event each"),
            || {
                call.settled()
                    && !call.polite.track_events().is_empty()
                    && !call.impolite.track_events().is_empty()
            },
            || call.describe(),
        )
        .await?;
        assert_eq!(
            (
                first_description_type(&call.to_impolite.log()).as_deref(),
                first_description_type(&call.to_polite.log()).as_deref()
            ),
            (Some("offer"), Some("offer")),
            "round {round}: both sides offered first (a real glare)"
        );
        frames_grow(
            call.polite.pc(),
            0,
            WAIT_MS,
            &format!("round {round}: video to polite"),
        )
        .await?;
        frames_grow(
            call.impolite.pc(),
            0,
            WAIT_MS,
            &format!("round {round}: video to impolite"),
        )
        .await?;
        // A late second event would show up here.
        sleep(50).await;
        for (side, sender) in [
            (&call.polite, &impolite_camera),
            (&call.impolite, &polite_camera),
        ] {
            let tracks = side.track_events();
            assert_eq!(
                tracks.len(),
                1,
                "round {round}: {} saw {} track events",
                side.name(),
                tracks.len()
            );
            let stream = tracks[0]
                .first_stream()
                .expect("the event carries a stream");
            assert_eq!(
                stream.id(),
                sender.stream().id(),
                "round {round}: {} got the other side's stream",
                side.name()
            );
            assert!(side.stable(), "round {round}: {} stable", side.name());
        }
        call.no_errors(&format!("round {round}"))?;
        assert_eq!(
            call.polite.negotiator().ended(),
            None,
            "round {round}: still on"
        );
    }
    Ok(())
}
