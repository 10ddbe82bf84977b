//! Okta event hooks.
//!
//! Okta signs nothing: each request carries the header and value the admin configured on the
//! hook (`Authorization` by default), compared in constant time; the preset takes that value.
//! When the hook is verified, Okta sends one `GET` with `X-Okta-Verification-Challenge`: the
//! layer answers `{"verification": "<value>"}` without calling the handler. A delivery is a
//! batch of log events: the dedup key is the delivery's `eventId` (else the body's hash); each
//! event has its own `uuid` and `eventType`. Okta wants an empty 200 within 3 s and retries once.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Handshake, IdSource, Scheme, Signature, Source};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.okta.com/docs/concepts/event-hooks/";

/// The Okta event hooks scheme, authenticated by the `Authorization` header's value.
///
/// ```
/// let scheme = tower_webhooks::provider::okta::scheme();
/// assert!(scheme.handshake().is_some());
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("okta")
        .signature(Signature::new(http::header::AUTHORIZATION).token())
        .id(IdSource::from(Source::json_path(&["eventId"])).or_body_hash())
        .event_type(Source::json_path(&["eventType"]))
        .handshake(Handshake::header_echo_json(
            HeaderName::from_static("x-okta-verification-challenge"),
            "verification",
        ))
        .into_scheme()
}

/// An Okta event hook delivery.
///
/// ```
/// use tower_webhooks::provider::okta;
///
/// let hook: okta::Delivery = serde_json::from_str(
///     r#"{"eventType":"com.okta.event_hook","eventId":"b5a188b9","eventTime":"2019-03-27T16:59:53.032Z",
///         "data":{"events":[{"uuid":"4b9b","eventType":"user.session.start","published":"2019-03-27T16:59:51.000Z"}]}}"#,
/// )?;
/// assert_eq!(hook.data.events[0]["eventType"], "user.session.start");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Delivery {
    /// `com.okta.event_hook`.
    pub event_type: String,
    /// The delivery's id: the dedup key.
    pub event_id: String,
    /// When it was sent.
    #[serde(default)]
    pub event_time: Option<String>,
    /// The log events.
    pub data: Data,
}

impl Delivery {
    /// `com.okta.event_hook`: each log event in [`data`](Self::data) has its own type.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}

/// The `data` of an Okta delivery.
///
/// ```
/// use tower_webhooks::provider::okta;
///
/// let data: okta::Data = serde_json::from_str(r#"{"events":[]}"#)?;
/// assert!(data.events.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Data {
    /// Okta log events (`uuid`, `eventType`, `published`, `actor`, `target`, ...).
    pub events: Vec<serde_json::Value>,
}
