//! Sentry (integration platform).
//!
//! `sentry-hook-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the `sentry-hook-resource` header.
//!
//! Documentation:
//! <https://docs.sentry.io/organization/integrations/integration-platform/webhooks/#verifying-the-signature>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.sentry.io/organization/integrations/integration-platform/webhooks/#verifying-the-signature";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"action":"created","installation":{"uuid":"a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},"data":{"issue":{"id":"1170820242"}},"actor":{"type":"application"}}"#;

/// The Sentry (integration platform) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::sentry::scheme();
/// assert_eq!(scheme.provider(), "sentry");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("sentry")
        .signature(
            Signature::new(HeaderName::from_static("sentry-hook-signature")),
        )
        .event_type(Source::header(HeaderName::from_static("sentry-hook-resource")))
        .into_scheme()
}

/// A Sentry (integration platform) delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `sentry-hook-resource` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::sentry;
///
/// let event: sentry::Event = serde_json::from_str(sentry::SAMPLE)?;
/// assert!(!event.extra.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
