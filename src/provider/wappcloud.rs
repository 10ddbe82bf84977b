//! Wappcloud (WhatsApp messaging).
//!
//! One URL for both methods: `GET ?challenge=<v>` at registration is answered 200
//! `application/json` `{"challenge":"<v>"}` (the handler is not called); events are POSTed with
//! `X-Wappcloud-Event: incoming_message | status_update` and
//! `X-Wappcloud-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` (the prefix follows the
//! guide's code sample and is required).
//!
//! Wappcloud documents no event id, so the dedup key is the SHA-256 of the body: an exact
//! redelivery is dropped, and no two different events can be mistaken for one another.

use http::{HeaderName, Method};
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Handshake;
use crate::scheme::{IdSource, Source};
use crate::scheme::{Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.wappcloud.com/webhooks";

/// The Wappcloud scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::wappcloud::scheme();
/// assert_eq!(scheme.provider(), "wappcloud");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("wappcloud")
        .signature(
            Signature::new(HeaderName::from_static("x-wappcloud-signature")).prefix("sha256="),
        )
        .id(IdSource::body_hash())
        .event_type(Source::header(HeaderName::from_static("x-wappcloud-event")))
        .handshake(Handshake::echo_json("challenge", "challenge"))
        .methods([Method::POST])
        .into_scheme()
}

/// A Wappcloud event. Its type is in the `X-Wappcloud-Event` header
/// ([`Event::event_type`](crate::Event::event_type)); the body's shape depends on it and is kept
/// as JSON.
///
/// ```
/// use tower_webhooks::provider::wappcloud;
///
/// let event: wappcloud::Event = serde_json::from_str(
///     r#"{"event":"incoming_message","data":{"id":"msg_01HZX8","text":"Hi there"}}"#,
/// )?;
/// assert_eq!(event.data["text"], "Hi there");
/// assert_eq!(event.event_type(), Some("incoming_message"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event name, when the body repeats it.
    #[serde(default)]
    pub event: Option<String>,
    /// The event's data.
    #[serde(default)]
    pub data: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event name when the body repeats it; the `X-Wappcloud-Event` header always has it,
    /// as [`Event::event_type`](crate::Event::event_type).
    pub fn event_type(&self) -> Option<&str> {
        self.event.as_deref()
    }
}
