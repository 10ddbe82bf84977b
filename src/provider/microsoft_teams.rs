//! Microsoft Teams outgoing webhooks.
//!
//! `authorization: HMAC <base64 HMAC-SHA256>` over `<body>`, keyed with the secret's
//! base64-decoded bytes.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the JSON `/id`.
//! Event type: the JSON `/type`.
//! The security token Teams shows is base64: its decoded bytes are the key.
//!
//! Documentation:
//! <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook#2-create-a-method-to-verify-the-outgoing-webhook-hmac-token>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, Scheme, SecretFormat, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook#2-create-a-method-to-verify-the-outgoing-webhook-hmac-token";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"type":"message","id":"1485983408511","timestamp":"2023-11-14T22:13:20.000Z","text":"<at>Bot</at> hello","from":{"id":"29:1"}}"#;

/// The Microsoft Teams outgoing webhooks scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::microsoft_teams::scheme();
/// assert_eq!(scheme.provider(), "microsoft-teams");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("microsoft-teams")
        .signature(
            Signature::new(HeaderName::from_static("authorization"))
                .prefix("HMAC ")
                .encoding(Encoding::Base64)
                .secret_format(SecretFormat::Base64 { prefix: "".into() }),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Microsoft Teams outgoing webhooks delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::microsoft_teams;
///
/// let event: microsoft_teams::Event = serde_json::from_str(microsoft_teams::SAMPLE)?;
/// assert_eq!(event.event_type(), "message");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the dedup key.
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
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
