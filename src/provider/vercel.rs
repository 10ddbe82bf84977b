//! Vercel.
//!
//! `x-vercel-signature: <hex HMAC-SHA1>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Hash, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"id":"evt_4f1d2e3c","type":"deployment.created","createdAt":1700000000000,"payload":{"deployment":{"id":"dpl_2"}}}"#;

/// The Vercel scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::vercel::scheme();
/// assert_eq!(scheme.provider(), "vercel");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("vercel")
        .signature(
            Signature::new(HeaderName::from_static("x-vercel-signature"))
                .hash(Hash::Sha1),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Vercel delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::vercel;
///
/// let event: vercel::Event = serde_json::from_str(vercel::SAMPLE)?;
/// assert_eq!(event.event_type(), "deployment.created");
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
