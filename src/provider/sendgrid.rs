//! SendGrid (Twilio SendGrid) Event Webhook, with signed requests enabled.
//!
//! `X-Twilio-Email-Event-Webhook-Signature: <base64 DER ECDSA P-256/SHA-256 signature of
//! "<X-Twilio-Email-Event-Webhook-Timestamp><body>">`, checked with the public key shown under
//! Mail Settings, Signed Event Webhook Requests (base64 of a SubjectPublicKeyInfo; PEM accepted).
//! The body is a batch, a JSON array of events posted every 30 s or at 768 KB, retried for up to
//! 24 hours after the events occurred: the dedup key is the body's hash, and each event carries
//! its own `sg_event_id` (documented for deduplication) and `event` type. SendGrid documents no
//! timestamp tolerance and not whether a retry is signed anew: the preset accepts 24 h, its
//! retry window. SendGrid appends `\r\n` to the body it signs; the raw bytes are what is checked.
//!
//! Needs the `ecdsa` feature to verify.

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Encoding, IdSource, Scheme, SecretFormat, Signature, SignedPart, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features";

/// The SendGrid Event Webhook scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::sendgrid::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 24 * 3600);
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("sendgrid")
        .signature(
            Signature::new(HeaderName::from_static(
                "x-twilio-email-event-webhook-signature",
            ))
            .ecdsa_p256()
            .encoding(Encoding::Base64)
            .secret_format(SecretFormat::Base64 { prefix: "".into() })
            .signs([SignedPart::Timestamp, SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "x-twilio-email-event-webhook-timestamp",
        )))
        .tolerance(Duration::from_secs(24 * 3600))
        .id(IdSource::body_hash())
        .into_scheme()
}

/// A batch of SendGrid events, the body of one delivery: `Event<sendgrid::Events>`.
pub type Events = Vec<Event>;

/// One SendGrid event.
///
/// ```
/// use tower_webhooks::provider::sendgrid;
///
/// let batch: sendgrid::Events = serde_json::from_str(
///     r#"[{"email":"a@example.com","timestamp":1600112492,"event":"delivered",
///          "sg_event_id":"ZGVs","sg_message_id":"m.1","category":["welcome"]}]"#,
/// )?;
/// assert_eq!(batch[0].event_type(), "delivered");
/// assert_eq!(batch[0].sg_event_id.as_deref(), Some("ZGVs"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The recipient.
    pub email: String,
    /// When the event happened (unix seconds).
    pub timestamp: i64,
    /// The event: `processed`, `dropped`, `delivered`, `deferred`, `bounce`, `open`, `click`,
    /// `spamreport`, `unsubscribe`, `group_unsubscribe`, `group_resubscribe`.
    pub event: String,
    /// The event's unique id, for deduplication (absent from some legacy events).
    #[serde(default)]
    pub sg_event_id: Option<String>,
    /// The message's id (absent for some asynchronous bounces).
    #[serde(default)]
    pub sg_message_id: Option<String>,
    /// The categories: one string or a list.
    #[serde(default)]
    pub category: Option<serde_json::Value>,
    /// Every other field (`reason`, `status`, `url`, `useragent`, custom arguments, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type, such as `delivered`.
    pub fn event_type(&self) -> &str {
        &self.event
    }
}
