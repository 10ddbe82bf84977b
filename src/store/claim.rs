//! A claim on a delivery key: the key as a type, the store's answer, and the claim the layer
//! owns until it completes, releases or parks it.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use super::{DeliveryStore, Result, Schedule, StoredDelivery};

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

/// The key of a delivery in a store: the provider's name and the delivery's dedup key, written
/// `<provider>:<key>` so that routes of several providers can share one store. Built once per
/// delivery; this type is the only place that knows the format.
///
/// ```
/// use tower_webhooks::store::DeliveryKey;
///
/// let key = DeliveryKey::new("ycloud", "evt_1");
/// assert_eq!(key.as_str(), "ycloud:evt_1");
/// assert_eq!((key.provider(), key.dedup_key()), ("ycloud", "evt_1"));
/// assert_eq!(DeliveryKey::of_stored("ycloud", "ycloud:evt_1"), Some(key));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey {
    full: Arc<str>,
    /// Where the dedup key starts in `full`, after `<provider>:`.
    split: usize,
}

impl DeliveryKey {
    /// The key of `provider`'s delivery with dedup key `key`.
    pub fn new(provider: &str, key: &str) -> Self {
        let len = provider.len() + 1 + key.len();
        // Joined on the stack when it fits, so that the key costs one allocation (the `Arc`).
        let mut stack = [0u8; 192];
        let full: Arc<str> = match stack.get_mut(..len) {
            Some(buffer) => {
                let (head, rest) = buffer.split_at_mut(provider.len());
                head.copy_from_slice(provider.as_bytes());
                rest[0] = b':';
                rest[1..].copy_from_slice(key.as_bytes());
                // Two `str`s and an ASCII byte: valid UTF-8.
                Arc::from(std::str::from_utf8(buffer).unwrap_or_default())
            }
            None => Arc::from(format!("{provider}:{key}")),
        };
        Self {
            full,
            split: provider.len() + 1,
        }
    }

    /// The key a store gave back for a delivery of `provider`, if it is one of `provider`'s.
    pub fn of_stored(provider: &str, stored: &str) -> Option<Self> {
        let rest = stored.strip_prefix(provider)?.strip_prefix(':')?;
        Some(Self {
            full: Arc::from(stored),
            split: stored.len() - rest.len(),
        })
    }

    /// `<provider>:<key>`, as the store holds it.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The provider's name.
    pub fn provider(&self) -> &str {
        &self.full[..self.split - 1]
    }

    /// The dedup key within the provider: the id and its qualifiers.
    pub fn dedup_key(&self) -> &str {
        &self.full[self.split..]
    }
}

impl fmt::Debug for DeliveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeliveryKey").field(&self.as_str()).finish()
    }
}

impl fmt::Display for DeliveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An acquired claim, owned by the delivery under way. It is settled once, by one of its
/// consuming methods; dropped unsettled (the client went away and hyper dropped the future), it
/// releases itself so that the provider's retry is processed. It borrows the store and the key
/// from the delivery's settings and facts: only a release in the background copies them.
pub(crate) struct OwnedClaim<'a> {
    store: &'a Arc<dyn DeliveryStore>,
    key: &'a DeliveryKey,
    token: ClaimToken,
    settled: bool,
}

impl fmt::Debug for OwnedClaim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedClaim")
            .field("key", &self.key)
            .field("settled", &self.settled)
            .finish_non_exhaustive()
    }
}

impl<'a> OwnedClaim<'a> {
    pub(crate) fn new(
        store: &'a Arc<dyn DeliveryStore>,
        key: &'a DeliveryKey,
        token: ClaimToken,
    ) -> Self {
        Self {
            store,
            key,
            token,
            settled: false,
        }
    }

    /// The token that owns the claim.
    pub(crate) fn token(&self) -> ClaimToken {
        self.token
    }

    /// The delivery was processed: its key is done. A store that answers at once is asked
    /// here, before the future is made.
    pub(crate) fn complete(mut self) -> impl Future<Output = Result<()>> + 'a {
        self.settled = true;
        // Through the `Arc` to the store itself: its blanket impl would box a future more.
        let (store, key, token) = (self.store.as_ref(), self.key, self.token);
        // Where the store can, its write is queued and not awaited: see `complete_later`.
        let now = store
            .complete_now(key.as_str(), token)
            .or_else(|| store.complete_later(key.as_str(), token).then_some(Ok(())));
        async move {
            match now {
                Some(done) => done,
                None => store.complete(key.as_str(), token).await,
            }
        }
    }

    /// The delivery was not processed: the next copy is.
    pub(crate) async fn release(mut self) -> Result<()> {
        self.settled = true;
        self.store
            .as_ref()
            .release(self.key.as_str(), self.token)
            .await
    }

    /// The delivery goes into the inbox. If the store cannot take it, the claim is released
    /// (so that the provider's retry is processed) and the store's error returned.
    pub(crate) async fn park(mut self, delivery: StoredDelivery, schedule: Schedule) -> Result<()> {
        self.settled = true;
        let store = self.store.as_ref();
        let parked = store.park(self.token, delivery, schedule).await;
        if parked.is_err()
            && let Err(err) = store.release(self.key.as_str(), self.token).await
        {
            tracing::error!(error = %err, "could not release the webhook claim; it expires with its lease");
        }
        parked
    }
}

impl Drop for OwnedClaim<'_> {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let store = Arc::clone(self.store);
        let key = self.key.clone();
        let token = self.token;
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(err) = store.release(key.as_str(), token).await {
                        tracing::error!(error = %err, "could not release an abandoned webhook claim; it expires with its lease");
                    }
                });
            }
            Err(_) => tracing::warn!(
                "abandoned webhook claim outside a tokio runtime; it expires with its lease"
            ),
        }
    }
}
