//! Backpressure: 20 MiB in 16 KiB chunks through `writable()`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rtc_peer::{DataChannel, DataChannelOptions, Message};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{
    engine, log, now_ms, wait_until, wasm_memory_bytes, within, LoopbackPair, TestFailure,
};

use crate::bytes::Checksum;
use crate::WAIT_MS;

const CHUNK: usize = 16 * 1024;
const TOTAL: usize = 20 * 1024 * 1024;

/// The bytes of the transfer, made one chunk at a time (the 20 MiB never exist at once).
struct Source {
    state: u32,
    chunk: Vec<u8>,
}

impl Source {
    fn new() -> Source {
        Source {
            state: 0x9e37_79b9,
            chunk: vec![0; CHUNK],
        }
    }

    fn next_chunk(&mut self, index: usize) -> &[u8] {
        for byte in &mut self.chunk {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 17;
            self.state ^= self.state << 5;
            *byte = self.state as u8;
        }
        // One byte says which chunk it is, so a dropped or repeated chunk changes the sum.
        if let Some(first) = self.chunk.first_mut() {
            *first = index as u8;
        }
        &self.chunk
    }
}

/// Sends 20 MiB through `writable()`; returns the sender's checksum and the highest
/// `bufferedAmount` seen right after each send.
async fn send_all(channel: &DataChannel) -> Result<(Checksum, u32), TestFailure> {
    let mut source = Source::new();
    let mut sum = Checksum::new();
    let mut peak = 0;
    for index in 0..TOTAL / CHUNK {
        within(WAIT_MS, "writable()", channel.writable())
            .await?
            .expect("writable()");
        let chunk = source.next_chunk(index);
        sum.feed(chunk);
        channel.send_bytes(chunk).expect("send_bytes");
        peak = peak.max(channel.buffered_amount());
    }
    Ok((sum, peak))
}

#[wasm_bindgen_test]
async fn twenty_mib_in_16_kib_chunks_stays_under_the_mark_and_arrives_intact(
) -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, b) = pair
        .open_channel("bulk", &DataChannelOptions::new())
        .await?;
    assert_eq!(a.low_water_mark(), DataChannel::DEFAULT_LOW_WATER_MARK);
    let received = Rc::new(Cell::new(0usize));
    let sum = Rc::new(RefCell::new(Checksum::new()));
    let _listener = {
        let (received, sum) = (received.clone(), sum.clone());
        b.on_message(move |message| {
            let Message::Binary(bytes) = message else {
                panic!("a text message in a binary transfer");
            };
            received.set(received.get() + bytes.len());
            sum.borrow_mut().feed(&bytes);
        })
    };
    let memory_before = wasm_memory_bytes();
    let started = now_ms();
    let (sent_sum, peak) = send_all(&a).await?;
    wait_until(WAIT_MS * 3, "all 20 MiB received", || {
        received.get() == TOTAL
    })
    .await?;
    let elapsed = now_ms() - started;
    let growth = wasm_memory_bytes() - memory_before;
    log(&format!(
        "{:?}: 20 MiB in {elapsed:.0} ms ({:.1} MB/s); peak bufferedAmount {peak} (mark {} + chunk {CHUNK}); wasm memory +{growth} B",
        engine(),
        TOTAL as f64 / elapsed / 1000.0,
        a.low_water_mark(),
    ));
    assert!(
        peak <= a.low_water_mark() + CHUNK as u32,
        "bufferedAmount reached {peak}, over the mark {} plus one chunk",
        a.low_water_mark()
    );
    assert!(
        peak > 0,
        "the transfer was fast enough to never queue: the check saw nothing"
    );
    assert_eq!(*sum.borrow(), sent_sum, "the bytes arrived changed");
    assert!(
        growth < 2.0 * 1024.0 * 1024.0,
        "wasm memory grew by {growth} bytes"
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn a_smaller_mark_is_honoured() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, _b) = pair
        .open_channel("small-mark", &DataChannelOptions::new())
        .await?;
    a.set_low_water_mark(32 * 1024);
    assert_eq!(a.low_water_mark(), 32 * 1024);
    let chunk = vec![1u8; CHUNK];
    let mut peak = 0;
    for _ in 0..400 {
        within(WAIT_MS, "writable()", a.writable())
            .await?
            .expect("writable()");
        a.send_bytes(&chunk).expect("send_bytes");
        peak = peak.max(a.buffered_amount());
    }
    assert!(
        peak <= 32 * 1024 + CHUNK as u32,
        "bufferedAmount reached {peak}"
    );
    Ok(())
}
