//! Twilio (Messaging and Voice).
//!
//! `X-Twilio-Signature: <base64 HMAC-SHA1(auth token, public URL + each POST parameter's name and
//! value, sorted by name)>`. The URL is the one Twilio called: behind a proxy the service does not
//! see it, so the preset takes the public base URL (scheme and host) and appends the request's
//! path and query. JSON bodies are not parameters: Twilio adds `bodySHA256=<hex SHA-256 of the
//! body>` to the URL it signs, and the body must match it. Dedup key: the
//! `I-Twilio-Idempotency-Token` header, else the body hash; the type is the status
//! (`MessageStatus`, `CallStatus`) when there is one.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Encoding, Hash, Payload, Scheme, Signature, SignedPart};
use crate::scheme::{IdSource, Source};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.twilio.com/docs/usage/webhooks/webhooks-security";

/// The Twilio scheme for a service reached at `public_base_url` (such as
/// `https://api.example.com`).
///
/// ```
/// let scheme = tower_webhooks::provider::twilio::scheme("https://api.example.com");
/// assert_eq!(scheme.provider(), "twilio");
/// ```
pub fn scheme(public_base_url: impl Into<String>) -> Scheme {
    Builder::new()
        .provider("twilio")
        .signature(
            Signature::new(HeaderName::from_static("x-twilio-signature"))
                .encoding(Encoding::Base64)
                .hash(Hash::Sha1)
                .signs([SignedPart::Url, SignedPart::SortedFormParams])
                .base_url(public_base_url)
                .body_hash_param("bodySHA256"),
        )
        .payload(Payload::JsonOrForm)
        .id(IdSource::from(Source::header(HeaderName::from_static(
            "i-twilio-idempotency-token",
        )))
        .or_body_hash())
        .event_type(Source::json_path(&["MessageStatus"]))
        .or_event_type(Source::json_path(&["CallStatus"]))
        .into_scheme()
}

/// The parameters of a Messaging or Voice status callback or incoming message (form fields).
///
/// ```
/// use tower_webhooks::provider::twilio;
///
/// let event: twilio::Event = serde_urlencoded::from_str(
///     "AccountSid=AC1&MessageSid=SM1&MessageStatus=delivered&From=%2B1555&To=%2B1666",
/// )?;
/// assert_eq!(event.event_type(), Some("delivered"));
/// # Ok::<(), serde_urlencoded::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Event {
    /// The account.
    #[serde(default)]
    pub account_sid: Option<String>,
    /// The message, for Messaging.
    #[serde(default)]
    pub message_sid: Option<String>,
    /// The message's status (`queued`, `sent`, `delivered`, `failed`, ...).
    #[serde(default)]
    pub message_status: Option<String>,
    /// The call, for Voice.
    #[serde(default)]
    pub call_sid: Option<String>,
    /// The call's status (`ringing`, `in-progress`, `completed`, ...).
    #[serde(default)]
    pub call_status: Option<String>,
    /// The sender.
    #[serde(default)]
    pub from: Option<String>,
    /// The recipient.
    #[serde(default)]
    pub to: Option<String>,
    /// The text of an incoming message.
    #[serde(default)]
    pub body: Option<String>,
}

impl Event {
    /// The message or call status, when the callback carries one.
    pub fn event_type(&self) -> Option<&str> {
        self.message_status
            .as_deref()
            .or(self.call_status.as_deref())
    }
}
