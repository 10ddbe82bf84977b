//! `KeyList`: a provider's published list of keys, fetched once and kept for a while.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{Fetcher, KeyResolver, ResolveError};
use crate::Secret;

/// Most keys kept from one document: providers publish a handful.
const MAX_KEYS: usize = 256;

/// The keys a provider publishes in one JSON document, each named by an identifier: GitHub's
/// `https://api.github.com/meta/public_keys/secret_scanning`, `{"public_keys": [{"key_identifier":
/// "...", "key": "-----BEGIN PUBLIC KEY-----..."}]}`.
///
/// The document is fetched on the first delivery, kept for the time to live, and fetched again
/// early when a delivery names a key it lacks (a rotation), at most once per refresh interval.
/// Concurrent deliveries wait for the one fetch under way.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::keys::KeyList;
///
/// let keys = KeyList::github_secret_scanning().with_ttl(Duration::from_secs(3600));
/// # let _ = keys;
/// ```
#[derive(Debug)]
pub struct KeyList {
    url: String,
    fetcher: Fetcher,
    list: String,
    id_field: String,
    key_field: String,
    ttl: Duration,
    refresh: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    keys: HashMap<String, Secret>,
    fetched: Option<Instant>,
}

impl KeyList {
    /// The list at `url`, fetched with `fetcher` (whose allowlist must hold the URL's host),
    /// read as GitHub writes it: `/public_keys`, `key_identifier`, `key`.
    pub fn new(url: impl Into<String>, fetcher: Fetcher) -> Self {
        Self {
            url: url.into(),
            fetcher,
            list: "/public_keys".into(),
            id_field: "key_identifier".into(),
            key_field: "key".into(),
            ttl: Duration::from_secs(3600),
            refresh: Duration::from_secs(60),
            state: Mutex::default(),
        }
    }

    /// GitHub's secret scanning keys, from `api.github.com` only.
    pub fn github_secret_scanning() -> Self {
        Self::new(
            "https://api.github.com/meta/public_keys/secret_scanning",
            Fetcher::new(["api.github.com"]),
        )
    }

    /// Where the list is (a JSON pointer to an array) and the fields of each entry.
    pub fn with_fields(
        mut self,
        list: impl Into<String>,
        id_field: impl Into<String>,
        key_field: impl Into<String>,
    ) -> Self {
        self.list = list.into();
        self.id_field = id_field.into();
        self.key_field = key_field.into();
        self
    }

    /// How long a fetched list is used (default one hour).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How soon a delivery naming an unknown key may fetch the list again (default 60 s).
    pub fn with_refresh(mut self, refresh: Duration) -> Self {
        self.refresh = refresh;
        self
    }

    fn parse(&self, document: &[u8]) -> Result<HashMap<String, Secret>, ResolveError> {
        let malformed =
            || ResolveError::Unavailable("the key list is not the expected JSON".into());
        let value: serde_json::Value = serde_json::from_slice(document).map_err(|_| malformed())?;
        let entries = value
            .pointer(&self.list)
            .and_then(serde_json::Value::as_array)
            .ok_or_else(malformed)?;
        Ok(entries
            .iter()
            .filter_map(|entry| {
                let id = entry.get(&self.id_field)?.as_str()?;
                let key = entry.get(&self.key_field)?.as_str()?;
                Some((id.to_owned(), Secret::from(key)))
            })
            .take(MAX_KEYS)
            .collect())
    }
}

#[async_trait]
impl KeyResolver for KeyList {
    async fn resolve(&self, name: &str) -> Result<Secret, ResolveError> {
        // Held across the fetch: concurrent deliveries wait for it instead of fetching too.
        let mut state = self.state.lock().await;
        let age = state.fetched.map(|at| at.elapsed());
        if age.is_some_and(|age| age < self.ttl) {
            if let Some(key) = state.keys.get(name) {
                return Ok(key.clone());
            }
            if age.is_some_and(|age| age < self.refresh) {
                return Err(ResolveError::Unknown);
            }
        }
        let document = self
            .fetcher
            .get(&self.url)
            .await
            .map_err(|err| ResolveError::Unavailable(err.to_string()))?;
        state.keys = self.parse(&document)?;
        state.fetched = Some(Instant::now());
        state.keys.get(name).cloned().ok_or(ResolveError::Unknown)
    }
}
