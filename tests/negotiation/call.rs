//! A call between two negotiators of one page over the delayed channel, with what each side
//! saw recorded.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use rtc_peer::{
    CallEnd, Error, Listener, Negotiator, PeerConnection, Role, Signal, SignalingState, TrackEvent,
};
use wasm_bindgen_futures::spawn_local;

use crate::channel::Link;
use crate::support::{seed, Rng};

pub type Seen<T> = Rc<RefCell<Vec<T>>>;

/// One side: its connection, its negotiator, and what it saw.
pub struct Side {
    pub name: &'static str,
    pub pc: PeerConnection,
    pub negotiator: Option<Rc<Negotiator>>,
    /// Every `track` event.
    pub tracks: Seen<TrackEvent>,
    /// Every error of `from_json` or `receive` for a signal the channel delivered.
    pub errors: Seen<String>,
    /// Every `on_end`.
    pub ends: Seen<CallEnd>,
    _track: Listener,
}

impl Side {
    /// A side on `pc` whose signals go out on `out`.
    pub fn new(name: &'static str, pc: PeerConnection, role: Role, out: &Link) -> Side {
        let tracks: Seen<TrackEvent> = Rc::default();
        let track = {
            let tracks = Rc::clone(&tracks);
            pc.on_track(move |event| tracks.borrow_mut().push(event))
        };
        let out = out.clone();
        let negotiator = pc.negotiate(role, move |signal: Signal| out.send(signal.to_json()));
        let ends: Seen<CallEnd> = Rc::default();
        {
            let ends = Rc::clone(&ends);
            negotiator.on_end(move |end| ends.borrow_mut().push(end));
        }
        Side {
            name,
            pc,
            negotiator: Some(Rc::new(negotiator)),
            tracks,
            errors: Rc::default(),
            ends,
            _track: track,
        }
    }

    pub fn negotiator(&self) -> &Negotiator {
        self.negotiator
            .as_deref()
            .expect("the negotiator is still there")
    }

    /// What the channel calls with each message for this side: parse, `receive`, record
    /// errors. Holds the negotiator weakly (dropping the side stops delivery).
    pub fn deliverer(&self) -> impl Fn(String) + 'static {
        let negotiator: Weak<Negotiator> = self
            .negotiator
            .as_ref()
            .map(Rc::downgrade)
            .unwrap_or_default();
        let errors = Rc::clone(&self.errors);
        let name = self.name;
        move |text: String| {
            let Some(negotiator) = negotiator.upgrade() else {
                return;
            };
            let errors = Rc::clone(&errors);
            spawn_local(async move {
                let result = match Signal::from_json(&text) {
                    Ok(signal) => negotiator.receive(signal).await,
                    Err(err) => Err(err),
                };
                if let Err(err) = result {
                    errors
                        .borrow_mut()
                        .push(format!("{name}: {err} (signal {text:.80})"));
                }
            });
        }
    }

    pub fn stable(&self) -> bool {
        self.pc.signaling_state() == SignalingState::Stable
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        self.negotiator = None;
        self.pc.close();
    }
}

/// Two sides connected through the delayed channel: `polite` and `impolite`.
pub struct Call {
    pub polite: Side,
    pub impolite: Side,
    pub to_polite: Link,
    pub to_impolite: Link,
}

impl Call {
    /// A new call on two fresh connections; prints its seed.
    pub fn new(test: &str) -> Call {
        let rng = Rc::new(RefCell::new(Rng::new(seed(test))));
        Call::with_rng(&rng)
    }

    pub fn with_rng(rng: &Rc<RefCell<Rng>>) -> Call {
        // Console errors of earlier tests of the page are theirs.
        let _ = crate::probe::take_errors();
        let to_polite = Link::new(rng);
        let to_impolite = Link::new(rng);
        let polite = Side::new(
            "polite",
            PeerConnection::new().expect("a PeerConnection"),
            Role::Polite,
            &to_impolite,
        );
        let impolite = Side::new(
            "impolite",
            PeerConnection::new().expect("a PeerConnection"),
            Role::Impolite,
            &to_polite,
        );
        to_polite.connect(polite.deliverer());
        to_impolite.connect(impolite.deliverer());
        Call {
            polite,
            impolite,
            to_polite,
            to_impolite,
        }
    }

    /// Both stable and nothing in flight on the channel.
    pub fn settled(&self) -> bool {
        self.polite.stable()
            && self.impolite.stable()
            && self.to_polite.in_flight() == 0
            && self.to_impolite.in_flight() == 0
    }

    /// The states and errors, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "polite {:?}/{:?}, {} track events; impolite {:?}/{:?}, {} track events; \
             in flight {}/{}; errors {:?} {:?}",
            self.polite.pc.signaling_state(),
            self.polite.pc.connection_state(),
            self.polite.tracks.borrow().len(),
            self.impolite.pc.signaling_state(),
            self.impolite.pc.connection_state(),
            self.impolite.tracks.borrow().len(),
            self.to_polite.in_flight(),
            self.to_impolite.in_flight(),
            self.polite.errors.borrow(),
            self.impolite.errors.borrow(),
        )
    }

    /// Asserts that no signal gave an error on either side and nothing reached the console.
    pub fn assert_no_errors(&self, what: &str) {
        assert!(
            self.polite.errors.borrow().is_empty() && self.impolite.errors.borrow().is_empty(),
            "{what}: signals gave errors: {:?} {:?}",
            self.polite.errors.borrow(),
            self.impolite.errors.borrow()
        );
        let console = crate::probe::take_errors();
        assert!(console.is_empty(), "{what}: console errors: {console}");
    }
}

/// `true` for an `Err` named `name`.
pub fn is_error(result: &Result<(), Error>, name: &str) -> bool {
    matches!(result, Err(err) if err.name() == name)
}
