//! `RedisStore`: deduplication shared by every replica, in Redis (feature `redis`).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;

use super::record::{fresh_token, Record};
use super::{Claim, ClaimToken, DeliveryStore, FailedDelivery, Result, StoreError};

/// Completes a claim: only its owner may, and the key then stays known for the retention.
const COMPLETE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0";

/// Compare-and-delete: only the owner releases.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// Fails a claim: marks the key done and keeps the delivery, newest last, at most ARGV[4].
const FAIL: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
return 1";

/// Deduplication in Redis, for services that run on several machines: a claim is
/// `SET <key> <token> NX PX <lease>`, completion and release are owner-checked scripts, failed
/// deliveries are kept in a list. Connections are managed (reconnected after failures); while
/// Redis is unreachable every call fails fast with [`StoreError::Unavailable`], so the layer
/// answers 503 and the provider retries.
///
/// ```no_run
/// use tower_webhooks::{store::RedisStore, WebhookLayer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let layer = WebhookLayer::ycloud("whsec_...").with_store(store);
/// # let _ = layer;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    settings: Settings,
    complete: Script,
    release: Script,
    fail: Script,
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    lease: Duration,
    retention: Duration,
    max_failed: usize,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn unavailable(err: redis::RedisError) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`). The connection is made lazily and remade
    /// after failures, so the store can be built while Redis is still starting: calls fail
    /// (503) until it answers. Defaults: key prefix `webhooks`, lease 5 min, retention 24 h,
    /// 10,000 failed deliveries kept.
    pub async fn connect(url: &str) -> Result<Self> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(unavailable)?;
        Ok(Self {
            connection,
            prefix: "webhooks".to_owned(),
            settings: Settings {
                lease: Duration::from_secs(5 * 60),
                retention: Duration::from_secs(24 * 60 * 60),
                max_failed: 10_000,
            },
            complete: Script::new(COMPLETE),
            release: Script::new(RELEASE),
            fail: Script::new(FAIL),
        })
    }

    /// Namespaces every key (several services on one Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long a claim holds before another delivery of the key may take it over.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self
    }

    /// How long a completed key is remembered.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.settings.retention = retention;
        self
    }

    /// How many failed deliveries are kept (the oldest go first).
    pub fn with_max_failed(mut self, max_failed: usize) -> Self {
        self.settings.max_failed = max_failed.max(1);
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}:key:{key}", self.prefix)
    }

    fn failed_list(&self) -> String {
        format!("{}:failed", self.prefix)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

fn owner(token: ClaimToken) -> String {
    format!("claim:{}", token.get())
}

#[async_trait]
impl DeliveryStore for RedisStore {
    async fn claim(&self, key: &str) -> Result<Claim> {
        let token = fresh_token();
        let key = self.key(key);
        let mut connection = self.connection.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(owner(token))
            .arg("NX")
            .arg("PX")
            .arg(millis(self.settings.lease))
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        if set.is_some() {
            return Ok(Claim::Acquired(token));
        }
        let state: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(match state.as_deref() {
            Some("done") => Claim::Done,
            // In flight, or expired in between: either way the provider should come back.
            _ => Claim::InFlight,
        })
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        let mut connection = self.connection.clone();
        let _: i64 = self
            .complete
            .key(self.key(key))
            .arg(owner(token))
            .arg(millis(self.settings.retention))
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        let mut connection = self.connection.clone();
        let _: i64 = self
            .release
            .key(self.key(key))
            .arg(owner(token))
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn fail(&self, token: ClaimToken, delivery: FailedDelivery) -> Result<()> {
        let record = serde_json::to_string(&Record::from(&delivery))
            .map_err(|err| StoreError::Unavailable(Box::new(err)))?;
        let mut connection = self.connection.clone();
        let _: i64 = self
            .fail
            .key(self.key(&delivery.key))
            .key(self.failed_list())
            .arg(owner(token))
            .arg(millis(self.settings.retention))
            .arg(record)
            .arg(self.settings.max_failed)
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn failed(&self) -> Result<Vec<FailedDelivery>> {
        let mut connection = self.connection.clone();
        let records: Vec<String> = redis::cmd("LRANGE")
            .arg(self.failed_list())
            .arg(0)
            .arg(-1)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(records
            .into_iter()
            .filter_map(|json| serde_json::from_str::<Record>(&json).ok())
            .map(Record::into_delivery)
            .collect())
    }
}
