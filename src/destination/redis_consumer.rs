//! `RedisStreamConsumer`: a consumer group on a Redis stream, for a
//! [`Consumer`](crate::Consumer) (feature `redis`).

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};

use super::source::{Settle, Source};
use super::{DestinationError, Pull, Pulled, Reading, message};
use crate::store::Settlement;
use crate::store::redis::millis;

/// Milliseconds on Redis's clock.
const NOW: &str =
    "local t = redis.call('TIME')\nlocal now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

/// Takes the entries whose retry is due, then those abandoned (unacknowledged longer than the
/// lease) that wait for no retry. KEYS: stream, retry zset. ARGV: group, consumer, limit,
/// lease ms. Returns {id, fields, delivery count} for each.
const TAKE: &str = r"
local limit = tonumber(ARGV[3])
local out = {}
local function claim(id)
  local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id)
  if claimed[1] and claimed[1][2] then
    table.insert(out, claimed[1])
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', KEYS[2], id)
  claim(id)
end
if #out < limit then
  local auto = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[4], '0-0', 'COUNT', limit - #out, 'JUSTID')
  for _, id in ipairs(auto[2]) do
    if not redis.call('ZSCORE', KEYS[2], id) then
      claim(id)
    end
  end
end
local result = {}
for _, entry in ipairs(out) do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
  local count = 1
  if pending[1] then count = pending[1][4] end
  table.insert(result, {entry[1], entry[2], count})
end
return result";

/// Settles an entry. KEYS: stream, retry zset, dead stream. ARGV: group, id, 'done' / 'retry' /
/// 'dead', delay ms, attempts, error.
const SETTLE: &str = r"
if ARGV[3] == 'retry' then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[2])
  return 1
end
if ARGV[3] == 'dead' then
  local entry = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
  if entry[1] then
    local fields = entry[1][2]
    table.insert(fields, 'Webhook-Attempts')
    table.insert(fields, ARGV[5])
    table.insert(fields, 'Webhook-Error')
    table.insert(fields, ARGV[6])
    redis.call('XADD', KEYS[3], '*', unpack(fields))
  end
end
redis.call('ZREM', KEYS[2], ARGV[2])
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])";

/// A consumer group on one Redis stream: every process that names the same stream and group
/// shares its entries (each goes to one of them).
///
/// New entries are read with `XREADGROUP ... BLOCK` on a connection of its own; a failed one
/// waits for its retry (the layer's backoff) in a sorted set beside the stream
/// (`<stream>:retry:<group>`); an entry unacknowledged longer than the lease (its consumer died
/// mid-way) is claimed by another consumer (`XAUTOCLAIM`); after the last attempt an entry is
/// copied to `<stream>:dead` with `Webhook-Attempts` and `Webhook-Error`, then acknowledged. The
/// group is created (at the stream's start) on first use.
///
/// ```no_run
/// use std::time::Duration;
/// use axum::{routing::post, Router};
/// use tower_webhooks::destination::RedisStreamConsumer;
/// use tower_webhooks::{provider::github, Event, WebhookLayer};
///
/// async fn on_event(event: Event<serde_json::Value>) { let _ = event.id(); }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let layer = WebhookLayer::github("secret");
/// let app: Router = Router::new().route("/webhooks/github", post(on_event).layer(layer.clone()));
/// let source = RedisStreamConsumer::group("redis://127.0.0.1:6379/", "webhooks:stream:github", "workers")?
///     .with_lease(Duration::from_secs(60));
/// tokio::spawn(layer.consumer(source, app));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStreamConsumer {
    /// For `XREADGROUP ... BLOCK`, which holds its connection while it waits.
    reader: ConnectionManager,
    /// For everything else: taking over, settling.
    writer: ConnectionManager,
    stream: String,
    group: String,
    name: String,
    lease: Duration,
    scripts: Arc<(Script, Script)>,
}

impl fmt::Debug for RedisStreamConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStreamConsumer")
            .field("stream", &self.stream)
            .field("group", &self.group)
            .field("name", &self.name)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// How long a blocking read waits at most, whatever the consumer's poll interval.
const MAX_BLOCK: Duration = Duration::from_secs(5);

fn connection(
    client: &redis::Client,
    response: Duration,
) -> Result<ConnectionManager, DestinationError> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(response))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(500));
    ConnectionManager::new_lazy_with_config(client.clone(), config)
        .map_err(DestinationError::unavailable)
}

impl RedisStreamConsumer {
    /// The group `group` on the stream `stream` of the Redis at `url`; this process's consumer
    /// name is made unique (host-independent: process id and start time). Lease 5 min.
    /// Connections are made lazily and remade after failures.
    pub fn group(
        url: &str,
        stream: impl Into<String>,
        group: impl Into<String>,
    ) -> Result<Self, DestinationError> {
        let client = redis::Client::open(url).map_err(DestinationError::unavailable)?;
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        Ok(Self {
            reader: connection(&client, MAX_BLOCK + Duration::from_secs(2))?,
            writer: connection(&client, Duration::from_secs(2))?,
            stream: stream.into(),
            group: group.into(),
            name: format!("consumer-{}-{started}", std::process::id()),
            lease: Duration::from_secs(5 * 60),
            scripts: Arc::new((
                Script::new(&format!("{NOW}{TAKE}")),
                Script::new(&format!("{NOW}{SETTLE}")),
            )),
        })
    }

    /// How long an entry may stay unacknowledged before another consumer takes it over; keep
    /// it above the handler's longest run.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Names this consumer in the group (default: unique to the process).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn retry_key(&self) -> String {
        format!("{}:retry:{}", self.stream, self.group)
    }

    fn dead_key(&self) -> String {
        format!("{}:dead", self.stream)
    }

    async fn create_group(&self) -> Result<(), DestinationError> {
        let mut connection = self.writer.clone();
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.stream)
            .arg(&self.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut connection)
            .await;
        match created {
            Ok(()) => Ok(()),
            Err(err) if err.code() == Some("BUSYGROUP") => Ok(()),
            Err(err) => Err(DestinationError::unavailable(err)),
        }
    }

    /// Due retries and abandoned entries, then new ones (waiting up to `wait` for them).
    async fn take(&self, reading: Reading) -> Result<Vec<Pulled>, DestinationError> {
        let mut writer = self.writer.clone();
        let taken: Value = self
            .scripts
            .0
            .key(&self.stream)
            .key(self.retry_key())
            .arg(&self.group)
            .arg(&self.name)
            .arg(reading.batch.max(1))
            .arg(millis(self.lease))
            .invoke_async(&mut writer)
            .await
            .map_err(DestinationError::unavailable)?;
        let mut pulled: Vec<Pulled> = array(taken)
            .into_iter()
            .filter_map(|row| {
                let mut row = array(row).into_iter();
                let (id, fields) = entry(row.next()?, row.next()?)?;
                let count = row
                    .next()
                    .and_then(|c| redis::from_redis_value::<u32>(c).ok());
                Some(self.pulled(id, fields, count.unwrap_or(1)))
            })
            .collect();
        if !pulled.is_empty() {
            return Ok(pulled);
        }
        let mut reader = self.reader.clone();
        let block = millis(reading.wait.min(MAX_BLOCK));
        let read: Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&self.group)
            .arg(&self.name)
            .arg("COUNT")
            .arg(reading.batch.max(1))
            .arg("BLOCK")
            .arg(block)
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">")
            .query_async(&mut reader)
            .await
            .map_err(DestinationError::unavailable)?;
        for stream in streams(read) {
            for row in array(stream) {
                let mut row = array(row).into_iter();
                if let (Some(id), Some(fields)) = (row.next(), row.next())
                    && let Some((id, fields)) = entry(id, fields)
                {
                    pulled.push(self.pulled(id, fields, 1));
                }
            }
        }
        Ok(pulled)
    }

    fn pulled(&self, id: String, fields: Fields, attempt: u32) -> Pulled {
        let body = fields
            .iter()
            .find(|(name, _)| name == message::BODY_FIELD)
            .map(|(_, value)| Bytes::copy_from_slice(value))
            .unwrap_or_default();
        let delivery = message::delivery(
            fields
                .iter()
                .filter(|(name, _)| name != message::BODY_FIELD)
                .map(|(n, v)| (n.as_str(), v.as_slice())),
            body,
        );
        Pulled {
            delivery,
            attempt: attempt.max(1),
            ack: Box::new(Ack {
                consumer: self.clone(),
                id,
                attempt,
            }),
        }
    }
}

/// The elements of an array reply (nothing for anything else).
fn array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) | Value::Set(items) => items,
        _ => Vec::new(),
    }
}

/// The per-stream replies of `XREADGROUP`: `[[name, entries]]`, or a map in RESP3.
fn streams(value: Value) -> Vec<Value> {
    match value {
        Value::Map(pairs) => pairs.into_iter().map(|(_, entries)| entries).collect(),
        other => array(other)
            .into_iter()
            .filter_map(|stream| array(stream).into_iter().nth(1))
            .collect(),
    }
}

/// An entry's (field, value) pairs.
type Fields = Vec<(String, Vec<u8>)>;

/// An entry's id and its (field, value) pairs.
fn entry(id: Value, fields: Value) -> Option<(String, Fields)> {
    let id: String = redis::from_redis_value(id).ok()?;
    let mut pairs = Vec::new();
    let mut items = array(fields).into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        let name: String = redis::from_redis_value(name).ok()?;
        let value: Vec<u8> = redis::from_redis_value(value).ok()?;
        pairs.push((name, value));
    }
    Some((id, pairs))
}

impl From<RedisStreamConsumer> for Pull {
    fn from(consumer: RedisStreamConsumer) -> Self {
        Pull(Arc::new(consumer))
    }
}

impl Source for RedisStreamConsumer {
    fn messages(&self, reading: Reading) -> BoxStream<'static, Result<Pulled, DestinationError>> {
        let this = self.clone();
        // State: whether the group exists, and what was taken but not yet handed out.
        stream::unfold(
            (false, VecDeque::new()),
            move |(mut ready, mut buffered)| {
                let this = this.clone();
                async move {
                    loop {
                        if let Some(pulled) = buffered.pop_front() {
                            return Some((Ok(pulled), (ready, buffered)));
                        }
                        if !ready {
                            if let Err(err) = this.create_group().await {
                                return Some((Err(err), (false, buffered)));
                            }
                            ready = true;
                        }
                        match this.take(reading).await {
                            Ok(taken) => buffered.extend(taken),
                            // The group may have gone with Redis's data: make it again.
                            Err(err) => return Some((Err(err), (false, buffered))),
                        }
                    }
                }
            },
        )
        .boxed()
    }
}

struct Ack {
    consumer: RedisStreamConsumer,
    id: String,
    attempt: u32,
}

#[async_trait]
impl Settle for Ack {
    async fn settle(&self, settlement: &Settlement) -> Result<(), DestinationError> {
        let (kind, delay, error) = match settlement {
            Settlement::Done => ("done", Duration::ZERO, ""),
            Settlement::Retry { after, .. } => ("retry", *after, ""),
            Settlement::Dead { error } => ("dead", Duration::ZERO, error.as_str()),
        };
        let consumer = &self.consumer;
        let mut writer = consumer.writer.clone();
        let _: Value = consumer
            .scripts
            .1
            .key(&consumer.stream)
            .key(consumer.retry_key())
            .key(consumer.dead_key())
            .arg(&consumer.group)
            .arg(&self.id)
            .arg(kind)
            .arg(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX))
            .arg(self.attempt)
            .arg(error)
            .invoke_async(&mut writer)
            .await
            .map_err(DestinationError::unavailable)?;
        Ok(())
    }
}
