//! Amazon SNS, HTTP/S subscriptions.
//!
//! Everything is in the JSON body (sent as `text/plain`): `Signature` is the base64
//! RSASSA-PKCS1-v1_5 signature, with SHA-1 when `SignatureVersion` is `1` (SNS's default) and
//! SHA-256 when it is `2`, of SNS's canonical form of the message: the fields `Message`,
//! `MessageId`, `Subject` (when present), `SubscribeURL` and `Token` (confirmations only),
//! `Timestamp`, `TopicArn` and `Type`, each as its name, a newline, its value, a newline. The
//! key is the certificate at `SigningCertURL`, which the layer's
//! [`KeyResolver`](crate::keys::KeyResolver) fetches: `keys::Certificates::amazon_sns` fetches
//! it from `sns.<region>.amazonaws.com` (and the China and GovCloud forms) only, over HTTPS, and
//! keeps it a day (feature `fetch`; the signature needs `rsa`). A certificate URL on another host
//! is a 401 before any connection; a certificate that cannot be fetched, a 503 so that SNS
//! retries; an expired one, a 401.
//!
//! The signed `Timestamp` is checked to within 65 minutes: SNS retries the very same message
//! (same timestamp and signature) for up to an hour under the longest delivery policy. The
//! dedup key is `MessageId`, the type is `Type`. A `SubscriptionConfirmation` is confirmed by
//! the layer, which GETs its `SubscribeURL` (on SNS's hosts only) and answers 200 once SNS has
//! (503 otherwise, and SNS tries again); with
//! [`WebhookLayer::sns_subscriptions_to_handler`](crate::WebhookLayer::sns_subscriptions_to_handler)
//! the handler gets it instead. An `UnsubscribeConfirmation` reaches the handler, as
//! notifications do. Raw message delivery must be off: a raw message carries no signature.
//!
//! Documentation: <https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{
    Algorithm, AlgorithmBy, Encoding, Field, Handshake, Payload, Pointer, Scheme, Signature,
    SignedPart, Source, TimestampFormat, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str =
    "https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html";

/// A notification as SNS sends one, for tests and the CLI's `--sample` (unsigned here).
pub const SAMPLE: &str = r#"{"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic","Subject":"My First Message","Message":"Hello world!","Timestamp":"2012-05-02T00:54:06.655Z","SignatureVersion":"1","Signature":"","SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem","UnsubscribeURL":"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96"}"#;

/// The Amazon SNS scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::sns::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 3900);
/// let signature = scheme.signature().unwrap();
/// assert_eq!(signature.body_field().unwrap().as_str(), "/Signature");
/// ```
pub fn scheme() -> Scheme {
    let field = |name: &str| Pointer::from_keys(&[name]);
    Builder::new()
        .provider("amazon-sns")
        .signature(
            // The header is never read: the signature is the body's `Signature`.
            Signature::new(HeaderName::from_static("x-amz-sns-signature"))
                .rsa_pkcs1_sha256()
                .algorithm_by(
                    AlgorithmBy::new(field("SignatureVersion"))
                        .choice("1", Algorithm::RsaPkcs1Sha1)
                        .choice("2", Algorithm::RsaPkcs1Sha256),
                )
                .encoding(Encoding::Base64)
                .in_body(field("Signature"))
                .key_named_in_body(field("SigningCertURL"))
                .signs([SignedPart::Fields(vec![
                    Field::required("Message"),
                    Field::required("MessageId"),
                    Field::optional("Subject"),
                    Field::optional("SubscribeURL"),
                    Field::required("Timestamp"),
                    Field::optional("Token"),
                    Field::required("TopicArn"),
                    Field::required("Type"),
                ])]),
        )
        .timestamp(TimestampSource::Json(field("Timestamp")))
        .timestamp_format(TimestampFormat::Rfc3339)
        .tolerance(Duration::from_secs(3900))
        .payload(Payload::Json)
        .id(Source::json_path(&["MessageId"]))
        .event_type(Source::json_path(&["Type"]))
        .handshake(Handshake::ConfirmUrl {
            event: Source::json_path(&["Type"]),
            value: "SubscriptionConfirmation".into(),
            url: field("SubscribeURL"),
        })
        .into_scheme()
}

/// What an SNS message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MessageType {
    /// A message published to the topic.
    Notification,
    /// The endpoint was subscribed; visit `SubscribeURL` to confirm (the layer does).
    SubscriptionConfirmation,
    /// The endpoint was unsubscribed.
    UnsubscribeConfirmation,
}

/// An SNS message, as the handler gets it.
///
/// ```
/// use tower_webhooks::provider::sns::{self, MessageType};
///
/// let message: sns::Message = serde_json::from_str(sns::SAMPLE)?;
/// assert_eq!(message.kind, MessageType::Notification);
/// assert_eq!(message.message, "Hello world!");
/// assert_eq!(message.event_type(), "Notification");
/// assert_eq!(message.subject.as_deref(), Some("My First Message"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Message {
    /// `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    #[serde(rename = "Type")]
    pub kind: MessageType,
    /// The message's id (the dedup key).
    pub message_id: String,
    /// The topic it was published to.
    pub topic_arn: String,
    /// The subject, if the publisher gave one.
    #[serde(default)]
    pub subject: Option<String>,
    /// The message itself, as published (often JSON in a string).
    pub message: String,
    /// When it was published, RFC 3339.
    pub timestamp: String,
    /// The confirmation URL (confirmations only).
    #[serde(rename = "SubscribeURL", default)]
    pub subscribe_url: Option<String>,
    /// The confirmation token (confirmations only).
    #[serde(default)]
    pub token: Option<String>,
    /// Where to unsubscribe (notifications only).
    #[serde(rename = "UnsubscribeURL", default)]
    pub unsubscribe_url: Option<String>,
    /// The message attributes, if any.
    #[serde(default)]
    pub message_attributes: Option<serde_json::Value>,
    /// Every other field (`Signature`, `SigningCertURL`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Message {
    /// The message's type, as the layer reports it.
    pub fn event_type(&self) -> &'static str {
        match self.kind {
            MessageType::Notification => "Notification",
            MessageType::SubscriptionConfirmation => "SubscriptionConfirmation",
            MessageType::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }
}
