//! Slack: the Events API, slash commands and interactivity.
//!
//! `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<X-Slack-Request-Timestamp>:<body>")>`,
//! tolerance 5 minutes. Events API bodies are JSON; slash commands and interactivity are
//! `application/x-www-form-urlencoded` (interactivity carries JSON in its `payload` field), so the
//! payload is [`JsonOrForm`](crate::scheme::Payload::JsonOrForm). The signed
//! `{"type":"url_verification","challenge":".."}` is answered with `{"challenge":".."}` and never
//! reaches the handler. Dedup key: the Events API's `event_id`, else (commands, interactions) the
//! body hash; Slack's retries (`X-Slack-Retry-Num`) resend the same body. The type is the inner
//! `event.type` (`app_mention`, ...), else the envelope's `type`, else the interaction's
//! `payload.type` (`block_actions`, ...), else the slash command (`/deploy`).

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Deserializer, Serialize};

use crate::Builder;
use crate::scheme::Handshake;
use crate::scheme::{IdSource, Source};
use crate::scheme::{Payload, Scheme, TimestampSource};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://api.slack.com/authentication/verifying-requests-from-slack";

/// The Slack scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::slack::scheme();
/// assert_eq!(scheme.provider(), "slack");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("slack")
        .signature(super::v0_signature("x-slack-signature"))
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "x-slack-request-timestamp",
        )))
        .tolerance(Duration::from_secs(300))
        .payload(Payload::JsonOrForm)
        .id(IdSource::from(Source::json_path(&["event_id"])).or_body_hash())
        .event_type(Source::json_path(&["event", "type"]))
        .or_event_type(Source::json_path(&["type"]))
        .or_event_type(Source::json_path(&["payload", "type"]))
        .or_event_type(Source::json_path(&["command"]))
        .handshake(Handshake::signed_echo(
            &["type"],
            "url_verification",
            &["challenge"],
            "challenge",
        ))
        .into_scheme()
}

/// An Events API envelope (JSON).
///
/// ```
/// use tower_webhooks::provider::slack;
///
/// let callback: slack::Callback = serde_json::from_str(
///     r#"{"type":"event_callback","event_id":"Ev1","team_id":"T1",
///         "event":{"type":"app_mention","text":"hi"}}"#,
/// )?;
/// assert_eq!(callback.event_type(), "app_mention");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Callback {
    /// The envelope type: `event_callback`, `app_rate_limited`, ...
    #[serde(rename = "type")]
    pub envelope_type: String,
    /// The event id (`Ev...`), the same across retries.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The workspace.
    #[serde(default)]
    pub team_id: Option<String>,
    /// The app.
    #[serde(default)]
    pub api_app_id: Option<String>,
    /// The inner event.
    #[serde(default)]
    pub event: Option<serde_json::Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Callback {
    /// The inner event's type (`app_mention`, `message`, ...), else the envelope's.
    pub fn event_type(&self) -> &str {
        self.event
            .as_ref()
            .and_then(|event| event.get("type"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or(&self.envelope_type)
    }
}

/// A slash command (form fields).
///
/// ```
/// use tower_webhooks::provider::slack;
///
/// let command: slack::Command =
///     serde_urlencoded::from_str("command=%2Fdeploy&text=now&user_id=U1&trigger_id=t")?;
/// assert_eq!(command.command, "/deploy");
/// # Ok::<(), serde_urlencoded::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Command {
    /// The command, such as `/deploy`.
    pub command: String,
    /// What follows the command.
    #[serde(default)]
    pub text: String,
    /// Who ran it.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Where.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The workspace.
    #[serde(default)]
    pub team_id: Option<String>,
    /// Where to post delayed answers.
    #[serde(default)]
    pub response_url: Option<String>,
    /// For opening a modal.
    #[serde(default)]
    pub trigger_id: Option<String>,
}

/// An interaction (a form whose `payload` field is JSON).
///
/// ```
/// use tower_webhooks::provider::slack;
///
/// let interaction: slack::Interaction =
///     serde_urlencoded::from_str("payload=%7B%22type%22%3A%22block_actions%22%7D")?;
/// assert_eq!(interaction.event_type(), "block_actions");
/// # Ok::<(), serde_urlencoded::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Interaction {
    /// The interaction payload (`type`, `user`, `actions`, `view`, ...).
    #[serde(deserialize_with = "json_field")]
    pub payload: serde_json::Value,
}

impl Interaction {
    /// The interaction type: `block_actions`, `view_submission`, `shortcut`, ...
    pub fn event_type(&self) -> &str {
        self.payload
            .get("type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
    }
}

fn json_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<serde_json::Value, D::Error> {
    let text = String::deserialize(deserializer)?;
    serde_json::from_str(&text).map_err(serde::de::Error::custom)
}
