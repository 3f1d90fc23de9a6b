//! One direction of an in-page signalling channel that delays its messages, from a seed.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::{now_ms, sleep, SeededRng};

/// How a [`SignalChannel`] delays its messages: each by a random `0..=max_ms` milliseconds,
/// in the order they were sent (as a signalling server over one WebSocket does) or
/// [`reordering`](Self::reordering) them.
///
/// # Examples
///
/// ```
/// use rtc_peer::testing::SignalDelay;
///
/// let like_a_server = SignalDelay::up_to(30);
/// let hostile = SignalDelay::up_to(200).reordering();
/// assert!(!like_a_server.reorders() && hostile.reorders());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalDelay {
    max_ms: u32,
    reorder: bool,
}

impl SignalDelay {
    /// Each message delayed by a random `0..=max_ms` ms, never overtaking an earlier one.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(rtc_peer::testing::SignalDelay::up_to(30).max_ms(), 30);
    /// ```
    pub const fn up_to(max_ms: u32) -> SignalDelay {
        SignalDelay {
            max_ms,
            reorder: false,
        }
    }

    /// The same delays, each message on its own: a later message may arrive first.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(rtc_peer::testing::SignalDelay::up_to(50).reordering().reorders());
    /// ```
    #[must_use]
    pub const fn reordering(self) -> SignalDelay {
        SignalDelay {
            reorder: true,
            ..self
        }
    }

    /// The longest delay of one message, in milliseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(rtc_peer::testing::SignalDelay::default().max_ms(), 30);
    /// ```
    pub const fn max_ms(self) -> u32 {
        self.max_ms
    }

    /// Whether a later message may overtake an earlier one.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!rtc_peer::testing::SignalDelay::default().reorders());
    /// ```
    pub const fn reorders(self) -> bool {
        self.reorder
    }
}

impl Default for SignalDelay {
    /// Up to 30 ms, in order.
    fn default() -> SignalDelay {
        SignalDelay::up_to(30)
    }
}

/// What receives the messages of one direction.
type Deliver = Rc<dyn Fn(String)>;

/// One direction of an in-page signalling channel: [`send`](Self::send) queues a message,
/// which reaches the receiver set by [`connect`](Self::connect) after a random delay drawn
/// from a [`SeededRng`] (so a seed replays the same delays). Clones are handles to the same
/// channel.
///
/// Messages due before `connect` wait for it (and are delivered, in order, by it); messages
/// still queued when every handle is dropped are never delivered.
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> Result<(), rtc_peer::testing::TestFailure> {
/// use std::{cell::RefCell, rc::Rc};
/// use rtc_peer::testing::{wait_until, SignalChannel, SignalDelay};
///
/// let channel = SignalChannel::new(42, SignalDelay::up_to(30).reordering());
/// let received = Rc::new(RefCell::new(Vec::new()));
/// let sink = Rc::clone(&received);
/// channel.connect(move |text| sink.borrow_mut().push(text));
/// channel.send("one".into());
/// channel.send("two".into());
/// wait_until(1_000, "both messages arrive", || received.borrow().len() == 2).await?;
/// assert_eq!(channel.log(), ["one", "two"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SignalChannel {
    inner: Rc<Inner>,
}

struct Inner {
    delay: SignalDelay,
    rng: RefCell<SeededRng>,
    /// Messages not yet delivered (in order; with reordering, any of them may go next).
    queue: RefCell<VecDeque<(u64, String)>>,
    /// When the last queued message is due: in order, none is due before an earlier one.
    last_due: Cell<f64>,
    next_id: Cell<u64>,
    /// Messages that came due while no receiver was connected, in order.
    held: RefCell<VecDeque<String>>,
    deliver: RefCell<Option<Deliver>>,
    /// Every message sent, in order.
    log: RefCell<Vec<String>>,
}

impl SignalChannel {
    /// A channel whose delays come from `seed`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use rtc_peer::testing::{SignalChannel, SignalDelay};
    ///
    /// let to_polite = SignalChannel::new(7, SignalDelay::default());
    /// # drop(to_polite);
    /// ```
    pub fn new(seed: u64, delay: SignalDelay) -> SignalChannel {
        SignalChannel {
            inner: Rc::new(Inner {
                delay,
                rng: RefCell::new(SeededRng::new(seed)),
                queue: RefCell::new(VecDeque::new()),
                last_due: Cell::new(0.0),
                next_id: Cell::new(0),
                held: RefCell::new(VecDeque::new()),
                deliver: RefCell::new(None),
                log: RefCell::new(Vec::new()),
            }),
        }
    }

    /// Where messages go from now on (replacing an earlier receiver).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(channel: rtc_peer::testing::SignalChannel) {
    /// channel.connect(|text| web_sys::console::log_1(&text.into()));
    /// # }
    /// ```
    pub fn connect(&self, deliver: impl Fn(String) + 'static) {
        let deliver: Deliver = Rc::new(deliver);
        *self.inner.deliver.borrow_mut() = Some(Rc::clone(&deliver));
        let held: Vec<String> = self.inner.held.borrow_mut().drain(..).collect();
        for message in held {
            deliver(message);
        }
    }

    /// Queues `message`, delivered after a random delay of at most
    /// [`SignalDelay::max_ms`](SignalDelay::max_ms) (plus the wait for earlier messages,
    /// unless the channel reorders).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(channel: rtc_peer::testing::SignalChannel, signal: rtc_peer::Signal) {
    /// channel.send(signal.to_json());
    /// # }
    /// ```
    pub fn send(&self, message: String) {
        let inner = &self.inner;
        inner.log.borrow_mut().push(message.clone());
        let id = inner.next_id.get();
        inner.next_id.set(id.wrapping_add(1));
        inner.queue.borrow_mut().push_back((id, message));
        let drawn = f64::from(inner.rng.borrow_mut().upto(inner.delay.max_ms));
        let mut due = now_ms() + drawn;
        if !inner.delay.reorder {
            due = due.max(inner.last_due.get());
            inner.last_due.set(due);
        }
        let weak = Rc::downgrade(inner);
        let reorder = inner.delay.reorder;
        spawn_local(async move {
            // Saturating float-to-int: a negative wait is no wait.
            sleep((due - now_ms()).max(0.0) as u32).await;
            let Some(inner) = weak.upgrade() else { return };
            let next = {
                let mut queue = inner.queue.borrow_mut();
                if reorder {
                    // This timer carries its own message.
                    let at = queue.iter().position(|(queued, _)| *queued == id);
                    at.and_then(|at| queue.remove(at))
                } else {
                    // Timers may fire out of order: the earliest message goes first regardless.
                    queue.pop_front()
                }
            };
            let deliver = inner.deliver.borrow().clone();
            match (next, deliver) {
                (Some((_, message)), Some(deliver)) => deliver(message),
                // Not connected yet: held for `connect`.
                (Some((_, message)), None) => inner.held.borrow_mut().push_back(message),
                (None, _) => {}
            }
        });
    }

    /// How many messages are sent but not yet delivered.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(channel: rtc_peer::testing::SignalChannel) {
    /// let settled = channel.in_flight() == 0;
    /// # let _ = settled;
    /// # }
    /// ```
    pub fn in_flight(&self) -> usize {
        self.inner.queue.borrow().len() + self.inner.held.borrow().len()
    }

    /// Every message sent so far, in the order sent.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn example(channel: rtc_peer::testing::SignalChannel) {
    /// println!("{} signals", channel.log().len());
    /// # }
    /// ```
    pub fn log(&self) -> Vec<String> {
        self.inner.log.borrow().clone()
    }
}

impl fmt::Debug for SignalChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalChannel")
            .field("delay", &self.inner.delay)
            .field("sent", &self.inner.log.borrow().len())
            .field("in_flight", &self.in_flight())
            .finish()
    }
}
