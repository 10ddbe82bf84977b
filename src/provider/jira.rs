//! Jira Cloud (admin webhooks with a secret).
//!
//! `x-hub-signature: sha256=<hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-atlassian-webhook-identifier` header (else the body's SHA-256).
//! Event type: the JSON `/webhookEvent`.
//!
//! Documentation:
//! <https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"timestamp":1700000000000,"webhookEvent":"jira:issue_created","issue":{"id":"10002","key":"PROJ-3"}}"#;

/// The Jira Cloud (admin webhooks with a secret) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::jira::scheme();
/// assert_eq!(scheme.provider(), "jira");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("jira")
        .signature(
            Signature::new(HeaderName::from_static("x-hub-signature"))
                .prefix("sha256="),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-atlassian-webhook-identifier"))).or_body_hash())
        .event_type(Source::json_path(&["webhookEvent"]))
        .into_scheme()
}

/// A Jira Cloud (admin webhooks with a secret) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::jira;
///
/// let event: jira::Event = serde_json::from_str(jira::SAMPLE)?;
/// assert_eq!(event.event_type(), "jira:issue_created");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "webhookEvent")]
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
