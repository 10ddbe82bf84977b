//! A parked delivery as the shared stores keep it: JSON, headers and body in base64. Attempts,
//! last error and schedule live beside it, where the store updates them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use super::{InboxStatus, StoredDelivery};

/// The stored form of a [`StoredDelivery`]'s request and facts.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) key: String,
    pub(crate) provider: String,
    pub(crate) id: String,
    pub(crate) event_type: Option<String>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) received_at: i64,
    pub(crate) method: String,
    pub(crate) uri: String,
    /// Header names and base64 values (values may hold any byte).
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl From<&StoredDelivery> for Record {
    fn from(delivery: &StoredDelivery) -> Self {
        Self {
            key: delivery.key.clone(),
            provider: delivery.provider.clone(),
            id: delivery.id.clone(),
            event_type: delivery.event_type.clone(),
            timestamp: delivery.timestamp,
            received_at: delivery.received_at,
            method: delivery.method.as_str().to_owned(),
            uri: delivery.uri.to_string(),
            headers: delivery
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), BASE64.encode(value.as_bytes())))
                .collect(),
            body: BASE64.encode(&delivery.body),
        }
    }
}

impl Record {
    /// Serialised for the store.
    pub(crate) fn json(delivery: &StoredDelivery) -> super::Result<String> {
        serde_json::to_string(&Record::from(delivery))
            .map_err(|err| super::StoreError::Unavailable(Box::new(err)))
    }

    /// Back to a delivery, with what the store keeps beside the record. `None` if the record is
    /// not ours (corrupt); an undecodable header is dropped rather than losing the delivery.
    pub(crate) fn parse(
        json: &str,
        attempts: u32,
        last_error: Option<String>,
        status: InboxStatus,
        next_attempt_at: Option<i64>,
    ) -> Option<StoredDelivery> {
        let record: Record = serde_json::from_str(json).ok()?;
        let mut headers = HeaderMap::new();
        for (name, value) in record.headers {
            let value = BASE64.decode(value).ok();
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::from_bytes(name.as_bytes()),
                value.map(|v| HeaderValue::from_bytes(&v)),
            ) {
                headers.append(name, value);
            }
        }
        let body = Bytes::from(BASE64.decode(record.body).ok()?);
        let mut delivery =
            StoredDelivery::new(record.key, record.provider, record.id, headers, body);
        delivery.event_type = record.event_type;
        delivery.timestamp = record.timestamp;
        delivery.received_at = record.received_at;
        delivery.method = record.method.parse().unwrap_or(http::Method::POST);
        delivery.uri = record.uri.parse().unwrap_or(http::Uri::from_static("/"));
        delivery.attempts = attempts;
        delivery.last_error = last_error.filter(|e| !e.is_empty());
        delivery.status = status;
        delivery.next_attempt_at = next_attempt_at;
        Some(delivery)
    }
}

/// A claim token that no other process will draw: a per-process random nonce and a counter.
pub(crate) fn fresh_token() -> super::ClaimToken {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
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
