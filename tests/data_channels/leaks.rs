//! 200 calls with data channels, opened and closed: no listener left on any WebRTC object
//! (counted by the page probe) and at most one 64 KiB page of wasm memory growth over the
//! last 100.

use futures_util::StreamExt;
use rtc_peer::{DataChannelOptions, Message};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    engine, log, no_page_errors, open_connections, probe, sleep, take_page_errors,
    wasm_memory_bytes, within, ListenerCount, LoopbackPair, TestFailure,
};

use crate::WAIT_MS;

const CALLS: u32 = 200;
/// Calls before memory is measured: wasm memory climbs by 64 KiB pages over the first ~150
/// calls to about 1.6 MB and then stays flat (seen in Firefox over 400 calls), an allocator
/// reaching its working set. Memory grows in whole 64 KiB pages, so the check allows one page
/// over the 100 measured calls: a leak of 660 bytes or more per call exceeds it. (More calls
/// in one page hit Chromium's limit on connections not yet garbage-collected.)
const WARM_UP: u32 = 100;

/// One call: a channel each way, a message each way (callback and stream), `writable()`,
/// open/close/error listeners, the channel closed, the connections closed.
async fn one_call(n: u32) -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, b) = pair
        .open_channel("leak", &DataChannelOptions::new())
        .await?;
    let _opened = a.on_open(|| {});
    let _closed = b.on_close(|| {});
    let _failed = b.on_error(|_| {});
    let mut at_b = b.messages();
    within(WAIT_MS, "writable()", a.writable())
        .await?
        .expect("writable()");
    a.send_text("ping").expect("send");
    assert_eq!(
        within(WAIT_MS, "ping", at_b.next()).await?,
        Some(Message::Text("ping".into()))
    );
    let (reply_sender, reply) = futures_channel::oneshot::channel();
    let mut reply_sender = Some(reply_sender);
    let _reply = a.on_message(move |message| {
        if let Some(sender) = reply_sender.take() {
            let _ = sender.send(message);
        }
    });
    b.send_bytes(&n.to_le_bytes()).expect("send");
    assert_eq!(
        within(WAIT_MS, "pong", reply).await?.ok(),
        Some(Message::Binary(n.to_le_bytes().to_vec()))
    );
    assert!(
        ListenerCount::on(a.as_raw()) > 0,
        "the probe sees our listeners"
    );
    a.close();
    assert_eq!(
        within(WAIT_MS, "b's stream to end", at_b.next()).await?,
        None
    );
    Ok(())
}

/// Gives the browser the chance to collect the closed connections before more are made: 400
/// in one page come close to Chromium's limit of 500, which counts closed connections until
/// they are garbage-collected, and the suite's later tests make more (seen in a full run: every
/// later test failed "Cannot create so many PeerConnections"). Chromium runs with `window.gc`
/// exposed; elsewhere this only yields a few tasks.
async fn collect_closed_connections() {
    let gc = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("gc"))
        .ok()
        .and_then(|gc| gc.dyn_into::<js_sys::Function>().ok());
    // Chromium refuses new connections while about 500 closed ones are uncollected: without
    // `gc` the tests after this one depend on when V8 collects.
    assert!(
        gc.is_some() || engine() != support::Engine::Chromium,
        "window.gc is missing: wasm-pack.toml's [chromium] args give it (--js-flags=--expose-gc)"
    );
    for _ in 0..3 {
        if let Some(gc) = &gc {
            let _ = gc.call0(&JsValue::UNDEFINED);
        }
        sleep(20).await;
    }
}

#[wasm_bindgen_test]
async fn calls_leave_no_listener_and_no_memory() -> Result<(), TestFailure> {
    let _ = take_page_errors(); // what earlier tests logged is theirs
    probe::forget_connections();
    let baseline = ListenerCount::live_total();
    let mut memory_after_warm_up = 0.0;
    for n in 0..CALLS {
        one_call(n).await?;
        if n + 1 == WARM_UP {
            memory_after_warm_up = wasm_memory_bytes();
        }
        if (n + 1) % 50 == 0 {
            log(&format!(
                "after {} calls: wasm memory {} B",
                n + 1,
                wasm_memory_bytes()
            ));
            // The probe's record of every connection keeps them from being collected, and
            // Chromium counts uncollected closed connections against its limit.
            assert_eq!(open_connections().0, 0, "connections left open");
            probe::forget_connections();
            collect_closed_connections().await;
        }
    }
    let growth = wasm_memory_bytes() - memory_after_warm_up;
    log(&format!(
        "{:?}: {CALLS} calls; listeners left {} (before {baseline}); wasm memory {} B, +{growth} B after the first {WARM_UP}",
        engine(),
        ListenerCount::live_total(),
        wasm_memory_bytes(),
    ));
    assert_eq!(
        ListenerCount::live_total(),
        baseline,
        "listeners left on WebRTC objects: {}",
        ListenerCount::types_on(&JsValue::UNDEFINED)
    );
    assert_eq!(open_connections().0, 0, "connections left open");
    assert!(
        growth <= 65_536.0,
        "wasm memory grew by {growth} bytes over {} calls",
        CALLS - WARM_UP
    );
    no_page_errors("the page")?;
    Ok(())
}
