//! AfterShip.
//!
//! `aftership-hmac-sha256: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/event_id`.
//! Event type: the JSON `/event`.
//!
//! Documentation: <https://www.aftership.com/docs/tracking/webhook/webhook-signature>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.aftership.com/docs/tracking/webhook/webhook-signature";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event_id":"8f1d1f0c-5f2e-4a58-9a5d-0b8f1a7c2e11","event":"tracking_update","is_tracking_first_tag":false,"msg":{"id":"5b7658cec7c33c0e007de3c5","tag":"InTransit"},"ts":1700000000}"#;

/// The AfterShip scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::aftership::scheme();
/// assert_eq!(scheme.provider(), "aftership");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("aftership")
        .signature(
            Signature::new(HeaderName::from_static("aftership-hmac-sha256"))
                .encoding(Encoding::Base64),
        )
        .id(Source::json_path(&["event_id"]))
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A AfterShip delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::aftership;
///
/// let event: aftership::Event = serde_json::from_str(aftership::SAMPLE)?;
/// assert_eq!(event.event_type(), "tracking_update");
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
