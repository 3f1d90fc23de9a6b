//! The ICE settings of the next calls: checking a server, the connection configuration, and
//! showing the settings without the credential.

use wasm_bindgen::JsValue;

use rtc_peer::{Configuration, IceServer, IceTransportPolicy};

use crate::errors::type_error;

/// Shows a credential as its length only: `••••••• (7 characters)`.
pub(crate) fn mask(credential: &str) -> String {
    let n = credential.chars().count();
    let dots = "•".repeat(n.min(8));
    [dots.as_str(), " (", &n.to_string(), " characters)"].concat()
}

/// Checks an ICE server given to `setIceServer`: a `turn:`, `turns:` or `stun:` URL; a TURN URL
/// needs a username and a credential.
pub(crate) fn ice_server(
    url: &str,
    username: &str,
    credential: &str,
) -> Result<IceServer, JsValue> {
    let url = url.trim();
    let is_turn = url.starts_with("turn:") || url.starts_with("turns:");
    if !(is_turn || url.starts_with("stun:"))
        || url.len() > 512
        || url.contains(char::is_whitespace)
    {
        return Err(type_error(
            "Call.setIceServer: the URL must start with turn:, turns: or stun:.",
        ));
    }
    if is_turn && (username.is_empty() || credential.is_empty()) {
        return Err(type_error(
            "Call.setIceServer: a TURN server needs a username and a credential.",
        ));
    }
    let server = if username.is_empty() && credential.is_empty() {
        IceServer::new(url)
    } else {
        IceServer::new(url).credentials(username, credential)
    };
    Ok(server)
}

/// A description of the ICE settings that is safe to show (see `iceSummary`).
pub(crate) fn summary(servers: &[IceServer], relay_only: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    for server in servers {
        let mut s = server.urls().join(", ");
        if let Some(user) = server.username() {
            s.push_str(" as ");
            s.push_str(user);
        }
        if server.has_credential() {
            // The length is all we show; the IceServer does not give the credential back.
            s.push_str(", credential set");
        }
        parts.push(s);
    }
    if parts.is_empty() {
        parts.push("no ICE servers (host candidates only)".into());
    }
    if relay_only {
        parts.push("relay only".into());
    }
    parts.join("; ")
}

/// The connection configuration of the next call: the ICE servers and, when set, relay-only.
pub(crate) fn configuration(servers: &[IceServer], relay_only: bool) -> Configuration {
    let mut config = Configuration::new();
    for server in servers {
        config = config.ice_server(server.clone());
    }
    if relay_only {
        config = config.ice_transport_policy(IceTransportPolicy::Relay);
    }
    config
}
