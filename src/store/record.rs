//! A failed delivery as the shared stores keep it: JSON, headers and body in base64.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::FailedDelivery;

/// The stored form of a [`FailedDelivery`].
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) key: String,
    pub(crate) provider: String,
    pub(crate) id: String,
    pub(crate) event_type: Option<String>,
    pub(crate) received_at: i64,
    /// Header names and base64 values (values may hold any byte).
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
    pub(crate) error: String,
}

impl From<&FailedDelivery> for Record {
    fn from(delivery: &FailedDelivery) -> Self {
        Self {
            key: delivery.key.clone(),
            provider: delivery.provider.clone(),
            id: delivery.id.clone(),
            event_type: delivery.event_type.clone(),
            received_at: delivery.received_at,
            headers: delivery
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), BASE64.encode(value.as_bytes())))
                .collect(),
            body: BASE64.encode(&delivery.body),
            error: delivery.error.clone(),
        }
    }
}

impl Record {
    /// Back to a delivery; an undecodable header is dropped rather than losing the delivery.
    pub(crate) fn into_delivery(self) -> FailedDelivery {
        let mut headers = HeaderMap::new();
        for (name, value) in self.headers {
            let value = BASE64.decode(value).ok();
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(name.as_bytes()),
                value.map(|v| HeaderValue::from_bytes(&v)),
            ) {
                headers.append(name, value);
            }
        }
        FailedDelivery::new(
            self.key,
            self.provider,
            self.id,
            self.event_type,
            self.received_at,
            headers,
            Bytes::from(BASE64.decode(self.body).unwrap_or_default()),
            self.error,
        )
    }
}

/// A claim token that no other process will draw: a per-process random nonce and a counter.
pub(crate) fn fresh_token() -> super::ClaimToken {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static NONCE: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    // std seeds RandomState from the operating system's randomness.
    let nonce = *NONCE.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(std::process::id().into());
        hasher.finish()
    });
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    super::ClaimToken::new((u128::from(nonce) << 64) | u128::from(count))
}
