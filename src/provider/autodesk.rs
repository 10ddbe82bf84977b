//! Autodesk Platform Services.
//!
//! `x-adsk-signature: sha1hash=<hex HMAC-SHA1>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-adsk-delivery-id` header (else the body's SHA-256).
//! Event type: the JSON `/hook/event`.
//!
//! Documentation:
//! <https://aps.autodesk.com/en/docs/webhooks/v1/developers_guide/callback-verification/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Hash, IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://aps.autodesk.com/en/docs/webhooks/v1/developers_guide/callback-verification/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"version":"1.0","resourceUrn":"urn:adsk.wipprod:dm.lineage:1","hook":{"hookId":"0f60f6a0","event":"dm.version.added","system":"data"},"payload":{"name":"plan.rvt"}}"#;

/// The Autodesk Platform Services scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::autodesk::scheme();
/// assert_eq!(scheme.provider(), "autodesk");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("autodesk")
        .signature(
            Signature::new(HeaderName::from_static("x-adsk-signature"))
                .prefix("sha1hash=")
                .hash(Hash::Sha1),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-adsk-delivery-id"))).or_body_hash())
        .event_type(Source::json_path(&["hook", "event"]))
        .into_scheme()
}

/// A Autodesk Platform Services delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::autodesk;
///
/// let event: autodesk::Event = serde_json::from_str(autodesk::SAMPLE)?;
/// assert_eq!(event.event_type(), Some("dm.version.added"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The `hook` object (read by pointer, so that every shape of it is kept).
    #[serde(default)]
    pub hook: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type, `/hook/event`.
    pub fn event_type(&self) -> Option<&str> {
        self.hook.pointer("/event").and_then(serde_json::Value::as_str)
    }
}
