//! `PlaidKeys`: Plaid's webhook verification keys, asked for by their `kid`.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{Fetcher, KeyResolver, ResolveError};
use crate::Secret;

/// Most keys kept: Plaid rotates a handful.
const MAX_KEYS: usize = 64;

/// The keys Plaid signs webhooks with, fetched by `kid` from
/// `/webhook_verification_key/get` with the client's id and secret (in the request body, over
/// HTTPS to Plaid's hosts only; never in logs or errors). Each key is kept a day; a key Plaid
/// has expired (`expired_at` in the past) verifies nothing. Concurrent deliveries naming the
/// same `kid` wait for one fetch.
///
/// ```
/// use tower_webhooks::keys::PlaidKeys;
///
/// let keys = PlaidKeys::production("client-id", "client-secret");
/// let sandbox = PlaidKeys::sandbox("client-id", "client-secret");
/// # let _ = (keys, sandbox);
/// ```
pub struct PlaidKeys {
    url: String,
    fetcher: Fetcher,
    client_id: String,
    secret: Secret,
    ttl: Duration,
    keys: Mutex<HashMap<String, (Secret, Instant)>>,
}

impl std::fmt::Debug for PlaidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaidKeys")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl PlaidKeys {
    /// The keys of Plaid's production environment.
    pub fn production(client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self::new(
            "https://production.plaid.com/webhook_verification_key/get",
            Fetcher::new(["production.plaid.com"]),
            client_id,
            secret,
        )
    }

    /// The keys of Plaid's sandbox.
    pub fn sandbox(client_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self::new(
            "https://sandbox.plaid.com/webhook_verification_key/get",
            Fetcher::new(["sandbox.plaid.com"]),
            client_id,
            secret,
        )
    }

    /// The keys at `url`, fetched with `fetcher` (whose allowlist must hold the URL's host).
    pub fn new(
        url: impl Into<String>,
        fetcher: Fetcher,
        client_id: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        Self {
            url: url.into(),
            fetcher,
            client_id: client_id.into(),
            secret: secret.into(),
            ttl: Duration::from_secs(24 * 3600),
            keys: Mutex::default(),
        }
    }

    /// How long a key is kept (default a day).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }
}

#[async_trait]
impl KeyResolver for PlaidKeys {
    async fn resolve(&self, kid: &str) -> Result<Secret, ResolveError> {
        // Held across the fetch: one fetch for every delivery waiting on it.
        let mut keys = self.keys.lock().await;
        if let Some((key, at)) = keys.get(kid)
            && at.elapsed() < self.ttl
        {
            return Ok(key.clone());
        }
        let secret = String::from_utf8_lossy(self.secret.expose()).into_owned();
        let request = serde_json::json!({
            "client_id": self.client_id,
            "secret": secret,
            "key_id": kid,
        });
        let answer = match self
            .fetcher
            .post_json(&self.url, request.to_string().into_bytes())
            .await
        {
            Ok(answer) => answer,
            // Plaid answers 400 for a kid it does not know.
            Err(super::FetchError::Status(400)) => return Err(ResolveError::Unknown),
            Err(err) => return Err(ResolveError::Unavailable(err.to_string())),
        };
        let value: serde_json::Value = serde_json::from_slice(&answer).map_err(|_| {
            ResolveError::Unavailable("Plaid's key answer is not the expected JSON".into())
        })?;
        let key = value
            .get("key")
            .ok_or_else(|| ResolveError::Unavailable("Plaid's key answer has no key".into()))?;
        if key.get("kid").and_then(serde_json::Value::as_str) != Some(kid) {
            return Err(ResolveError::Unknown);
        }
        let expired = key
            .get("expired_at")
            .and_then(serde_json::Value::as_i64)
            .is_some_and(|at| {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                at <= now
            });
        if expired {
            return Err(ResolveError::Unknown);
        }
        let secret = Secret::from(key.to_string());
        if keys.len() >= MAX_KEYS {
            keys.clear();
        }
        keys.insert(kid.to_owned(), (secret.clone(), Instant::now()));
        Ok(secret)
    }
}
