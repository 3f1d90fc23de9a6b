//! `rtc-peer-relay [ADDR]`: the demo's signalling relay alone, on ADDR (default
//! 127.0.0.1:8081), until killed. For a page served by another server that forwards
//! `/signal` here with the request's own `Host` header (and the WebSocket upgrade headers):
//! the relay admits pages of its own origin only.

use std::net::SocketAddr;
use std::process::ExitCode;

use rtc_peer_relay::{Limits, Standalone, PATH};

const USAGE: &str = "usage: rtc-peer-relay [ADDR]   (default 127.0.0.1:8081)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = match args.as_slice() {
        [] => Ok("127.0.0.1:8081".to_string()),
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [addr] => Ok(addr.clone()),
        _ => Err("one argument at most".to_string()),
    };
    let addr = addr.and_then(|a| a.parse::<SocketAddr>().map_err(|e| format!("`{a}`: {e}")));
    let server = match addr {
        Ok(addr) => Standalone::start(addr, Limits::default()).map_err(|e| e.to_string()),
        Err(why) => {
            eprintln!("rtc-peer-relay: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match server {
        Ok(server) => {
            println!("rtc-peer-relay: ws://{}{PATH}?room=NAME; Ctrl-C stops it", server.addr());
            server.wait();
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("rtc-peer-relay: {why}");
            ExitCode::FAILURE
        }
    }
}
