//! Customer.io (reporting webhooks).
//!
//! `x-cio-signature: <hex HMAC-SHA256>` over `v0:<t>:<body>`, keyed with the secret as written.
//! The timestamp is `x-cio-timestamp` (unix seconds), within 300 s.
//! Dedup key: the JSON `/event_id`.
//! Event type: the JSON `/metric`.
//!
//! Documentation: <https://docs.customer.io/journeys/webhooks/#securely-verify-requests>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.customer.io/journeys/webhooks/#securely-verify-requests";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"email","metric":"delivered","timestamp":1700000000,"data":{"customer_id":"42"}}"#;

/// The Customer.io (reporting webhooks) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::customer_io::scheme();
/// assert_eq!(scheme.provider(), "customer.io");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("customer.io")
        .signature(
            Signature::new(HeaderName::from_static("x-cio-signature"))
                .signs([SignedPart::literal("v0:"), SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-cio-timestamp")))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["event_id"]))
        .event_type(Source::json_path(&["metric"]))
        .into_scheme()
}

/// A Customer.io (reporting webhooks) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::customer_io;
///
/// let event: customer_io::Event = serde_json::from_str(customer_io::SAMPLE)?;
/// assert_eq!(event.event_type(), "delivered");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the dedup key.
    #[serde(rename = "event_id")]
    pub id: String,
    /// The event type.
    #[serde(rename = "metric")]
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
