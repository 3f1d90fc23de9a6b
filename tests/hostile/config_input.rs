//! Configuration input: ICE server URLs of every wrong shape given to
//! `PeerConnection::with_configuration`. Each gives a typed `Err` with the browser's name and
//! message, never a panic; where a browser accepts a shape, the table below says so per browser
//! and the test asserts exactly that (so a change in either browser is noticed).
//!
//! Accepted, as measured: both browsers accept an upper-case `STUN:` scheme, a NUL in the
//! host, a thousand servers and a thousand URLs in one server (no limit is enforced at
//! construction); Chromium also accepts a 10,000-character host and a port on the browsers'
//! blocked-port list (25), which Firefox rejects with `SyntaxError`.
//!
//! No connection made here ever gathers candidates (each is closed right away), so no server
//! named here is ever contacted; every address is loopback anyway.

use rtc_peer::{Configuration, IceServer, IceTransportPolicy, PeerConnection};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use support::browser;

/// One configuration and what each browser does with it: `"Ok"` or the error name.
struct Case {
    what: &'static str,
    config: Configuration,
    chromium: &'static str,
    firefox: &'static str,
}

fn one(url: &str) -> Configuration {
    Configuration::new().ice_server(IceServer::new(url))
}

fn turn(url: &str) -> Configuration {
    Configuration::new().ice_server(IceServer::new(url).credentials("user", "pass"))
}

fn cases() -> Vec<Case> {
    let case = |what, config, chromium, firefox| Case {
        what,
        config,
        chromium,
        firefox,
    };
    let many_servers = (0..1_000).fold(Configuration::new(), |c, i| {
        c.ice_server(IceServer::new(format!("stun:127.0.0.1:{}", 40_000 + i)))
    });
    let many_urls = Configuration::new().ice_server(IceServer::with_urls(
        (0..1_000).map(|i| format!("stun:127.0.0.1:{}", 40_000 + i)),
    ));
    vec![
        // Controls: well-formed servers are accepted.
        case("valid stun", one("stun:127.0.0.1:3478"), "Ok", "Ok"),
        case(
            "valid turn with credentials",
            turn("turn:127.0.0.1:3478?transport=udp"),
            "Ok",
            "Ok",
        ),
        case(
            "no servers, relay only",
            Configuration::new().ice_transport_policy(IceTransportPolicy::Relay),
            "Ok",
            "Ok",
        ),
        // Wrong scheme.
        case(
            "http scheme",
            one("http://127.0.0.1:3478"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "https scheme",
            one("https://127.0.0.1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "unknown scheme",
            one("foo:127.0.0.1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "stun1 scheme",
            one("stun1:127.0.0.1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case("upper-case STUN scheme", one("STUN:127.0.0.1"), "Ok", "Ok"),
        case(
            "no scheme",
            one("127.0.0.1:3478"),
            "SyntaxError",
            "SyntaxError",
        ),
        case("empty URL", one(""), "SyntaxError", "SyntaxError"),
        case("blank URL", one("   "), "SyntaxError", "SyntaxError"),
        // Missing or broken host / port.
        case(
            "stun: without host",
            one("stun:"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "turn: without host",
            turn("turn:"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "port without host",
            one("stun::3478"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "port out of range",
            one("stun:127.0.0.1:99999"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "negative port",
            one("stun:127.0.0.1:-1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "port not a number",
            one("stun:127.0.0.1:abc"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "unclosed IPv6 bracket",
            one("stun:[::1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "space in host",
            one("stun:127.0.0 .1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case("NUL in host", one("stun:127.0.0.1\u{0}"), "Ok", "Ok"),
        case(
            "10,000-character host",
            one(&format!("stun:{}", "1".repeat(10_000))),
            "Ok",
            "SyntaxError",
        ),
        case(
            "stun with a query",
            one("stun:127.0.0.1?transport=udp"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "turn with an unknown transport",
            turn("turn:127.0.0.1?transport=foo"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "userinfo in the URL",
            turn("turn:user:pass@127.0.0.1"),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "a port browsers block (25, SMTP)",
            one("stun:127.0.0.1:25"),
            "Ok",
            "SyntaxError",
        ),
        case(
            "fragment",
            one("stun:127.0.0.1#x"),
            "SyntaxError",
            "SyntaxError",
        ),
        // TURN without (usable) credentials.
        case(
            "turn without credentials",
            one("turn:127.0.0.1:3478"),
            "InvalidAccessError",
            "InvalidAccessError",
        ),
        case(
            "turns without credentials",
            one("turns:127.0.0.1:5349"),
            "InvalidAccessError",
            "InvalidAccessError",
        ),
        case(
            "turn with empty credentials",
            Configuration::new()
                .ice_server(IceServer::new("turn:127.0.0.1:3478").credentials("", "")),
            "InvalidAccessError",
            "InvalidAccessError",
        ),
        // Lists.
        case(
            "empty URL list",
            Configuration::new().ice_server(IceServer::with_urls(Vec::<String>::new())),
            "SyntaxError",
            "SyntaxError",
        ),
        case(
            "one good, one bad URL",
            Configuration::new().ice_server(IceServer::with_urls(["stun:127.0.0.1", "bad:"])),
            "SyntaxError",
            "SyntaxError",
        ),
        case("a thousand servers", many_servers, "Ok", "Ok"),
        case("a thousand URLs in one server", many_urls, "Ok", "Ok"),
    ]
}

#[wasm_bindgen_test]
fn every_wrong_ice_server_shape_gives_the_expected_typed_result() {
    let browser = browser();
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    for case in cases() {
        let expected = if browser == "firefox" {
            case.firefox
        } else {
            case.chromium
        };
        let got = match PeerConnection::with_configuration(&case.config) {
            Ok(pc) => {
                pc.close();
                "Ok".to_owned()
            }
            Err(e) => {
                assert!(
                    !e.name().is_empty() && !e.message().is_empty(),
                    "{}: an error without name or message: {e:?}",
                    case.what
                );
                if option_env!("RTC_PEER_HOSTILE_VERBOSE").is_some() {
                    let message: String = e.message().chars().take(200).collect();
                    console_log!("{}: {}: {message}", case.what, e.name());
                }
                e.name().to_owned()
            }
        };
        rows.push(format!("{}={got}", case.what));
        if got != expected {
            mismatches.push(format!("{}: expected {expected}, got {got}", case.what));
        }
    }
    console_log!("NOTE: config-input [{browser}]: {}", rows.join("; "));
    assert!(
        mismatches.is_empty(),
        "[{browser}] {}",
        mismatches.join("\n")
    );
}
