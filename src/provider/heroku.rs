//! Heroku (app webhooks).
//!
//! `heroku-webhook-hmac-sha256: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as
//! written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `heroku-webhook-id` header (else the body's SHA-256).
//! Event type: the JSON `/action`.
//! The secret is the one Heroku returned when the webhook was created.
//!
//! Documentation: <https://devcenter.heroku.com/articles/app-webhooks#securing-webhook-requests>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://devcenter.heroku.com/articles/app-webhooks#securing-webhook-requests";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"id":"7c9c5d2e-1b5a-4a1e-8e3f-2d1c0b9a8f7e","action":"update","resource":"release","data":{"id":"a1b2","version":12},"created_at":"2023-11-14T22:13:20Z","webhook_metadata":{"event":{"include":"api:release"}}}"#;

/// The Heroku (app webhooks) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::heroku::scheme();
/// assert_eq!(scheme.provider(), "heroku");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("heroku")
        .signature(
            Signature::new(HeaderName::from_static("heroku-webhook-hmac-sha256"))
                .encoding(Encoding::Base64),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("heroku-webhook-id"))).or_body_hash())
        .event_type(Source::json_path(&["action"]))
        .into_scheme()
}

/// A Heroku (app webhooks) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::heroku;
///
/// let event: heroku::Event = serde_json::from_str(heroku::SAMPLE)?;
/// assert_eq!(event.event_type(), "update");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "action")]
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
