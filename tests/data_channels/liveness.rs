//! [`Liveness`] on its own: the other side's `close()` is reported once, within 1 s; a local
//! close is not.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{DataChannelOptions, DataChannelState, Liveness, PeerConnectionState};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    channel_open, engine, log, no_page_errors, now_ms, sleep, take_page_errors, wait_until,
    ListenerCount, LoopbackPair, TestFailure,
};

use crate::WAIT_MS;

const RUNS: usize = 20;

/// Both sides watching, connected; `gone[0]` / `gone[1]` record when a / b reported.
struct Watched {
    pair: LoopbackPair,
    gone: [Rc<RefCell<Vec<f64>>>; 2],
    liveness: [Liveness; 2],
}

async fn watched() -> Result<Watched, TestFailure> {
    let pair = LoopbackPair::new()?;
    let gone: [Rc<RefCell<Vec<f64>>>; 2] = Default::default();
    let watch = |pc, gone: &Rc<RefCell<Vec<f64>>>| {
        let gone = gone.clone();
        Liveness::watch(pc, move || gone.borrow_mut().push(now_ms())).expect("Liveness::watch")
    };
    let liveness = [watch(&pair.a, &gone[0]), watch(&pair.b, &gone[1])];
    pair.negotiate().await?;
    channel_open(liveness[0].channel(), WAIT_MS, "a's liveness channel").await?;
    channel_open(liveness[1].channel(), WAIT_MS, "b's liveness channel").await?;
    Ok(Watched {
        pair,
        gone,
        liveness,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

#[wasm_bindgen_test]
async fn the_channel_is_documented_and_negotiated() -> Result<(), TestFailure> {
    let w = watched().await?;
    let channel = w.liveness[0].channel();
    assert_eq!(channel.id(), Some(Liveness::CHANNEL_ID));
    assert_eq!(channel.label(), Liveness::LABEL);
    assert!(channel.negotiated());
    // A second watcher on the same connection is refused by the browser.
    let again = Liveness::watch(&w.pair.a, || {});
    log(&format!(
        "{:?}: a second Liveness::watch: {again:?}",
        engine()
    ));
    assert!(again.is_err(), "the id is taken");
    // A user channel on the connection gets another id.
    let user = w
        .pair
        .a
        .create_data_channel("user", &DataChannelOptions::new())
        .expect("a user channel");
    assert_ne!(user.id(), Some(Liveness::CHANNEL_ID));
    Ok(())
}

#[wasm_bindgen_test]
async fn a_remote_close_is_reported_once_within_a_second() -> Result<(), TestFailure> {
    let _ = take_page_errors(); // what earlier tests logged is theirs
    let mut latencies = Vec::new();
    for _ in 0..RUNS {
        let w = watched().await?;
        let closed_at = now_ms();
        w.pair.b.close();
        wait_until(2_000, "a's liveness report", || {
            !w.gone[0].borrow().is_empty()
        })
        .await?;
        let latency = w.gone[0].borrow()[0] - closed_at;
        latencies.push(latency);
        // Nothing more comes: not twice, not for the side that closed.
        sleep(50).await;
        assert_eq!(w.gone[0].borrow().len(), 1, "reported once");
        assert!(
            w.gone[1].borrow().is_empty(),
            "a local close is not reported"
        );
        assert_eq!(
            w.pair.a.connection_state(),
            PeerConnectionState::Connected,
            "the connection state alone would not have told"
        );
    }
    latencies.sort_by(f64::total_cmp);
    let (p50, max) = (percentile(&latencies, 0.5), percentile(&latencies, 1.0));
    log(&format!(
        "{:?}: remote close() reported by Liveness after p50 {p50:.0} ms, max {max:.0} ms ({RUNS} runs)",
        engine()
    ));
    assert!(max < 1000.0, "the slowest report took {max} ms");
    no_page_errors("the page")?;
    Ok(())
}

#[wasm_bindgen_test]
async fn a_remote_close_of_the_channel_alone_is_reported() -> Result<(), TestFailure> {
    let w = watched().await?;
    let closed_at = now_ms();
    w.liveness[1].channel().close();
    wait_until(2_000, "a's liveness report", || {
        !w.gone[0].borrow().is_empty()
    })
    .await?;
    log(&format!(
        "{:?}: remote channel close() reported after {:.0} ms",
        engine(),
        w.gone[0].borrow()[0] - closed_at
    ));
    Ok(())
}

#[wasm_bindgen_test]
async fn a_local_close_and_a_dropped_watcher_report_nothing() -> Result<(), TestFailure> {
    let w = watched().await?;
    w.pair.a.close();
    sleep(300).await;
    assert!(
        w.gone[0].borrow().is_empty(),
        "a's own close() is not the other side going"
    );
    wait_until(WAIT_MS, "b's report", || !w.gone[1].borrow().is_empty()).await?;

    // Dropping the watcher removes its listeners and leaves the channel open.
    let w = watched().await?;
    let Watched {
        pair,
        gone,
        liveness,
    } = w;
    let [a_live, b_live] = liveness;
    let channel = a_live.channel().clone();
    drop(a_live);
    let _ = take_page_errors(); // what earlier tests logged is theirs
    assert_eq!(ListenerCount::on(channel.as_raw()), 0, "no listener left");
    assert_eq!(
        channel.state(),
        DataChannelState::Open,
        "the other side is told nothing"
    );
    pair.b.close();
    sleep(300).await;
    assert!(gone[0].borrow().is_empty(), "a stopped watching");
    drop(b_live);
    Ok(())
}
