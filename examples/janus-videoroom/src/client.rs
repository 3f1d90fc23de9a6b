//! A small client for the Janus REST API: a [`Session`], plugin [`Handle`]s, messages with a
//! JSEP, events long-polled and routed to their handle, keepalive.
//!
//! Every request has a deadline; every Janus error reply, plugin error, malformed reply or
//! lost server is a [`JanusError`], never a panic. See the
//! [Janus REST API](https://janus.conf.meetecho.com/docs/rest.html).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use futures_channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use rtc_peer::{SdpType, SessionDescription};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::timer::{first_of, sleep};

/// How long a plain request may take.
const REQUEST_MS: u32 = 10_000;

/// How long one long-poll may take: Janus answers an idle one with a keepalive after 30 s.
const LONG_POLL_MS: u32 = 40_000;

/// How many events one long-poll may bring.
const MAX_EVENTS: u32 = 10;

/// What went wrong talking to Janus.
#[derive(Clone, Debug, PartialEq)]
pub enum JanusError {
    /// Janus answered `{"janus": "error"}` (for example 458 "No such session", 460 "No such
    /// plugin").
    Janus { code: i64, reason: String },
    /// A plugin reported an error in its data (`error_code`, `error`; for example the
    /// VideoRoom's 426 "No such room").
    Plugin { code: i64, reason: String },
    /// No answer: the server is unreachable, the request timed out, or the HTTP status was not
    /// 2xx.
    Transport(String),
    /// A reply or event that is not what the API documents (bad JSON, a `jsep` without a valid
    /// `type` or `sdp`, a missing id).
    Malformed(String),
    /// No event arrived within the time asked for.
    Timeout(String),
    /// The browser refused a description or candidate.
    Rtc(rtc_peer::Error),
}

impl fmt::Display for JanusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JanusError::Janus { code, reason } => write!(f, "Janus error {code}: {reason}"),
            JanusError::Plugin { code, reason } => write!(f, "plugin error {code}: {reason}"),
            JanusError::Transport(why) => write!(f, "no answer from Janus: {why}"),
            JanusError::Malformed(why) => write!(f, "malformed reply from Janus: {why}"),
            JanusError::Timeout(what) => write!(f, "timed out waiting for {what}"),
            JanusError::Rtc(e) => write!(f, "the browser refused it: {e}"),
        }
    }
}

impl std::error::Error for JanusError {}

impl From<rtc_peer::Error> for JanusError {
    fn from(e: rtc_peer::Error) -> Self {
        JanusError::Rtc(e)
    }
}

/// One event from the long-poll: a plugin event, `webrtcup`, `media`, `hangup`, `slowlink`, …
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The `janus` field: `"event"`, `"webrtcup"`, `"media"`, `"hangup"`, `"detached"`, …
    pub kind: String,
    /// The handle it is for (`sender`), when it names one.
    pub sender: Option<u64>,
    /// The transaction of the request it answers, when it answers one.
    pub transaction: Option<String>,
    /// `plugindata.data`, for plugin events.
    pub data: Option<Value>,
    /// The offer or answer it carries.
    pub jsep: Option<SessionDescription>,
}

impl Event {
    /// Reads an event from its JSON.
    ///
    /// # Errors
    ///
    /// [`JanusError::Malformed`] when it is not a JSON object with a string `janus` field, or
    /// its `jsep` has no `type` of `offer`/`answer` or no string `sdp`.
    pub fn from_json(text: &str) -> Result<Event, JanusError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| JanusError::Malformed(format!("not JSON ({e})")))?;
        Event::from_value(&value)
    }

    /// Reads an event from its parsed JSON (see [`Event::from_json`]).
    ///
    /// # Errors
    ///
    /// As [`Event::from_json`].
    pub fn from_value(value: &Value) -> Result<Event, JanusError> {
        let kind = value["janus"]
            .as_str()
            .ok_or_else(|| JanusError::Malformed(format!("an event without `janus`: {value}")))?;
        let jsep = match value.get("jsep") {
            None | Some(Value::Null) => None,
            Some(jsep) => Some(parse_jsep(jsep)?),
        };
        Ok(Event {
            kind: kind.to_string(),
            sender: value["sender"].as_u64(),
            transaction: value["transaction"].as_str().map(str::to_string),
            data: value.get("plugindata").and_then(|p| p.get("data")).cloned(),
            jsep,
        })
    }

    /// The plugin's error in this event's data, if it reports one.
    pub fn plugin_error(&self) -> Option<JanusError> {
        plugin_error(self.data.as_ref()?)
    }
}

/// A `jsep` object as a [`SessionDescription`].
fn parse_jsep(jsep: &Value) -> Result<SessionDescription, JanusError> {
    let kind = match jsep["type"].as_str() {
        Some("offer") => SdpType::Offer,
        Some("answer") => SdpType::Answer,
        other => {
            return Err(JanusError::Malformed(format!(
                "a jsep whose type is {other:?}, not \"offer\" or \"answer\""
            )))
        }
    };
    let sdp = jsep["sdp"]
        .as_str()
        .ok_or_else(|| JanusError::Malformed("a jsep without a string sdp".into()))?;
    Ok(SessionDescription {
        kind,
        sdp: sdp.to_string(),
    })
}

fn plugin_error(data: &Value) -> Option<JanusError> {
    let code = data.get("error_code")?.as_i64()?;
    let reason = data["error"].as_str().unwrap_or_default().to_string();
    Some(JanusError::Plugin { code, reason })
}

/// A Janus session: its events are long-polled for as long as it lives (which also keeps it
/// alive) and routed to the [`Handle`] they name. Dropping it (and its handles) destroys it.
pub struct Session {
    inner: Rc<Inner>,
}

/// Each handle's channel of events (or of why the long-poll failed).
type Routes = Vec<(u64, UnboundedSender<Result<Event, JanusError>>)>;

struct Inner {
    base: String,
    id: u64,
    next_transaction: Cell<u64>,
    handles: RefCell<Routes>,
    /// Why the long-poll stopped, once it has.
    ended: RefCell<Option<JanusError>>,
}

impl Session {
    /// Creates a session on the Janus at `base` (its REST root, `http://HOST:PORT/janus`) and
    /// starts long-polling its events.
    ///
    /// # Errors
    ///
    /// [`JanusError::Transport`] when Janus does not answer within 10 s, [`JanusError::Janus`]
    /// on an error reply, [`JanusError::Malformed`] on a reply without a session id.
    pub async fn create(base: &str) -> Result<Session, JanusError> {
        let base = base.trim_end_matches('/').to_string();
        let reply = post(&base, &json!({"janus": "create", "transaction": "create"})).await?;
        let id = success_id(&reply)?;
        let inner = Rc::new(Inner {
            base,
            id,
            next_transaction: Cell::new(1),
            handles: RefCell::new(Vec::new()),
            ended: RefCell::new(None),
        });
        wasm_bindgen_futures::spawn_local(long_poll(Rc::downgrade(&inner)));
        Ok(Session { inner })
    }

    /// The session id Janus gave.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Attaches a handle to `plugin` (e.g. `"janus.plugin.videoroom"`).
    ///
    /// # Errors
    ///
    /// [`JanusError::Janus`] 460 when Janus has no such plugin; as [`Session::create`].
    pub async fn attach(&self, plugin: &str) -> Result<Handle, JanusError> {
        let reply = self
            .inner
            .post_session(json!({"janus": "attach", "plugin": plugin}))
            .await?;
        let id = success_id(&reply)?;
        let (sender, events) = mpsc::unbounded();
        self.inner.handles.borrow_mut().push((id, sender));
        if let Some(why) = self.inner.ended.borrow().clone() {
            return Err(why);
        }
        Ok(Handle {
            session: Rc::clone(&self.inner),
            id,
            events: RefCell::new(events),
            pending: RefCell::new(VecDeque::new()),
        })
    }

    /// Tells Janus the session is still wanted (it times out after 60 s without a request;
    /// the long-poll already counts as one).
    ///
    /// # Errors
    ///
    /// As [`Session::create`]; 458 once the session is gone.
    pub async fn keepalive(&self) -> Result<(), JanusError> {
        self.inner
            .post_session(json!({"janus": "keepalive"}))
            .await
            .map(drop)
    }

    /// Why the event long-poll has stopped (Janus gone, session destroyed), if it has.
    pub fn ended(&self) -> Option<JanusError> {
        self.inner.ended.borrow().clone()
    }
}

impl Inner {
    fn transaction(&self) -> String {
        let n = self.next_transaction.get();
        self.next_transaction.set(n + 1);
        format!("t{n}")
    }

    async fn post_session(&self, mut body: Value) -> Result<Value, JanusError> {
        body["transaction"] = Value::String(self.transaction());
        post(&format!("{}/{}", self.base, self.id), &body).await
    }

    /// Hands an event (or why the poll failed) to the handle it names, or to every handle.
    fn route(&self, item: Result<Event, JanusError>, sender: Option<u64>) {
        let handles = self.handles.borrow();
        for (id, channel) in handles.iter() {
            if sender.is_none() || sender == Some(*id) {
                let _ = channel.unbounded_send(item.clone());
            }
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.ended.borrow().is_some() {
            return;
        }
        let url = format!("{}/{}", self.base, self.id);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = post(&url, &json!({"janus": "destroy", "transaction": "destroy"})).await;
        });
    }
}

/// Long-polls the session's events until it is dropped or the poll fails (then every handle
/// receives the error).
async fn long_poll(session: Weak<Inner>) {
    let mut rid: u64 = 0;
    loop {
        let url = match session.upgrade() {
            Some(s) if s.ended.borrow().is_none() => {
                format!("{}/{}?maxev={MAX_EVENTS}", s.base, s.id)
            }
            _ => return,
        };
        rid += 1;
        let reply = request("GET", &format!("{url}&rid={rid}"), None, LONG_POLL_MS).await;
        let Some(s) = session.upgrade() else { return };
        let values = match reply {
            Ok(Value::Array(values)) => values,
            Ok(value) => vec![value],
            Err(e) => {
                s.route(Err(e.clone()), None);
                *s.ended.borrow_mut() = Some(e);
                return;
            }
        };
        for value in values {
            if value["janus"] == "keepalive" {
                continue;
            }
            if value["janus"] == "error" {
                let e = janus_error(&value);
                s.route(Err(e.clone()), None);
                *s.ended.borrow_mut() = Some(e);
                return;
            }
            let sender = value["sender"].as_u64();
            s.route(Event::from_value(&value), sender);
        }
    }
}

/// A plugin handle: messages to the plugin, and the events it sends back.
///
/// Wait for its events from one task at a time ([`Handle::next_event`], [`Handle::wait_for`],
/// [`Handle::send`]): with two waiting at once, one may be woken for the other's event and
/// time out.
pub struct Handle {
    session: Rc<Inner>,
    id: u64,
    events: RefCell<UnboundedReceiver<Result<Event, JanusError>>>,
    /// Events read while waiting for another one, handed out first by [`Handle::next_event`].
    pending: RefCell<VecDeque<Result<Event, JanusError>>>,
}

/// Janus's immediate answer to a plugin message.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// Accepted; the result comes as an [`Event`] with this transaction.
    Ack { transaction: String },
    /// A synchronous plugin answer (`plugindata.data`), e.g. to `create` or `listparticipants`.
    Success(Value),
}

impl Handle {
    /// The handle id Janus gave.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sends `body` to the plugin, with `jsep` when given.
    ///
    /// # Errors
    ///
    /// [`JanusError::Janus`] on an error reply, [`JanusError::Plugin`] when a synchronous
    /// answer reports one, [`JanusError::Transport`] without an answer.
    pub async fn message(
        &self,
        body: Value,
        jsep: Option<&SessionDescription>,
    ) -> Result<Reply, JanusError> {
        let transaction = self.session.transaction();
        let mut message = json!({"janus": "message", "body": body, "transaction": transaction});
        if let Some(jsep) = jsep {
            message["jsep"] = json!({"type": jsep.kind.as_str(), "sdp": jsep.sdp});
        }
        let reply = post(&self.url(), &message).await?;
        match reply["janus"].as_str() {
            Some("ack") => Ok(Reply::Ack { transaction }),
            Some("success") => {
                let data = reply["plugindata"]["data"].clone();
                match plugin_error(&data) {
                    Some(e) => Err(e),
                    None => Ok(Reply::Success(data)),
                }
            }
            _ => Err(JanusError::Malformed(format!(
                "a reply that is neither ack nor success: {reply}"
            ))),
        }
    }

    /// A synchronous plugin request (`create`, `exists`, `listparticipants`, …): its data.
    ///
    /// # Errors
    ///
    /// As [`Handle::message`]; [`JanusError::Malformed`] when Janus only acknowledges it.
    pub async fn request(&self, body: Value) -> Result<Value, JanusError> {
        match self.message(body, None).await? {
            Reply::Success(data) => Ok(data),
            Reply::Ack { .. } => Err(JanusError::Malformed(
                "an ack where the plugin answers at once".into(),
            )),
        }
    }

    /// Sends `body` (and `jsep`) and waits, at most `ms`, for the event that answers it.
    /// Other events that arrive meanwhile are kept for [`Handle::next_event`].
    ///
    /// # Errors
    ///
    /// As [`Handle::message`]; the plugin's error in its event as [`JanusError::Plugin`];
    /// [`JanusError::Timeout`] when no answer arrives in time.
    pub async fn send(
        &self,
        body: Value,
        jsep: Option<&SessionDescription>,
        ms: u32,
    ) -> Result<Event, JanusError> {
        let transaction = match self.message(body.clone(), jsep).await? {
            Reply::Ack { transaction } => transaction,
            Reply::Success(data) => {
                return Ok(Event {
                    kind: "success".into(),
                    sender: Some(self.id),
                    transaction: None,
                    data: Some(data),
                    jsep: None,
                })
            }
        };
        let what = format!("the answer to {}", body["request"]);
        let event = self
            .wait_for(ms, &what, |e| {
                e.transaction.as_deref() == Some(transaction.as_str())
            })
            .await?;
        match event.plugin_error() {
            Some(e) => Err(e),
            None => Ok(event),
        }
    }

    /// The next event for this handle, waiting at most `ms`.
    ///
    /// # Errors
    ///
    /// [`JanusError::Timeout`]; a malformed event as [`JanusError::Malformed`]; when the
    /// long-poll failed (Janus gone) its [`JanusError::Transport`].
    pub async fn next_event(&self, ms: u32) -> Result<Event, JanusError> {
        if let Some(item) = self.pending.borrow_mut().pop_front() {
            return item;
        }
        self.receive(ms, "an event").await
    }

    /// Waits at most `ms` for an event that `wanted` accepts; events it does not are kept for
    /// [`Handle::next_event`], in order. Errors (malformed events, a lost server) end the wait.
    ///
    /// # Errors
    ///
    /// As [`Handle::next_event`].
    pub async fn wait_for(
        &self,
        ms: u32,
        what: &str,
        mut wanted: impl FnMut(&Event) -> bool,
    ) -> Result<Event, JanusError> {
        let kept: Vec<_> = self.pending.borrow_mut().drain(..).collect();
        let mut found = None;
        for item in kept {
            match item {
                Ok(event) if found.is_none() && wanted(&event) => found = Some(event),
                other => self.pending.borrow_mut().push_back(other),
            }
        }
        if let Some(event) = found {
            return Ok(event);
        }
        let deadline = js_sys::Date::now() + f64::from(ms);
        loop {
            let left = (deadline - js_sys::Date::now()).max(0.0) as u32;
            let event = self.receive(left, what).await?;
            if wanted(&event) {
                return Ok(event);
            }
            self.pending.borrow_mut().push_back(Ok(event));
        }
    }

    async fn receive(&self, ms: u32, what: &str) -> Result<Event, JanusError> {
        // Borrowed only while polled, never across an await.
        let next = std::future::poll_fn(|cx| match self.events.try_borrow_mut() {
            Ok(mut events) => futures_core::Stream::poll_next(Pin::new(&mut *events), cx),
            Err(_) => std::task::Poll::Pending,
        });
        match first_of(next, sleep(ms)).await {
            Ok(Some(item)) => item,
            Ok(None) => Err(self
                .session
                .ended
                .borrow()
                .clone()
                .unwrap_or_else(|| JanusError::Transport("the session's events ended".into()))),
            Err(()) => Err(JanusError::Timeout(format!("{what} ({ms} ms)"))),
        }
    }

    /// Hands Janus one of this side's ICE candidates (`None`: gathering is complete).
    ///
    /// # Errors
    ///
    /// As [`Handle::message`].
    pub async fn trickle(
        &self,
        candidate: Option<&rtc_peer::RtcIceCandidate>,
    ) -> Result<(), JanusError> {
        let candidate = match candidate {
            Some(c) => json!({
                "candidate": c.candidate(),
                "sdpMid": c.sdp_mid(),
                "sdpMLineIndex": c.sdp_m_line_index(),
            }),
            None => json!({"completed": true}),
        };
        let body = json!({
            "janus": "trickle",
            "candidate": candidate,
            "transaction": self.session.transaction(),
        });
        post(&self.url(), &body).await.map(drop)
    }

    /// Hangs up this handle's PeerConnection on the Janus side (Janus sends `hangup`).
    ///
    /// # Errors
    ///
    /// As [`Handle::message`].
    pub async fn hangup(&self) -> Result<(), JanusError> {
        let body = json!({"janus": "hangup", "transaction": self.session.transaction()});
        post(&self.url(), &body).await.map(drop)
    }

    /// Detaches the handle from its plugin.
    ///
    /// # Errors
    ///
    /// As [`Handle::message`].
    pub async fn detach(&self) -> Result<(), JanusError> {
        let body = json!({"janus": "detach", "transaction": self.session.transaction()});
        post(&self.url(), &body).await.map(drop)
    }

    fn url(&self) -> String {
        format!("{}/{}/{}", self.session.base, self.session.id, self.id)
    }
}

/// `data.id` of a `success` reply (a new session or handle).
fn success_id(reply: &Value) -> Result<u64, JanusError> {
    match reply["janus"].as_str() {
        Some("success") => reply["data"]["id"]
            .as_u64()
            .ok_or_else(|| JanusError::Malformed(format!("a success without data.id: {reply}"))),
        _ => Err(JanusError::Malformed(format!("not a success: {reply}"))),
    }
}

fn janus_error(reply: &Value) -> JanusError {
    JanusError::Janus {
        code: reply["error"]["code"].as_i64().unwrap_or(0),
        reason: reply["error"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    }
}

/// POSTs `body` to `url`; Janus's reply, or its error reply as [`JanusError::Janus`].
async fn post(url: &str, body: &Value) -> Result<Value, JanusError> {
    let reply = request("POST", url, Some(body), REQUEST_MS).await?;
    if reply["janus"] == "error" {
        return Err(janus_error(&reply));
    }
    Ok(reply)
}

/// One HTTP request with a deadline of `ms`; the reply's JSON.
async fn request(
    method: &str,
    url: &str,
    body: Option<&Value>,
    ms: u32,
) -> Result<Value, JanusError> {
    let transport = |what: &str, e: JsValue| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| format!("{e:?}"));
        JanusError::Transport(format!("{method} {url}: {what}: {why}"))
    };
    let window = web_sys::window().ok_or_else(|| JanusError::Transport("no window".into()))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        // A text/plain body: a "simple" CORS request, no preflight.
        init.set_body(&JsValue::from_str(&body.to_string()));
    }
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(ms)));
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| transport("fetch failed", e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| JanusError::Transport(format!("{method} {url}: not a Response")))?;
    if !response.ok() {
        return Err(JanusError::Transport(format!(
            "{method} {url}: HTTP {}",
            response.status()
        )));
    }
    let text = response
        .text()
        .map_err(|e| transport("reading the body", e))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|e| transport("reading the body", e))?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text)
        .map_err(|e| JanusError::Malformed(format!("{method} {url}: not JSON ({e}): {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_and_bad_jsep_is_an_error() {
        let e = Event::from_json(
            r#"{"janus":"event","sender":7,"transaction":"t3",
                "plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"attached"}},
                "jsep":{"type":"offer","sdp":"v=0\r\n"}}"#,
        )
        .unwrap();
        assert_eq!(e.sender, Some(7));
        assert_eq!(e.jsep, Some(SessionDescription::offer("v=0\r\n")));
        assert_eq!(e.data.unwrap()["videoroom"], "attached");
        for bad in [
            r#"{"janus":"event","jsep":{"type":"banana","sdp":"v=0"}}"#,
            r#"{"janus":"event","jsep":{"type":"offer"}}"#,
            r#"{"janus":"event","jsep":"offer"}"#,
            r#"{"jsep":{"type":"offer","sdp":"v=0"}}"#,
            r#"{"janus":"event""#,
        ] {
            assert!(
                matches!(Event::from_json(bad), Err(JanusError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn plugin_errors_are_read_from_the_data() {
        let e = Event::from_json(
            r#"{"janus":"event","plugindata":{"data":{"error_code":426,"error":"No such room"}}}"#,
        )
        .unwrap();
        assert_eq!(
            e.plugin_error(),
            Some(JanusError::Plugin {
                code: 426,
                reason: "No such room".into()
            })
        );
    }
}
