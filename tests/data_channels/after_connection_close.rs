//! Right after the connection's own `close()`, in the same task, an open channel refuses
//! `send_text` / `send_bytes` with `InvalidStateError` and a new `writable()` ends with it at
//! once: nothing waits for the channel's `close` event. (Both browsers keep the channel's
//! `readyState` at `open` in that task, and their own `send()` then succeeds.)

use rtc_peer::{DataChannelOptions, DataChannelState};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{engine, log, within, LoopbackPair, TestFailure};

#[wasm_bindgen_test]
async fn sends_and_writable_right_after_the_connection_closes_are_invalid_state(
) -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, _b) = pair
        .open_channel("closing-now", &DataChannelOptions::new())
        .await?;
    a.send_text("before").expect("send while open");
    pair.a.close();
    let state = a.state();
    let text = a
        .send_text("after")
        .expect_err("send_text after the connection's close()");
    let bytes = a
        .send_bytes(&[7])
        .expect_err("send_bytes after the connection's close()");
    let writable = within(
        1_000,
        "writable() after the connection's close()",
        a.writable(),
    )
    .await?
    .expect_err("writable() after the connection's close()");
    log(&format!(
        "{:?}: same task as close(): readyState {state:?}; send_text: {text}; writable: {writable}",
        engine()
    ));
    // Both browsers still say `open` in the task of the connection's close() (and would
    // accept a send): the library refuses it by itself.
    assert_eq!(
        state,
        DataChannelState::Open,
        "readyState in the task of close()"
    );
    for err in [text, bytes, writable] {
        assert_eq!(err.name(), "InvalidStateError", "{err}");
    }
    Ok(())
}
