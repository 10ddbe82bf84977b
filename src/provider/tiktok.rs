//! TikTok for Developers.
//!
//! `tiktok-signature: t=<t>,s=<hex HMAC-SHA256>[,s=…]` over `<t>.<body>`, keyed with the secret as
//! written.
//! The timestamp is the `t` pair (unix seconds), within 300 s.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Event type: the JSON `/event`.
//!
//! Documentation: <https://developers.tiktok.com/doc/webhooks-verification>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.tiktok.com/doc/webhooks-verification";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"client_key":"bwo2m45353a6k85","event":"video.publish.complete","create_time":1700000000,"user_openid":"act.example","content":"{\"share_id\":\"video.1\"}"}"#;

/// The TikTok for Developers scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::tiktok::scheme();
/// assert_eq!(scheme.provider(), "tiktok");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("tiktok")
        .signature(
            Signature::new(HeaderName::from_static("tiktok-signature"))
                .pairs(',', "s")
                .signs([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .tolerance(Duration::from_secs(300))
        .event_type(Source::json_path(&["event"]))
        .into_scheme()
}

/// A TikTok for Developers delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::tiktok;
///
/// let event: tiktok::Event = serde_json::from_str(tiktok::SAMPLE)?;
/// assert_eq!(event.event_type(), "video.publish.complete");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type.
    #[serde(rename = "event")]
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
