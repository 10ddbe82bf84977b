//! Mollie (next-generation webhooks).
//!
//! `x-mollie-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://docs.mollie.com/reference/webhooks-new#verifying-webhook-signatures>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.mollie.com/reference/webhooks-new#verifying-webhook-signatures";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"resource":"event","id":"whe_1a2b3c","type":"payment-link.paid","entityId":"pl_4Y0eZitmBnQ6IDoMqZQKh","createdAt":"2023-11-14T22:13:20+00:00"}"#;

/// The Mollie (next-generation webhooks) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::mollie::scheme();
/// assert_eq!(scheme.provider(), "mollie");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("mollie")
        .signature(
            Signature::new(HeaderName::from_static("x-mollie-signature")),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Mollie (next-generation webhooks) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::mollie;
///
/// let event: mollie::Event = serde_json::from_str(mollie::SAMPLE)?;
/// assert_eq!(event.event_type(), "payment-link.paid");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the dedup key.
    pub id: String,
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
