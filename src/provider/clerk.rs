//! Clerk.
//!
//! `svix-signature: v1,<base64 HMAC-SHA256>[ v1,…]` over `<id>.<t>.<body>`, keyed with the
//! secret's base64-decoded bytes.
//! The timestamp is `svix-timestamp` (unix seconds), within 300 s.
//! Dedup key: the `svix-id` header (else the body's SHA-256).
//! Event type: the JSON `/type`.
//! Clerk delivers through Svix: the `svix-*` headers and a `whsec_` secret.
//!
//! Documentation: <https://clerk.com/docs/webhooks/sync-data#verify-the-webhook>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, IdSource, Scheme, SecretFormat, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://clerk.com/docs/webhooks/sync-data#verify-the-webhook";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"type":"user.created","data":{"id":"user_1"}}"#;

/// The Clerk scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::clerk::scheme();
/// assert_eq!(scheme.provider(), "clerk");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("clerk")
        .signature(
            Signature::new(HeaderName::from_static("svix-signature"))
                .prefixed_list("v1,", ' ')
                .encoding(Encoding::Base64)
                .signs([SignedPart::Id, SignedPart::literal("."), SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body])
                .secret_format(SecretFormat::Base64 { prefix: "whsec_".into() }),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("svix-timestamp")))
        .tolerance(Duration::from_secs(300))
        .id(IdSource::from(Source::header(HeaderName::from_static("svix-id"))).or_body_hash())
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Clerk delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::clerk;
///
/// let event: clerk::Event = serde_json::from_str(clerk::SAMPLE)?;
/// assert_eq!(event.event_type(), "user.created");
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
