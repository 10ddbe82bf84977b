//! `RedisStream`: verified deliveries added to a Redis stream, deduplicated in the same script
//! (feature `redis`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use redis::Script;

use super::{Destination, DestinationError, Published, Subject, message};
use crate::store::redis::{millis, owner};
use crate::store::{ClaimToken, RedisStore, StoredDelivery};

/// Adds the entry and marks the key done, unless another claim or an earlier publish holds the
/// key. KEYS: the key's claim, the stream. ARGV: the layer's owner value, retention ms, max
/// length (0: unbounded), then field, value, ...
const PUBLISH: &str = r"
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then
  return false
end
local id
if ARGV[3] ~= '0' then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
else
  id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))
end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return id";

/// Adds each delivery to a Redis stream with `XADD`, and marks its key done in the same Lua
/// script, with the [`RedisStore`]'s own key and retention: of two replicas that publish the
/// same delivery, exactly one adds it; the other hears [`Published::Duplicate`]. Use it with
/// that store as the layer's store (`with_store`), and the layer's claim and the publish agree:
/// the script adds the entry under the layer's own claim, and refuses it under another's.
///
/// The stream key comes from a [`Subject`] template, default `webhooks:stream:{provider}`; the
/// entry holds the facts as fields ([`message`]) and the raw body in the field `body`. Redis
/// answers the script once it ran: durability is Redis's (`appendonly yes`, `appendfsync
/// always` for nothing lost when Redis itself crashes).
///
/// ```no_run
/// use tower_webhooks::destination::RedisStream;
/// use tower_webhooks::store::RedisStore;
/// use tower_webhooks::WebhookLayer;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let layer = WebhookLayer::github("secret")
///     .with_destination(RedisStream::new(&store).with_max_len(1_000_000))
///     .with_store(store);
/// # let _ = layer;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStream {
    store: RedisStore,
    stream: Subject,
    max_len: u64,
    script: Arc<Script>,
}

impl fmt::Debug for RedisStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStream")
            .field("store", &self.store)
            .field("stream", &self.stream)
            .field("max_len", &self.max_len)
            .finish()
    }
}

/// The stream key unless told otherwise.
pub(crate) const DEFAULT_STREAM: &str = "webhooks:stream:{provider}";

impl RedisStream {
    /// Publishes through `store`'s connection, deduplicating with its keys and retention, to
    /// `webhooks:stream:{provider}`, unbounded.
    pub fn new(store: &RedisStore) -> Self {
        Self {
            store: store.clone(),
            stream: Subject::new(DEFAULT_STREAM).unwrap_or_else(|_| unreachable!()),
            max_len: 0,
            script: Arc::new(Script::new(PUBLISH)),
        }
    }

    /// Adds to the stream key made from `stream` instead.
    pub fn with_stream(mut self, stream: Subject) -> Self {
        self.stream = stream;
        self
    }

    /// Trims the stream to about `max_len` entries (`MAXLEN ~`) as it grows; the oldest go,
    /// processed or not, so keep it well above what consumers may fall behind by.
    pub fn with_max_len(mut self, max_len: u64) -> Self {
        self.max_len = max_len;
        self
    }

    /// The stream key of a delivery of `provider` with `event_type`.
    pub fn stream_key(&self, provider: &str, event_type: Option<&str>) -> String {
        self.stream.render(provider, event_type)
    }
}

#[async_trait]
impl Destination for RedisStream {
    async fn publish(
        &self,
        delivery: &StoredDelivery,
        claim: ClaimToken,
    ) -> Result<Published, DestinationError> {
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(self.store.key(&delivery.key))
            .key(self.stream_key(&delivery.provider, delivery.event_type.as_deref()))
            .arg(owner(claim))
            .arg(millis(self.store.retention()))
            .arg(self.max_len);
        for (name, value) in message::fields(delivery) {
            invocation.arg(name).arg(value);
        }
        invocation
            .arg(message::BODY_FIELD)
            .arg(delivery.body.as_ref());
        let mut connection = self.store.connection();
        let added: Option<String> = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(DestinationError::unavailable)?;
        Ok(match added {
            Some(_) => Published::Stored,
            None => Published::Duplicate,
        })
    }
}
