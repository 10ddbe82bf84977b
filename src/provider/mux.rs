//! Mux.
//!
//! `mux-signature: t=<t>,v1=<hex HMAC-SHA256>[,v1=…]` over `<t>.<body>`, keyed with the secret as
//! written.
//! The timestamp is the `t` pair (unix seconds), within 300 s.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://www.mux.com/docs/core/verify-webhook-signatures>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.mux.com/docs/core/verify-webhook-signatures";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"type":"video.asset.ready","id":"3a56ac3d-33da-4366-855b-f592d898409d","created_at":"2023-11-14T22:13:20.000Z","object":{"type":"asset","id":"a1"},"data":{"id":"a1","status":"ready"}}"#;

/// The Mux scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::mux::scheme();
/// assert_eq!(scheme.provider(), "mux");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("mux")
        .signature(
            Signature::new(HeaderName::from_static("mux-signature"))
                .pairs(',', "v1")
                .signs([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Mux delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::mux;
///
/// let event: mux::Event = serde_json::from_str(mux::SAMPLE)?;
/// assert_eq!(event.event_type(), "video.asset.ready");
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
