//! Cal.com.
//!
//! `x-cal-signature-256: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/triggerEvent`.
//! A webhook without a secret sends the literal `no-secret-provided`: that is not hex, so it is
//! refused as malformed.
//!
//! Documentation:
//! <https://cal.com/docs/developing/guides/automation/webhooks#verifying-the-authenticity-of-the-received-payload>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://cal.com/docs/developing/guides/automation/webhooks#verifying-the-authenticity-of-the-received-payload";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"triggerEvent":"BOOKING_CREATED","createdAt":"2023-11-14T22:13:20.000Z","payload":{"uid":"bk_9xq","title":"Intro call","startTime":"2023-11-20T10:00:00Z"}}"#;

/// The Cal.com scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::cal_com::scheme();
/// assert_eq!(scheme.provider(), "cal.com");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("cal.com")
        .signature(
            Signature::new(HeaderName::from_static("x-cal-signature-256")),
        )
        .event_type(Source::json_path(&["triggerEvent"]))
        .into_scheme()
}

/// A Cal.com delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::cal_com;
///
/// let event: cal_com::Event = serde_json::from_str(cal_com::SAMPLE)?;
/// assert_eq!(event.event_type(), "BOOKING_CREATED");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "triggerEvent")]
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
