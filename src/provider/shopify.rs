//! Shopify.
//!
//! `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`. `X-Shopify-Webhook-Id` is the
//! dedup key (the same across retries); `X-Shopify-Topic` the type (`orders/create`, ...). After a
//! secret rotation, old-secret signatures keep arriving for up to an hour: add both secrets with
//! [`WebhookLayer::with_secret`](crate::WebhookLayer::with_secret). Shopify waits 5 s in all and retries 8 times over 4 hours.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::Source;
use crate::scheme::{Encoding, Payload, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str =
    "https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook";

/// The Shopify scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::shopify::scheme();
/// assert_eq!(scheme.signature().unwrap().header(), "x-shopify-hmac-sha256");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("shopify")
        .signature(
            Signature::new(HeaderName::from_static("x-shopify-hmac-sha256"))
                .encoding(Encoding::Base64),
        )
        // The id and topic are headers: no need to scan the body.
        .payload(Payload::Opaque)
        .id(Source::header(HeaderName::from_static(
            "x-shopify-webhook-id",
        )))
        .event_type(Source::header(HeaderName::from_static("x-shopify-topic")))
        .into_scheme()
}

/// The fields Shopify resources share; the topic is the `X-Shopify-Topic` header, read with
/// [`Event::event_type`](crate::Event::event_type).
///
/// ```
/// use tower_webhooks::provider::shopify;
///
/// let event: shopify::Event = serde_json::from_str(
///     r#"{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508"}"#,
/// )?;
/// assert_eq!(event.id, Some(820982911946154508));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The resource's numeric id.
    #[serde(default)]
    pub id: Option<u64>,
    /// The resource's GraphQL id.
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
