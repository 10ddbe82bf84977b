//! LaunchDarkly.
//!
//! `x-ld-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/_id`.
//! Event type: the JSON `/kind`.
//!
//! Documentation: <https://docs.launchdarkly.com/home/connect/webhooks#sign-webhooks>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.launchdarkly.com/home/connect/webhooks#sign-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"_id":"5f6a1b2c3d4e5f6a7b8c9d0e","kind":"flag","name":"Ada changed the flag","date":1700000000000,"accesses":[{"action":"updateOn"}]}"#;

/// The LaunchDarkly scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::launchdarkly::scheme();
/// assert_eq!(scheme.provider(), "launchdarkly");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("launchdarkly")
        .signature(
            Signature::new(HeaderName::from_static("x-ld-signature")),
        )
        .id(Source::json_path(&["_id"]))
        .event_type(Source::json_path(&["kind"]))
        .into_scheme()
}

/// A LaunchDarkly delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::launchdarkly;
///
/// let event: launchdarkly::Event = serde_json::from_str(launchdarkly::SAMPLE)?;
/// assert_eq!(event.event_type(), "flag");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the dedup key.
    #[serde(rename = "_id")]
    pub id: String,
    /// The event type.
    #[serde(rename = "kind")]
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
