//! Frame.io.
//!
//! `x-frameio-signature: v0=<hex HMAC-SHA256>` over `v0:<t>:<body>`, keyed with the secret as
//! written.
//! The timestamp is `x-frameio-request-timestamp` (unix seconds), within 300 s.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/type`.
//!
//! Documentation:
//! <https://developer.frame.io/platform/v4/docs/guides/webhooks#webhook-signature-verification>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.frame.io/platform/v4/docs/guides/webhooks#webhook-signature-verification";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"type":"file.ready","resource":{"type":"file","id":"9a8b7c6d"},"account":{"id":"acc1"},"workspace":{"id":"ws1"}}"#;

/// The Frame.io scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::frameio::scheme();
/// assert_eq!(scheme.provider(), "frame.io");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("frame.io")
        .signature(
            Signature::new(HeaderName::from_static("x-frameio-signature"))
                .prefix("v0=")
                .signs([SignedPart::literal("v0:"), SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-frameio-request-timestamp")))
        .tolerance(Duration::from_secs(300))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Frame.io delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::frameio;
///
/// let event: frameio::Event = serde_json::from_str(frameio::SAMPLE)?;
/// assert_eq!(event.event_type(), "file.ready");
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
