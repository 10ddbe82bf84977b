//! DocuSign Connect (HMAC).
//!
//! `x-docusign-signature-1: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! Also read from `x-docusign-signature-2`, `x-docusign-signature-3`.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/event`.
//! Connect sends one `X-DocuSign-Signature-N` per configured key (up to three checked here); any
//! may match.
//!
//! Documentation: <https://developers.docusign.com/platform/webhooks/connect/validate/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.docusign.com/platform/webhooks/connect/validate/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/1/envelopes/2","retryCount":0,"generatedDateTime":"2023-11-14T22:13:20.000Z","data":{"envelopeId":"93be49ab-afa0-4adf-933c-f752070d71ec"}}"#;

/// The DocuSign Connect (HMAC) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::docusign::scheme();
/// assert_eq!(scheme.provider(), "docusign");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("docusign")
        .signature(
            Signature::new(HeaderName::from_static("x-docusign-signature-1"))
                .encoding(Encoding::Base64)
                .or_header(HeaderName::from_static("x-docusign-signature-2"))
                .or_header(HeaderName::from_static("x-docusign-signature-3")),
        )
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A DocuSign Connect (HMAC) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::docusign;
///
/// let event: docusign::Event = serde_json::from_str(docusign::SAMPLE)?;
/// assert_eq!(event.event_type(), "envelope-completed");
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
