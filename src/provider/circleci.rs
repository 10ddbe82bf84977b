//! CircleCI.
//!
//! `circleci-signature: v1=<hex HMAC-SHA256>[,v1=…]` over `<body>`, keyed with the secret as
//! written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//! Entries other than `v1=` (future versions) are skipped; any `v1` may match.
//!
//! Documentation: <https://circleci.com/docs/webhooks/#validate-webhooks>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://circleci.com/docs/webhooks/#validate-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"id":"3888f21b-eaa7-38e3-8f3d-75a63bba8895","type":"workflow-completed","happened_at":"2021-09-01T22:49:34.317Z","webhook":{"id":"cf8c4fdd-0587-4da1-b4ca-4846e9640af9","name":"Sample Webhook"}}"#;

/// The CircleCI scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::circleci::scheme();
/// assert_eq!(scheme.provider(), "circleci");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("circleci")
        .signature(
            Signature::new(HeaderName::from_static("circleci-signature"))
                .pairs(',', "v1"),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A CircleCI delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::circleci;
///
/// let event: circleci::Event = serde_json::from_str(circleci::SAMPLE)?;
/// assert_eq!(event.event_type(), "workflow-completed");
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
