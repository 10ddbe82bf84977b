//! Lemon Squeezy.
//!
//! `x-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the `x-event-name` header.
//!
//! Documentation: <https://docs.lemonsqueezy.com/help/webhooks/signing-requests>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.lemonsqueezy.com/help/webhooks/signing-requests";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"meta":{"event_name":"order_created","custom_data":{}},"data":{"type":"orders","id":"1","attributes":{"status":"paid","updated_at":"2023-11-14T22:13:20.000000Z"}}}"#;

/// The Lemon Squeezy scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::lemon_squeezy::scheme();
/// assert_eq!(scheme.provider(), "lemon-squeezy");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("lemon-squeezy")
        .signature(
            Signature::new(HeaderName::from_static("x-signature")),
        )
        .event_type(Source::header(HeaderName::from_static("x-event-name")))
        .into_scheme()
}

/// A Lemon Squeezy delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `x-event-name` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::lemon_squeezy;
///
/// let event: lemon_squeezy::Event = serde_json::from_str(lemon_squeezy::SAMPLE)?;
/// assert!(!event.extra.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
