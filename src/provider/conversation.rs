//! Conversation messages (a messaging API that posts each message and each of its status changes).
//!
//! `POST` JSON `{"conversation_id", "data": {...}, "timestamp"}`. The provider signs nothing by
//! default ("request signing is optional but recommended"), so the preset accepts unsigned
//! deliveries until [`WebhookLayer::with_secret`](crate::WebhookLayer::with_secret) is called;
//! then it expects `X-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, the most common
//! convention (use [`WebhookLayer::builder`](crate::WebhookLayer::builder) for another).
//!
//! **Dedup key: `<data.id>:<data.status>`.** The same message is posted again when its status
//! changes (`RECEIVED` → `PROCESSED` / `FAILED`); keying on the id alone would drop those
//! updates, keying on the whole body would let a retry whose `timestamp` changed run twice. So
//! each status of each message is processed exactly once. [`Event::id`](crate::Event::id) is the
//! message id and [`Event::event_type`](crate::Event::event_type) its `data.type` (`USER_INPUT`,
//! `SYSTEM`, `BOT`).

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{IdSource, Source};
use crate::scheme::{Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.ycloud.com/reference/whatsapp-messaging-webhook-examples";

/// The conversation scheme (its signature applies only once a secret is configured).
///
/// ```
/// let scheme = tower_webhooks::provider::conversation::scheme();
/// assert_eq!(scheme.provider(), "conversation");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("conversation")
        .signature(Signature::new(HeaderName::from_static("x-signature")).prefix("sha256="))
        .id(IdSource::from(Source::json_path(&["data", "id"]))
            .and(Source::json_path(&["data", "status"])))
        .event_type(Source::json_path(&["data", "type"]))
        .into_scheme()
}

/// A conversation message delivery.
///
/// ```
/// use tower_webhooks::provider::conversation::{Message, Status};
///
/// let message: Message = serde_json::from_str(r#"{
///     "conversation_id": "c1",
///     "data": {"id": "m1", "content": "Hi", "content_type": "TEXT", "type": "USER_INPUT",
///              "channel": "WHATSAPP", "status": "RECEIVED", "created_by": "u1",
///              "updated_by": "u1", "created_at": "2024-03-21T10:00:00Z",
///              "updated_at": "2024-03-21T10:00:00Z"},
///     "timestamp": "2024-03-21T10:00:00.000Z"
/// }"#)?;
/// assert_eq!(message.data.status, Status::Received);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The conversation (UUID).
    pub conversation_id: String,
    /// The message.
    pub data: MessageData,
    /// When the webhook event happened (ISO 8601).
    pub timestamp: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Message {
    /// Who produced the message (`USER_INPUT`, `SYSTEM`, `BOT`): the `data.type` the layer reports
    /// as [`Event::event_type`](crate::Event::event_type).
    pub fn event_type(&self) -> MessageType {
        self.data.message_type
    }
}

/// The message inside a [`Message`] delivery (an example in [`Message`]).
///
/// ```
/// use tower_webhooks::provider::conversation::{MessageData, Status};
///
/// let data: MessageData = serde_json::from_str(r#"{"id":"m1","content":"hi","content_type":"TEXT",
///     "type":"USER_INPUT","channel":"WHATSAPP","status":"PROCESSED","created_by":"u",
///     "updated_by":"u","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}"#)?;
/// assert_eq!(data.status, Status::Processed);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageData {
    /// The message id (UUID).
    pub id: String,
    /// The content.
    pub content: String,
    /// The kind of content.
    pub content_type: ContentType,
    /// The file name, for media messages.
    #[serde(default)]
    pub filename: Option<String>,
    /// Who produced the message.
    #[serde(rename = "type")]
    pub message_type: MessageType,
    /// The channel.
    pub channel: Channel,
    /// The processing status.
    pub status: Status,
    /// Custom metadata.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Creator id or name.
    pub created_by: String,
    /// Last modifier id or name.
    pub updated_by: String,
    /// Created at (ISO 8601).
    pub created_at: String,
    /// Updated at (ISO 8601).
    pub updated_at: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `data.content_type`.
///
/// ```
/// use tower_webhooks::provider::conversation::ContentType;
///
/// assert_eq!(serde_json::from_str::<ContentType>(r#""IMAGE""#)?, ContentType::Image);
/// assert_eq!(serde_json::from_str::<ContentType>(r#""NEW_KIND""#)?, ContentType::Unknown);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ContentType {
    /// `TEXT`
    Text,
    /// `IMAGE`
    Image,
    /// `VIDEO`
    Video,
    /// `DOCUMENT`
    Document,
    /// `AUDIO`
    Audio,
    /// A value this version does not know.
    #[serde(other)]
    Unknown,
}

/// `data.type`.
///
/// ```
/// use tower_webhooks::provider::conversation::MessageType;
///
/// assert_eq!(serde_json::from_str::<MessageType>(r#""BOT""#)?, MessageType::Bot);
/// assert_eq!(serde_json::from_str::<MessageType>(r#""NEW_KIND""#)?, MessageType::Unknown);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum MessageType {
    /// `USER_INPUT`
    UserInput,
    /// `SYSTEM`
    System,
    /// `BOT`
    Bot,
    /// A value this version does not know.
    #[serde(other)]
    Unknown,
}

/// `data.channel`.
///
/// ```
/// use tower_webhooks::provider::conversation::Channel;
///
/// assert_eq!(serde_json::from_str::<Channel>(r#""SMS""#)?, Channel::Sms);
/// assert_eq!(serde_json::from_str::<Channel>(r#""NEW_KIND""#)?, Channel::Unknown);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Channel {
    /// `API`
    Api,
    /// `WHATSAPP`
    Whatsapp,
    /// `SMS`
    Sms,
    /// A value this version does not know.
    #[serde(other)]
    Unknown,
}

/// `data.status`.
///
/// ```
/// use tower_webhooks::provider::conversation::Status;
///
/// assert_eq!(serde_json::from_str::<Status>(r#""RECEIVED""#)?, Status::Received);
/// assert_eq!(serde_json::from_str::<Status>(r#""NEW_KIND""#)?, Status::Unknown);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Status {
    /// `RECEIVED`
    Received,
    /// `PROCESSED`
    Processed,
    /// `FAILED`
    Failed,
    /// A value this version does not know.
    #[serde(other)]
    Unknown,
}
