//! Asana.
//!
//! When a webhook is created, Asana sends a handshake while the creating request is still under
//! way: a POST with `X-Hook-Secret: <secret>`, to be answered 200 with the same header. That
//! secret then signs every delivery: `X-Hook-Signature: <hex HMAC-SHA256(secret, body)>`. The
//! handshake is not authenticated, so the layer takes its secret only while
//! [`HookSecret::expect`](crate::HookSecret::expect) waits (see [`WebhookLayer::asana`]), and
//! refuses it (400) at any other time. Asana signs no timestamp; deliveries are a batch,
//! `{"events": [...]}`, and an empty one every 8 hours is a heartbeat; the dedup key is the
//! body's SHA-256.
//!
//! [`WebhookLayer::asana`]: crate::WebhookLayer::asana
//!
//! Documentation: <https://developers.asana.com/docs/webhooks-guide>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Handshake, IdSource, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.asana.com/docs/webhooks-guide";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"events":[{"user":{"gid":"1516","resource_type":"user"},"created_at":"2023-11-14T22:13:20.000Z","action":"changed","resource":{"gid":"1337","resource_type":"task","resource_subtype":"default_task"},"parent":null,"change":{"field":"due_on","action":"changed"}}]}"#;

/// The Asana scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::asana::scheme();
/// assert_eq!(scheme.handshake().unwrap().method(), "POST");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("asana")
        .signature(Signature::new(HeaderName::from_static("x-hook-signature")))
        .id(IdSource::body_hash())
        .handshake(Handshake::hook_secret(HeaderName::from_static(
            "x-hook-secret",
        )))
        .into_scheme()
}

/// An Asana delivery: a batch of events (empty for a heartbeat).
///
/// ```
/// use tower_webhooks::provider::asana;
///
/// let batch: asana::Batch = serde_json::from_str(asana::SAMPLE)?;
/// assert_eq!(batch.events[0].action, "changed");
/// assert_eq!(batch.events[0].resource["resource_type"], "task");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Batch {
    /// The events, oldest first.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One Asana event.
///
/// ```
/// let event: tower_webhooks::provider::asana::Event =
///     serde_json::from_str(r#"{"action":"added","resource":{"gid":"1"}}"#)?;
/// assert_eq!(event.action, "added");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened: `added`, `changed`, `removed`, `deleted`, `undeleted`.
    pub action: String,
    /// What it happened to.
    #[serde(default)]
    pub resource: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
