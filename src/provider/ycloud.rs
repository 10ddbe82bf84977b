//! YCloud (WhatsApp, SMS, email, contacts).
//!
//! `YCloud-Signature: t=<unix seconds>,s=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; the
//! timestamp is checked within 300 s either way (the common policy; configurable). The event's
//! JSON `id` is the dedup key and `type` its type. YCloud wants a 2xx within about 6 s and
//! retries 7 times over about 6 hours.

use serde::{Deserialize, Serialize};

use crate::scheme::Scheme;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.ycloud.com/reference/configure-webhooks";

/// The YCloud scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::ycloud::scheme();
/// assert_eq!(scheme.provider(), "ycloud");
/// ```
pub fn scheme() -> Scheme {
    super::stripe_style("ycloud", "ycloud-signature", "s").into_scheme()
}

/// A YCloud event: common properties, and the object named after the type (`whatsappMessage`,
/// `whatsappInboundMessage`, `smsMessage`, `contact`, ...) kept in [`extra`](Self::extra) with
/// any field this version does not know.
///
/// ```
/// use tower_webhooks::provider::ycloud;
///
/// let event: ycloud::Event = serde_json::from_str(
///     r#"{"id":"evt_1","type":"whatsapp.message.updated","apiVersion":"v2",
///         "createTime":"2023-02-22T12:00:00.000Z","whatsappMessage":{"status":"failed"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "whatsapp.message.updated");
/// assert_eq!(event.extra["whatsappMessage"]["status"], "failed");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// The event id (`evt_...`).
    pub id: String,
    /// The event type, such as `whatsapp.message.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The API version (`v2`).
    #[serde(default)]
    pub api_version: Option<String>,
    /// When the event was created (ISO 8601).
    #[serde(default)]
    pub create_time: Option<String>,
    /// Every other field, including the per-type object.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// The event type, such as `whatsapp.message.updated`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }
}
