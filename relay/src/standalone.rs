//! The relay on a server of its own: every request to [`PATH`] goes to the relay, any other
//! gets 404.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Response, StatusCode};

use crate::socket::end_after_answer;
use crate::{Limits, Relay, PATH};

/// A server with only the relay; stops (and closes every connection) when dropped.
///
/// # Examples
///
/// ```no_run
/// use rtc_peer_relay::{Limits, Standalone, PATH};
///
/// let server = Standalone::start("127.0.0.1:8081".parse()?, Limits::default())?;
/// println!("relaying on ws://{}{PATH}?room=NAME", server.addr());
/// server.wait();
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub struct Standalone {
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    relay: Relay,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Standalone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standalone").field("addr", &self.addr).finish()
    }
}

impl Standalone {
    /// Starts serving the relay on `addr` (port 0 picks a free one, see [`Standalone::addr`]).
    ///
    /// # Errors
    /// When `addr` cannot be listened on (taken, or not this machine's).
    pub fn start(
        addr: SocketAddr,
        limits: Limits,
    ) -> Result<Standalone, Box<dyn std::error::Error + Send + Sync>> {
        let http = Arc::new(tiny_http::Server::http(addr)?);
        let addr = http.server_addr().to_ip().ok_or("tiny_http did not report an IP address")?;
        let relay = Relay::new(limits);
        let handler = relay.handler();
        let requests = Arc::clone(&http);
        // One thread takes every request: the relay answers or hands a connection to threads
        // of its own at once. The handler (and with it the relay) goes when the thread ends.
        let thread = std::thread::Builder::new().name("relay-accept".into()).spawn(move || {
            for request in requests.incoming_requests() {
                if request.url().split(['?', '#']).next() == Some(PATH) {
                    handler(request, addr);
                } else {
                    let peer = request.remote_addr().copied();
                    let _ = request.respond(Response::empty(StatusCode(404)));
                    end_after_answer(peer, addr.port());
                }
            }
        })?;
        Ok(Standalone { http, addr, relay, thread: Some(thread) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The relay it serves.
    pub fn relay(&self) -> &Relay {
        &self.relay
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        self.http.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
