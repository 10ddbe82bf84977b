//! Worldline Connect.
//!
//! `x-gcs-signature: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://docs.connect.worldline-solutions.com/documentation/webhooks/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.connect.worldline-solutions.com/documentation/webhooks/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"apiVersion":"v1","id":"8ee793f6-4553-4749-85dc-f2ef095c5ab0","created":"2017-02-02T11:24:14.040+0100","merchantId":"20000","type":"payment.paid","payment":{"id":"00000200000143570012"}}"#;

/// The Worldline Connect scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::worldline::scheme();
/// assert_eq!(scheme.provider(), "worldline");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("worldline")
        .signature(
            Signature::new(HeaderName::from_static("x-gcs-signature"))
                .encoding(Encoding::Base64),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Worldline Connect delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::worldline;
///
/// let event: worldline::Event = serde_json::from_str(worldline::SAMPLE)?;
/// assert_eq!(event.event_type(), "payment.paid");
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
