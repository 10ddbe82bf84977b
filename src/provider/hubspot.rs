//! HubSpot (webhooks of public apps), signature version 3.
//!
//! `X-HubSpot-Signature-v3: <base64 HMAC-SHA256(client secret, method + URL + body + timestamp)>`
//! where the URL is the full public URL the request was sent to and the timestamp is
//! `X-HubSpot-Request-Timestamp`, in milliseconds; HubSpot says to refuse one older than 5
//! minutes. A service behind a proxy cannot see its public URL: the preset takes the public base
//! URL (scheme and host) and appends the request's path and query, as sent. (HubSpot's page also
//! asks to decode a dozen percent-escapes in the URL first; none of its four SDKs does, and the
//! preset follows the SDKs.) A delivery is a batch, a JSON array of up to 100 events: the dedup
//! key is the body's hash (HubSpot says `eventId` is not unique), and each event has its own
//! `subscriptionType`. HubSpot retries up to 10 times over 24 hours.

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Encoding, IdSource, Payload, Scheme, Signature, SignedPart, TimestampFormat, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.hubspot.com/docs/api/webhooks/validating-requests";

/// The HubSpot v3 scheme, for requests sent to `public_base_url` (such as
/// `https://example.com`) plus the request's path and query.
///
/// ```
/// let scheme = tower_webhooks::provider::hubspot::scheme("https://example.com");
/// assert_eq!(scheme.tolerance().as_secs(), 300);
/// ```
pub fn scheme(public_base_url: impl Into<String>) -> Scheme {
    Builder::new()
        .provider("hubspot")
        .signature(
            Signature::new(HeaderName::from_static("x-hubspot-signature-v3"))
                .encoding(Encoding::Base64)
                .signs([
                    SignedPart::Method,
                    SignedPart::Url,
                    SignedPart::Body,
                    SignedPart::Timestamp,
                ])
                .base_url(public_base_url),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "x-hubspot-request-timestamp",
        )))
        .timestamp_format(TimestampFormat::UnixMillis)
        .tolerance(Duration::from_secs(300))
        .id(IdSource::body_hash())
        .payload(Payload::Opaque)
        .into_scheme()
}

/// A batch of HubSpot events, the body of one delivery: `Event<hubspot::Events>`.
pub type Events = Vec<Event>;

/// One HubSpot event.
///
/// ```
/// use tower_webhooks::provider::hubspot;
///
/// let batch: hubspot::Events = serde_json::from_str(
///     r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,
///          "subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,
///          "changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#,
/// )?;
/// assert_eq!(batch[0].event_type(), "contact.creation");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// The event's id (not unique across deliveries, HubSpot says).
    #[serde(default)]
    pub event_id: Option<i64>,
    /// The subscription it was sent for.
    #[serde(default)]
    pub subscription_id: Option<i64>,
    /// The HubSpot account.
    #[serde(default)]
    pub portal_id: Option<i64>,
    /// When it happened (unix milliseconds).
    #[serde(default)]
    pub occurred_at: Option<i64>,
    /// What happened, such as `contact.creation` (`eventType` in some of HubSpot's examples).
    #[serde(alias = "eventType")]
    pub subscription_type: String,
    /// The delivery attempt, from 0.
    #[serde(default)]
    pub attempt_number: Option<u32>,
    /// The object it happened to.
    #[serde(default)]
    pub object_id: Option<i64>,
    /// Every other field (`propertyName`, `propertyValue`, `changeSource`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// What happened, such as `contact.creation`.
    pub fn event_type(&self) -> &str {
        &self.subscription_type
    }
}
