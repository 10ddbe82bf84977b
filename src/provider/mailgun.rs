//! Mailgun.
//!
//! The signature is in the body, not a header: `{"signature": {"timestamp", "token",
//! "signature"}, "event-data": {...}}`, where `signature` is the hex HMAC-SHA256 of `<timestamp>`
//! then `<token>`, keyed with the account's webhook signing key as written. The timestamp (unix
//! seconds, as a string) must be within 300 s. Dedup key: the token, which Mailgun makes unique
//! per delivery and tells receivers to remember so that a captured request cannot be replayed:
//! a replay is answered as a duplicate and never reaches the handler. Event type:
//! `/event-data/event`.
//!
//! The body itself is not covered by the signature (Mailgun signs only the timestamp and the
//! token), so a party that captured one delivery could change its `event-data` within the
//! tolerance, before the genuine one is seen; that is Mailgun's design. The fields are read by
//! the layer's scanner before the signature is checked, without parsing the body into values.
//! Only the JSON webhooks are covered: the legacy form-encoded ones are not.
//!
//! Documentation: <https://documentation.mailgun.com/docs/mailgun/user-manual/events/webhooks#securing-webhooks>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Pointer, Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://documentation.mailgun.com/docs/mailgun/user-manual/events/webhooks#securing-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"signature":{"timestamp":"1700000000","token":"c1b9f3e2a8d74f5e9b0c6a1d2e3f4a5b6c7d8e9f0a1b2c3d4e","signature":""},"event-data":{"event":"delivered","id":"CPgfbmQMTCKtHW6uIWtuVe","timestamp":1700000000.123,"recipient":"alice@example.com"}}"#;

/// The Mailgun scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::mailgun::scheme();
/// assert_eq!(scheme.provider(), "mailgun");
/// assert!(scheme.signature().unwrap().body_field().is_some());
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("mailgun")
        .signature(
            // The header is never read: the signature is in the body.
            Signature::new(HeaderName::from_static("x-mailgun-signature"))
                .in_body(Pointer::from_keys(&["signature", "signature"]))
                .signs([
                    SignedPart::Json(Pointer::from_keys(&["signature", "timestamp"])),
                    SignedPart::Json(Pointer::from_keys(&["signature", "token"])),
                ]),
        )
        .timestamp(TimestampSource::Json(Pointer::from_keys(&[
            "signature",
            "timestamp",
        ])))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["signature", "token"]))
        .event_type(Source::json_path(&["event-data", "event"]))
        .into_scheme()
}

/// A Mailgun delivery: the signature block and the event, with every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::mailgun;
///
/// let event: mailgun::Event = serde_json::from_str(mailgun::SAMPLE)?;
/// assert_eq!(event.event_type(), Some("delivered"));
/// assert_eq!(event.signature.timestamp, "1700000000");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What the delivery is signed with.
    pub signature: SignatureBlock,
    /// The event (read by pointer, so that every shape of it is kept).
    #[serde(rename = "event-data", default)]
    pub event_data: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type, `/event-data/event`.
    pub fn event_type(&self) -> Option<&str> {
        self.event_data
            .pointer("/event")
            .and_then(serde_json::Value::as_str)
    }
}

/// The `signature` block of a Mailgun delivery.
///
/// ```
/// let block: tower_webhooks::provider::mailgun::SignatureBlock =
///     serde_json::from_str(r#"{"timestamp":"1","token":"t","signature":"ab"}"#)?;
/// assert_eq!(block.token, "t");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SignatureBlock {
    /// When it was signed (unix seconds, as a string).
    pub timestamp: String,
    /// A random string, unique per delivery: the dedup key.
    pub token: String,
    /// The hex HMAC-SHA256 of the timestamp then the token.
    pub signature: String,
}
