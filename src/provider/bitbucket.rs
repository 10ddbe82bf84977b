//! Bitbucket Cloud.
//!
//! `x-hub-signature: sha256=<hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-request-uuid` header (else the body's SHA-256).
//! Event type: the `x-event-key` header.
//! SHA-256 under the header name GitHub uses for SHA-1; there is no `-256` header.
//!
//! Documentation:
//! <https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"repository":{"full_name":"team/repo","uuid":"{1c8d5c1e}"},"actor":{"display_name":"Ada"},"push":{"changes":[]}}"#;

/// The Bitbucket Cloud scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::bitbucket::scheme();
/// assert_eq!(scheme.provider(), "bitbucket");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("bitbucket")
        .signature(
            Signature::new(HeaderName::from_static("x-hub-signature"))
                .prefix("sha256="),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-request-uuid"))).or_body_hash())
        .event_type(Source::header(HeaderName::from_static("x-event-key")))
        .into_scheme()
}

/// A Bitbucket Cloud delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `x-event-key` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::bitbucket;
///
/// let event: bitbucket::Event = serde_json::from_str(bitbucket::SAMPLE)?;
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
