//! Plaid.
//!
//! `Plaid-Verification` is a JWT signed with ES256 (ECDSA P-256, `r || s`): its header names
//! the key (`kid`) and must say `alg: ES256` (`none`, `HS256` and any other algorithm are
//! refused before a key is looked at); its claims are `iat`, when it was issued (checked to
//! within 5 minutes, as Plaid says), and `request_body_sha256`, the hex SHA-256 of the raw
//! body (compared in constant time). The key is Plaid's JWK for that `kid`, which the layer's
//! [`KeyResolver`](crate::keys::KeyResolver) asks Plaid for: `keys::PlaidKeys` POSTs to
//! `/webhook_verification_key/get` with your client id and secret, on Plaid's host only (feature
//! `fetch`; the signature needs `ecdsa`). An unknown or expired `kid` is a 401; a key that
//! cannot be fetched, a 503 so that Plaid retries.
//!
//! Plaid's webhooks carry no id: the dedup key is the body's SHA-256 (a retry is the same
//! body). The type is `webhook_code` (`SYNC_UPDATES_AVAILABLE`, ...); `webhook_type` names the
//! product.
//!
//! Documentation: <https://plaid.com/docs/api/webhooks/webhook-verification/>

use std::time::Duration;

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{IdSource, Payload, Scheme, Signature, Source};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://plaid.com/docs/api/webhooks/webhook-verification/";

/// A webhook as Plaid sends one, for tests and the CLI's `--sample`.
pub const SAMPLE: &str = r#"{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb","initial_update_complete":true,"historical_update_complete":false,"environment":"production"}"#;

/// The Plaid scheme.
///
/// ```
/// use tower_webhooks::scheme::{KeyName, SignatureFormat};
///
/// let scheme = tower_webhooks::provider::plaid::scheme();
/// assert_eq!(scheme.tolerance().as_secs(), 300);
/// let signature = scheme.signature().unwrap();
/// assert!(matches!(signature.format(), SignatureFormat::Jwt { .. }));
/// assert_eq!(signature.key_source(), Some(&KeyName::JwtKid));
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("plaid")
        .signature(
            Signature::new(HeaderName::from_static("plaid-verification"))
                .jwt("request_body_sha256", "iat")
                .key_named_by_jwt_kid(),
        )
        .tolerance(Duration::from_secs(300))
        .payload(Payload::Json)
        .id(IdSource::body_hash())
        .event_type(Source::json_path(&["webhook_code"]))
        .into_scheme()
}

/// A Plaid webhook.
///
/// ```
/// use tower_webhooks::provider::plaid;
///
/// let webhook: plaid::Webhook = serde_json::from_str(plaid::SAMPLE)?;
/// assert_eq!(webhook.event_type(), "SYNC_UPDATES_AVAILABLE");
/// assert_eq!(webhook.webhook_type, "TRANSACTIONS");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Webhook {
    /// The product it is about (`TRANSACTIONS`, `ITEM`, `AUTH`, ...).
    pub webhook_type: String,
    /// What happened (`SYNC_UPDATES_AVAILABLE`, `ERROR`, ...).
    pub webhook_code: String,
    /// The Item it is about, if any.
    #[serde(default)]
    pub item_id: Option<String>,
    /// An error, for `ERROR` webhooks.
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    /// `sandbox` or `production`.
    #[serde(default)]
    pub environment: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Webhook {
    /// The webhook's code, as the layer reports its type.
    pub fn event_type(&self) -> &str {
        &self.webhook_code
    }
}
