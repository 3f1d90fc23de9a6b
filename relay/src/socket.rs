//! The socket under a tiny_http connection.
//!
//! tiny_http shows no request's socket: an upgraded connection comes out as one
//! `Box<dyn Read + Write>` (one thread can block reading it, and nothing else can write to it,
//! time its reads out or shut it down), and a kept-alive connection cannot be ended after an
//! answer. The relay must do the first, a page server the second ([`end_after_answer`]), so they find
//! the socket themselves: the descriptor in this process whose TCP peer is the request's
//! remote address and whose local port is the server's, duplicated (close-on-exec) so the
//! caller owns its copy. Read timeouts and shutdowns are properties of the socket, so they
//! apply to tiny_http's copies too.

use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// A duplicate of this process's TCP socket connected from `peer` to local port `port`.
pub fn find(peer: SocketAddr, port: u16) -> Option<TcpStream> {
    for entry in std::fs::read_dir("/proc/self/fd").ok()?.flatten() {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse::<RawFd>().ok()) else {
            continue;
        };
        if !is_socket {
            continue;
        }
        // SAFETY: fcntl only reads `fd` (a stale or reused number just gives another or no
        // descriptor, both handled below); on success the new descriptor is ours alone.
        let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        if copy < 0 {
            continue;
        }
        // SAFETY: `copy` is a freshly made descriptor that nothing else owns.
        let stream = TcpStream::from(unsafe { OwnedFd::from_raw_fd(copy) });
        let ours = stream.peer_addr().is_ok_and(|a| a == peer)
            && stream.local_addr().is_ok_and(|a| a.port() == port);
        if ours {
            return Some(stream);
        }
    }
    None
}

/// Ends the connection from `peer` to local port `port` once its answer is sent: shuts its
/// reading side, so tiny_http's thread for it sees the end and closes it (the answer already
/// written still arrives). tiny_http ignores a `Connection: close` header set on a response.
pub fn end_after_answer(peer: Option<SocketAddr>, port: u16) {
    if let Some(socket) = peer.and_then(|peer| find(peer, port)) {
        let _ = socket.shutdown(Shutdown::Read);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn finds_the_accepted_socket_and_only_it() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut accepted, from) = listener.accept().unwrap();
        let found = find(from, port).expect("the accepted socket");
        assert_eq!(found.peer_addr().unwrap(), from);
        found.set_read_timeout(Some(std::time::Duration::from_millis(50))).unwrap();
        let mut byte = [0u8; 1];
        let err = accepted.read(&mut byte).unwrap_err();
        assert!(
            matches!(err.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
            "the timeout set on the copy applies to the original: {err}"
        );
        client.write_all(b"x").unwrap();
        assert_eq!(accepted.read(&mut byte).unwrap(), 1);
        assert!(find(from, port.wrapping_add(1)).is_none(), "wrong port matched");
        let client_addr = client.local_addr().unwrap();
        assert!(find(listener.local_addr().unwrap(), client_addr.port()).is_some());
    }
}
