//! GitHub.
//!
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` (the legacy SHA-1
//! `X-Hub-Signature` is ignored). `X-GitHub-Delivery` is the dedup key (it stays the same on a
//! redelivery; without it, the body hash) and `X-GitHub-Event` the type (`push`, `pull_request`, ...; the payload's `action`
//! refines it). GitHub does not redeliver by itself and counts over 10 s as a failure.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{IdSource, Source};
use crate::scheme::{Payload, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str =
    "https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries";

/// The GitHub scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::github::scheme();
/// assert_eq!(scheme.signature().unwrap().header(), "x-hub-signature-256");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("github")
        .signature(Signature::new(HeaderName::from_static("x-hub-signature-256")).prefix("sha256="))
        // The id and type are headers: the body need not be scanned (nor be JSON: GitHub can
        // also post forms).
        .payload(Payload::Opaque)
        .id(
            IdSource::from(Source::header(HeaderName::from_static("x-github-delivery")))
                .or_body_hash(),
        )
        .event_type(Source::header(HeaderName::from_static("x-github-event")))
        .into_scheme()
}

/// The fields most GitHub event payloads share; the type itself is the `X-GitHub-Event` header,
/// read with [`Event::event_type`](crate::Event::event_type).
///
/// ```
/// use tower_webhooks::provider::github;
///
/// let event: github::Event = serde_json::from_str(
///     r#"{"action":"opened","number":1,"repository":{"full_name":"o/r"},"sender":{"login":"u"}}"#,
/// )?;
/// assert_eq!(event.action.as_deref(), Some("opened"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened, for events that have several actions (`opened`, `closed`, ...).
    #[serde(default)]
    pub action: Option<String>,
    /// The repository, for repository events.
    #[serde(default)]
    pub repository: Option<serde_json::Value>,
    /// Who triggered the event.
    #[serde(default)]
    pub sender: Option<serde_json::Value>,
    /// The GitHub App installation, for app webhooks.
    #[serde(default)]
    pub installation: Option<serde_json::Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
