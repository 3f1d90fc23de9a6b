//! `icecandidateerror` as `IceCandidateError`: 401 for a wrong TURN credential, 701 for a TURN
//! port where nothing listens. Uses the coturn the test run starts.

use std::cell::RefCell;
use std::rc::Rc;

use rtc_peer::{
    Configuration, IceCandidateError, IceServer, MediaKind, PeerConnection, TransceiverDirection,
};
use wasm_bindgen_test::wasm_bindgen_test;

use support::{now_ms, wait_until_with, TestFailure};

/// The coturn of this run: URL, user name, credential (read at run time from the endpoint
/// the test run serves). Fails, never skips, without them.
fn turn_server() -> (&'static str, &'static str, &'static str) {
    let server = support::turn::turn_server();
    (server.url, server.username, server.credential)
}

/// Gathers with `server` only, and returns the first candidate error with `code`.
async fn first_candidate_error(
    server: IceServer,
    code: u16,
    what: &str,
) -> Result<IceCandidateError, TestFailure> {
    let pc = PeerConnection::with_configuration(&Configuration::new().ice_server(server))
        .expect("a PeerConnection");
    let errors: Rc<RefCell<Vec<IceCandidateError>>> = Rc::default();
    let _listener = {
        let errors = Rc::clone(&errors);
        pc.on_ice_candidate_error(move |error| errors.borrow_mut().push(error))
    };
    pc.add_transceiver(MediaKind::Video, TransceiverDirection::SendRecv)
        .expect("addTransceiver");
    let offer = pc.create_offer().await.expect("createOffer");
    pc.set_local_description(&offer)
        .await
        .expect("setLocalDescription");
    let start = now_ms();
    let turn_error = || errors.borrow().iter().find(|e| e.code() == code).cloned();
    wait_until_with(
        60_000,
        what,
        || turn_error().is_some(),
        || format!("{:?}", errors.borrow()),
    )
    .await?;
    web_sys::console::log_1(&format!("{what}: after {} ms", now_ms() - start).into());
    pc.close();
    let first = turn_error().expect("a TURN error");
    web_sys::console::log_1(&format!("{what}: {first:?}").into());
    Ok(first)
}

#[wasm_bindgen_test]
async fn a_wrong_turn_credential_gives_401_with_the_server_url() -> Result<(), TestFailure> {
    let (url, user, _) = turn_server();
    let error = first_candidate_error(
        IceServer::new(url).credentials(user, "certainly-not-the-password"),
        401,
        "401 from coturn",
    )
    .await?;
    assert_eq!(error.code(), 401, "{error:?}");
    // Firefox drops the `?transport=` part of the URL.
    let without_query = |u: &str| u.split('?').next().unwrap_or_default().to_owned();
    assert_eq!(
        without_query(&error.url()),
        without_query(url),
        "the URL of the server that refused: {error:?}"
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn a_turn_port_with_nothing_listening_gives_701() -> Result<(), TestFailure> {
    let (_, user, credential) = turn_server();
    // Nothing listens on port 49151 of loopback (the last registered port; not coturn's port
    // + 1, which coturn itself uses as its alternate port; not a low port, which Firefox
    // refuses to configure).
    let dead = "turn:127.0.0.1:49151?transport=udp";
    let error = first_candidate_error(
        IceServer::new(dead).credentials(user, credential),
        701,
        "701 from a dead TURN port",
    )
    .await?;
    assert_eq!(error.code(), 701, "{error:?}");
    // Firefox names the TURN URL; Chromium names the server as the STUN server it also used
    // it as ("stun:127.0.0.1:49151"), whose binding request is what timed out (after about 40 s).
    assert!(
        error.url().contains("127.0.0.1:49151"),
        "the dead server's URL: {error:?}"
    );
    Ok(())
}
