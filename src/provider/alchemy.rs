//! Alchemy (Notify).
//!
//! `x-alchemy-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//!
//! Documentation:
//! <https://www.alchemy.com/docs/reference/notify-api-quickstart#webhook-signature--security>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.alchemy.com/docs/reference/notify-api-quickstart#webhook-signature--security";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"webhookId":"wh_octjglnywaupz6th","id":"whevt_ogrc5v64myey69ux","createdAt":"2022-02-28T17:48:53.306Z","type":"ADDRESS_ACTIVITY","event":{"network":"MATIC_MAINNET","activity":[]}}"#;

/// The Alchemy (Notify) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::alchemy::scheme();
/// assert_eq!(scheme.provider(), "alchemy");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("alchemy")
        .signature(
            Signature::new(HeaderName::from_static("x-alchemy-signature")),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Alchemy (Notify) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::alchemy;
///
/// let event: alchemy::Event = serde_json::from_str(alchemy::SAMPLE)?;
/// assert_eq!(event.event_type(), "ADDRESS_ACTIVITY");
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
