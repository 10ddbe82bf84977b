//! Sanity (GROQ-powered webhooks).
//!
//! `sanity-webhook-signature: t=<t>,v1=<base64url HMAC-SHA256>[,v1=…]` over `<t>.<body>`, keyed
//! with the secret as written.
//! The timestamp is the `t` pair (unix milliseconds), within 300 s.
//! Dedup key: the `idempotency-key` header (else the body's SHA-256).
//! Event type: the `sanity-operation` header.
//! The timestamp is in milliseconds and the MAC in unpadded base64url.
//!
//! Documentation: <https://www.sanity.io/docs/webhooks#d3fc4f3d9c1c>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, IdSource, Scheme, Signature, SignedPart, Source, TimestampFormat, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.sanity.io/docs/webhooks#d3fc4f3d9c1c";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"_id":"post-123","_type":"post","_rev":"abc","title":"Hello"}"#;

/// The Sanity (GROQ-powered webhooks) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::sanity::scheme();
/// assert_eq!(scheme.provider(), "sanity");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("sanity")
        .signature(
            Signature::new(HeaderName::from_static("sanity-webhook-signature"))
                .pairs(',', "v1")
                .encoding(Encoding::Base64Url)
                .signs([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .timestamp_format(TimestampFormat::UnixMillis)
        .tolerance(Duration::from_secs(300))
        .id(IdSource::from(Source::header(HeaderName::from_static("idempotency-key"))).or_body_hash())
        .event_type(Source::header(HeaderName::from_static("sanity-operation")))
        .into_scheme()
}

/// A Sanity (GROQ-powered webhooks) delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `sanity-operation` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::sanity;
///
/// let event: sanity::Event = serde_json::from_str(sanity::SAMPLE)?;
/// assert!(!event.extra.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
