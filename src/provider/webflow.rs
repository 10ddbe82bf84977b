//! Webflow.
//!
//! `x-webflow-signature: <hex HMAC-SHA256>` over `<t>:<body>`, keyed with the secret as written.
//! The timestamp is `x-webflow-timestamp` (unix milliseconds), within 300 s.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/triggerType`.
//! The timestamp is in milliseconds.
//!
//! Documentation:
//! <https://developers.webflow.com/data/docs/working-with-webhooks#validating-request-signatures>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampFormat, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.webflow.com/data/docs/working-with-webhooks#validating-request-signatures";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"triggerType":"form_submission","payload":{"name":"Contact","siteId":"65427cf400e02b306eaa049c","data":{"email":"ada@example.com"},"id":"6321ca84df3949bfc6752327"}}"#;

/// The Webflow scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::webflow::scheme();
/// assert_eq!(scheme.provider(), "webflow");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("webflow")
        .signature(
            Signature::new(HeaderName::from_static("x-webflow-signature"))
                .signs([SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-webflow-timestamp")))
        .timestamp_format(TimestampFormat::UnixMillis)
        .tolerance(Duration::from_secs(300))
        .event_type(Source::json_path(&["triggerType"]))
        .into_scheme()
}

/// A Webflow delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::webflow;
///
/// let event: webflow::Event = serde_json::from_str(webflow::SAMPLE)?;
/// assert_eq!(event.event_type(), "form_submission");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "triggerType")]
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
