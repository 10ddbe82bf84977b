//! X (formerly Twitter), Account Activity API.
//!
//! The challenge-response check (CRC): `GET ?crc_token=<t>` at registration and about hourly
//! after, answered within 3 s with `{"response_token": "sha256=<base64 HMAC-SHA256(consumer
//! secret, t)>"}`. Events: `POST` with `x-twitter-webhooks-signature: sha256=<base64
//! HMAC-SHA256(consumer secret, body)>`. X sends no event id: the dedup key is the body hash.
//! A delivery holds one kind of event, under a key ending in `_events` (`tweet_create_events`,
//! `favorite_events`, ...): [`Event::event_type`] names it.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Handshake;
use crate::scheme::IdSource;
use crate::scheme::{Encoding, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.x.com/x-api/webhooks/introduction";

/// The X scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::x::scheme();
/// assert_eq!(scheme.provider(), "x");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("x")
        .signature(
            Signature::new(HeaderName::from_static("x-twitter-webhooks-signature"))
                .prefix("sha256=")
                .encoding(Encoding::Base64),
        )
        .id(IdSource::body_hash())
        .handshake(Handshake::query_mac(
            "crc_token",
            "response_token",
            "sha256=",
            Encoding::Base64,
        ))
        .into_scheme()
}

/// An Account Activity delivery: the user it is for, and one array of events.
///
/// ```
/// use tower_webhooks::provider::x;
///
/// let event: x::Event = serde_json::from_str(
///     r#"{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1"}]}"#,
/// )?;
/// assert_eq!(event.event_type(), Some("tweet_create_events"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The subscribed user the events are for.
    #[serde(default)]
    pub for_user_id: Option<String>,
    /// The events, under their kind (`tweet_create_events`, ...), and any other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The kind of events the delivery holds: its key ending in `_events`.
    pub fn event_type(&self) -> Option<&str> {
        self.extra
            .keys()
            .find(|key| key.ends_with("_events"))
            .map(String::as_str)
    }
}
