//! Where deliveries are claimed, completed and kept when they fail.
//!
//! A delivery key goes through these states:
//!
//! | call | before | after |
//! |---|---|---|
//! | [`claim`](DeliveryStore::claim) | unknown, or its lease / retention expired | in flight, owned by the returned token |
//! | [`complete`](DeliveryStore::complete) | in flight (same token) | done, kept for the retention window |
//! | [`release`](DeliveryStore::release) | in flight (same token) | unknown: the provider's retry is processed |
//! | [`park`](DeliveryStore::park) | in flight (same token) | parked: the delivery is in the inbox, pending or dead |
//! | [`settle`](DeliveryStore::settle) `Done` | parked, taken by a worker (same token) | done, kept for the retention window |
//! | [`settle`](DeliveryStore::settle) `Retry` / `Dead` | parked, taken (same token) | parked, pending again later / dead |
//! | [`purge`](DeliveryStore::purge) | parked | done, kept for the retention window |
//!
//! A claim on a key that is in flight returns [`Claim::InFlight`]; on a key that is done or
//! parked, [`Claim::Done`]. The layer answers a done key 200 without calling the handler, and a
//! key in flight 200 too where the claim dies with its process (the memory store), 409
//! otherwise ([`DeliveryStore::outlives_process`]).
//!
//! The inbox is what makes [`Ack::Always`](crate::Ack::Always) and
//! [`Ack::Immediately`](crate::Ack::Immediately) safe: a parked delivery is attempted by a
//! [`Worker`](crate::Worker) until it succeeds or its backoff runs out.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::HeaderMap;

use crate::BoxError;

#[cfg(any(feature = "redis", feature = "postgres"))]
mod batch;
mod claim;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "redis", feature = "postgres"))]
mod record;
#[cfg(feature = "redis")]
pub(crate) mod redis;

pub(crate) use self::claim::OwnedClaim;
pub use self::claim::{Claim, ClaimToken, DeliveryKey};
pub use self::memory::{DEFAULT_MAX_BYTES, MemoryStore};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use self::postgres::PostgresStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::RedisStore;

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A verified delivery kept in the store's inbox: waiting for the worker (after
/// [`Ack::Immediately`](crate::Ack::Immediately), or a failure under
/// [`Ack::Always`](crate::Ack::Always)), or dead after its last attempt.
///
/// It holds what is needed to run the handler again exactly as the first time: the request's
/// method and URI, the headers that identify and authenticate it, and the raw body as signed.
///
/// ```
/// use tower_webhooks::store::{DeliveryStore, InboxStatus, MemoryStore};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
/// let store = MemoryStore::new();
/// for dead in store.inbox(InboxStatus::Dead, 100).await? {
///     eprintln!(
///         "{} {}: {} attempts, last error {:?} ({} bytes)",
///         dead.provider, dead.id, dead.attempts, dead.last_error, dead.body.len()
///     );
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredDelivery {
    /// The dedup key (`<provider>:<id>`): what [`replay`](DeliveryStore::replay) and
    /// [`purge`](DeliveryStore::purge) take.
    pub key: String,
    /// The provider's name.
    pub provider: String,
    /// The event id.
    pub id: String,
    /// The event type, if known.
    pub event_type: Option<String>,
    /// The verified signature timestamp, in unix seconds, if the scheme signs one.
    pub timestamp: Option<i64>,
    /// When the layer received it, in unix seconds.
    pub received_at: i64,
    /// The request's method.
    pub method: http::Method,
    /// The request's URI (path and query): where the worker sends it again.
    pub uri: http::Uri,
    /// The headers that identify and authenticate it (signature, timestamp, id, type, content type).
    pub headers: HeaderMap,
    /// The raw body, exactly as signed.
    pub body: Bytes,
    /// How many times the handler ran on it.
    pub attempts: u32,
    /// What went wrong the last time (a status, an error's message, or a panic's message).
    pub last_error: Option<String>,
    /// Waiting for an attempt, or dead.
    pub status: InboxStatus,
    /// When the next attempt is due, in unix seconds (pending deliveries, as listed by the store).
    pub next_attempt_at: Option<i64>,
}

impl StoredDelivery {
    /// A delivery of `provider` with the given key, id, headers and body, received now by
    /// `POST /`, never attempted; set the other fields as needed.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http::HeaderMap;
    /// use tower_webhooks::store::StoredDelivery;
    ///
    /// let mut delivery = StoredDelivery::new("ycloud:evt_1", "ycloud", "evt_1", HeaderMap::new(), Bytes::from_static(b"{}"));
    /// delivery.uri = "/webhooks/ycloud".parse().unwrap();
    /// assert_eq!(delivery.attempts, 0);
    /// ```
    pub fn new(
        key: impl Into<String>,
        provider: impl Into<String>,
        id: impl Into<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        Self {
            key: key.into(),
            provider: provider.into(),
            id: id.into(),
            event_type: None,
            timestamp: None,
            received_at: crate::Clock::now(&crate::SystemClock),
            method: http::Method::POST,
            uri: http::Uri::from_static("/"),
            headers,
            body,
            attempts: 0,
            last_error: None,
            status: InboxStatus::Pending,
            next_attempt_at: None,
        }
    }
}

/// Where a delivery stands in the inbox.
///
/// ```
/// use tower_webhooks::store::InboxStatus;
///
/// assert_eq!(InboxStatus::Dead.as_str(), "dead");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxStatus {
    /// Waiting for its next attempt (or being attempted by a worker).
    Pending,
    /// Every attempt failed (or it can never be processed); kept until replayed or purged.
    Dead,
}

impl InboxStatus {
    /// `"pending"` or `"dead"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            InboxStatus::Pending => "pending",
            InboxStatus::Dead => "dead",
        }
    }
}

/// When a parked delivery is next attempted.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::store::Schedule;
///
/// let now = Schedule::After(Duration::ZERO);
/// assert_ne!(now, Schedule::Dead);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Due after this delay.
    After(Duration),
    /// Never: the delivery is dead on arrival (it cannot be processed), kept for inspection.
    Dead,
}

/// How a worker's attempt at a taken delivery ended.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::store::Settlement;
///
/// let retry = Settlement::Retry { after: Duration::from_secs(30), error: "handler answered 500".into() };
/// assert!(matches!(retry, Settlement::Retry { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The handler succeeded: the delivery leaves the inbox and its key is done.
    Done,
    /// The handler failed; attempt again after `after`.
    Retry {
        /// The delay before the next attempt.
        after: Duration,
        /// What went wrong.
        error: String,
    },
    /// The handler failed for the last time: the delivery is dead.
    Dead {
        /// What went wrong.
        error: String,
    },
}

/// A delivery a worker took from the inbox, leased to `token` until it settles it.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::store::{DeliveryStore, MemoryStore, Settlement};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
/// let store = MemoryStore::new();
/// for taken in store.take_due(16, Duration::from_secs(300)).await? {
///     store.settle(&taken.delivery.key, taken.token, Settlement::Done).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Taken {
    /// The lease's owner: only it may settle the delivery.
    pub token: ClaimToken,
    /// The delivery.
    pub delivery: StoredDelivery,
}

impl Taken {
    /// A taken delivery.
    pub fn new(token: ClaimToken, delivery: StoredDelivery) -> Self {
        Self { token, delivery }
    }
}

/// Why a store operation failed.
///
/// ```
/// use tower_webhooks::store::StoreError;
///
/// let err = StoreError::Unavailable("connection refused".into());
/// assert_eq!(err.to_string(), "delivery store unavailable");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend cannot be reached or answered with an error.
    Unavailable(BoxError),
    /// The store is at capacity and nothing can be evicted.
    Full,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(_) => f.write_str("delivery store unavailable"),
            StoreError::Full => f.write_str("delivery store is full"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Unavailable(err) => Some(err.as_ref()),
            StoreError::Full => None,
        }
    }
}

/// A store of delivery keys for deduplication, and the inbox of deliveries kept for the worker.
///
/// Object safe: the layer holds an `Arc<dyn DeliveryStore>`. Implementations must make
/// [`claim`](Self::claim) atomic: of any number of concurrent claims on one key, exactly one is
/// [`Claim::Acquired`]; and [`take_due`](Self::take_due) must lease each due delivery to one
/// caller only, until its lease runs out.
///
/// ```
/// use tower_webhooks::store::{Claim, DeliveryStore, MemoryStore};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = MemoryStore::new();
/// let Claim::Acquired(token) = store.claim("ycloud:evt_1").await? else { unreachable!() };
/// assert_eq!(store.claim("ycloud:evt_1").await?, Claim::InFlight);
/// store.complete("ycloud:evt_1", token).await?;
/// assert_eq!(store.claim("ycloud:evt_1").await?, Claim::Done);
/// # Ok(()) }
/// ```
#[async_trait]
pub trait DeliveryStore: fmt::Debug + Send + Sync + 'static {
    /// Claims `key` for processing.
    async fn claim(&self, key: &str) -> Result<Claim>;

    /// Marks a claimed key as processed; it stays known for the retention window.
    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()>;

    /// [`claim`](Self::claim) without waiting, for a store that never has to (one in memory):
    /// `Some` with the answer, or `None` (the default) for the caller to await `claim`. The
    /// layer asks this first, which spares a store in memory a boxed future per delivery.
    ///
    /// ```
    /// use tower_webhooks::store::{Claim, DeliveryStore, MemoryStore};
    ///
    /// let store = MemoryStore::new();
    /// let Some(Ok(Claim::Acquired(token))) = store.claim_now("ycloud:evt_1") else { unreachable!() };
    /// assert!(store.complete_now("ycloud:evt_1", token).is_some());
    /// assert_eq!(store.claim_now("ycloud:evt_1").unwrap().unwrap(), Claim::Done);
    /// ```
    fn claim_now(&self, key: &str) -> Option<Result<Claim>> {
        let _ = key;
        None
    }

    /// [`complete`](Self::complete) without waiting, for a store that never has to: `Some`
    /// with the outcome, or `None` (the default) for the caller to await `complete`.
    fn complete_now(&self, key: &str, token: ClaimToken) -> Option<Result<()>> {
        let _ = (key, token);
        None
    }

    /// Queues the completion of a claimed key, to be written with the store's next write, and
    /// returns at once: `true` if it was queued, `false` (the default) for the caller to await
    /// [`complete`](Self::complete). The layer asks this once a delivery is processed, before
    /// it answers 2xx: a store that says `true` spares the delivery a round trip of its own.
    ///
    /// Nothing is lost when a queued completion is never written (the process dies first): the
    /// event was processed and acknowledged, and its key stays in flight until the lease runs
    /// out, so a copy is answered 409 until then and processed again after. An awaited
    /// completion has the same window (a crash after the handler, before the write). To end a
    /// process without it, await [`flush`](Self::flush) once the server has stopped: a
    /// [`Worker`](crate::Worker) does, when its graceful shutdown ends, and so does
    /// `webhooks serve`.
    fn complete_later(&self, key: &str, token: ClaimToken) -> bool {
        let _ = (key, token);
        false
    }

    /// Waits until the completions queued by [`complete_later`](Self::complete_later) are
    /// written (a failed one is logged): call it when the server has stopped, before the
    /// process exits. The default, for a store that queues none, returns at once.
    ///
    /// ```
    /// use tower_webhooks::store::{DeliveryStore, MemoryStore};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let store = MemoryStore::new();
    /// // axum::serve(listener, app).with_graceful_shutdown(signal).await?;
    /// store.flush().await;
    /// # }
    /// ```
    async fn flush(&self) {}

    /// Gives a claimed key up, so that the next delivery with it is processed.
    async fn release(&self, key: &str, token: ClaimToken) -> Result<()>;

    /// Moves a claimed delivery into the inbox: the key counts as done for deduplication, the
    /// delivery is kept (durably, in a shared store) until a worker settles it or it is purged.
    /// A caller that no longer owns the claim changes nothing.
    async fn park(
        &self,
        token: ClaimToken,
        delivery: StoredDelivery,
        schedule: Schedule,
    ) -> Result<()>;

    /// Leases up to `limit` pending deliveries that are due, earliest first, for `lease`: until
    /// it runs out, no other caller takes them. A delivery whose lease ran out (its worker
    /// died) is due again.
    async fn take_due(&self, limit: usize, lease: Duration) -> Result<Vec<Taken>>;

    /// Settles a taken delivery; a caller whose lease was taken over changes nothing.
    async fn settle(&self, key: &str, token: ClaimToken, settlement: Settlement) -> Result<()>;

    /// Up to `limit` deliveries of the inbox with the given status: pending ones earliest due
    /// first, dead ones in the order they died.
    async fn inbox(&self, status: InboxStatus, limit: usize) -> Result<Vec<StoredDelivery>>;

    /// How many deliveries of the inbox have the given status (the worker reports it as a gauge).
    /// The default lists them all; stores override it with a count.
    async fn inbox_len(&self, status: InboxStatus) -> Result<u64> {
        Ok(self.inbox(status, usize::MAX).await?.len() as u64)
    }

    /// Makes a pending or dead delivery due now (a dead one gets one more attempt);
    /// `false` if the inbox does not hold `key`. A worker running the delivery at that moment
    /// loses its lease, so it may run once more.
    async fn replay(&self, key: &str) -> Result<bool>;

    /// Drops a delivery from the inbox for good; its key stays done for the retention window,
    /// so the provider's copies are still acknowledged. `false` if the inbox does not hold `key`.
    async fn purge(&self, key: &str) -> Result<bool>;

    /// Removes what has expired, where the backend does not do it by itself; the worker calls
    /// it now and then. Returns how many entries went.
    async fn sweep(&self) -> Result<u64> {
        Ok(0)
    }

    /// How long a completed key is remembered now, where the store knows: its retention, or
    /// less where it must evict (the [`MemoryStore`] within its memory budget). A provider's
    /// retry arriving later than this after the first delivery is processed again.
    fn dedup_window(&self) -> Option<Duration> {
        None
    }

    /// Whether a claim outlives the process that made it: `true` (the default) for a store
    /// that replicas share, such as Redis or PostgreSQL; `false` for one in memory, whose
    /// claims die with their process.
    ///
    /// The layer answers a copy of a delivery that is in flight 409 when this holds, under
    /// every [`Ack`](crate::Ack) policy. The replica holding the claim may have died with it,
    /// and then the key stays in flight until its lease runs out. A copy answered 200 meanwhile
    /// would be the provider's last, and the event would be lost. A 409 makes the provider come
    /// back, and the copy that arrives after the lease is processed.
    ///
    /// ```
    /// use tower_webhooks::store::{DeliveryStore, MemoryStore};
    ///
    /// assert!(!MemoryStore::new().outlives_process());
    /// ```
    fn outlives_process(&self) -> bool {
        true
    }
}

#[async_trait]
impl<T: DeliveryStore + ?Sized> DeliveryStore for Arc<T> {
    async fn claim(&self, key: &str) -> Result<Claim> {
        (**self).claim(key).await
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        (**self).complete(key, token).await
    }

    fn claim_now(&self, key: &str) -> Option<Result<Claim>> {
        (**self).claim_now(key)
    }

    fn complete_now(&self, key: &str, token: ClaimToken) -> Option<Result<()>> {
        (**self).complete_now(key, token)
    }

    fn complete_later(&self, key: &str, token: ClaimToken) -> bool {
        (**self).complete_later(key, token)
    }

    async fn flush(&self) {
        (**self).flush().await;
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        (**self).release(key, token).await
    }

    async fn park(
        &self,
        token: ClaimToken,
        delivery: StoredDelivery,
        schedule: Schedule,
    ) -> Result<()> {
        (**self).park(token, delivery, schedule).await
    }

    async fn take_due(&self, limit: usize, lease: Duration) -> Result<Vec<Taken>> {
        (**self).take_due(limit, lease).await
    }

    async fn settle(&self, key: &str, token: ClaimToken, settlement: Settlement) -> Result<()> {
        (**self).settle(key, token, settlement).await
    }

    async fn inbox(&self, status: InboxStatus, limit: usize) -> Result<Vec<StoredDelivery>> {
        (**self).inbox(status, limit).await
    }

    async fn inbox_len(&self, status: InboxStatus) -> Result<u64> {
        (**self).inbox_len(status).await
    }

    async fn replay(&self, key: &str) -> Result<bool> {
        (**self).replay(key).await
    }

    async fn purge(&self, key: &str) -> Result<bool> {
        (**self).purge(key).await
    }

    async fn sweep(&self) -> Result<u64> {
        (**self).sweep().await
    }

    fn dedup_window(&self) -> Option<Duration> {
        (**self).dedup_window()
    }

    fn outlives_process(&self) -> bool {
        (**self).outlives_process()
    }
}
