//! Brex.
//!
//! `webhook-signature: v1,<base64 HMAC-SHA256>[ v1,…]` over `<id>.<t>.<body>`, keyed with the
//! secret's base64-decoded bytes.
//! The timestamp is `webhook-timestamp` (unix seconds), within 300 s.
//! Dedup key: the `webhook-id` header (else the body's SHA-256).
//! Event type: the JSON `/event_type`.
//! Standard Webhooks headers (`webhook-*`) and a `whsec_` secret; during a rotation two signatures
//! arrive.
//!
//! Documentation: <https://developer.brex.com/docs/webhooks/#verifying-webhooks>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, IdSource, Scheme, SecretFormat, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.brex.com/docs/webhooks/#verifying-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event_type":"TRANSFER_PROCESSED","transfer_id":"dpmt_1","company_id":"cuacc_1"}"#;

/// The Brex scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::brex::scheme();
/// assert_eq!(scheme.provider(), "brex");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("brex")
        .signature(
            Signature::new(HeaderName::from_static("webhook-signature"))
                .prefixed_list("v1,", ' ')
                .encoding(Encoding::Base64)
                .signs([SignedPart::Id, SignedPart::literal("."), SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body])
                .secret_format(SecretFormat::Base64 { prefix: "whsec_".into() }),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("webhook-timestamp")))
        .tolerance(Duration::from_secs(300))
        .id(IdSource::from(Source::header(HeaderName::from_static("webhook-id"))).or_body_hash())
        .event_type(Source::json_path(&["event_type"]))
        .into_scheme()
}

/// A Brex delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::brex;
///
/// let event: brex::Event = serde_json::from_str(brex::SAMPLE)?;
/// assert_eq!(event.event_type(), "TRANSFER_PROCESSED");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
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
