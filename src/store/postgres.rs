//! `PostgresStore`: deduplication and failed deliveries in PostgreSQL (feature `postgres`).

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Config, Pool, PoolConfig, Runtime, Timeouts};
use tokio_postgres::types::ToSql;
use tokio_postgres::NoTls;

use super::record::{fresh_token, Record};
use super::{Claim, ClaimToken, DeliveryStore, FailedDelivery, Result, StoreError};

/// The schema, applied by [`PostgresStore::migrate`]; idempotent.
const MIGRATION: &str = r"
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    key          TEXT PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN ('in_flight', 'done', 'failed')),
    token        TEXT,
    lease_until  TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    record       JSONB,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_failed
    ON webhook_deliveries (updated_at) WHERE state = 'failed';
";

/// Takes a key that is new, or whose lease (in flight) or retention (done, failed) has run out,
/// in one statement: of concurrent claims exactly one gets a row back.
const CLAIM: &str = r"
INSERT INTO webhook_deliveries AS d (key, state, token, lease_until, expires_at, attempts)
VALUES ($1, 'in_flight', $2, now() + make_interval(secs => $3), now() + make_interval(secs => $3), 1)
ON CONFLICT (key) DO UPDATE
    SET state = 'in_flight', token = EXCLUDED.token, lease_until = EXCLUDED.lease_until,
        expires_at = EXCLUDED.expires_at, attempts = d.attempts + 1, updated_at = now()
    WHERE (d.state = 'in_flight' AND d.lease_until < now())
       OR (d.state <> 'in_flight' AND d.expires_at < now())
RETURNING token";

const COMPLETE: &str = r"
UPDATE webhook_deliveries
   SET state = 'done', token = NULL, lease_until = NULL,
       expires_at = now() + make_interval(secs => $3), updated_at = now()
 WHERE key = $1 AND token = $2 AND state = 'in_flight'";

const RELEASE: &str =
    "DELETE FROM webhook_deliveries WHERE key = $1 AND token = $2 AND state = 'in_flight'";

const FAIL: &str = r"
UPDATE webhook_deliveries
   SET state = 'failed', token = NULL, lease_until = NULL,
       expires_at = now() + make_interval(secs => $3), last_error = $4, record = $5::text::jsonb,
       updated_at = now()
 WHERE key = $1 AND token = $2 AND state = 'in_flight'";

const FAILED: &str = r"
SELECT record::text FROM webhook_deliveries
 WHERE state = 'failed' AND record IS NOT NULL
 ORDER BY updated_at
 LIMIT $1";

/// Deduplication in PostgreSQL, for services that run on several machines and already run
/// PostgreSQL: one row per delivery key with its state (in flight, done, failed), lease, attempts,
/// last error and, for failed deliveries, the raw body and verified headers. A claim is one
/// `INSERT .. ON CONFLICT DO UPDATE .. WHERE` the lease or retention ran out, so concurrent
/// claims race safely. Pooled connections ([deadpool-postgres]); every call is bounded in time,
/// so while PostgreSQL is unreachable the layer answers 503 and the provider retries.
///
/// [deadpool-postgres]: https://docs.rs/deadpool-postgres
///
/// ```no_run
/// use tower_webhooks::{store::PostgresStore, WebhookLayer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
/// let store = PostgresStore::connect("postgres://app@127.0.0.1/app")?;
/// store.migrate().await?;
/// let layer = WebhookLayer::ycloud("whsec_...").with_store(store);
/// # let _ = layer;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    settings: Settings,
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    lease: Duration,
    retention: Duration,
    max_failed: i64,
    timeout: Duration,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

impl PostgresStore {
    /// A pool for `url` (`postgres://user:password@host:port/database`; TLS is not used, so keep
    /// it on a private network). Connections are made on first use. Defaults: 16 connections,
    /// lease 5 min, retention 24 h, 10,000 failed deliveries listed, 5 s per call.
    pub fn connect(url: &str) -> Result<Self> {
        let mut config = Config::new();
        config.url = Some(url.to_owned());
        let mut pool = PoolConfig::new(16);
        pool.timeouts = Timeouts {
            wait: Some(Duration::from_secs(2)),
            create: Some(Duration::from_secs(2)),
            recycle: Some(Duration::from_secs(2)),
        };
        config.pool = Some(pool);
        let pool = config
            .create_pool(Some(Runtime::Tokio1), NoTls)
            .map_err(unavailable)?;
        Ok(Self {
            pool,
            settings: Settings {
                lease: Duration::from_secs(5 * 60),
                retention: Duration::from_secs(24 * 60 * 60),
                max_failed: 10_000,
                timeout: Duration::from_secs(5),
            },
        })
    }

    /// Creates the table and index if they do not exist.
    pub async fn migrate(&self) -> Result<()> {
        self.bounded(async {
            let client = self.pool.get().await.map_err(unavailable)?;
            client.batch_execute(MIGRATION).await.map_err(unavailable)
        })
        .await
    }

    /// How long a claim holds before another delivery of the key may take it over.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self
    }

    /// How long a completed or failed key is remembered.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.settings.retention = retention;
        self
    }

    /// How many failed deliveries [`failed`](DeliveryStore::failed) lists, oldest first.
    pub fn with_max_failed(mut self, max_failed: usize) -> Self {
        self.settings.max_failed = i64::try_from(max_failed).unwrap_or(i64::MAX);
        self
    }

    /// Runs one store call within the time bound.
    async fn bounded<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        tokio::time::timeout(self.settings.timeout, call)
            .await
            .unwrap_or_else(|elapsed| Err(unavailable(elapsed)))
    }

    /// Runs one statement on a pooled connection, within the time bound.
    async fn execute(&self, statement: &str, params: &[&(dyn ToSql + Sync)]) -> Result<()> {
        self.bounded(async {
            let client = self.pool.get().await.map_err(unavailable)?;
            client
                .execute(statement, params)
                .await
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl DeliveryStore for PostgresStore {
    async fn claim(&self, key: &str) -> Result<Claim> {
        let token = fresh_token();
        let owner = token.get().to_string();
        let lease = self.settings.lease.as_secs_f64();
        self.bounded(async {
            let client = self.pool.get().await.map_err(unavailable)?;
            let claimed = client
                .query_opt(CLAIM, &[&key, &owner, &lease])
                .await
                .map_err(unavailable)?;
            if claimed.is_some() {
                return Ok(Claim::Acquired(token));
            }
            let state = client
                .query_opt(
                    "SELECT state FROM webhook_deliveries WHERE key = $1",
                    &[&key],
                )
                .await
                .map_err(unavailable)?;
            Ok(match state.map(|row| row.get::<_, String>(0)).as_deref() {
                Some("done" | "failed") => Claim::Done,
                _ => Claim::InFlight,
            })
        })
        .await
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        let retention = self.settings.retention.as_secs_f64();
        self.execute(COMPLETE, &[&key, &token.get().to_string(), &retention])
            .await
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        self.execute(RELEASE, &[&key, &token.get().to_string()])
            .await
    }

    async fn fail(&self, token: ClaimToken, delivery: FailedDelivery) -> Result<()> {
        let record = serde_json::to_string(&Record::from(&delivery)).map_err(unavailable)?;
        let retention = self.settings.retention.as_secs_f64();
        let owner = token.get().to_string();
        self.execute(
            FAIL,
            &[&delivery.key, &owner, &retention, &delivery.error, &record],
        )
        .await
    }

    async fn failed(&self) -> Result<Vec<FailedDelivery>> {
        self.bounded(async {
            let client = self.pool.get().await.map_err(unavailable)?;
            let rows = client
                .query(FAILED, &[&self.settings.max_failed])
                .await
                .map_err(unavailable)?;
            Ok(rows
                .iter()
                .filter_map(|row| serde_json::from_str::<Record>(row.get::<_, &str>(0)).ok())
                .map(Record::into_delivery)
                .collect())
        })
        .await
    }
}
