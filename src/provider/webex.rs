//! Webex.
//!
//! `x-spark-signature: <hex HMAC-SHA1>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/event`.
//!
//! Documentation: <https://developer.webex.com/docs/webhooks#handling-requests-from-webex>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Hash, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.webex.com/docs/webhooks#handling-requests-from-webex";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"id":"Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZjRlNjA1NjAtNjYwMi00ZmIwLWEyNWEtOTQ5ODgxNjA5NDk3","name":"New message","resource":"messages","event":"created","data":{"id":"Y2lz"},"created":"2023-11-14T22:13:20.000Z"}"#;

/// The Webex scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::webex::scheme();
/// assert_eq!(scheme.provider(), "webex");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("webex")
        .signature(
            Signature::new(HeaderName::from_static("x-spark-signature"))
                .hash(Hash::Sha1),
        )
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A Webex delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::webex;
///
/// let event: webex::Event = serde_json::from_str(webex::SAMPLE)?;
/// assert_eq!(event.event_type(), "created");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "event")]
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
