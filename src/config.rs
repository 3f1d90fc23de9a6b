//! [`Configuration`] and [`IceServer`]: what `new RTCPeerConnection(configuration)` takes.

use core::fmt;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::webidl_enum::webidl_enum;

webidl_enum! {
    /// Which ICE candidates the connection may use.
    ///
    /// See [MDN: iceTransportPolicy](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#icetransportpolicy).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub enum IceTransportPolicy {
        /// Any candidate: host, server-reflexive and relay (`"all"`, the browser's default).
        #[default]
        All = "all",
        /// Only TURN relay candidates (`"relay"`): hides the peers' addresses from each other.
        Relay = "relay",
    }
}

webidl_enum! {
    /// How media tracks are bundled onto transports.
    ///
    /// See [MDN: bundlePolicy](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#bundlepolicy).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub enum BundlePolicy {
        /// `"balanced"` (the browser's default): one transport per media kind unless the remote
        /// side supports bundling.
        #[default]
        Balanced = "balanced",
        /// `"max-compat"`: one transport per track unless the remote side supports bundling.
        MaxCompat = "max-compat",
        /// `"max-bundle"`: everything on one transport.
        MaxBundle = "max-bundle",
    }
}

/// One STUN or TURN server: its URLs and, for TURN, the credentials.
///
/// `Debug` never prints the credential.
///
/// # Examples
///
/// ```
/// use rtc_peer::IceServer;
///
/// let turn = IceServer::new("turn:turn.example.org:3478?transport=udp")
///     .credentials("alice", "s3cret");
/// let shown = format!("{turn:?}");
/// assert!(shown.contains("alice"));
/// assert!(!shown.contains("s3cret"));
/// ```
///
/// See [MDN: RTCIceServer](https://developer.mozilla.org/en-US/docs/Web/API/RTCIceServer).
#[derive(Clone, PartialEq, Eq)]
pub struct IceServer {
    urls: Vec<String>,
    username: Option<String>,
    credential: Option<String>,
}

impl IceServer {
    /// A server reached at one URL (`stun:`, `turn:` or `turns:`).
    pub fn new(url: impl Into<String>) -> Self {
        IceServer {
            urls: vec![url.into()],
            username: None,
            credential: None,
        }
    }

    /// A server reached at any of several URLs.
    pub fn with_urls<I, S>(urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        IceServer {
            urls: urls.into_iter().map(Into::into).collect(),
            username: None,
            credential: None,
        }
    }

    /// Sets the TURN username and credential (long-term credential mechanism).
    pub fn credentials(
        mut self,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        self.username = Some(username.into());
        self.credential = Some(credential.into());
        self
    }

    /// The server's URLs, as given.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// The TURN username, if set.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// Whether a credential is set (the credential itself is not readable back).
    pub fn has_credential(&self) -> bool {
        self.credential.is_some()
    }

    fn to_js(&self) -> JsValue {
        let server = Object::new();
        let urls: Array = self.urls.iter().map(|u| JsValue::from_str(u)).collect();
        set(&server, "urls", &urls);
        if let Some(username) = &self.username {
            set(&server, "username", &JsValue::from_str(username));
        }
        if let Some(credential) = &self.credential {
            set(&server, "credential", &JsValue::from_str(credential));
        }
        server.into()
    }
}

impl fmt::Debug for IceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field("credential", &self.credential.as_ref().map(|_| Redacted))
            .finish()
    }
}

struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The settings a [`PeerConnection`](crate::PeerConnection) is created with.
///
/// # Examples
///
/// ```
/// use rtc_peer::{BundlePolicy, Configuration, IceServer, IceTransportPolicy};
///
/// let config = Configuration::new()
///     .ice_server(IceServer::new("turn:127.0.0.1:3478").credentials("user", "pass"))
///     .ice_transport_policy(IceTransportPolicy::Relay)
///     .bundle_policy(BundlePolicy::MaxBundle);
/// assert_eq!(config.ice_servers().len(), 1);
/// assert!(!format!("{config:?}").contains("pass"));
/// ```
///
/// See [MDN: RTCPeerConnection()](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Configuration {
    ice_servers: Vec<IceServer>,
    ice_transport_policy: Option<IceTransportPolicy>,
    bundle_policy: Option<BundlePolicy>,
}

impl Configuration {
    /// An empty configuration: no ICE servers, the browser's default policies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an ICE (STUN or TURN) server.
    pub fn ice_server(mut self, server: IceServer) -> Self {
        self.ice_servers.push(server);
        self
    }

    /// Sets which candidates may be used; [`IceTransportPolicy::Relay`] forces TURN.
    pub fn ice_transport_policy(mut self, policy: IceTransportPolicy) -> Self {
        self.ice_transport_policy = Some(policy);
        self
    }

    /// Sets how media is bundled onto transports.
    pub fn bundle_policy(mut self, policy: BundlePolicy) -> Self {
        self.bundle_policy = Some(policy);
        self
    }

    /// The ICE servers added so far.
    pub fn ice_servers(&self) -> &[IceServer] {
        &self.ice_servers
    }

    /// The `RTCConfiguration` dictionary this configuration stands for.
    pub fn to_js(&self) -> JsValue {
        let config = Object::new();
        let servers: Array = self.ice_servers.iter().map(IceServer::to_js).collect();
        set(&config, "iceServers", &servers);
        if let Some(policy) = self.ice_transport_policy {
            set(
                &config,
                "iceTransportPolicy",
                &JsValue::from_str(policy.as_str()),
            );
        }
        if let Some(policy) = self.bundle_policy {
            set(&config, "bundlePolicy", &JsValue::from_str(policy.as_str()));
        }
        config.into()
    }
}

/// Sets a property on a fresh plain object (which cannot fail).
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
