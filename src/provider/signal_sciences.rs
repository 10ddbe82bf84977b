//! Signal Sciences (Fastly Next-Gen WAF).
//!
//! `x-sigsci-signature: <hex HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/type`.
//!
//! Documentation: <https://docs.fastly.com/signalsciences/integrations/generic-webhooks/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.fastly.com/signalsciences/integrations/generic-webhooks/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"created":"2023-11-14T22:13:20Z","type":"flag","payload":{"id":"5e1b","remoteIP":"192.0.2.1"}}"#;

/// The Signal Sciences (Fastly Next-Gen WAF) scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::signal_sciences::scheme();
/// assert_eq!(scheme.provider(), "signal-sciences");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("signal-sciences")
        .signature(
            Signature::new(HeaderName::from_static("x-sigsci-signature")),
        )
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Signal Sciences (Fastly Next-Gen WAF) delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::signal_sciences;
///
/// let event: signal_sciences::Event = serde_json::from_str(signal_sciences::SAMPLE)?;
/// assert_eq!(event.event_type(), "flag");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
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
