//! Where deliveries are claimed, completed and kept when they fail.
//!
//! A delivery key goes through these states:
//!
//! | call | before | after |
//! |---|---|---|
//! | [`claim`](DeliveryStore::claim) | unknown, or its lease / retention expired | in flight, owned by the returned token |
//! | [`complete`](DeliveryStore::complete) | in flight (same token) | done, kept for the retention window |
//! | [`release`](DeliveryStore::release) | in flight (same token) | unknown: the provider's retry is processed |
//! | [`fail`](DeliveryStore::fail) | in flight (same token) | done, and the delivery is kept in the failed list |
//!
//! A claim on a key that is in flight or done returns [`Claim::InFlight`] or [`Claim::Done`]:
//! the layer answers 200 without calling the handler.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::HeaderMap;

use crate::error::BoxError;

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "redis", feature = "postgres"))]
mod record;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use self::postgres::PostgresStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::RedisStore;
pub use memory::MemoryStore;

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Proof of ownership of an in-flight claim; only its owner may complete or release it.
///
/// ```
/// use tower_webhooks::store::ClaimToken;
///
/// assert_eq!(ClaimToken::new(7).get(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClaimToken(u128);

impl ClaimToken {
    /// A token with the given value; stores choose values no other claim holds.
    pub const fn new(value: u128) -> Self {
        Self(value)
    }

    /// The token's value.
    pub const fn get(self) -> u128 {
        self.0
    }
}

/// The answer to a claim.
///
/// ```
/// use tower_webhooks::store::{Claim, DeliveryStore, MemoryStore};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
/// let store = MemoryStore::new();
/// assert!(matches!(store.claim("k").await?, Claim::Acquired(_)));
/// assert_eq!(store.claim("k").await?, Claim::InFlight);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The key was free: the caller owns it until it completes, releases or fails it, or until
    /// the lease expires.
    Acquired(ClaimToken),
    /// Another delivery with this key is being processed.
    InFlight,
    /// A delivery with this key was processed (or recorded as failed) within the retention window.
    Done,
}

/// An authentic delivery whose processing failed, kept so that it is not lost.
///
/// ```
/// use tower_webhooks::store::{DeliveryStore, MemoryStore};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), tower_webhooks::store::StoreError> {
/// let store = MemoryStore::new();
/// for failed in store.failed().await? {
///     eprintln!("{} {} failed: {} ({} bytes)", failed.provider, failed.id, failed.error, failed.body.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FailedDelivery {
    /// The dedup key.
    pub key: String,
    /// The provider's name.
    pub provider: String,
    /// The event id.
    pub id: String,
    /// The event type, if known.
    pub event_type: Option<String>,
    /// When the layer received it, in unix seconds.
    pub received_at: i64,
    /// The headers that identify and authenticate it (signature, timestamp, id, type, content type).
    pub headers: HeaderMap,
    /// The raw body, exactly as signed.
    pub body: Bytes,
    /// What went wrong (a status, an error's message, or a panic's message).
    pub error: String,
}

impl FailedDelivery {
    /// A failed delivery record.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: String,
        provider: String,
        id: String,
        event_type: Option<String>,
        received_at: i64,
        headers: HeaderMap,
        body: Bytes,
        error: String,
    ) -> Self {
        Self {
            key,
            provider,
            id,
            event_type,
            received_at,
            headers,
            body,
            error,
        }
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

/// A store of delivery keys for deduplication, and of failed deliveries.
///
/// Object safe: the layer holds an `Arc<dyn DeliveryStore>`. Implementations must make
/// [`claim`](Self::claim) atomic: of any number of concurrent claims on one key, exactly one is
/// [`Claim::Acquired`].
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

    /// Gives a claimed key up, so that the next delivery with it is processed.
    async fn release(&self, key: &str, token: ClaimToken) -> Result<()>;

    /// Records a claimed delivery as failed: the key counts as done, the delivery is kept.
    async fn fail(&self, token: ClaimToken, delivery: FailedDelivery) -> Result<()>;

    /// The failed deliveries kept, oldest first.
    async fn failed(&self) -> Result<Vec<FailedDelivery>>;
}

#[async_trait]
impl<T: DeliveryStore + ?Sized> DeliveryStore for Arc<T> {
    async fn claim(&self, key: &str) -> Result<Claim> {
        (**self).claim(key).await
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        (**self).complete(key, token).await
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        (**self).release(key, token).await
    }

    async fn fail(&self, token: ClaimToken, delivery: FailedDelivery) -> Result<()> {
        (**self).fail(token, delivery).await
    }

    async fn failed(&self) -> Result<Vec<FailedDelivery>> {
        (**self).failed().await
    }
}
