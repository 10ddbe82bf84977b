//! Intercom.
//!
//! `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, body)>`. The notification's JSON `id`
//! (`notif_...`) is the dedup key and `topic` the type (`conversation.user.created`, ...;
//! `ping` when the webhook is registered).

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Source;
use crate::scheme::{Hash, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.intercom.com/docs/webhooks/setting-up-webhooks";

/// The Intercom scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::intercom::scheme();
/// assert_eq!(scheme.signature().unwrap().header(), "x-hub-signature");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("intercom")
        .signature(
            Signature::new(HeaderName::from_static("x-hub-signature"))
                .prefix("sha1=")
                .hash(Hash::Sha1),
        )
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["topic"]))
        .into_scheme()
}

/// An Intercom notification.
///
/// ```
/// use tower_webhooks::provider::intercom;
///
/// let event: intercom::Notification = serde_json::from_str(
///     r#"{"type":"notification_event","id":"notif_1","topic":"ping","app_id":"a",
///         "created_at":1700000000,"data":{"item":{}}}"#,
/// )?;
/// assert_eq!(event.event_type(), "ping");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notification {
    /// The notification id (`notif_...`).
    pub id: String,
    /// The topic, such as `conversation.user.created`.
    pub topic: String,
    /// The workspace.
    #[serde(default)]
    pub app_id: Option<String>,
    /// When it was created (unix seconds).
    #[serde(default)]
    pub created_at: Option<i64>,
    /// How many times it was sent.
    #[serde(default)]
    pub delivery_attempts: Option<u32>,
    /// The data, with the changed `item`.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl Notification {
    /// The topic.
    pub fn event_type(&self) -> &str {
        &self.topic
    }
}
