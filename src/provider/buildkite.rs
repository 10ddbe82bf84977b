//! Buildkite.
//!
//! `x-buildkite-signature: timestamp=<t>,signature=<hex HMAC-SHA256>[,signature=…]` over
//! `<t>.<body>`, keyed with the secret as written.
//! The timestamp is the `timestamp` pair (unix seconds), within 300 s.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the `x-buildkite-event` header.
//!
//! Documentation: <https://buildkite.com/docs/apis/webhooks#webhook-signature>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://buildkite.com/docs/apis/webhooks#webhook-signature";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event":"build.finished","build":{"id":"f62a1b4d-10f9-4790-bc1c-e2c3a0c80983","number":12,"state":"passed"},"pipeline":{"slug":"app"},"sender":{"name":"Ada"}}"#;

/// The Buildkite scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::buildkite::scheme();
/// assert_eq!(scheme.provider(), "buildkite");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("buildkite")
        .signature(
            Signature::new(HeaderName::from_static("x-buildkite-signature"))
                .pairs(',', "signature")
                .signs([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Pair("timestamp".into()))
        .tolerance(Duration::from_secs(300))
        .event_type(Source::header(HeaderName::from_static("x-buildkite-event")))
        .into_scheme()
}

/// A Buildkite delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `x-buildkite-event` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::buildkite;
///
/// let event: buildkite::Event = serde_json::from_str(buildkite::SAMPLE)?;
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
