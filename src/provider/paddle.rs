//! Paddle Billing.
//!
//! `Paddle-Signature: ts=<unix s>;h1=<hex HMAC-SHA256(secret, "<ts>:<body>")>`, with several `h1`
//! during a secret rotation. The tolerance is 5 s, the default of Paddle's own SDKs: widen it with
//! [`WebhookLayer::with_tolerance`](crate::WebhookLayer::with_tolerance) if your clock may drift. JSON `event_id` is the dedup key and
//! `event_type` the type.

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Source;
use crate::scheme::{Scheme, Signature, TimestampSource};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.paddle.com/webhooks/signature-verification";

/// The Paddle Billing scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::paddle::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 5);
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("paddle")
        .signature(
            Signature::new(HeaderName::from_static("paddle-signature"))
                .pairs(';', "h1")
                .signs(super::timestamp_then_body(":")),
        )
        .timestamp(TimestampSource::Pair("ts".into()))
        .tolerance(Duration::from_secs(5))
        .id(Source::json_path(&["event_id"]))
        .event_type(Source::json_path(&["event_type"]))
        .into_scheme()
}

/// A Paddle Billing notification.
///
/// ```
/// use tower_webhooks::provider::paddle;
///
/// let event: paddle::Event = serde_json::from_str(
///     r#"{"event_id":"evt_1","event_type":"transaction.completed",
///         "occurred_at":"2024-01-01T00:00:00Z","notification_id":"ntf_1","data":{"id":"txn_1"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "transaction.completed");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id (`evt_...`).
    pub event_id: String,
    /// The event type, such as `transaction.completed`.
    pub event_type: String,
    /// When it happened (RFC 3339).
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// The notification (one per destination and event).
    #[serde(default)]
    pub notification_id: Option<String>,
    /// The entity the event is about.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl Event {
    /// The event type.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}
