//! Square.
//!
//! `x-square-hmacsha256-signature: <base64 HMAC-SHA256(signature key, notification URL + body)>`:
//! the signed URL is the subscription's notification URL, which a service behind a proxy cannot
//! see, so the preset takes the public base URL (scheme and host, as for Twilio) and appends the
//! request's path and query. The key is the subscription's signature key as text. Square signs
//! no timestamp. The dedup key is JSON `event_id` (else the body's hash), the type `type`; Square
//! retries for 24 hours.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Encoding, IdSource, Scheme, Signature, SignedPart, Source};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.squareup.com/docs/webhooks/step3validate";

/// The Square scheme, for notifications sent to `public_base_url` (such as
/// `https://example.com`) plus the request's path and query.
///
/// ```
/// let scheme = tower_webhooks::provider::square::scheme("https://example.com");
/// assert_eq!(scheme.signature().unwrap().public_base_url(), Some("https://example.com"));
/// ```
pub fn scheme(public_base_url: impl Into<String>) -> Scheme {
    Builder::new()
        .provider("square")
        .signature(
            Signature::new(HeaderName::from_static("x-square-hmacsha256-signature"))
                .encoding(Encoding::Base64)
                .signs([SignedPart::Url, SignedPart::Body])
                .base_url(public_base_url),
        )
        .id(IdSource::from(Source::json_path(&["event_id"])).or_body_hash())
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Square event.
///
/// ```
/// use tower_webhooks::provider::square;
///
/// let event: square::Event = serde_json::from_str(
///     r#"{"merchant_id":"MLEFBHHSJGVHD","type":"payment.updated","event_id":"ac3a",
///         "created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"payment","id":"p1"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "payment.updated");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id: the dedup key.
    pub event_id: String,
    /// The event type, such as `payment.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The seller's id.
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// When it happened (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The object the event is about.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl Event {
    /// The event type, such as `payment.updated`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}
