//! Sonatype Nexus Repository.
//!
//! `x-nexus-webhook-signature: <hex HMAC-SHA1>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-nexus-webhook-delivery` header (else the body's SHA-256).
//! Event type: the `x-nexus-webhook-id` header.
//!
//! Documentation: <https://help.sonatype.com/en/webhooks.html>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Hash, IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://help.sonatype.com/en/webhooks.html";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"timestamp":"2023-11-14T22:13:20.000+0000","nodeId":"7FFA7361","initiator":"admin/127.0.0.1","repositoryName":"maven-releases","action":"CREATED"}"#;

/// The Sonatype Nexus Repository scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::sonatype::scheme();
/// assert_eq!(scheme.provider(), "sonatype");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("sonatype")
        .signature(
            Signature::new(HeaderName::from_static("x-nexus-webhook-signature"))
                .hash(Hash::Sha1),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-nexus-webhook-delivery"))).or_body_hash())
        .event_type(Source::header(HeaderName::from_static("x-nexus-webhook-id")))
        .into_scheme()
}

/// A Sonatype Nexus Repository delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `x-nexus-webhook-id` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::sonatype;
///
/// let event: sonatype::Event = serde_json::from_str(sonatype::SAMPLE)?;
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
