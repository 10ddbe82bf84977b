//! Zendesk.
//!
//! `x-zendesk-webhook-signature: <base64 HMAC-SHA256>` over `<t><body>`, keyed with the secret as
//! written.
//! The timestamp is `x-zendesk-webhook-signature-timestamp` (RFC 3339), within 300 s.
//! Dedup key: the `x-zendesk-webhook-invocation-id` header (else the body's SHA-256).
//! Event type: the JSON `/type`.
//! The timestamp is RFC 3339 and signed as sent, before the body with nothing between.
//!
//! Documentation: <https://developer.zendesk.com/documentation/webhooks/verifying/>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, IdSource, Scheme, Signature, SignedPart, Source, TimestampFormat, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.zendesk.com/documentation/webhooks/verifying/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"type":"zen:event-type:ticket.created","account_id":1234,"id":"01HF2Z9Q7W","time":"2023-11-14T22:13:20Z","detail":{"id":"35"}}"#;

/// The Zendesk scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::zendesk::scheme();
/// assert_eq!(scheme.provider(), "zendesk");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("zendesk")
        .signature(
            Signature::new(HeaderName::from_static("x-zendesk-webhook-signature"))
                .encoding(Encoding::Base64)
                .signs([SignedPart::Timestamp, SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-zendesk-webhook-signature-timestamp")))
        .timestamp_format(TimestampFormat::Rfc3339)
        .tolerance(Duration::from_secs(300))
        .id(IdSource::from(Source::header(HeaderName::from_static("x-zendesk-webhook-invocation-id"))).or_body_hash())
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Zendesk delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::zendesk;
///
/// let event: zendesk::Event = serde_json::from_str(zendesk::SAMPLE)?;
/// assert_eq!(event.event_type(), "zen:event-type:ticket.created");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}
