//! The relay's rooms: named, at most two members each, removed as soon as they are empty.
//!
//! A member is a connection's outbox (what the relay asks that connection to send) plus a
//! handle to its socket, so a member that cannot keep up is disconnected rather than buffered
//! without bound. The table only routes; the connection threads do all socket input and output.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tungstenite::Utf8Bytes;

/// At most this many members share a room (a call between two peers).
pub const CAPACITY: usize = 2;

/// Identifies one connection for the life of the relay.
pub type MemberId = u64;

/// One room member, as the table sees it.
#[derive(Debug)]
pub struct Member {
    pub id: MemberId,
    /// The text frames to send the member, in order: relay notices and the other member's
    /// messages, byte for byte.
    pub outbox: SyncSender<Utf8Bytes>,
    /// The member's socket, shut down when its outbox is full (it cannot keep up).
    pub socket: TcpStream,
}

impl Member {
    fn send(&self, out: Utf8Bytes) {
        if let Err(TrySendError::Full(_)) = self.outbox.try_send(out) {
            let _ = self.socket.shutdown(Shutdown::Both);
        }
    }
}

#[derive(Debug)]
struct Room {
    members: Vec<Member>,
    /// When any member last sent a frame (any frame: a pong to the relay's ping counts).
    last_heard: Instant,
}

/// The relay notice sent to a member already in the room when the other one joins.
pub const PEER_JOINED: &str = r#"{"relay":"peer-joined"}"#;
/// The relay notice sent to the member left in the room when the other one goes.
pub const PEER_LEFT: &str = r#"{"relay":"peer-left"}"#;

/// What became of a member that asked to join.
#[derive(Debug, PartialEq, Eq)]
pub enum Joined {
    /// It is in the room.
    Yes,
    /// The room has [`CAPACITY`] members already.
    Full,
    /// Its first frame could not be sent; it is not in the room.
    Broken,
}

/// The room table, shared by every connection of one relay.
#[derive(Debug, Default)]
pub struct Rooms {
    rooms: Mutex<HashMap<String, Room>>,
}

impl Rooms {
    fn table(&self) -> MutexGuard<'_, HashMap<String, Room>> {
        // A panic while holding the lock cannot leave the map half-updated (each update is one
        // map operation), so a poisoned lock is still a consistent table.
        self.rooms.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds `member` to room `name` (made if missing) unless it is full, and tells the member
    /// already there, if any. `first` sends the newcomer its first frame, given how many
    /// members were there before; it runs before anyone can relay to the newcomer (a short
    /// write to a fresh socket), and when it fails the newcomer is not added.
    pub fn join(&self, name: &str, member: Member, first: impl FnOnce(usize) -> bool) -> Joined {
        let mut table = self.table();
        let present = table.get(name).map_or(0, |room| room.members.len());
        if present >= CAPACITY {
            return Joined::Full;
        }
        if !first(present) {
            return Joined::Broken;
        }
        let room = table.entry(name.to_string()).or_insert_with(|| Room {
            members: Vec::with_capacity(CAPACITY),
            last_heard: Instant::now(),
        });
        for present in &room.members {
            present.send(Utf8Bytes::from_static(PEER_JOINED));
        }
        room.members.push(member);
        room.last_heard = Instant::now();
        Joined::Yes
    }

    /// Notes a frame from a member of room `name`.
    pub fn heard(&self, name: &str) {
        if let Some(room) = self.table().get_mut(name) {
            room.last_heard = Instant::now();
        }
    }

    /// Relays `text` from member `from` to the other member of room `name`; with no other
    /// member it is dropped.
    pub fn relay(&self, name: &str, from: MemberId, text: Utf8Bytes) {
        if let Some(room) = self.table().get_mut(name) {
            room.last_heard = Instant::now();
            for other in room.members.iter().filter(|m| m.id != from) {
                other.send(text.clone());
            }
        }
    }

    /// How long no member of room `name` has sent a frame (zero for a missing room).
    pub fn quiet_for(&self, name: &str) -> Duration {
        self.table().get(name).map_or(Duration::ZERO, |room| room.last_heard.elapsed())
    }

    /// Removes member `id` from room `name`, tells the member left there, and removes the
    /// room when it is empty.
    pub fn leave(&self, name: &str, id: MemberId) {
        let mut table = self.table();
        let Some(room) = table.get_mut(name) else {
            return;
        };
        let before = room.members.len();
        room.members.retain(|m| m.id != id);
        if room.members.len() == before {
            return;
        }
        if room.members.is_empty() {
            table.remove(name);
            return;
        }
        for other in &room.members {
            other.send(Utf8Bytes::from_static(PEER_LEFT));
        }
    }

    /// How many rooms exist (each has at least one member).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table().len()
    }
}
