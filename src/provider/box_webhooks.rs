//! Box (webhooks V2).
//!
//! `BOX-SIGNATURE-PRIMARY: <base64 HMAC-SHA256(primary key, body + BOX-DELIVERY-TIMESTAMP)>` and
//! `BOX-SIGNATURE-SECONDARY`, the same with the secondary key: the preset takes both keys, and
//! either signature matching either key passes, so that the keys can rotate one at a time. The
//! timestamp is an RFC 3339 date-time with an offset; Box's SDKs refuse one more than 10 minutes
//! old. The dedup key is the event's JSON `id` (`BOX-DELIVERY-ID` changes with every retry), or
//! the body's hash without one (a retry resends the same bytes); the type is JSON `trigger`
//! (`FILE.UPLOADED`, ...).
//!
//! (The module is `box_webhooks` because `box` is a Rust keyword.)

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Encoding, IdSource, Scheme, Signature, SignedPart, Source, TimestampFormat, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.box.com/guides/webhooks/v2/signatures-v2/";

/// The Box scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::box_webhooks::scheme();
/// assert_eq!(scheme.provider(), "box");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("box")
        .signature(
            Signature::new(HeaderName::from_static("box-signature-primary"))
                .or_header(HeaderName::from_static("box-signature-secondary"))
                .encoding(Encoding::Base64)
                .signs([SignedPart::Body, SignedPart::Timestamp]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "box-delivery-timestamp",
        )))
        .timestamp_format(TimestampFormat::Rfc3339)
        .tolerance(Duration::from_secs(600))
        .id(IdSource::from(Source::json_path(&["id"])).or_body_hash())
        .event_type(Source::json_path(&["trigger"]))
        .into_scheme()
}

/// A Box webhook event.
///
/// ```
/// use tower_webhooks::provider::box_webhooks;
///
/// let event: box_webhooks::Event = serde_json::from_str(
///     r#"{"type":"webhook_event","id":"eb0c4e06-751f-442c-86f8-fd5bb404dbec",
///         "created_at":"2016-10-14T15:17:01-07:00","trigger":"FILE.UPLOADED",
///         "webhook":{"id":"1234567890"},"source":{"id":"1234567890","type":"file"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "FILE.UPLOADED");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id.
    #[serde(default)]
    pub id: Option<String>,
    /// What happened, such as `FILE.UPLOADED`.
    pub trigger: String,
    /// When it happened (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The file or folder it happened to.
    #[serde(default)]
    pub source: Option<serde_json::Value>,
    /// Every other field (`webhook`, `created_by`, `additional_info`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The trigger, such as `FILE.UPLOADED`.
    pub fn event_type(&self) -> &str {
        &self.trigger
    }
}
