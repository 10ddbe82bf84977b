//! Yeastar Central Management.
//!
//! `X-Signature: <base64 HMAC-SHA256(secret, raw body)>` with the 32-character secret from the
//! console. The delivery method is chosen per webhook in the console (GET or POST), so both are
//! accepted (narrow it with [`WebhookLayer::with_methods`](crate::WebhookLayer::with_methods)). The event type is JSON `event`; the
//! console's connectivity test (`{"event":"test",...}`) is acknowledged like any event. Yeastar
//! sends no event id: the dedup key is the SHA-256 of the body.

use http::{HeaderName, Method};
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Encoding, Scheme, Signature};
use crate::scheme::{IdSource, Source};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str =
    "https://help.yeastar.com/en/p-series-cloud-edition/developer-guide/webhook.html";

/// The Yeastar scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::yeastar::scheme();
/// assert_eq!(scheme.provider(), "yeastar");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("yeastar")
        .signature(
            Signature::new(HeaderName::from_static("x-signature")).encoding(Encoding::Base64),
        )
        .id(IdSource::body_hash())
        .event_type(Source::json_path(&["event"]))
        .methods([Method::POST, Method::GET])
        .into_scheme()
}

/// A Yeastar event.
///
/// ```
/// use tower_webhooks::provider::yeastar;
///
/// let event: yeastar::Event = serde_json::from_str(
///     r#"{"event":"test","message":"This is a webhook connectivity test."}"#,
/// )?;
/// assert!(event.is_test());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event name (`test` for the console's connectivity test).
    pub event: String,
    /// The message, present on the connectivity test.
    #[serde(default)]
    pub message: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event name (`test` for the connectivity test).
    pub fn event_type(&self) -> &str {
        &self.event
    }

    /// Whether this is the console's connectivity test.
    pub fn is_test(&self) -> bool {
        self.event == "test"
    }
}
