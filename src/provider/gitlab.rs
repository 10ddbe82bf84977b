//! GitLab (project, group and system hooks).
//!
//! GitLab signs nothing: `X-Gitlab-Token` carries the secret token set on the hook, compared in
//! constant time. That proves the sender knows the token, not that the body is intact (TLS does
//! that). The dedup key is `X-Gitlab-Event-UUID` (else the body's hash), the type
//! `X-Gitlab-Event` (`Push Hook`, `Merge Request Hook`, ...). GitLab retries a failed hook and
//! disables one that keeps failing.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{IdSource, Scheme, Signature, Source};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.gitlab.com/user/project/integrations/webhooks/";

/// The GitLab scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::gitlab::scheme();
/// assert_eq!(scheme.provider(), "gitlab");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("gitlab")
        .signature(Signature::new(HeaderName::from_static("x-gitlab-token")).token())
        .id(IdSource::from(Source::header(HeaderName::from_static(
            "x-gitlab-event-uuid",
        )))
        .or_body_hash())
        .event_type(Source::header(HeaderName::from_static("x-gitlab-event")))
        .into_scheme()
}

/// A GitLab event: its kind and the rest of the payload.
///
/// ```
/// use tower_webhooks::provider::gitlab;
///
/// let event: gitlab::Event = serde_json::from_str(
///     r#"{"object_kind":"push","event_name":"push","ref":"refs/heads/main","project":{"id":15}}"#,
/// )?;
/// assert_eq!(event.object_kind, "push");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened: `push`, `tag_push`, `issue`, `note`, `merge_request`, `pipeline`, ...
    pub object_kind: String,
    /// The event's name, where GitLab sends one.
    #[serde(default)]
    pub event_name: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
