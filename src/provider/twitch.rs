//! Twitch EventSub, webhook transport.
//!
//! `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256(secret, id + timestamp + body)>`,
//! where the id is `Twitch-Eventsub-Message-Id` (the dedup key: Twitch resends a message with the
//! same id) and the timestamp `Twitch-Eventsub-Message-Timestamp`, an RFC 3339 date-time with
//! fractional seconds; Twitch says to refuse messages older than 10 minutes. When a subscription
//! is created, Twitch sends a signed `webhook_callback_verification` (the
//! `Twitch-Eventsub-Message-Type` header): the layer answers its `challenge` as `text/plain`,
//! never calling the handler. Notifications and revocations reach the handler; the type is the
//! subscription's, JSON `subscription.type` (`channel.follow`, ...).

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Handshake, Scheme, Signature, SignedPart, Source, TimestampFormat, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://dev.twitch.tv/docs/eventsub/handling-webhook-events";

/// The Twitch EventSub scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::twitch::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 600);
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("twitch")
        .signature(
            Signature::new(HeaderName::from_static("twitch-eventsub-message-signature"))
                .prefix("sha256=")
                .signs([SignedPart::Id, SignedPart::Timestamp, SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "twitch-eventsub-message-timestamp",
        )))
        .timestamp_format(TimestampFormat::Rfc3339)
        .tolerance(Duration::from_secs(600))
        .id(Source::header(HeaderName::from_static(
            "twitch-eventsub-message-id",
        )))
        .event_type(Source::json_path(&["subscription", "type"]))
        .handshake(Handshake::signed_echo_text(
            Source::header(HeaderName::from_static("twitch-eventsub-message-type")),
            "webhook_callback_verification",
            &["challenge"],
        ))
        .into_scheme()
}

/// A Twitch EventSub notification (or revocation, which has no `event`).
///
/// ```
/// use tower_webhooks::provider::twitch;
///
/// let message: twitch::Notification = serde_json::from_str(
///     r#"{"subscription":{"id":"f1c2","status":"enabled","type":"channel.follow","version":"2",
///         "condition":{"broadcaster_user_id":"1337"},"created_at":"2019-11-16T10:11:12.634234626Z"},
///         "event":{"user_id":"1234","user_login":"cool_user"}}"#,
/// )?;
/// assert_eq!(message.event_type(), "channel.follow");
/// assert_eq!(message.event.unwrap()["user_login"], "cool_user");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notification {
    /// The subscription the message is for.
    pub subscription: Subscription,
    /// The event (absent from a revocation).
    #[serde(default)]
    pub event: Option<serde_json::Value>,
}

impl Notification {
    /// The subscription type, such as `channel.follow`.
    pub fn event_type(&self) -> &str {
        &self.subscription.kind
    }
}

/// The `subscription` of a Twitch EventSub message.
///
/// ```
/// use tower_webhooks::provider::twitch;
///
/// let sub: twitch::Subscription = serde_json::from_str(
///     r#"{"id":"f1c2","status":"authorization_revoked","type":"channel.follow","version":"2"}"#,
/// )?;
/// assert_eq!(sub.status, "authorization_revoked");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription id.
    pub id: String,
    /// `enabled`, or why it was revoked.
    pub status: String,
    /// The subscription type, such as `channel.follow`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The subscription type's version.
    pub version: String,
    /// Every other field (`condition`, `transport`, `created_at`, `cost`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
