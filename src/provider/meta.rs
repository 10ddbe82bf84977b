//! Meta: WhatsApp Cloud API, Messenger, Instagram.
//!
//! Verification: `GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>` is answered
//! `200 text/plain` with `<n>` when the verify token (one you choose in the app dashboard, not the
//! app secret) matches, compared in constant time; `403` otherwise. Events: `POST` with
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`. Meta sends no event id (the
//! WhatsApp message ids sit inside the entries), so the dedup key is the body hash; the type is
//! JSON `object` (`whatsapp_business_account`, `page`, `instagram`).

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::scheme::Handshake;
use crate::scheme::{IdSource, Source};
use crate::scheme::{Scheme, Signature};
use crate::{Builder, Secret};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developers.facebook.com/docs/graph-api/webhooks/getting-started";

/// The Meta scheme with your verify token.
///
/// ```
/// let scheme = tower_webhooks::provider::meta::scheme("my-verify-token");
/// assert_eq!(scheme.provider(), "meta");
/// ```
pub fn scheme(verify_token: impl Into<Secret>) -> Scheme {
    Builder::new()
        .provider("meta")
        .signature(Signature::new(HeaderName::from_static("x-hub-signature-256")).prefix("sha256="))
        .id(IdSource::body_hash())
        .event_type(Source::json_path(&["object"]))
        .handshake(Handshake::verify_token(verify_token))
        .into_scheme()
}

/// A Meta webhook notification: the product and its entries.
///
/// ```
/// use tower_webhooks::provider::meta;
///
/// let event: meta::Event = serde_json::from_str(
///     r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}"#,
/// )?;
/// assert_eq!(event.event_type(), "whatsapp_business_account");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The product: `whatsapp_business_account`, `page`, `instagram`, ...
    pub object: String,
    /// The entries, each with its `id`, `time` and `changes` or `messaging`.
    #[serde(default)]
    pub entry: Vec<serde_json::Value>,
}

impl Event {
    /// The product the notification is about.
    pub fn event_type(&self) -> &str {
        &self.object
    }
}
