//! Pinwheel.
//!
//! `x-pinwheel-signature: v2=<hex HMAC-SHA256>` over `v2:<t>:<body>`, keyed with the secret as
//! written.
//! The timestamp is `x-timestamp` (unix seconds), within 300 s.
//! Dedup key: the JSON `/event_id`.
//! Event type: the JSON `/event`.
//!
//! Documentation: <https://docs.pinwheelapi.com/public/docs/webhook-signature-verification>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.pinwheelapi.com/public/docs/webhook-signature-verification";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event":"account.added","event_id":"f3b2a1c0-9e8d-4c7b-a6f5-e4d3c2b1a0f9","payload":{"account_id":"03f1a3e2"}}"#;

/// The Pinwheel scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::pinwheel::scheme();
/// assert_eq!(scheme.provider(), "pinwheel");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("pinwheel")
        .signature(
            Signature::new(HeaderName::from_static("x-pinwheel-signature"))
                .prefix("v2=")
                .signs([SignedPart::literal("v2:"), SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-timestamp")))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["event_id"]))
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A Pinwheel delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::pinwheel;
///
/// let event: pinwheel::Event = serde_json::from_str(pinwheel::SAMPLE)?;
/// assert_eq!(event.event_type(), "account.added");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the dedup key.
    #[serde(rename = "event_id")]
    pub id: String,
    /// The event type.
    #[serde(rename = "event")]
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
