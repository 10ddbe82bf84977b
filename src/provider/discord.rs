//! Discord interactions (slash commands, buttons, modals) sent to an Interactions Endpoint URL.
//!
//! `X-Signature-Ed25519: <hex Ed25519 signature of "<X-Signature-Timestamp><body>">`, checked
//! with the application's public key (hex, from the Developer Portal) strictly. Discord documents
//! no tolerance; the preset allows 300 s either way ([`with_tolerance`] changes it). When the URL
//! is saved, Discord sends a signed PING (`"type": 1`): the layer answers `{"type":1}` without
//! calling the handler, and a bad signature gets 401, which Discord checks for by sending some on
//! purpose. The dedup key is the interaction `id`, the type its JSON `type` (`2` an application
//! command, `3` a component, `4` autocomplete, `5` a modal). Discord does not retry interactions
//! and wants the interaction response within 3 s: it is the handler's response.
//!
//! Needs the `ed25519` feature to verify.
//!
//! [`with_tolerance`]: crate::WebhookLayer::with_tolerance

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Handshake, Scheme, SecretFormat, Signature, SignedPart, Source, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers";

/// The Discord interactions scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::discord::scheme();
/// assert_eq!(scheme.provider(), "discord");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("discord")
        .signature(
            Signature::new(HeaderName::from_static("x-signature-ed25519"))
                .ed25519()
                .secret_format(SecretFormat::Hex)
                .signs([SignedPart::Timestamp, SignedPart::Body]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(
            "x-signature-timestamp",
        )))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
        .handshake(Handshake::signed_reply(&["type"], "1", r#"{"type":1}"#))
        .into_scheme()
}

/// A Discord interaction.
///
/// ```
/// use tower_webhooks::provider::discord;
///
/// let interaction: discord::Interaction = serde_json::from_str(
///     r#"{"id":"787053080478613555","application_id":"1","type":2,"token":"t","version":1,
///         "data":{"name":"ping"}}"#,
/// )?;
/// assert_eq!(interaction.event_type(), "2");
/// assert_eq!(interaction.data.unwrap()["name"], "ping");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Interaction {
    /// The interaction id (a snowflake).
    pub id: String,
    /// The application's id.
    pub application_id: String,
    /// The interaction type: 1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT,
    /// 4 APPLICATION_COMMAND_AUTOCOMPLETE, 5 MODAL_SUBMIT.
    #[serde(rename = "type")]
    pub kind: u8,
    /// The token to answer or follow up with (valid 15 minutes).
    pub token: String,
    /// The command, component or modal data.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// The guild it came from, if any.
    #[serde(default)]
    pub guild_id: Option<String>,
    /// The channel it came from, if any.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// Every other field (`member`, `user`, `locale`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Interaction {
    /// The interaction type as the layer reports it ([`Event::event_type`](crate::Event::event_type)):
    /// its number, such as `"2"`.
    pub fn event_type(&self) -> String {
        self.kind.to_string()
    }
}
