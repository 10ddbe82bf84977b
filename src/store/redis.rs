//! `RedisStore`: deduplication shared by every replica, in Redis (feature `redis`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::batch::{BatchSettings, Batcher, Job};
use super::record::{Record, fresh_token};
use super::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, Result, Schedule, Settlement, StoreError,
    StoredDelivery, Taken,
};

/// Milliseconds on Redis's clock: every replica schedules on the same one.
const NOW: &str =
    "local t = redis.call('TIME')\nlocal now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

/// Completes a claim: only its owner may, and the key then stays known for the retention.
const COMPLETE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0";

/// The claims and completions of concurrent deliveries, in one call. KEYS: a key per call.
/// ARGV: lease ms, retention ms, then per call `claim` or `complete` and the owner. A claim is
/// `SET NX` with the lease; a completion, owner-checked, marks the key done for the retention.
/// Returns per call: a claim 1 (acquired), 2 (done or parked) or 3 (in flight); a completion 1,
/// or 0 when the caller no longer owns the key.
const BATCH: &str = r"
local answers = {}
for i, key in ipairs(KEYS) do
  local owner = ARGV[2 * i + 2]
  if ARGV[2 * i + 1] == 'claim' then
    if redis.call('SET', key, owner, 'NX', 'PX', ARGV[1]) then
      answers[i] = 1
    else
      local state = redis.call('GET', key)
      answers[i] = (state == 'done' or state == 'parked') and 2 or 3
    end
  elseif redis.call('GET', key) == owner then
    redis.call('SET', key, 'done', 'PX', ARGV[2])
    answers[i] = 1
  else
    answers[i] = 0
  end
end
return answers";

/// Compare-and-delete: only the owner releases.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// Parks a claimed delivery. KEYS: key, inbox hash, due zset, dead zset. ARGV: owner, record,
/// attempts, last error, delay in ms (negative: dead), member.
const PARK: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], 'parked')
redis.call('HSET', KEYS[2], 'record', ARGV[2], 'attempts', ARGV[3], 'error', ARGV[4], 'token', '')
local delay = tonumber(ARGV[5])
if delay < 0 then
  redis.call('HSET', KEYS[2], 'state', 'dead', 'due', now)
  redis.call('ZADD', KEYS[4], now, ARGV[6])
else
  redis.call('HSET', KEYS[2], 'state', 'pending', 'due', now + delay)
  redis.call('ZADD', KEYS[3], now + delay, ARGV[6])
end
return 1";

/// Leases due deliveries: a taken one is due again when its lease runs out, so a dead worker's
/// deliveries come back by themselves. KEYS: due zset. ARGV: inbox prefix, limit, lease ms, token.
const TAKE: &str = r"
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[2])
local taken = {}
for _, member in ipairs(members) do
  local inbox = ARGV[1] .. member
  if redis.call('EXISTS', inbox) == 1 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), member)
    redis.call('HSET', inbox, 'token', ARGV[4], 'due', now + tonumber(ARGV[3]))
    local f = redis.call('HMGET', inbox, 'record', 'attempts', 'error')
    table.insert(taken, {member, f[1], f[2], f[3] or ''})
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return taken";

/// Settles a taken delivery, if the caller still holds its lease. KEYS: key, inbox hash, due
/// zset, dead zset. ARGV: token, 'done' / 'retry' / 'dead', delay ms, error, retention ms, member.
const SETTLE: &str = r"
if redis.call('HGET', KEYS[2], 'token') ~= ARGV[1] then
  return 0
end
if ARGV[2] == 'done' then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[6])
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[5])
  return 1
end
redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('HSET', KEYS[2], 'error', ARGV[4], 'token', '')
if ARGV[2] == 'retry' then
  redis.call('HSET', KEYS[2], 'due', now + tonumber(ARGV[3]))
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[6])
else
  redis.call('HSET', KEYS[2], 'state', 'dead', 'due', now)
  redis.call('ZREM', KEYS[3], ARGV[6])
  redis.call('ZADD', KEYS[4], now, ARGV[6])
end
return 1";

/// Lists inbox entries. KEYS: a zset (due or dead). ARGV: inbox prefix, limit.
const LIST: &str = r"
local members = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local listed = {}
for _, member in ipairs(members) do
  local f = redis.call('HMGET', ARGV[1] .. member, 'record', 'attempts', 'error', 'due')
  if f[1] then
    table.insert(listed, {member, f[1], f[2], f[3] or '', f[4]})
  end
end
return listed";

/// Makes a parked delivery due now. KEYS: key, inbox hash, due zset, dead zset. ARGV: member.
const REPLAY: &str = r"
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], 'state', 'pending', 'due', now, 'token', '')
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
return 1";

/// Drops a parked delivery; its key stays done. KEYS: key, inbox hash, due zset, dead zset.
/// ARGV: member, retention ms.
const PURGE: &str = r"
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return 1";

/// Deduplication and a durable inbox in Redis, for services that run on several machines: a
/// claim is `SET <key> <token> NX PX <lease>`; completion, release and every inbox change are
/// owner-checked. The claims and completions of concurrent deliveries are sent together, in one
/// Lua script call ([`with_batching`](Self::with_batching)); release and the inbox's changes
/// are scripts of their own. A processed delivery is answered without waiting for its
/// completion: the completion is queued, and rides with the next claim (or goes alone 2 ms
/// later), so a delivery costs Redis one call in the common path
/// ([`complete_later`](DeliveryStore::complete_later); await [`flush`](DeliveryStore::flush)
/// before the process exits). Parked deliveries are hashes (`<prefix>:inbox:<key>`) indexed by
/// two sorted sets, `<prefix>:due` (by due time; a taken delivery is due again when its lease
/// runs out) and `<prefix>:dead`, on Redis's own clock. Connections are managed (reconnected
/// after failures); while Redis is unreachable every call fails fast with
/// [`StoreError::Unavailable`], so the layer answers 503 and the provider retries.
///
/// Durability is Redis's: with the default snapshots, a crash of Redis itself can lose the
/// last seconds of parked deliveries; run it with `appendonly yes` (`appendfsync everysec` or
/// `always`) when [`Ack::Immediately`](crate::Ack::Immediately) must survive that too. The
/// scripts build key names, so Redis Cluster is not supported.
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
    scripts: Arc<Scripts>,
    writer: Arc<Batcher>,
}

#[derive(Debug)]
struct Scripts {
    complete: Script,
    batch: Script,
    release: Script,
    park: Script,
    take: Script,
    settle: Script,
    list: Script,
    replay: Script,
    purge: Script,
}

impl Scripts {
    fn new() -> Self {
        let now = |body: &str| Script::new(&format!("{NOW}{body}"));
        Self {
            complete: Script::new(COMPLETE),
            batch: Script::new(BATCH),
            release: Script::new(RELEASE),
            park: now(PARK),
            take: now(TAKE),
            settle: now(SETTLE),
            list: Script::new(LIST),
            replay: now(REPLAY),
            purge: Script::new(PURGE),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    lease: Duration,
    retention: Duration,
    batch: BatchSettings,
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
    /// (503) until it answers. Defaults: key prefix `webhooks`, lease 5 min, retention 24 h.
    pub async fn connect(url: &str) -> Result<Self> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(unavailable)?;
        let settings = Settings {
            lease: Duration::from_secs(5 * 60),
            retention: Duration::from_secs(24 * 60 * 60),
            batch: BatchSettings::new(256, Duration::ZERO, 1),
        };
        let scripts = Arc::new(Scripts::new());
        Ok(Self {
            writer: writer(&connection, &scripts, settings),
            connection,
            prefix: "webhooks".to_owned(),
            settings,
            scripts,
        })
    }

    /// The writer again, after a setting it uses changed.
    fn rewired(mut self) -> Self {
        self.writer = writer(&self.connection, &self.scripts, self.settings);
        self
    }

    /// How claims and completions are grouped: those of concurrent deliveries go to Redis in
    /// one script call, so Redis and this process handle one command for many. A batch is sent
    /// as soon as fewer than `flushes` batches (default 1) await Redis's answer, with every call
    /// queued by then, up to `max` (default 256); `delay` (default zero) makes a batch wait
    /// that long for more calls first. So at low load a call is sent alone and at once, with
    /// the plain commands, and under load one command carries many deliveries. More `flushes`
    /// mean smaller batches, each answered sooner: worth it where Redis is far away. After a
    /// small batch, the next goes beside one awaiting Redis only once it holds 16 calls (or
    /// when that one is answered).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tower_webhooks::store::RedisStore;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
    /// let store = RedisStore::connect("redis://127.0.0.1:6379/")
    ///     .await?
    ///     .with_batching(64, Duration::ZERO, 2);
    /// # let _ = store;
    /// # Ok(()) }
    /// ```
    pub fn with_batching(mut self, max: usize, delay: Duration, flushes: usize) -> Self {
        self.settings.batch = BatchSettings::new(max, delay, flushes);
        self.rewired()
    }

    /// Namespaces every key (several services on one Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long a claim holds before another delivery of the key may take it over.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self.rewired()
    }

    /// How long a completed key is remembered.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.settings.retention = retention;
        self.rewired()
    }

    /// The Redis key that holds `key`'s claim or done mark.
    pub(crate) fn key(&self, key: &str) -> String {
        format!("{}:key:{key}", self.prefix)
    }

    /// The connection, shared with the Redis Streams destination and consumer.
    pub(crate) fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// How long a completed key is remembered.
    pub(crate) fn retention(&self) -> Duration {
        self.settings.retention
    }

    fn inbox_prefix(&self) -> String {
        format!("{}:inbox:", self.prefix)
    }

    fn inbox(&self, key: &str) -> String {
        format!("{}{key}", self.inbox_prefix())
    }

    fn due(&self) -> String {
        format!("{}:due", self.prefix)
    }

    fn dead(&self) -> String {
        format!("{}:dead", self.prefix)
    }

    /// Runs a script with `KEYS` = key, inbox hash, due set, dead set for `key`.
    async fn on_parked<T: redis::FromRedisValue>(
        &self,
        script: &Script,
        key: &str,
        args: &[String],
    ) -> Result<T> {
        let mut invocation = script.prepare_invoke();
        invocation
            .key(self.key(key))
            .key(self.inbox(key))
            .key(self.due())
            .key(self.dead());
        for arg in args {
            invocation.arg(arg);
        }
        let mut connection = self.connection.clone();
        invocation
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)
    }
}

/// The batching writer: the claims and completions of concurrent deliveries, one script call for
/// a batch of both.
fn writer(
    connection: &ConnectionManager,
    scripts: &Arc<Scripts>,
    settings: Settings,
) -> Arc<Batcher> {
    let (connection, scripts) = (connection.clone(), Arc::clone(scripts));
    Arc::new(Batcher::new(settings.batch, move |jobs| {
        flush(connection.clone(), Arc::clone(&scripts), settings, jobs)
    }))
}

/// Sends a batch (its keys already prefixed) in one call of the batch script, and answers each
/// call of it.
async fn flush(
    mut connection: ConnectionManager,
    scripts: Arc<Scripts>,
    settings: Settings,
    mut jobs: Vec<Job>,
) {
    if jobs.len() == 1 {
        // Alone, a call takes the plain commands: cheaper for Redis than the batch script.
        match jobs.pop() {
            Some(Job::Claim { key, token, reply }) => {
                let _ = reply.send(claim_alone(connection, settings, &key, token).await);
            }
            Some(Job::Complete { key, token, reply }) => {
                let answer = complete_alone(connection, &scripts, settings, &key, token).await;
                reply.send(answer);
            }
            None => {}
        }
        return;
    }
    let mut invocation = scripts.batch.prepare_invoke();
    invocation
        .arg(millis(settings.lease))
        .arg(millis(settings.retention));
    for job in &jobs {
        let (key, call, token) = match job {
            Job::Claim { key, token, .. } => (key, "claim", token),
            Job::Complete { key, token, .. } => (key, "complete", token),
        };
        invocation.key(key).arg(call).arg(owner(*token));
    }
    let answers: std::result::Result<Vec<i64>, String> = invocation
        .invoke_async(&mut connection)
        .await
        .map_err(|err| err.to_string())
        .and_then(|answers: Vec<i64>| {
            if answers.len() == jobs.len() {
                Ok(answers)
            } else {
                Err(format!(
                    "the batch script answered {} of {} calls",
                    answers.len(),
                    jobs.len()
                ))
            }
        });
    for (i, job) in jobs.into_iter().enumerate() {
        // Every call of a failed batch gets its error.
        let answer = answers
            .as_ref()
            .map(|answers| answers[i])
            .map_err(|err| StoreError::Unavailable(err.clone().into()));
        match job {
            Job::Claim { token, reply, .. } => {
                let _ = reply.send(answer.map(|answer| match answer {
                    1 => Claim::Acquired(token),
                    2 => Claim::Done,
                    // In flight, or expired in between: either way the provider should come back.
                    _ => Claim::InFlight,
                }));
            }
            Job::Complete { reply, .. } => {
                reply.send(answer.map(drop));
            }
        }
    }
}

/// A lone claim: `SET NX`, and for a key already there, what it holds.
async fn claim_alone(
    mut connection: ConnectionManager,
    settings: Settings,
    key: &str,
    token: ClaimToken,
) -> Result<Claim> {
    let set: Option<String> = redis::cmd("SET")
        .arg(key)
        .arg(owner(token))
        .arg("NX")
        .arg("PX")
        .arg(millis(settings.lease))
        .query_async(&mut connection)
        .await
        .map_err(unavailable)?;
    if set.is_some() {
        return Ok(Claim::Acquired(token));
    }
    let state: Option<String> = redis::cmd("GET")
        .arg(key)
        .query_async(&mut connection)
        .await
        .map_err(unavailable)?;
    Ok(match state.as_deref() {
        Some("done" | "parked") => Claim::Done,
        // In flight, or expired in between: either way the provider should come back.
        _ => Claim::InFlight,
    })
}

/// A lone completion, with its own script.
async fn complete_alone(
    mut connection: ConnectionManager,
    scripts: &Scripts,
    settings: Settings,
    key: &str,
    token: ClaimToken,
) -> Result<()> {
    let _: i64 = scripts
        .complete
        .key(key)
        .arg(owner(token))
        .arg(millis(settings.retention))
        .invoke_async(&mut connection)
        .await
        .map_err(unavailable)?;
    Ok(())
}

pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// What a claim's key holds while `token` owns it.
pub(crate) fn owner(token: ClaimToken) -> String {
    format!("claim:{}", token.get())
}

/// A row from the TAKE or LIST script: member, record, attempts, error[, due ms].
type Row = (String, String, u32, String, Option<i64>);

fn parse_rows(rows: Vec<Vec<redis::Value>>, status: InboxStatus) -> Vec<StoredDelivery> {
    rows.into_iter()
        .filter_map(|row| {
            let mut fields = row.into_iter();
            let mut next = || fields.next().unwrap_or(redis::Value::Nil);
            let row: Row = (
                redis::from_redis_value(next()).ok()?,
                redis::from_redis_value(next()).ok()?,
                redis::from_redis_value(next()).unwrap_or(0),
                redis::from_redis_value(next()).unwrap_or_default(),
                redis::from_redis_value(next()).ok(),
            );
            let (member, json, attempts, error, due) = row;
            let parsed = Record::parse(
                &json,
                attempts,
                Some(error),
                status,
                due.map(|ms| ms / 1000),
            );
            if parsed.is_none() {
                tracing::error!(key = %member, "unreadable webhook delivery in the Redis inbox");
            }
            parsed
        })
        .collect()
}

#[async_trait]
impl DeliveryStore for RedisStore {
    async fn claim(&self, key: &str) -> Result<Claim> {
        self.writer.claim(self.key(key), fresh_token()).await
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        self.writer.complete(self.key(key), token).await
    }

    fn complete_later(&self, key: &str, token: ClaimToken) -> bool {
        self.writer.complete_later(self.key(key), token);
        true
    }

    async fn flush(&self) {
        self.writer.flush().await;
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        let mut connection = self.connection.clone();
        let _: i64 = self
            .scripts
            .release
            .key(self.key(key))
            .arg(owner(token))
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn park(
        &self,
        token: ClaimToken,
        delivery: StoredDelivery,
        schedule: Schedule,
    ) -> Result<()> {
        let delay = match schedule {
            Schedule::After(delay) => i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
            Schedule::Dead => -1,
        };
        let args = [
            owner(token),
            Record::json(&delivery)?,
            delivery.attempts.to_string(),
            delivery.last_error.clone().unwrap_or_default(),
            delay.to_string(),
            delivery.key.clone(),
        ];
        let _: i64 = self
            .on_parked(&self.scripts.park, &delivery.key, &args)
            .await?;
        Ok(())
    }

    async fn take_due(&self, limit: usize, lease: Duration) -> Result<Vec<Taken>> {
        let token = fresh_token();
        let mut connection = self.connection.clone();
        let rows: Vec<Vec<redis::Value>> = self
            .scripts
            .take
            .key(self.due())
            .arg(self.inbox_prefix())
            .arg(limit)
            .arg(millis(lease))
            .arg(owner(token))
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(parse_rows(rows, InboxStatus::Pending)
            .into_iter()
            .map(|delivery| Taken::new(token, delivery))
            .collect())
    }

    async fn settle(&self, key: &str, token: ClaimToken, settlement: Settlement) -> Result<()> {
        let (kind, delay, error) = match settlement {
            Settlement::Done => ("done", 0, String::new()),
            Settlement::Retry { after, error } => ("retry", millis(after), error),
            Settlement::Dead { error } => ("dead", 0, error),
        };
        let args = [
            owner(token),
            kind.to_owned(),
            delay.to_string(),
            error,
            millis(self.settings.retention).to_string(),
            key.to_owned(),
        ];
        let _: i64 = self.on_parked(&self.scripts.settle, key, &args).await?;
        Ok(())
    }

    async fn inbox(&self, status: InboxStatus, limit: usize) -> Result<Vec<StoredDelivery>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let set = match status {
            InboxStatus::Pending => self.due(),
            InboxStatus::Dead => self.dead(),
        };
        let mut connection = self.connection.clone();
        let rows: Vec<Vec<redis::Value>> = self
            .scripts
            .list
            .key(set)
            .arg(self.inbox_prefix())
            .arg(limit)
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        let mut listed = parse_rows(rows, status);
        if status == InboxStatus::Dead {
            for delivery in &mut listed {
                delivery.next_attempt_at = None;
            }
        }
        Ok(listed)
    }

    async fn inbox_len(&self, status: InboxStatus) -> Result<u64> {
        let set = match status {
            InboxStatus::Pending => self.due(),
            InboxStatus::Dead => self.dead(),
        };
        let mut connection = self.connection.clone();
        redis::cmd("ZCARD")
            .arg(set)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)
    }

    async fn replay(&self, key: &str) -> Result<bool> {
        let replayed: i64 = self
            .on_parked(&self.scripts.replay, key, &[key.to_owned()])
            .await?;
        Ok(replayed == 1)
    }

    async fn purge(&self, key: &str) -> Result<bool> {
        let args = [key.to_owned(), millis(self.settings.retention).to_string()];
        let purged: i64 = self.on_parked(&self.scripts.purge, key, &args).await?;
        Ok(purged == 1)
    }

    /// The full retention: a shared store never evicts early.
    fn dedup_window(&self) -> Option<Duration> {
        Some(self.settings.retention)
    }
}
