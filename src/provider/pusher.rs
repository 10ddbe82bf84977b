//! Pusher Channels.
//!
//! `x-pusher-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Pusher names the app in `X-Pusher-Key`; give the secret of that app (several apps: several
//! secrets).
//!
//! Documentation: <https://pusher.com/docs/channels/server_api/webhooks/#authentication>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://pusher.com/docs/channels/server_api/webhooks/#authentication";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"time_ms":1700000000000,"events":[{"name":"channel_occupied","channel":"presence-lobby"}]}"#;

/// The Pusher Channels scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::pusher::scheme();
/// assert_eq!(scheme.provider(), "pusher");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("pusher")
        .signature(
            Signature::new(HeaderName::from_static("x-pusher-signature")),
        )
        .into_scheme()
}

/// A Pusher Channels delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::pusher;
///
/// let event: pusher::Event = serde_json::from_str(pusher::SAMPLE)?;
/// assert!(!event.extra.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
