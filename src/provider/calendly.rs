//! Calendly.
//!
//! `calendly-webhook-signature: t=<t>,v1=<hex HMAC-SHA256>[,v1=…]` over `<t>.<body>`, keyed with
//! the secret as written.
//! The timestamp is the `t` pair (unix seconds), within 180 s.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/event`.
//! Tolerance 180 s, as Calendly's own sample middleware.
//!
//! Documentation: <https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"created_at":"2023-11-14T22:13:20.000000Z","created_by":"https://api.calendly.com/users/AAA","event":"invitee.created","payload":{"uri":"https://api.calendly.com/scheduled_events/B/invitees/C","email":"ada@example.com"}}"#;

/// The Calendly scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::calendly::scheme();
/// assert_eq!(scheme.provider(), "calendly");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("calendly")
        .signature(
            Signature::new(HeaderName::from_static("calendly-webhook-signature"))
                .pairs(',', "v1")
                .signs([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .tolerance(Duration::from_secs(180))
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A Calendly delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::calendly;
///
/// let event: calendly::Event = serde_json::from_str(calendly::SAMPLE)?;
/// assert_eq!(event.event_type(), "invitee.created");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "event")]
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
