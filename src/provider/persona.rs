//! Persona.
//!
//! `persona-signature: t=<t>,v1=<hex HMAC-SHA256>[,v1=…]` over `<t>.<body>`, keyed with the secret
//! as written.
//! The timestamp is the `t` pair (unix seconds), within 300 s.
//! Dedup key: the JSON `/data/id`.
//! Event type: the JSON `/data/attributes/name`.
//! Persona may send several `t=..,v1=..` sets separated by spaces during a rotation; this preset
//! reads one set.
//!
//! Documentation: <https://docs.withpersona.com/docs/webhooks-best-practices#checking-signatures>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.withpersona.com/docs/webhooks-best-practices#checking-signatures";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"data":{"type":"event","id":"evt_XGuYWp4W2YJV7BvMfZ2NPTDn","attributes":{"name":"inquiry.completed","created-at":"2023-11-14T22:13:20.000Z","payload":{"data":{"type":"inquiry","id":"inq_1"}}}}}"#;

/// The Persona scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::persona::scheme();
/// assert_eq!(scheme.provider(), "persona");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("persona")
        .signature(
            Signature::new(HeaderName::from_static("persona-signature"))
                .pairs(',', "v1")
                .signs([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["data", "id"]))
        .event_type(Source::json_path(&["data", "attributes", "name"]))
        .into_scheme()
}

/// A Persona delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::persona;
///
/// let event: persona::Event = serde_json::from_str(persona::SAMPLE)?;
/// assert_eq!(event.id(), Some("evt_XGuYWp4W2YJV7BvMfZ2NPTDn"));
/// assert_eq!(event.event_type(), Some("inquiry.completed"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The `data` object (read by pointer, so that every shape of it is kept).
    #[serde(default)]
    pub data: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event id, `/data/id`, the dedup key.
    pub fn id(&self) -> Option<&str> {
        self.data.pointer("/id").and_then(serde_json::Value::as_str)
    }

    /// The event type, `/data/attributes/name`.
    pub fn event_type(&self) -> Option<&str> {
        self.data.pointer("/attributes/name").and_then(serde_json::Value::as_str)
    }
}
