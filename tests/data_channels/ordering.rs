//! 10,000 messages on an ordered channel arrive in order.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{DataChannelOptions, Message};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{wait_until, within, LoopbackPair, TestFailure};

use crate::WAIT_MS;

const COUNT: u32 = 10_000;

#[wasm_bindgen_test]
async fn ten_thousand_messages_arrive_in_order() -> Result<(), TestFailure> {
    let pair = LoopbackPair::new()?;
    let (a, b) = pair
        .open_channel("ordered", &DataChannelOptions::new().ordered(true))
        .await?;
    assert!(b.ordered(), "the remote channel is ordered");
    let received: Rc<RefCell<Vec<u32>>> = Rc::default();
    let _listener = {
        let received = received.clone();
        b.on_message(move |message| {
            let Message::Text(text) = message else {
                panic!("a binary message on a text-only channel");
            };
            received.borrow_mut().push(text.parse().expect("a number"));
        })
    };
    for i in 0..COUNT {
        within(WAIT_MS, "writable()", a.writable())
            .await?
            .expect("writable");
        a.send_text(&i.to_string()).expect("send_text");
    }
    wait_until(WAIT_MS * 3, "all 10,000 messages", || {
        received.borrow().len() == COUNT as usize
    })
    .await?;
    let received = received.borrow();
    let misplaced = received.iter().enumerate().find(|(i, n)| *i as u32 != **n);
    assert_eq!(misplaced, None, "message (position, number) out of order");
    Ok(())
}
