//! `set_max_bitrate`: a capped sender's outbound bitrate (from `stats_report`) falls below
//! 200 kbit/s while an unconstrained one in the same test stays above; `None` lifts the cap.
//! Bad input first: a cap of 0 is our `RangeError`, and the parameters stay as they were.

use rtc_peer::Sender;
use wasm_bindgen_test::wasm_bindgen_test;

use support::{engine, log, sleep, CanvasSource, LoopbackPair, TestFailure, SUITE_COLOUR};

use crate::media::{call0, prop, video_bitrates};
use crate::WAIT_MS;

const LIMIT: f64 = 200_000.0;

/// `maxBitrate` of every encoding of `sender`'s parameters, as the browser reports them.
fn max_bitrates(sender: &Sender) -> Vec<Option<f64>> {
    let parameters = call0(sender.as_raw(), "getParameters");
    let encodings: js_sys::Array = prop(&parameters, "encodings").into();
    encodings
        .iter()
        .map(|encoding| prop(&encoding, "maxBitrate").as_f64())
        .collect()
}

#[wasm_bindgen_test]
async fn set_max_bitrate_caps_the_outbound_bitrate() -> Result<(), TestFailure> {
    let capped = LoopbackPair::new()?;
    let free = LoopbackPair::new()?;
    let capped_source = CanvasSource::noisy(640, 480, SUITE_COLOUR)?;
    let free_source = CanvasSource::noisy(640, 480, SUITE_COLOUR)?;
    let sender = capped
        .a
        .add_track(capped_source.track(), &[capped_source.stream()])
        .expect("add_track");
    free.a
        .add_track(free_source.track(), &[free_source.stream()])
        .expect("add_track");
    capped.negotiate().await?;
    free.negotiate().await?;
    capped.connected(WAIT_MS).await?;
    free.connected(WAIT_MS).await?;

    let unset = max_bitrates(&sender);
    assert!(!unset.is_empty(), "the sender has encodings");
    assert!(
        unset.iter().all(Option::is_none),
        "no cap at first: {unset:?}"
    );
    let err = sender
        .set_max_bitrate(Some(0))
        .await
        .expect_err("a cap of 0 is refused");
    assert_eq!(err.name(), "RangeError", "{err}");
    assert_eq!(
        max_bitrates(&sender),
        unset,
        "a refused cap changes nothing"
    );

    sender
        .set_max_bitrate(Some(150_000))
        .await
        .expect("set_max_bitrate(150 kbit/s)");
    assert!(
        max_bitrates(&sender)
            .iter()
            .all(|cap| *cap == Some(150_000.0)),
        "every encoding capped: {:?}",
        max_bitrates(&sender)
    );
    // Let the encoder adapt, then measure both over the same 5 s.
    sleep(3_000).await;
    let rates = video_bitrates(&[&capped.a, &free.a], 5_000).await?;
    log(&format!(
        "{:?}: capped at 150 kbit/s: {:.0} bit/s; unconstrained: {:.0} bit/s",
        engine(),
        rates[0],
        rates[1]
    ));
    assert!(
        rates[0] < LIMIT,
        "the capped sender stays under 200 kbit/s: {rates:?}"
    );
    assert!(rates[0] > 0.0, "the capped sender still sends: {rates:?}");
    assert!(
        rates[1] > LIMIT,
        "the unconstrained sender exceeds 200 kbit/s: {rates:?}"
    );

    sender
        .set_max_bitrate(None)
        .await
        .expect("set_max_bitrate(None)");
    assert!(
        max_bitrates(&sender).iter().all(Option::is_none),
        "the cap is gone: {:?}",
        max_bitrates(&sender)
    );
    sleep(5_000).await;
    let lifted = video_bitrates(&[&capped.a], 5_000).await?;
    log(&format!(
        "{:?}: cap lifted: {:.0} bit/s",
        engine(),
        lifted[0]
    ));
    assert!(
        lifted[0] > LIMIT,
        "without the cap the bitrate exceeds 200 kbit/s: {lifted:?}"
    );
    Ok(())
}
