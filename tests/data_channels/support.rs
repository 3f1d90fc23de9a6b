//! This suite's own helpers: bounded waits, a loopback pair of connections with a data channel
//! between them, the page probe, wasm memory and the engine running the page.
//!
//! Every wait has a deadline and panics with a message naming what it waited for.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::Promise;
use rtc_peer::{DataChannel, DataChannelOptions, DataChannelState, Listener, PeerConnection};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::RtcIceCandidate;

/// The default bound of the waits in this suite, in milliseconds.
pub const WAIT_MS: u32 = 20_000;

use rtc_peer::testing::probe::{
    forget_connections, install, listener_types, listeners, open_connections, take_errors,
};

#[wasm_bindgen(inline_js = "export function user_agent() { return navigator.userAgent; }")]
extern "C" {
    fn user_agent() -> String;
}

/// The probe, installed before the first connection of a test.
pub struct Probe;

impl Probe {
    /// Installs the probe and clears what earlier tests left in its error log.
    pub fn install() -> Probe {
        install();
        let errors = take_errors();
        if !errors.is_empty() {
            log(&format!("errors logged before this probe: {errors}"));
        }
        Probe
    }

    /// Live listeners on every RTCPeerConnection, RTCDataChannel and transport of the page.
    pub fn listeners(&self) -> u32 {
        listeners(&JsValue::UNDEFINED)
    }

    /// Live listeners on one object.
    pub fn listeners_on(&self, target: &impl AsRef<JsValue>) -> u32 {
        listeners(target.as_ref())
    }

    /// Their event types.
    pub fn listener_types(&self) -> String {
        listener_types(&JsValue::UNDEFINED)
    }

    /// Connections created since the probe was installed that are not closed.
    pub fn open_connections(&self) -> u32 {
        open_connections()
    }

    /// Forgets the connections recorded so far.
    pub fn forget_connections(&self) {
        forget_connections();
    }

    /// Panics with what the page logged as an error.
    pub fn assert_no_errors(&self) {
        let errors = take_errors();
        assert!(errors.is_empty(), "the page logged errors:\n{errors}");
    }
}

/// Which engine runs the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

pub fn engine() -> Engine {
    if user_agent().contains("Firefox/") {
        Engine::Firefox
    } else {
        Engine::Chromium
    }
}

/// The wasm module's linear memory, in bytes.
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    f64::from(buffer.byte_length())
}

/// Prints one line to the test output.
pub fn log(line: &str) {
    web_sys::console::log_1(&line.into());
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Resolves after `ms` milliseconds (a `setTimeout`).
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("a timer cannot fail");
}

/// Awaits `future`, or panics naming `what` after `timeout_ms`.
pub async fn within<F: Future>(timeout_ms: u32, what: &str, future: F) -> F::Output {
    let future = Box::pin(future);
    let timer = Box::pin(sleep(timeout_ms as i32));
    match select(future, timer).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out after {timeout_ms} ms waiting for: {what}"),
    }
}

/// Awaits `future` for at most `timeout_ms`; `None` when it did not complete.
pub async fn try_within<F: Future>(timeout_ms: u32, future: F) -> Option<F::Output> {
    let future = Box::pin(future);
    let timer = Box::pin(sleep(timeout_ms as i32));
    match select(future, timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// Polls `condition` every 10 ms until it holds; panics after `timeout_ms` with `what`.
pub async fn wait_until(timeout_ms: u32, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = now_ms() + f64::from(timeout_ms);
    while !condition() {
        if now_ms() > deadline {
            panic!("timed out after {timeout_ms} ms waiting for: {what}");
        }
        sleep(10).await;
    }
}

/// Two connections in one page, each one's ICE candidates handed straight to the other, both
/// closed on drop.
pub struct Pair {
    pub a: PeerConnection,
    pub b: PeerConnection,
    _ice: [Listener; 2],
}

impl Pair {
    pub fn new() -> Pair {
        let a = PeerConnection::new().expect("a PeerConnection");
        let b = PeerConnection::new().expect("a PeerConnection");
        let ice = [forward(&a, &b), forward(&b, &a)];
        Pair { a, b, _ice: ice }
    }

    /// One offer (from `a`) / answer (from `b`) exchange, every step bounded.
    pub async fn negotiate(&self) {
        let offer = within(WAIT_MS, "create_offer", self.a.create_offer())
            .await
            .expect("create_offer");
        within(
            WAIT_MS,
            "a: set_local_description",
            self.a.set_local_description(&offer),
        )
        .await
        .expect("a: set_local_description");
        within(
            WAIT_MS,
            "b: set_remote_description",
            self.b.set_remote_description(&offer),
        )
        .await
        .expect("b: set_remote_description");
        let answer = within(WAIT_MS, "create_answer", self.b.create_answer())
            .await
            .expect("create_answer");
        within(
            WAIT_MS,
            "b: set_local_description",
            self.b.set_local_description(&answer),
        )
        .await
        .expect("b: set_local_description");
        within(
            WAIT_MS,
            "a: set_remote_description",
            self.a.set_remote_description(&answer),
        )
        .await
        .expect("a: set_remote_description");
    }

    /// A channel made on `a` with `options` and the one `b` receives, both open.
    pub async fn open_channel(
        &self,
        label: &str,
        options: &DataChannelOptions,
    ) -> (DataChannel, DataChannel) {
        let received: Rc<RefCell<Option<DataChannel>>> = Rc::default();
        let _incoming = {
            let received = received.clone();
            self.b
                .on_data_channel(move |channel| *received.borrow_mut() = Some(channel))
        };
        let local = self
            .a
            .create_data_channel(label, options)
            .expect("create_data_channel");
        self.negotiate().await;
        wait_until(WAIT_MS, "b's datachannel event", || {
            received.borrow().is_some()
        })
        .await;
        let remote = received.borrow_mut().take().expect("a channel");
        wait_open(&local, "a's channel").await;
        wait_open(&remote, "b's channel").await;
        (local, remote)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.a.close();
        self.b.close();
    }
}

/// Waits until `channel` is open.
pub async fn wait_open(channel: &DataChannel, what: &str) {
    wait_until(
        WAIT_MS,
        &format!("{what} open (it is {:?})", channel.state()),
        || channel.state() == DataChannelState::Open,
    )
    .await;
}

fn forward(from: &PeerConnection, to: &PeerConnection) -> Listener {
    let to = to.clone();
    from.on_ice_candidate(move |candidate: Option<RtcIceCandidate>| {
        let Some(candidate) = candidate else { return };
        if candidate.candidate().is_empty() {
            return;
        }
        let to = to.clone();
        spawn_local(async move {
            let deadline = now_ms() + f64::from(WAIT_MS);
            while to.remote_description().is_none() && now_ms() < deadline {
                sleep(10).await;
            }
            // A closed connection refuses late candidates; a test that needs the connection
            // fails on its own bounded wait.
            let _ = to.add_ice_candidate(&candidate).await;
        });
    })
}

/// A deterministic byte pattern (xorshift), so a corrupted or reordered byte is noticed.
pub fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// FNV-1a over `bytes`, fed incrementally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checksum(u64);

impl Checksum {
    pub fn new() -> Checksum {
        Checksum(0xcbf2_9ce4_8422_2325)
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
