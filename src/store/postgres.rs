//! `PostgresStore`: deduplication and failed deliveries in PostgreSQL (feature `postgres`).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Config, Object, Pool, PoolConfig, Runtime, Timeouts};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Statement};

use super::batch::{BatchSettings, Batcher, Job};
use super::record::{Record, fresh_token};
use super::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, Result, Schedule, Settlement, StoreError,
    StoredDelivery, Taken,
};

/// The schema, applied by [`PostgresStore::migrate`]; idempotent. `{table}` is the table's name.
///
/// A completion (in flight to done) changes no indexed column, nor any column an index's
/// predicate reads, and the pages keep room (`fillfactor`): it is a HOT update, which writes the
/// row again in its page and touches no index. So a delivery costs one insert with its index
/// entries and one small update. A key's expiry is set when it is claimed (retention from the
/// delivery's arrival); a claim in flight is taken over once its `lease_until` has passed.
/// Pending deliveries have a `due_at`, dead ones a `dead_at`, each indexed where set. The
/// statements after the table bring a table made by an earlier version to this schema.
const MIGRATION: &str = r"
CREATE TABLE IF NOT EXISTS {table} (
    key          TEXT PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN ('in_flight', 'done', 'pending', 'dead')),
    token        TEXT,
    lease_until  TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    record       JSONB,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    dead_at      TIMESTAMPTZ
) WITH (fillfactor = 70);
ALTER TABLE {table} ADD COLUMN IF NOT EXISTS dead_at TIMESTAMPTZ;
ALTER TABLE {table} SET (fillfactor = 70);
UPDATE {table} SET dead_at = updated_at, due_at = NULL WHERE state = 'dead' AND dead_at IS NULL;
DROP INDEX IF EXISTS {table}_due;
DROP INDEX IF EXISTS {table}_dead;
DROP INDEX IF EXISTS {table}_expiry;
CREATE INDEX IF NOT EXISTS {table}_due_at ON {table} (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS {table}_dead_at ON {table} (dead_at) WHERE dead_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS {table}_expires_at ON {table} (expires_at);
";

/// One claim alone (a batch of one, the usual case at low load): a plain insert is cheaper than
/// the batch's statement. $1 key, $2 token, $3 lease, $4 retention. A key is taken when it is
/// new, in flight past its lease, or done past its retention; parked keys never expire.
const CLAIM_ONE: &str = r"
INSERT INTO {table} AS d (key, state, token, lease_until, expires_at)
VALUES ($1, 'in_flight', $2, now() + make_interval(secs => $3), now() + make_interval(secs => $4))
ON CONFLICT (key) DO UPDATE
    SET state = 'in_flight', token = EXCLUDED.token, lease_until = EXCLUDED.lease_until,
        expires_at = EXCLUDED.expires_at, due_at = NULL, dead_at = NULL, attempts = 0,
        last_error = NULL, record = NULL, updated_at = now()
    WHERE (d.state = 'in_flight' AND d.lease_until < now())
       OR (d.state = 'done' AND d.expires_at < now())
RETURNING token";

/// The state a key is held in, after a lone claim did not take it.
const STATE: &str = "SELECT state FROM {table} WHERE key = $1";

/// One completion alone, a HOT update (see [`MIGRATION`]). $1 key, $2 token.
const COMPLETE_ONE: &str = r"
UPDATE {table}
   SET state = 'done', token = NULL, lease_until = NULL, updated_at = now()
 WHERE key = $1 AND token = $2 AND state = 'in_flight'";

/// A batch in one statement and one commit, its keys distinct: the completions of owned claims
/// (`$3` true, `$2` the owner's token) and the claims of keys (`$3` false, `$2` a fresh token,
/// lease `$4`, retention `$5`). A claimed key that is new, in flight past its lease, or done past
/// its retention, is taken, so of concurrent claims of a key exactly one gets it; parked keys
/// never expire. A completion marks its key done if its token still holds it (a HOT update, as
/// [`COMPLETE_ONE`]: the indexed columns keep their values), and records it done if its row is
/// gone. Every claimed key comes back with whether it was taken and, if not, the state it is
/// held in (read from the statement's snapshot; none: a concurrent claim holds it).
///
/// That state is read by the key's primary key for each key not taken, never joined: a prepared
/// statement's generic plan is made once per connection, and a join planned while the table was
/// small (an empty one, after a deploy) scans the whole table on every batch ever after.
///
/// One upsert of every row in key order, so that every statement that waits for rows locks them
/// in one order and no two statements deadlock: two batches at once, one completing `a` and
/// claiming `b`, the other the reverse, would otherwise each hold a row the other waits for.
const CLAIM: &str = r"
WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::bool[]) AS i(key, token, completing)
), written AS (
    INSERT INTO {table} AS d (key, state, token, lease_until, expires_at)
    SELECT key, CASE WHEN completing THEN 'done' ELSE 'in_flight' END, token,
           CASE WHEN completing THEN NULL ELSE now() + make_interval(secs => $4) END,
           now() + make_interval(secs => $5)
      FROM input ORDER BY key
    ON CONFLICT (key) DO UPDATE
        SET state = EXCLUDED.state,
            token = CASE WHEN EXCLUDED.state = 'done' THEN NULL ELSE EXCLUDED.token END,
            lease_until = EXCLUDED.lease_until,
            expires_at = CASE WHEN EXCLUDED.state = 'done' THEN d.expires_at
                              ELSE EXCLUDED.expires_at END,
            due_at = NULL, dead_at = NULL,
            attempts = CASE WHEN EXCLUDED.state = 'done' THEN d.attempts ELSE 0 END,
            last_error = NULL, record = NULL, updated_at = now()
        WHERE CASE WHEN EXCLUDED.state = 'done'
                   THEN d.state = 'in_flight' AND d.token = EXCLUDED.token
                   ELSE (d.state = 'in_flight' AND d.lease_until < now())
                     OR (d.state = 'done' AND d.expires_at < now()) END
    RETURNING d.key
)
SELECT input.key, written.key IS NOT NULL,
       CASE WHEN written.key IS NULL
            THEN (SELECT held.state FROM {table} AS held WHERE held.key = input.key) END
  FROM input
  LEFT JOIN written ON written.key = input.key
 WHERE NOT input.completing";

const RELEASE: &str = "DELETE FROM {table} WHERE key = $1 AND token = $2 AND state = 'in_flight'";

/// $3: delay in seconds, or NULL for dead.
const PARK: &str = r"
UPDATE {table}
   SET state = CASE WHEN $3::float8 IS NULL THEN 'dead' ELSE 'pending' END,
       token = NULL, lease_until = NULL, expires_at = 'infinity',
       due_at = now() + make_interval(secs => $3::float8),
       dead_at = CASE WHEN $3::float8 IS NULL THEN now() END,
       attempts = $4, last_error = $5, record = $6::text::jsonb, updated_at = now()
 WHERE key = $1 AND token = $2 AND state = 'in_flight'";

/// Leases due deliveries; SKIP LOCKED lets concurrent workers take disjoint batches. A taken
/// delivery is due again when its lease runs out.
const TAKE: &str = r"
UPDATE {table}
   SET token = $1, lease_until = now() + make_interval(secs => $2),
       due_at = now() + make_interval(secs => $2), updated_at = now()
 WHERE key IN (
    SELECT key FROM {table}
     WHERE state = 'pending' AND due_at <= now()
     ORDER BY due_at
     LIMIT $3
     FOR UPDATE SKIP LOCKED)
RETURNING record::text, attempts, last_error, extract(epoch FROM due_at)::float8";

const SETTLE_DONE: &str = r"
UPDATE {table}
   SET state = 'done', token = NULL, lease_until = NULL, due_at = NULL, record = NULL,
       attempts = attempts + 1, expires_at = now() + make_interval(secs => $3), updated_at = now()
 WHERE key = $1 AND token = $2 AND state = 'pending'";

/// $3: delay in seconds, or NULL for dead.
const SETTLE_FAILED: &str = r"
UPDATE {table}
   SET state = CASE WHEN $3::float8 IS NULL THEN 'dead' ELSE 'pending' END,
       token = NULL, lease_until = NULL, attempts = attempts + 1, last_error = $4,
       due_at = now() + make_interval(secs => $3::float8),
       dead_at = CASE WHEN $3::float8 IS NULL THEN now() END, updated_at = now()
 WHERE key = $1 AND token = $2 AND state = 'pending'";

/// Pending deliveries earliest due first, dead ones in the order they died.
const LIST: &str = r"
SELECT record::text, attempts, last_error, extract(epoch FROM due_at)::float8
  FROM {table}
 WHERE state = $1 AND record IS NOT NULL
 ORDER BY coalesce(due_at, dead_at)
 LIMIT $2";

const COUNT: &str = r"
SELECT count(*) FROM {table} WHERE state = $1 AND record IS NOT NULL";

const REPLAY: &str = r"
UPDATE {table}
   SET state = 'pending', token = NULL, lease_until = NULL, due_at = now(), dead_at = NULL,
       updated_at = now()
 WHERE key = $1 AND state IN ('pending', 'dead')";

const PURGE: &str = r"
UPDATE {table}
   SET state = 'done', token = NULL, lease_until = NULL, due_at = NULL, dead_at = NULL,
       record = NULL, expires_at = now() + make_interval(secs => $2), updated_at = now()
 WHERE key = $1 AND state IN ('pending', 'dead')";

/// Rows whose lease or retention ran out long enough ago that no claim needs them. Rows a
/// statement holds are left for the next sweep: it never waits, so it never deadlocks.
const SWEEP: &str = r"
DELETE FROM {table}
 WHERE key IN (
    SELECT key FROM {table}
     WHERE state IN ('in_flight', 'done') AND expires_at < now()
     FOR UPDATE SKIP LOCKED)";

/// The statements, for one table.
#[derive(Debug)]
struct Sql {
    table: String,
    migration: String,
    claim: String,
    claim_one: String,
    state: String,
    complete_one: String,
    release: String,
    park: String,
    take: String,
    settle_done: String,
    settle_failed: String,
    list: String,
    count: String,
    replay: String,
    purge: String,
    sweep: String,
}

impl Sql {
    fn new(table: &str) -> Self {
        let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
        let for_table = |statement: &str| {
            let mut statement = statement.to_owned();
            for index in ["due_at", "dead_at", "expires_at", "due", "dead", "expiry"] {
                statement = statement.replace(
                    &format!("{{table}}_{index}"),
                    &quote(&format!("{table}_{index}")),
                );
            }
            statement.replace("{table}", &quote(table))
        };
        Self {
            table: table.to_owned(),
            migration: for_table(MIGRATION),
            claim: for_table(CLAIM),
            claim_one: for_table(CLAIM_ONE),
            state: for_table(STATE),
            complete_one: for_table(COMPLETE_ONE),
            release: for_table(RELEASE),
            park: for_table(PARK),
            take: for_table(TAKE),
            settle_done: for_table(SETTLE_DONE),
            settle_failed: for_table(SETTLE_FAILED),
            list: for_table(LIST),
            count: for_table(COUNT),
            replay: for_table(REPLAY),
            purge: for_table(PURGE),
            sweep: for_table(SWEEP),
        }
    }
}

/// Deduplication and a durable inbox in PostgreSQL, for services that run on several machines
/// and already run PostgreSQL: one row per delivery key with its state (in flight, done,
/// pending, dead), lease, attempts, last error and, while in the inbox, the raw body and verified
/// headers. A claim is one `INSERT .. ON CONFLICT DO UPDATE .. WHERE` the lease or retention ran
/// out, so concurrent claims race safely; workers lease due deliveries with
/// `FOR UPDATE SKIP LOCKED`. Expired rows are deleted by [`sweep`](DeliveryStore::sweep), which
/// the [`Worker`](crate::Worker) calls every minute. Pooled connections ([deadpool-postgres]); every call is bounded in time,
/// so while PostgreSQL is unreachable the layer answers 503 and the provider retries.
/// Claims and completions of concurrent deliveries are written together (see
/// [`with_batching`](Self::with_batching)), and a processed delivery's completion is not
/// awaited: it rides with the next claims ([`complete_later`](DeliveryStore::complete_later);
/// await [`flush`](DeliveryStore::flush) before the process exits).
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
    sql: Arc<Sql>,
    writer: Arc<Batcher>,
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    lease: Duration,
    retention: Duration,
    timeout: Duration,
    batch: BatchSettings,
}

/// The batching writer: the claims and completions of concurrent deliveries, one statement
/// and one commit for a batch of both.
fn writer(pool: &Pool, sql: &Arc<Sql>, settings: Settings) -> Arc<Batcher> {
    let (pool, sql) = (pool.clone(), Arc::clone(sql));
    Arc::new(Batcher::new(settings.batch, move |jobs| {
        flush(pool.clone(), Arc::clone(&sql), settings, jobs)
    }))
}

/// Runs one store call within the time bound.
async fn bounded<T>(timeout: Duration, call: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or_else(|elapsed| Err(unavailable(elapsed)))
}

/// A pooled connection, and `statement` prepared on it (once per connection, then cached).
async fn prepared(pool: &Pool, statement: &str) -> Result<(Object, Statement)> {
    let client = pool.get().await.map_err(unavailable)?;
    let statement = client
        .prepare_cached(statement)
        .await
        .map_err(unavailable)?;
    Ok((client, statement))
}

/// A lone claim, with the plain statements.
async fn claim_alone(
    pool: &Pool,
    sql: &Sql,
    settings: Settings,
    key: &str,
    token: ClaimToken,
) -> Result<Claim> {
    let owner = token.get().to_string();
    let (lease, retention) = (
        settings.lease.as_secs_f64(),
        settings.retention.as_secs_f64(),
    );
    bounded(settings.timeout, async {
        let (client, claim) = prepared(pool, &sql.claim_one).await?;
        let taken = client
            .query_opt(&claim, &[&key, &owner, &lease, &retention])
            .await
            .map_err(unavailable)?;
        if taken.is_some() {
            return Ok(Claim::Acquired(token));
        }
        let state = client
            .prepare_cached(&sql.state)
            .await
            .map_err(unavailable)?;
        let state = client
            .query_opt(&state, &[&key])
            .await
            .map_err(unavailable)?;
        Ok(match state.map(|row| row.get::<_, String>(0)).as_deref() {
            Some("done" | "pending" | "dead") => Claim::Done,
            _ => Claim::InFlight,
        })
    })
    .await
}

/// A lone completion, with the plain statement.
async fn complete_alone(
    pool: &Pool,
    sql: &Sql,
    settings: Settings,
    key: &str,
    token: ClaimToken,
) -> Result<()> {
    let owner = token.get().to_string();
    bounded(settings.timeout, async {
        let (client, complete) = prepared(pool, &sql.complete_one).await?;
        client
            .execute(&complete, &[&key, &owner])
            .await
            .map_err(unavailable)?;
        Ok(())
    })
    .await
}

/// One statement for a batch: its completions, and its claims of distinct keys. A key claimed
/// twice in one batch is claimed once, its second call answered as a duplicate of the first; a
/// key claimed while its completion is in the batch is answered done (it is, once the statement
/// commits), so that no statement touches a row twice. A batch of one uses the plain statements.
async fn flush(pool: Pool, sql: Arc<Sql>, settings: Settings, mut jobs: Vec<Job>) {
    if jobs.len() == 1 {
        match jobs.pop() {
            Some(Job::Claim { key, token, reply }) => {
                let _ = reply.send(claim_alone(&pool, &sql, settings, &key, token).await);
            }
            Some(Job::Complete { key, token, reply }) => {
                reply.send(complete_alone(&pool, &sql, settings, &key, token).await);
            }
            None => {}
        }
        return;
    }
    let mut claims = Vec::new();
    let mut completions = Vec::new();
    for job in jobs {
        match job {
            Job::Claim { key, token, reply } => claims.push((key, token, reply)),
            Job::Complete { key, token, reply } => completions.push((key, token, reply)),
        }
    }
    // Each distinct key written, with its first call's token and whether it completes.
    let mut first: HashMap<&str, (ClaimToken, bool)> = HashMap::new();
    for (key, token, _) in &completions {
        first.entry(key.as_str()).or_insert((*token, true));
    }
    for (key, token, _) in &claims {
        first.entry(key.as_str()).or_insert((*token, false));
    }
    let mut keys = Vec::with_capacity(first.len());
    let mut tokens = Vec::with_capacity(first.len());
    let mut completing = Vec::with_capacity(first.len());
    for (key, (token, completes)) in &first {
        keys.push(*key);
        tokens.push(token.get().to_string());
        completing.push(*completes);
    }
    let (lease, retention) = (
        settings.lease.as_secs_f64(),
        settings.retention.as_secs_f64(),
    );
    let rows = bounded(settings.timeout, async {
        let (client, statement) = prepared(&pool, &sql.claim).await?;
        let params: [&(dyn ToSql + Sync); 5] = [&keys, &tokens, &completing, &lease, &retention];
        let mut attempt = 1;
        loop {
            match client.query(&statement, &params).await {
                // Statements that wait for rows lock them in key order, so none should
                // deadlock; should PostgreSQL still fail one for crossing another, it changed
                // nothing and is written again.
                Err(err) if attempt < ATTEMPTS && retryable(&err) => attempt += 1,
                answer => return answer.map_err(unavailable),
            }
        }
    })
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(err) => {
            // Every call of the batch gets the error, with what the engine said.
            let detail = causes(&err);
            let failed = || unavailable(std::io::Error::other(detail.clone()));
            for (.., reply) in claims {
                let _ = reply.send(Err(failed()));
            }
            for (.., reply) in completions {
                reply.send(Err(failed()));
            }
            return;
        }
    };
    // (taken, held state) per distinct claimed key.
    let outcomes: HashMap<String, (bool, Option<String>)> = rows
        .iter()
        .map(|row| (row.get(0), (row.get(1), row.get(2))))
        .collect();
    let firsts: Vec<Option<(ClaimToken, bool)>> = claims
        .iter()
        .map(|(key, ..)| first.get(key.as_str()).copied())
        .collect();
    for ((key, token, reply), first) in claims.into_iter().zip(firsts) {
        let claim = match (first, outcomes.get(&key)) {
            // Completed by this very statement.
            (Some((_, true)), _) => Claim::Done,
            (Some((first, false)), Some((true, _))) if first == token => Claim::Acquired(token),
            // Taken by this batch's first call of the key: this call is its duplicate.
            (_, Some((true, _))) => Claim::InFlight,
            (_, Some((false, Some(state)))) if state != "in_flight" => Claim::Done,
            _ => Claim::InFlight,
        };
        let _ = reply.send(Ok(claim));
    }
    for (.., reply) in completions {
        reply.send(Ok(()));
    }
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("table", &self.sql.table)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

/// How many times a batch is written when PostgreSQL fails it for crossing another.
const ATTEMPTS: u32 = 3;

/// A statement PostgreSQL failed for crossing a concurrent one, rolled back whole.
fn retryable(err: &tokio_postgres::Error) -> bool {
    err.code().is_some_and(|code| {
        *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
    })
}

/// What `err` says with its causes (tokio-postgres's own is only "db error"; the engine's
/// message and code are its source's).
fn causes(err: &StoreError) -> String {
    let mut detail = String::new();
    let mut cause = std::error::Error::source(err);
    while let Some(err) = cause {
        if !detail.is_empty() {
            detail.push_str(": ");
        }
        detail.push_str(&err.to_string());
        if let Some(db) = err.downcast_ref::<tokio_postgres::error::DbError>() {
            detail.push_str(&format!(" ({})", db.code().code()));
        }
        cause = err.source();
    }
    detail
}

impl PostgresStore {
    /// A pool for `url` (`postgres://user:password@host:port/database`; TLS is not used, so keep
    /// it on a private network). Connections are made on first use. Defaults: 16 connections,
    /// lease 5 min, retention 24 h, 5 s per call.
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
        let sql = Arc::new(Sql::new("webhook_deliveries"));
        let settings = Settings {
            lease: Duration::from_secs(5 * 60),
            retention: Duration::from_secs(24 * 60 * 60),
            timeout: Duration::from_secs(5),
            batch: BatchSettings::new(512, Duration::ZERO, 2),
        };
        Ok(Self {
            writer: writer(&pool, &sql, settings),
            pool,
            sql,
            settings,
        })
    }

    /// The writer again, after a setting it uses changed.
    fn rewired(mut self) -> Self {
        self.writer = writer(&self.pool, &self.sql, self.settings);
        self
    }

    /// How claims and completions are grouped: those of concurrent deliveries are written in one
    /// statement and one commit. A batch is written as soon as one of `flushes` batches under
    /// way is done (default 2; each takes a pooled connection, and the inbox's calls share the
    /// pool), with every call queued by then, up to `max` (default 512); `delay` (default zero)
    /// makes a batch wait that long for more calls first: fewer commits, each call later.
    /// So at low load a call is written alone and at once, and under load a commit carries
    /// hundreds of deliveries. Fewer batches under way make each larger: with 16 at once, 16
    /// concurrent deliveries were written mostly one by one, each claim and completion its own
    /// commit. And after a small batch, the next goes beside one under way only once it holds
    /// 16 calls (or when that one is done): fewer would pay a commit of their own for little
    /// gain. Raise `flushes` for a server whose cores sit idle while batches wait. Batches
    /// written at once, by this process or by replicas, lock their rows in key order, so they
    /// never deadlock.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tower_webhooks::store::PostgresStore;
    ///
    /// let store = PostgresStore::connect("postgres://app@127.0.0.1/app")?
    ///     .with_batching(256, Duration::from_micros(500), 4);
    /// # Ok::<(), tower_webhooks::store::StoreError>(())
    /// ```
    pub fn with_batching(mut self, max: usize, delay: Duration, flushes: usize) -> Self {
        self.settings.batch = BatchSettings::new(max, delay, flushes);
        self.rewired()
    }

    /// Creates the table and index if they do not exist.
    pub async fn migrate(&self) -> Result<()> {
        self.bounded(async {
            let client = self.pool.get().await.map_err(unavailable)?;
            client
                .batch_execute(&self.sql.migration)
                .await
                .map_err(unavailable)
        })
        .await
    }

    /// The table (default `webhook_deliveries`): one per service that shares a database, since
    /// a worker takes every due delivery of its table. Set it before [`migrate`](Self::migrate).
    pub fn with_table(mut self, table: &str) -> Self {
        self.sql = Arc::new(Sql::new(table));
        self.rewired()
    }

    /// How long a claim holds before another delivery of the key may take it over.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self.rewired()
    }

    /// How long a completed (or purged) key is remembered.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.settings.retention = retention;
        self.rewired()
    }

    /// Runs one store call within the time bound.
    async fn bounded<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        bounded(self.settings.timeout, call).await
    }

    /// A pooled connection, and `statement` prepared on it (once per connection, then cached).
    async fn prepared(&self, statement: &str) -> Result<(Object, Statement)> {
        prepared(&self.pool, statement).await
    }

    /// Runs one statement on a pooled connection, within the time bound; how many rows changed.
    async fn execute(&self, statement: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        self.bounded(async {
            let (client, statement) = self.prepared(statement).await?;
            client
                .execute(&statement, params)
                .await
                .map_err(unavailable)
        })
        .await
    }

    /// Runs one query on a pooled connection, within the time bound.
    async fn query(
        &self,
        statement: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>> {
        self.bounded(async {
            let (client, statement) = self.prepared(statement).await?;
            client.query(&statement, params).await.map_err(unavailable)
        })
        .await
    }
}

#[async_trait]
impl DeliveryStore for PostgresStore {
    async fn claim(&self, key: &str) -> Result<Claim> {
        self.bounded(self.writer.claim(key.to_owned(), fresh_token()))
            .await
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        self.bounded(self.writer.complete(key.to_owned(), token))
            .await
    }

    fn complete_later(&self, key: &str, token: ClaimToken) -> bool {
        self.writer.complete_later(key.to_owned(), token);
        true
    }

    async fn flush(&self) {
        self.writer.flush().await;
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        self.execute(&self.sql.release, &[&key, &token.get().to_string()])
            .await?;
        Ok(())
    }

    async fn park(
        &self,
        token: ClaimToken,
        delivery: StoredDelivery,
        schedule: Schedule,
    ) -> Result<()> {
        let record = Record::json(&delivery)?;
        let delay = match schedule {
            Schedule::After(delay) => Some(delay.as_secs_f64()),
            Schedule::Dead => None,
        };
        let attempts = i32::try_from(delivery.attempts).unwrap_or(i32::MAX);
        let owner = token.get().to_string();
        self.execute(
            &self.sql.park,
            &[
                &delivery.key,
                &owner,
                &delay,
                &attempts,
                &delivery.last_error,
                &record,
            ],
        )
        .await?;
        Ok(())
    }

    async fn take_due(&self, limit: usize, lease: Duration) -> Result<Vec<Taken>> {
        let token = fresh_token();
        let owner = token.get().to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .query(&self.sql.take, &[&owner, &lease.as_secs_f64(), &limit])
            .await?;
        Ok(deliveries(&rows, InboxStatus::Pending)
            .into_iter()
            .map(|delivery| Taken::new(token, delivery))
            .collect())
    }

    async fn settle(&self, key: &str, token: ClaimToken, settlement: Settlement) -> Result<()> {
        let owner = token.get().to_string();
        match settlement {
            Settlement::Done => {
                let retention = self.settings.retention.as_secs_f64();
                self.execute(&self.sql.settle_done, &[&key, &owner, &retention])
                    .await?
            }
            Settlement::Retry { after, error } => {
                let delay = Some(after.as_secs_f64());
                self.execute(&self.sql.settle_failed, &[&key, &owner, &delay, &error])
                    .await?
            }
            Settlement::Dead { error } => {
                let delay: Option<f64> = None;
                self.execute(&self.sql.settle_failed, &[&key, &owner, &delay, &error])
                    .await?
            }
        };
        Ok(())
    }

    async fn inbox(&self, status: InboxStatus, limit: usize) -> Result<Vec<StoredDelivery>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .query(&self.sql.list, &[&status.as_str(), &limit])
            .await?;
        Ok(deliveries(&rows, status))
    }

    async fn inbox_len(&self, status: InboxStatus) -> Result<u64> {
        let rows = self.query(&self.sql.count, &[&status.as_str()]).await?;
        let count: i64 = rows.first().map_or(0, |row| row.get(0));
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn replay(&self, key: &str) -> Result<bool> {
        Ok(self.execute(&self.sql.replay, &[&key]).await? == 1)
    }

    async fn purge(&self, key: &str) -> Result<bool> {
        let retention = self.settings.retention.as_secs_f64();
        Ok(self.execute(&self.sql.purge, &[&key, &retention]).await? == 1)
    }

    async fn sweep(&self) -> Result<u64> {
        self.execute(&self.sql.sweep, &[]).await
    }

    /// The full retention: a shared store never evicts early.
    fn dedup_window(&self) -> Option<Duration> {
        Some(self.settings.retention)
    }
}

/// Deliveries from rows of (record, attempts, last_error, due epoch seconds).
fn deliveries(rows: &[tokio_postgres::Row], status: InboxStatus) -> Vec<StoredDelivery> {
    rows.iter()
        .filter_map(|row| {
            let json: &str = row.get(0);
            let attempts: i32 = row.get(1);
            let error: Option<String> = row.get(2);
            let due: Option<f64> = row.get(3);
            let next = match status {
                // Epoch seconds fit an i64 for any time PostgreSQL stores.
                #[allow(clippy::cast_possible_truncation)]
                InboxStatus::Pending => due.map(|s| s as i64),
                InboxStatus::Dead => None,
            };
            let parsed = Record::parse(
                json,
                u32::try_from(attempts).unwrap_or(0),
                error,
                status,
                next,
            );
            if parsed.is_none() {
                tracing::error!("unreadable webhook delivery in the PostgreSQL inbox");
            }
            parsed
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_the_table_and_its_indexes_quoted() {
        let sql = Sql::new("webhook_deliveries");
        assert!(
            sql.migration
                .contains(r#"CREATE TABLE IF NOT EXISTS "webhook_deliveries" ("#)
        );
        assert!(
            sql.migration
                .contains(r#"CREATE INDEX IF NOT EXISTS "webhook_deliveries_due_at""#)
        );
        assert!(!sql.take.contains("{table}"));
        // A name is an identifier, never SQL.
        let odd = Sql::new(r#"a"; DROP TABLE x; --"#);
        assert!(odd.claim.contains(r#""a""; DROP TABLE x; --""#));
    }

    /// A prepared statement's generic plan is made once per connection and kept. Made while the
    /// table is empty (the first deliveries after a deploy), a plan that scans the table would
    /// scan it whole on every call as it grows: every statement of a delivery's path must reach
    /// its rows through the primary key even then.
    #[tokio::test]
    async fn a_deliverys_statements_use_the_key_even_when_planned_on_an_empty_table() {
        // As `tests/common/services.rs` decides for the integration tests: required in CI.
        let Some(url) = std::env::var("TEST_DATABASE_URL").ok() else {
            assert!(
                std::env::var_os("CI").is_none()
                    && std::env::var_os("TOWER_WEBHOOKS_REQUIRE_SERVICES").is_none(),
                "TEST_DATABASE_URL is not set: in CI this test runs against a real server"
            );
            eprintln!("TEST_DATABASE_URL is not set: skipping (run under .ci/with-services)");
            return;
        };
        let (client, connection) = tokio_postgres::connect(&url, NoTls).await.unwrap();
        tokio::spawn(connection);
        let table = format!("plans_{}", std::process::id());
        let sql = Sql::new(&table);
        client.batch_execute(&sql.migration).await.unwrap();
        client
            .batch_execute("SET plan_cache_mode = force_generic_plan")
            .await
            .unwrap();
        let statements = [
            (
                "claim",
                "text[], text[], bool[], float8, float8",
                &sql.claim,
                "'{a,b}', '{t,u}', '{f,t}', 300, 86400",
            ),
            (
                "claim_one",
                "text, text, float8, float8",
                &sql.claim_one,
                "'a', 't', 300, 86400",
            ),
            ("state", "text", &sql.state, "'a'"),
            ("complete_one", "text, text", &sql.complete_one, "'a', 't'"),
            ("release", "text, text", &sql.release, "'a', 't'"),
        ];
        let mut scans = Vec::new();
        for (name, types, statement, args) in statements {
            client
                .batch_execute(&format!("PREPARE {name} ({types}) AS {statement}"))
                .await
                .unwrap();
            let plan: Vec<String> = client
                .query(&format!("EXPLAIN EXECUTE {name} ({args})"), &[])
                .await
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            let plan = plan.join("\n");
            assert!(
                plan.contains("_pkey"),
                "{name} does not use the key:\n{plan}"
            );
            if plan.contains("Seq Scan") {
                scans.push(format!("{name}:\n{plan}"));
            }
        }
        client
            .batch_execute(&format!("DROP TABLE \"{table}\""))
            .await
            .unwrap();
        assert!(
            scans.is_empty(),
            "planned to scan the table:\n{}",
            scans.join("\n")
        );
    }
}
