//! Linear.
//!
//! `Linear-Signature: <hex HMAC-SHA256(signing secret, body)>`; the timestamp is the body's
//! `webhookTimestamp` (milliseconds), read once the signature over the body has matched, and
//! Linear says to refuse one more than a minute away. (Linear's newer, unsigned
//! `Linear-Timestamp` header is not used: only the signed body field counts.) The dedup key is
//! `Linear-Delivery`; the type is the body's entity `type` (`Issue`, `Comment`, ...), the
//! `action` (`create`, `update`, `remove`) is in the payload. Linear retries 3 times: after 1
//! minute, 1 hour and 6 hours.

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    IdSource, Pointer, Scheme, Signature, Source, TimestampFormat, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://linear.app/developers/webhooks";

/// The Linear scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::linear::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 60);
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("linear")
        .signature(Signature::new(HeaderName::from_static("linear-signature")))
        .timestamp(TimestampSource::Json(Pointer::from_keys(&[
            "webhookTimestamp",
        ])))
        .timestamp_format(TimestampFormat::UnixMillis)
        .tolerance(Duration::from_secs(60))
        .id(
            IdSource::from(Source::header(HeaderName::from_static("linear-delivery")))
                .or_body_hash(),
        )
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Linear webhook.
///
/// ```
/// use tower_webhooks::provider::linear;
///
/// let event: linear::Event = serde_json::from_str(
///     r#"{"action":"create","type":"Comment","data":{"id":"2174add1","body":"Indeed"},
///         "url":"https://linear.app/issue/LIN-1778","createdAt":"2020-01-23T12:53:18.084Z",
///         "webhookTimestamp":1676056940508,"webhookId":"000042e3"}"#,
/// )?;
/// assert_eq!((event.event_type(), event.action.as_str()), ("Comment", "create"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// `create`, `update` or `remove` (other events name their own, such as `breached`).
    pub action: String,
    /// The entity type: `Issue`, `Comment`, `Project`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The entity.
    #[serde(default)]
    pub data: serde_json::Value,
    /// The entity's URL.
    #[serde(default)]
    pub url: Option<String>,
    /// When the webhook was sent (unix milliseconds, signed).
    pub webhook_timestamp: i64,
    /// Every other field (`createdAt`, `updatedFrom`, `organizationId`, `webhookId`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The entity type, such as `Issue`.
    pub fn event_type(&self) -> &str {
        &self.kind
    }
}
