//! Castle.
//!
//! `x-castle-signature: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://docs.castle.io/docs/webhooks#verifying-the-signature>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.castle.io/docs/webhooks#verifying-the-signature";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"api_version":"v1","app_id":"368721375658952","type":"$incident.confirmed","created_at":"2021-02-24T21:39:33.495Z","data":{"id":"P2lbg8_UdnSTVmK0g2DeOjREKc91","user_id":"12345"}}"#;

/// The Castle scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::castle::scheme();
/// assert_eq!(scheme.provider(), "castle");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("castle")
        .signature(
            Signature::new(HeaderName::from_static("x-castle-signature"))
                .encoding(Encoding::Base64),
        )
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Castle delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::castle;
///
/// let event: castle::Event = serde_json::from_str(castle::SAMPLE)?;
/// assert_eq!(event.event_type(), "$incident.confirmed");
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
