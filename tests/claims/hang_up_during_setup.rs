//! A call hung up while it is still being set up (candidates in flight) leaves no connection
//! open and no future pending (README, leak figure: "calls hung up during setup").
//!
//! Every `RTCPeerConnection` the page makes is recorded by the page probe, which reads its raw
//! `signalingState`. Where the page can force a collection (`window.gc`, Chromium with
//! `--js-flags=--expose-gc`, as the bench runs it), the NOTE line also says how many of the
//! closed connections the browser had not collected yet, for rtc-peer and for the same cycle
//! written in plain JS.

use std::cell::Cell;
use std::rc::Rc;

use rtc_peer::{Listener, MediaKind, PeerConnection, TransceiverDirection};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::{
    engine, negotiate, no_page_errors, open_connections, sleep, take_page_errors, wait_until,
    within, WAIT_MS,
};

use crate::probe;

/// Cycles per variant.
const CYCLES: usize = 60;

#[wasm_bindgen(inline_js = r#"
let collected = 0;
let registered = 0;
const registry = new FinalizationRegistry(() => { collected++; });
export function watch(pc) { registered++; registry.register(pc, 0); }
export function uncollected() { return registered - collected; }
export function can_gc() { return typeof globalThis.gc === "function"; }
export function gc() { if (typeof globalThis.gc === "function") globalThis.gc(); }

// The plain-JS cycle: two connections, candidates passed directly, negotiate, hang up.
export async function js_cycle() {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  watch(a);
  watch(b);
  a.onicecandidate = (e) => { if (e.candidate) b.addIceCandidate(e.candidate).catch(() => {}); };
  b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate).catch(() => {}); };
  a.addTransceiver("video");
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  a.close();
  b.close();
}
"#)]
extern "C" {
    fn watch(pc: &JsValue);
    fn uncollected() -> u32;
    fn can_gc() -> bool;
    fn gc();
    #[wasm_bindgen(catch)]
    async fn js_cycle() -> Result<(), JsValue>;
}

/// Candidates of `from` added to `to` in spawned tasks, counted in `pending` until done.
fn forward(from: &PeerConnection, to: &PeerConnection, pending: &Rc<Cell<u32>>) -> Listener {
    let to = to.clone();
    let pending = pending.clone();
    from.on_ice_candidate(move |candidate| {
        if let Some(candidate) = candidate {
            let to = to.clone();
            let pending = pending.clone();
            pending.set(pending.get() + 1);
            spawn_local(async move {
                let _ = to.add_ice_candidate(&candidate).await;
                pending.set(pending.get() - 1);
            });
        }
    })
}

/// One rtc-peer cycle: negotiate, hang up at once (candidates still in flight).
async fn rtc_cycle(pending: &Rc<Cell<u32>>) {
    let a = PeerConnection::new().expect("a PeerConnection");
    let b = PeerConnection::new().expect("a PeerConnection");
    watch(a.as_raw());
    watch(b.as_raw());
    let listeners = [forward(&a, &b, pending), forward(&b, &a, pending)];
    a.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("add_transceiver");
    negotiate(&a, &b).await.expect("offer/answer");
    a.close();
    b.close();
    drop(listeners);
}

/// Forces collections for `ms` (when the page can) and returns the connections not collected.
async fn collect_for(ms: i32) -> u32 {
    let mut waited = 0;
    while waited < ms {
        gc();
        sleep(100).await;
        waited += 100;
    }
    uncollected()
}

#[wasm_bindgen_test]
async fn calls_hung_up_during_setup_leave_no_connection_open_and_no_future_pending() {
    probe::forget_connections();
    take_page_errors();
    let pending = Rc::new(Cell::new(0u32));
    for _ in 0..CYCLES {
        rtc_cycle(&pending).await;
    }
    let check = pending.clone();
    wait_until(
        5_000,
        "every add_ice_candidate future completed",
        move || check.get() == 0,
    )
    .await
    .expect("no add_ice_candidate future pending");
    let (open, states) = open_connections();
    assert_eq!(open, 0, "rtc-peer: connections left open ({states})");
    probe::forget_connections();
    let rtc_after_1s = collect_for(1_000).await;
    let rtc_after_10s = collect_for(9_000).await;

    for _ in 0..CYCLES {
        within(WAIT_MS, "the plain-JS cycle", js_cycle())
            .await
            .expect("the plain-JS cycle settles")
            .expect("the plain-JS cycle");
    }
    let (open, states) = open_connections();
    assert_eq!(open, 0, "plain JS: connections left open ({states})");
    probe::forget_connections();
    let js_after_1s = collect_for(1_000).await;
    let js_after_10s = collect_for(9_000).await;
    no_page_errors("calls hung up during setup").unwrap();
    if can_gc() {
        console_log!(
            "NOTE: claims hang-up during setup [{:?}]: {CYCLES} cycles each, 0 connections open; \
             not collected after forced GC for 1 s / 10 s: rtc-peer {rtc_after_1s} / \
             {rtc_after_10s}, plain JS {} / {}",
            engine(),
            js_after_1s.saturating_sub(rtc_after_10s),
            js_after_10s.saturating_sub(rtc_after_10s),
        );
    } else {
        console_log!(
            "NOTE: claims hang-up during setup [{:?}]: {CYCLES} cycles each, 0 connections open \
             (no window.gc: collection not measured)",
            engine()
        );
    }
}
