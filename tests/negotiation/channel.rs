//! The in-page signalling channel: one direction of it delays each message by a random
//! 0–30 ms and keeps the order, as a signalling server does.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::support::{now_ms, window, Rng};

/// The longest delay of one message.
pub const MAX_DELAY_MS: u32 = 30;

/// What receives the messages of one direction.
type Deliver = Box<dyn Fn(String)>;

/// One direction of the channel.
#[derive(Clone)]
pub struct Link {
    inner: Rc<Inner>,
}

struct Inner {
    queue: RefCell<VecDeque<String>>,
    /// When the last queued message is due: no message is delivered before an earlier one.
    last_due: Cell<f64>,
    rng: Rc<RefCell<Rng>>,
    deliver: RefCell<Option<Deliver>>,
    /// Every message sent, in order.
    log: RefCell<Vec<String>>,
}

impl Link {
    pub fn new(rng: &Rc<RefCell<Rng>>) -> Link {
        Link {
            inner: Rc::new(Inner {
                queue: RefCell::new(VecDeque::new()),
                last_due: Cell::new(0.0),
                rng: Rc::clone(rng),
                deliver: RefCell::new(None),
                log: RefCell::new(Vec::new()),
            }),
        }
    }

    /// Where messages go (set once the receiver exists).
    pub fn connect(&self, deliver: impl Fn(String) + 'static) {
        *self.inner.deliver.borrow_mut() = Some(Box::new(deliver));
    }

    /// Queues `message`, delivered after a random 0–30 ms, after every earlier one.
    pub fn send(&self, message: String) {
        let inner = &self.inner;
        inner.log.borrow_mut().push(message.clone());
        inner.queue.borrow_mut().push_back(message);
        let delay = f64::from(inner.rng.borrow_mut().upto(MAX_DELAY_MS));
        let due = (now_ms() + delay).max(inner.last_due.get());
        inner.last_due.set(due);
        let weak = Rc::downgrade(inner);
        let tick = Closure::once_into_js(move || {
            let Some(inner) = weak.upgrade() else { return };
            // Timers may fire in any order: the earliest message goes first regardless.
            let next = inner.queue.borrow_mut().pop_front();
            let deliver = inner.deliver.borrow();
            if let (Some(message), Some(deliver)) = (next, deliver.as_ref()) {
                deliver(message);
            }
        });
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                tick.unchecked_ref(),
                (due - now_ms()).max(0.0) as i32,
            )
            .expect("setTimeout");
    }

    /// Messages not yet delivered.
    pub fn in_flight(&self) -> usize {
        self.inner.queue.borrow().len()
    }

    /// Every message sent so far, in order.
    pub fn log(&self) -> Vec<String> {
        self.inner.log.borrow().clone()
    }
}
