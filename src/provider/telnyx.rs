//! Telnyx (API v2 webhooks: messaging, voice, numbers, ...).
//!
//! `telnyx-signature-ed25519: <base64 Ed25519 signature of "<telnyx-timestamp>|<body>">`, checked
//! with the account's public key (base64, from the Mission Control portal) strictly; tolerance
//! 300 s either way, as Telnyx's SDKs. The dedup key is `data.id` (Telnyx documents duplicates and
//! retries), the type `data.event_type`.
//!
//! Needs the `ed25519` feature to verify.

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Encoding, Scheme, SecretFormat, Signature, SignedPart, Source, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks";

/// The Telnyx scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::telnyx::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 300);
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("telnyx")
        .signature(
            Signature::new(HeaderName::from_static("telnyx-signature-ed25519"))
                .ed25519()
                .encoding(Encoding::Base64)
                .secret_format(SecretFormat::Base64 { prefix: "".into() })
                .signs([
                    SignedPart::Timestamp,
                    SignedPart::literal("|"),
                    SignedPart::Body,
                ]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "telnyx-timestamp",
        )))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["data", "id"]))
        .event_type(Source::json_path(&["data", "event_type"]))
        .into_scheme()
}

/// A Telnyx webhook.
///
/// ```
/// use tower_webhooks::provider::telnyx;
///
/// let event: telnyx::Event = serde_json::from_str(
///     r#"{"data":{"id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","event_type":"message.received",
///         "occurred_at":"2024-01-01T00:00:00.000Z","record_type":"event","payload":{"text":"hi"}},
///         "meta":{"attempt":1,"delivered_to":"https://example.com/hooks"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "message.received");
/// assert_eq!(event.meta.unwrap().attempt, 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event.
    pub data: EventData,
    /// Delivery details (absent from some products' webhooks).
    #[serde(default)]
    pub meta: Option<Meta>,
}

impl Event {
    /// The event type, such as `message.received`.
    pub fn event_type(&self) -> &str {
        &self.data.event_type
    }
}

/// The `data` of a Telnyx webhook.
///
/// ```
/// use tower_webhooks::provider::telnyx;
///
/// let data: telnyx::EventData = serde_json::from_str(
///     r#"{"id":"e1","event_type":"call.initiated","payload":{"call_control_id":"c"}}"#,
/// )?;
/// assert_eq!(data.payload["call_control_id"], "c");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The event id (a UUID): the dedup key.
    pub id: String,
    /// The event type, such as `message.received` or `call.initiated`.
    pub event_type: String,
    /// When it happened (ISO 8601).
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// Always `event`.
    #[serde(default)]
    pub record_type: Option<String>,
    /// The event-specific object.
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// The `meta` of a Telnyx webhook.
///
/// ```
/// use tower_webhooks::provider::telnyx;
///
/// let meta: telnyx::Meta = serde_json::from_str(r#"{"attempt":2}"#)?;
/// assert_eq!(meta.attempt, 2);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Meta {
    /// The delivery attempt, from 1.
    pub attempt: u32,
    /// The URL it was delivered to.
    #[serde(default)]
    pub delivered_to: Option<String>,
}
