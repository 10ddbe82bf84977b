//! WooCommerce.
//!
//! `x-wc-webhook-signature: <base64 HMAC-SHA256>` over `<body>`, keyed with the secret as written.
//! The provider signs no timestamp, so replays are stopped by deduplication alone.
//! Dedup key: the `x-wc-webhook-delivery-id` header (else the body's SHA-256).
//! Event type: the `x-wc-webhook-topic` header.
//! The setup ping (`webhook_id=N`, form-encoded) is not signed; it is answered 401 and WooCommerce
//! keeps the hook anyway. (the documentation does not say whether it needs a 2xx).
//!
//! Documentation: <https://woocommerce.com/document/webhooks/>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::{Encoding, IdSource, Scheme, Signature, Source};
use crate::Builder;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://woocommerce.com/document/webhooks/";

/// A delivery body as the provider sends one, for tests and `webhooks send --sample`.
pub const SAMPLE: &str = r#"{"id":727,"status":"processing","currency":"USD","total":"29.35","date_created":"2023-11-14T22:13:20"}"#;

/// The WooCommerce scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::woocommerce::scheme();
/// assert_eq!(scheme.provider(), "woocommerce");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("woocommerce")
        .signature(
            Signature::new(HeaderName::from_static("x-wc-webhook-signature"))
                .encoding(Encoding::Base64),
        )
        .id(IdSource::from(Source::header(HeaderName::from_static("x-wc-webhook-delivery-id"))).or_body_hash())
        .event_type(Source::header(HeaderName::from_static("x-wc-webhook-topic")))
        .into_scheme()
}

/// A WooCommerce delivery: the fields the layer reads, and every other field as JSON.
///
/// The event type is in the `x-wc-webhook-topic` header: [`Event::event_type`](crate::Event::event_type)
/// of the extractor reports it.
///
/// ```
/// use tower_webhooks::provider::woocommerce;
///
/// let event: woocommerce::Event = serde_json::from_str(woocommerce::SAMPLE)?;
/// assert!(!event.extra.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
