//! Modern Treasury.
//!
//! `x-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-webhook-id` header (else the body's SHA-256).
//! Event type: the JSON `/event`.
//!
//! Documentation: <https://docs.moderntreasury.com/platform/reference/verify-webhooks>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.moderntreasury.com/platform/reference/verify-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event":"completed","data":{"id":"0f8e3719-3dfd-4613-9bbf-c0333781b59f","object":"payment_order","status":"completed"}}"#;

/// The Modern Treasury scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::modern_treasury::scheme();
/// assert_eq!(scheme.provider(), "modern-treasury");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("modern-treasury")
        .signature(
            Signature::new(HeaderName::from_static("x-signature")),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-webhook-id"))).or_body_hash())
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A Modern Treasury delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::modern_treasury;
///
/// let event: modern_treasury::Event = serde_json::from_str(modern_treasury::SAMPLE)?;
/// assert_eq!(event.event_type(), "completed");
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
