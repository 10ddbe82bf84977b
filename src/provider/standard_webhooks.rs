//! Standard Webhooks (<https://www.standardwebhooks.com>), the scheme behind Svix and the
//! services that send with it.
//!
//! `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`,
//! several space-separated entries of which any may match; the key is the base64 after `whsec_`.
//! The specification's asymmetric entries, `v1a,<base64 Ed25519 signature>` over the same
//! message, are checked with a public key given as a secret, `whpk_<base64>` (feature
//! `ed25519`): a layer given both a `whsec_` secret and a `whpk_` key accepts a header if any one
//! entry matches its key; without a `whpk_` key, `v1a,` entries are ignored. Tolerance 5 minutes. `webhook-id` is the dedup
//! key and stays the same across retries; the type is JSON `type`.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Source;
use crate::scheme::{
    Encoding, PublicKeyEntries, Scheme, SecretFormat, Signature, SignedPart, TimestampSource,
};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str =
    "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md";

/// The Standard Webhooks scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::standard_webhooks::scheme();
/// assert_eq!(scheme.provider(), "standard-webhooks");
/// ```
pub fn scheme() -> Scheme {
    let mut scheme = with_headers(
        "standard-webhooks",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    );
    // The specification's asymmetric entries: `v1a,<base64 Ed25519>`, checked with a `whpk_`
    // public key given as a secret (feature `ed25519`), beside or instead of a `whsec_` secret.
    scheme.signature = scheme.signature.take().map(|signature| {
        signature.or_public_key_entries(PublicKeyEntries::ed25519("v1a,", "whpk_", "whsk_"))
    });
    scheme
}

/// The scheme under other header names (Svix's `svix-*`), shared with [`super::svix`].
pub(crate) fn with_headers(
    provider: &'static str,
    id: &'static str,
    timestamp: &'static str,
    signature: &'static str,
) -> Scheme {
    Builder::new()
        .provider(provider)
        .signature(
            Signature::new(HeaderName::from_static(signature))
                .prefixed_list("v1,", ' ')
                .encoding(Encoding::Base64)
                .secret_format(SecretFormat::Base64 {
                    prefix: "whsec_".into(),
                })
                .signs([
                    SignedPart::Id,
                    SignedPart::literal("."),
                    SignedPart::Timestamp,
                    SignedPart::literal("."),
                    SignedPart::Body,
                ]),
        )
        .timestamp(TimestampSource::Header(HeaderName::from_static(timestamp)))
        .id(Source::header(HeaderName::from_static(id)))
        .event_type(Source::json_path(&["type"]))
        .into_scheme()
}

/// A Standard Webhooks payload: `type`, `timestamp` and `data`, as the specification recommends.
///
/// ```
/// use tower_webhooks::provider::standard_webhooks;
///
/// let event: standard_webhooks::Event = serde_json::from_str(
///     r#"{"type":"user.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1"}}"#,
/// )?;
/// assert_eq!(event.event_type(), "user.created");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event type, such as `user.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened (RFC 3339).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The event's data.
    #[serde(default)]
    pub data: serde_json::Value,
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
