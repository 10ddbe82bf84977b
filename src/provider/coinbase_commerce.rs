//! Coinbase Commerce.
//!
//! `x-cc-webhook-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/event/id`.
//! Event type: the JSON `/event/type`.
//!
//! Documentation: <https://docs.cdp.coinbase.com/commerce/docs/webhooks-security>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.cdp.coinbase.com/commerce/docs/webhooks-security";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"id":"24934862-d980-46cb-9402-43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","created_at":"2017-01-31T20:49:02Z","data":{"code":"66BEOV2A"}}}"#;

/// The Coinbase Commerce scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::coinbase_commerce::scheme();
/// assert_eq!(scheme.provider(), "coinbase-commerce");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("coinbase-commerce")
        .signature(
            Signature::new(HeaderName::from_static("x-cc-webhook-signature")),
        )
        .id(Source::json_path(&["event", "id"]))
        .event_type(Source::json_path(&["event", "type"]))
        .into_scheme()
}

/// A Coinbase Commerce delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::coinbase_commerce;
///
/// let event: coinbase_commerce::Event = serde_json::from_str(coinbase_commerce::SAMPLE)?;
/// assert_eq!(event.id(), Some("24934862-d980-46cb-9402-43c81b0cdba6"));
/// assert_eq!(event.event_type(), Some("charge:created"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The `event` object (read by pointer, so that every shape of it is kept).
    #[serde(default)]
    pub event: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event id, `/event/id`, the dedup key.
    pub fn id(&self) -> Option<&str> {
        self.event.pointer("/id").and_then(serde_json::Value::as_str)
    }

    /// The event type, `/event/type`.
    pub fn event_type(&self) -> Option<&str> {
        self.event.pointer("/type").and_then(serde_json::Value::as_str)
    }
}
