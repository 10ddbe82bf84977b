//! Bolt.
//!
//! `x-bolt-hmac-sha256: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://help.bolt.com/developers/webhooks/#verify-webhook-signatures>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://help.bolt.com/developers/webhooks/#verify-webhook-signatures";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"type":"payment","object":"transaction","data":{"id":"TAd9zUwHEbVeq","reference":"LBLJ-TWW7-R9VC","status":"completed"}}"#;

/// The Bolt scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::bolt::scheme();
/// assert_eq!(scheme.provider(), "bolt");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("bolt")
        .signature(
            Signature::new(HeaderName::from_static("x-bolt-hmac-sha256"))
                .encoding(Encoding::Base64),
        )
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Bolt delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::bolt;
///
/// let event: bolt::Event = serde_json::from_str(bolt::SAMPLE)?;
/// assert_eq!(event.event_type(), "payment");
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
