//! Zoom.
//!
//! `x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:<x-zm-request-timestamp>:<body>")>`,
//! tolerance 300 s. The signed `endpoint.url_validation` event is answered with
//! `{"plainToken": t, "encryptedToken": <hex HMAC-SHA256(secret token, t)>}` and never reaches the
//! handler (Zoom repeats it every 72 hours). Zoom sends no event id: the dedup key is the body
//! hash (its retries resend the same body); the type is JSON `event`. Zoom wants an answer within
//! 3 s and retries three times.

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Handshake;
use crate::scheme::{IdSource, Source};
use crate::scheme::{Scheme, TimestampSource};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.zoom.us/docs/api/webhooks/";

/// The Zoom scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::zoom::scheme();
/// assert_eq!(scheme.provider(), "zoom");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("zoom")
        .signature(super::v0_signature("x-zm-signature"))
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "x-zm-request-timestamp",
        )))
        .tolerance(Duration::from_secs(300))
        .id(IdSource::body_hash())
        .event_type(Source::json_path(&["event"]))
        .handshake(Handshake::signed_mac(
            &["event"],
            "endpoint.url_validation",
            &["payload", "plainToken"],
            "plainToken",
            "encryptedToken",
        ))
        .into_scheme()
}

/// A Zoom event.
///
/// ```
/// use tower_webhooks::provider::zoom;
///
/// let event: zoom::Event = serde_json::from_str(
///     r#"{"event":"meeting.started","event_ts":1700000000000,"payload":{"object":{"id":"1"}}}"#,
/// )?;
/// assert_eq!(event.event_type(), "meeting.started");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type, such as `meeting.started`.
    pub event: String,
    /// When it happened (unix milliseconds).
    #[serde(default)]
    pub event_ts: Option<i64>,
    /// The event's payload (`account_id`, `object`, ...).
    #[serde(default)]
    pub payload: serde_json::Value,
}

impl Event {
    /// The event type.
    pub fn event_type(&self) -> &str {
        &self.event
    }
}
