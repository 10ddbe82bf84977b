//! PagerDuty (v3 webhooks).
//!
//! `x-pagerduty-signature: v1=<hex HMAC-SHA256>[,v1=…]` over `<body>`, keyed with the secret as
//! written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-webhook-id` header (else the body's SHA-256).
//! Event type: the JSON `/event/event_type`.
//! One `v1=` per secret while a secret rotates; any may match. The secret is used as written, not
//! base64-decoded.
//!
//! Documentation: <https://developer.pagerduty.com/docs/webhooks/webhook-signatures/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.pagerduty.com/docs/webhooks/webhook-signatures/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event":{"id":"5ac64822-4adc-4fda-ade0-410becf0de4f","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2020-10-02T18:45:22.169Z","data":{"id":"PGR0VU2","type":"incident"}}}"#;

/// The PagerDuty (v3 webhooks) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::pagerduty::scheme();
/// assert_eq!(scheme.provider(), "pagerduty");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("pagerduty")
        .signature(
            Signature::new(HeaderName::from_static("x-pagerduty-signature"))
                .pairs(',', "v1"),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-webhook-id"))).or_body_hash())
        .event_type(Source::json_path(&["event", "event_type"]))
        .into_scheme()
}

/// A PagerDuty (v3 webhooks) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::pagerduty;
///
/// let event: pagerduty::Event = serde_json::from_str(pagerduty::SAMPLE)?;
/// assert_eq!(event.event_type(), Some("incident.priority_updated"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The `event` object (read by pointer, so that every shape of it is kept).
    #[serde(default)]
    pub event: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type, `/event/event_type`.
    pub fn event_type(&self) -> Option<&str> {
        self.event.pointer("/event_type").and_then(serde_json::Value::as_str)
    }
}
