//! Stripe.
//!
//! `Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=..][,v0=..]`, keyed
//! with the `whsec_...` string as is. Any `v1` may match: during a secret rotation Stripe sends one
//! per secret (keeping only the last one, as some clients do, fails then). Tolerance 300 s, as
//! Stripe's libraries. The event's JSON `id` is the dedup key and `type` its type.

use serde::{Deserialize, Serialize};

use crate::scheme::Scheme;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.stripe.com/webhooks#verify-manually";

/// The Stripe scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::stripe::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 300);
/// ```
pub fn scheme() -> Scheme {
    super::stripe_style("stripe", "stripe-signature", "v1").into_scheme()
}

/// A Stripe event object.
///
/// ```
/// use tower_webhooks::provider::stripe;
///
/// let event: stripe::Event = serde_json::from_str(
///     r#"{"id":"evt_1","object":"event","type":"invoice.paid","created":1700000000,
///         "livemode":false,"data":{"object":{"id":"in_1"}}}"#,
/// )?;
/// assert_eq!(event.event_type(), "invoice.paid");
/// assert_eq!(event.data.object["id"], "in_1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id (`evt_...`).
    pub id: String,
    /// The event type, such as `invoice.paid`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event was created (unix seconds).
    #[serde(default)]
    pub created: Option<i64>,
    /// Whether the event is from live mode.
    #[serde(default)]
    pub livemode: bool,
    /// The API version the event is rendered with.
    #[serde(default)]
    pub api_version: Option<String>,
    /// The object the event is about.
    pub data: EventData,
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

/// The `data` of a Stripe event.
///
/// ```
/// use tower_webhooks::provider::stripe;
///
/// let data: stripe::EventData = serde_json::from_str(
///     r#"{"object":{"id":"sub_1","status":"active"},"previous_attributes":{"status":"trialing"}}"#,
/// )?;
/// assert_eq!(data.previous_attributes.unwrap()["status"], "trialing");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The object, such as an invoice.
    pub object: serde_json::Value,
    /// For `*.updated` events, the changed fields' previous values.
    #[serde(default)]
    pub previous_attributes: Option<serde_json::Value>,
}
