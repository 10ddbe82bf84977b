//! Typeform.
//!
//! `typeform-signature: sha256=<base64 HMAC-SHA256>` over `<body>`, keyed with the secret as
//! written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/event_id`.
//! Event type: the JSON `/event_type`.
//!
//! Documentation: <https://www.typeform.com/developers/webhooks/secure-your-webhooks/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.typeform.com/developers/webhooks/secure-your-webhooks/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"event_id":"01HF2Z5R8T3K","event_type":"form_response","form_response":{"form_id":"lT4Z3j","token":"a3a12ec67a1365927098a606107fac15","submitted_at":"2023-11-14T22:13:20Z","answers":[]}}"#;

/// The Typeform scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::typeform::scheme();
/// assert_eq!(scheme.provider(), "typeform");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("typeform")
        .signature(
            Signature::new(HeaderName::from_static("typeform-signature"))
                .prefix("sha256=")
                .encoding(Encoding::Base64),
        )
        .id(Source::json_path(&["event_id"]))
        .event_type(Source::json_path(&["event_type"]))
        .into_scheme()
}

/// A Typeform delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::typeform;
///
/// let event: typeform::Event = serde_json::from_str(typeform::SAMPLE)?;
/// assert_eq!(event.event_type(), "form_response");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the dedup key.
    #[serde(rename = "event_id")]
    pub id: String,
    /// The event type.
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
