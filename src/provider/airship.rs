//! Airship.
//!
//! `x-ua-signature: <hex HMAC-SHA256>` over `<t>:<body>`, keyed with the secret as written.
//! The timestamp is `x-ua-timestamp` (unix seconds), within 300 s.
//! Dedup key: the body's SHA-256 (deliveries carry no id).
//! Deliveries carry no id: the body's SHA-256 is the dedup key.
//!
//! Documentation: <https://docs.airship.com/api/ua/#schemas-webhookrequest>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Scheme, Signature, SignedPart, TimestampSource};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.airship.com/api/ua/#schemas-webhookrequest";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"values":[{"send_id":"0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d","device":{"channel":"c1"},"notification":{"alert":"Hi"}}]}"#;

/// The Airship scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::airship::scheme();
/// assert_eq!(scheme.provider(), "airship");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("airship")
        .signature(
            Signature::new(HeaderName::from_static("x-ua-signature"))
                .signs([SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-ua-timestamp")))
        .tolerance(Duration::from_secs(300))
        .into_scheme()
}

/// A Airship delivery: the fields the layer reads, and every other field as JSON.
///
/// ```
/// use tower_webhooks::provider::airship;
///
/// let event: airship::Event = serde_json::from_str(airship::SAMPLE)?;
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
