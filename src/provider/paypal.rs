//! PayPal REST webhooks.
//!
//! `PAYPAL-TRANSMISSION-SIG` is the base64 RSASSA-PKCS1-v1_5 / SHA-256 signature
//! (`PAYPAL-AUTH-ALGO: SHA256withRSA`) of `<PAYPAL-TRANSMISSION-ID>|<PAYPAL-TRANSMISSION-TIME>|
//! <webhook id>|<CRC-32 of the raw body, in decimal>`, where the webhook id is the one PayPal
//! gave your webhook when you registered it (not a secret: it is given to the preset). The key
//! is the certificate at `PAYPAL-CERT-URL`, which the layer's
//! [`KeyResolver`](crate::keys::KeyResolver) fetches: `keys::Certificates::paypal` fetches it
//! from PayPal's API hosts only (live and sandbox), over HTTPS, and keeps it a day (feature
//! `fetch`; the signature needs `rsa`). A certificate URL elsewhere is a 401 before any
//! connection; one that cannot be fetched, a 503; an expired certificate, a 401.
//!
//! The transmission time, RFC 3339, is checked to within 10 minutes: each retry is a new
//! transmission, with its own id, time and signature. The dedup key is the event's `id`
//! (`WH-...`), the same in every retry; the type is `event_type`.
//!
//! Documentation: <https://developer.paypal.com/api/rest/webhooks/rest/>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Encoding, Scheme, Signature, SignedPart, Source, TimestampFormat, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.paypal.com/api/rest/webhooks/rest/";

/// The PayPal scheme for the webhook with this id.
///
/// ```
/// let scheme = tower_webhooks::provider::paypal::scheme("3RN13029J36659323");
/// let signature = scheme.signature().unwrap();
/// assert_eq!(signature.key_header().unwrap(), "paypal-cert-url");
/// ```
pub fn scheme(webhook_id: &str) -> Scheme {
    let header = HeaderName::from_static;
    Builder::new()
        .provider("paypal")
        .signature(
            Signature::new(header("paypal-transmission-sig"))
                .rsa_pkcs1_sha256()
                .encoding(Encoding::Base64)
                .key_named_by(header("paypal-cert-url"))
                .signs([
                    SignedPart::Header(header("paypal-transmission-id")),
                    SignedPart::literal("|"),
                    SignedPart::Timestamp,
                    SignedPart::Literal(format!("|{webhook_id}|").into_bytes().into()),
                    SignedPart::BodyCrc32,
                ]),
        )
        .timestamp(TimestampSource::Header(header("paypal-transmission-time")))
        .timestamp_format(TimestampFormat::Rfc3339)
        .tolerance(Duration::from_secs(600))
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["event_type"]))
        .into_scheme()
}

/// A PayPal webhook event.
///
/// ```
/// use tower_webhooks::provider::paypal::Event;
///
/// let event: Event = serde_json::from_str(
///     r#"{"id":"WH-2W7266712B616591M-36507203HX6402335","create_time":"2015-05-12T18:14:14Z",
///         "resource_type":"sale","event_type":"PAYMENT.SALE.COMPLETED",
///         "summary":"Payment completed for $ 20.0 USD","resource":{"id":"7DW85331GX749735N"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "PAYMENT.SALE.COMPLETED");
/// assert_eq!(event.resource["id"], "7DW85331GX749735N");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event's id, `WH-...` (the dedup key).
    pub id: String,
    /// What happened, such as `PAYMENT.CAPTURE.COMPLETED`.
    pub event_type: String,
    /// When the event was created, RFC 3339.
    #[serde(default)]
    pub create_time: Option<String>,
    /// The kind of resource, such as `capture`.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// A sentence about it.
    #[serde(default)]
    pub summary: Option<String>,
    /// The resource the event is about.
    #[serde(default)]
    pub resource: serde_json::Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event's type.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}
