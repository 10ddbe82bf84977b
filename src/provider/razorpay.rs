//! Razorpay.
//!
//! `x-razorpay-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-razorpay-event-id` header (else the body's SHA-256).
//! Event type: the JSON `/event`.
//!
//! Documentation: <https://razorpay.com/docs/webhooks/validate-test/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://razorpay.com/docs/webhooks/validate-test/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"entity":"event","account_id":"acc_BFQ7uQEaa7j2z7","event":"payment.captured","contains":["payment"],"payload":{"payment":{"entity":{"id":"pay_6koWN7bvxujzxM"}}},"created_at":1700000000}"#;

/// The Razorpay scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::razorpay::scheme();
/// assert_eq!(scheme.provider(), "razorpay");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("razorpay")
        .signature(
            Signature::new(HeaderName::from_static("x-razorpay-signature")),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-razorpay-event-id"))).or_body_hash())
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A Razorpay delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::razorpay;
///
/// let event: razorpay::Event = serde_json::from_str(razorpay::SAMPLE)?;
/// assert_eq!(event.event_type(), "payment.captured");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
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
