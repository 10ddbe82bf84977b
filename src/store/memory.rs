//! The default store: in memory, bounded, expiring, sharded.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Claim, ClaimToken, DeliveryStore, FailedDelivery, Result, StoreError};

const SHARDS: usize = 16;

/// An in-memory [`DeliveryStore`]: zero setup, for a service that runs as one process.
///
/// - Bounded: at most `max_entries` keys (default 100,000). When full, the oldest completed keys
///   are evicted before their retention ends (logged once); keys in flight are never evicted, and
///   if every key is in flight, claims fail with [`StoreError::Full`] (the layer answers 503).
/// - Expiring: completed keys are kept for `retention` (default 24 h); an in-flight claim whose
///   owner vanished is taken over after `lease` (default 5 min).
/// - Sharded: keys are spread over 16 mutex-guarded maps by a randomly seeded hash, so concurrent
///   deliveries rarely wait on each other and crafted ids cannot pile into one shard.
/// - Failed deliveries are kept up to `max_failed` (default 10,000); past that, recording a
///   failure fails, so the layer answers 503 and the provider retries rather than lose it.
///
/// Everything is lost on restart and not shared between processes: for several replicas use a
/// shared store.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::{store::MemoryStore, WebhookLayer};
///
/// let store = MemoryStore::new()
///     .with_retention(Duration::from_secs(48 * 3600))
///     .with_max_entries(1_000_000);
/// let layer = WebhookLayer::ycloud("whsec_...").with_store(store.clone());
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
    settings: Settings,
    /// `settings.max_entries` spread over the shards, rounded up.
    max_per_shard: usize,
    failed: Mutex<VecDeque<FailedDelivery>>,
    next_token: AtomicU64,
    warned_eviction: AtomicBool,
}

/// The bounds a store is built with.
#[derive(Debug, Clone, Copy)]
struct Settings {
    retention: Duration,
    lease: Duration,
    max_entries: usize,
    max_failed: usize,
}

#[derive(Debug, Default)]
struct Shard {
    entries: HashMap<Arc<str>, Entry>,
    /// Completed keys in the order they complete, which is the order they expire in.
    expiry: VecDeque<(Arc<str>, Instant)>,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    InFlight { token: ClaimToken, until: Instant },
    Done { until: Instant },
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// A store with the default bounds.
    pub fn new() -> Self {
        Self::build(Settings {
            retention: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(300),
            max_entries: 100_000,
            max_failed: 10_000,
        })
    }

    fn build(settings: Settings) -> Self {
        let shards = (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect();
        Self {
            inner: Arc::new(Inner {
                shards,
                hasher: RandomState::new(),
                settings,
                max_per_shard: settings.max_entries.div_ceil(SHARDS).max(1),
                failed: Mutex::new(VecDeque::new()),
                next_token: AtomicU64::new(1),
                warned_eviction: AtomicBool::new(false),
            }),
        }
    }

    /// A new, empty store with one setting changed.
    fn rebuild(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings;
        change(&mut settings);
        Self::build(settings)
    }

    /// How long a completed key is remembered (default 24 h). Configure before use: this
    /// returns an empty store.
    pub fn with_retention(self, retention: Duration) -> Self {
        self.rebuild(|s| s.retention = retention)
    }

    /// How long an in-flight claim lasts before another delivery may take it over (default
    /// 5 min). Configure before use: this returns an empty store.
    pub fn with_lease(self, lease: Duration) -> Self {
        self.rebuild(|s| s.lease = lease)
    }

    /// The most keys kept (default 100,000). Configure before use: this returns an empty store.
    pub fn with_max_entries(self, max_entries: usize) -> Self {
        self.rebuild(|s| s.max_entries = max_entries)
    }

    /// The most failed deliveries kept (default 10,000). Configure before use: this returns an
    /// empty store.
    pub fn with_max_failed(self, max_failed: usize) -> Self {
        self.rebuild(|s| s.max_failed = max_failed)
    }

    /// How many keys are held (in flight or done, expired ones not yet swept included).
    pub fn len(&self) -> usize {
        self.inner
            .shards
            .iter()
            .map(|s| lock(s).entries.len())
            .sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, key: &str) -> MutexGuard<'_, Shard> {
        let index = self.inner.hasher.hash_one(key) as usize % SHARDS;
        lock(&self.inner.shards[index])
    }

    fn token(&self) -> ClaimToken {
        ClaimToken::new(u128::from(
            self.inner.next_token.fetch_add(1, Ordering::Relaxed),
        ))
    }

    /// Marks an owned in-flight key done; a key whose claim was taken over is left alone.
    /// Whether `token` holds the in-flight claim on `key`.
    fn owns(&self, key: &str, token: ClaimToken) -> bool {
        matches!(
            self.shard(key).entries.get(key),
            Some(Entry::InFlight { token: owner, .. }) if *owner == token
        )
    }

    fn finish(&self, key: &str, token: ClaimToken) {
        let now = Instant::now();
        let until = now + self.inner.settings.retention;
        let mut shard = self.shard(key);
        match shard.entries.get_key_value(key) {
            Some((k, Entry::InFlight { token: owner, .. })) if *owner == token => {
                let k = Arc::clone(k);
                shard.entries.insert(Arc::clone(&k), Entry::Done { until });
                shard.expiry.push_back((k, until));
            }
            Some(_) => {
                tracing::debug!("claim was taken over after its lease; not marking it done");
            }
            None => {
                let k: Arc<str> = Arc::from(key);
                shard.entries.insert(Arc::clone(&k), Entry::Done { until });
                shard.expiry.push_back((k, until));
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No user code runs under these locks; a poisoned one still holds consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shard {
    /// Drops completed keys whose retention has ended.
    fn sweep(&mut self, now: Instant) {
        while let Some((_, until)) = self.expiry.front() {
            if *until > now {
                break;
            }
            if let Some((key, until)) = self.expiry.pop_front() {
                if let Some(Entry::Done { until: current }) = self.entries.get(&key) {
                    if *current == until {
                        self.entries.remove(&key);
                    }
                }
            }
        }
    }

    /// Makes room for one key; `Ok(true)` when a live completed key had to go.
    fn evict_one(&mut self, now: Instant) -> Result<bool> {
        while let Some((key, until)) = self.expiry.pop_front() {
            if let Some(Entry::Done { until: current }) = self.entries.get(&key) {
                if *current == until {
                    self.entries.remove(&key);
                    return Ok(until > now);
                }
            }
        }
        // Only in-flight keys left: take one whose owner vanished, if any.
        let expired = self.entries.iter().find_map(|(k, e)| match e {
            Entry::InFlight { until, .. } if *until <= now => Some(Arc::clone(k)),
            _ => None,
        });
        match expired {
            Some(key) => {
                self.entries.remove(&key);
                Ok(false)
            }
            None => Err(StoreError::Full),
        }
    }
}

#[async_trait]
impl DeliveryStore for MemoryStore {
    async fn claim(&self, key: &str) -> Result<Claim> {
        let now = Instant::now();
        let token = self.token();
        let claimed = Entry::InFlight {
            token,
            until: now + self.inner.settings.lease,
        };
        let mut shard = self.shard(key);
        shard.sweep(now);
        if let Some(entry) = shard.entries.get_mut(key) {
            match *entry {
                Entry::Done { until } if until > now => return Ok(Claim::Done),
                Entry::InFlight { until, .. } if until > now => return Ok(Claim::InFlight),
                _ => {
                    *entry = claimed;
                    return Ok(Claim::Acquired(token));
                }
            }
        }
        if shard.entries.len() >= self.inner.max_per_shard
            && shard.evict_one(now)?
            && !self.inner.warned_eviction.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                "memory delivery store is full: evicting completed keys before their retention \
                 ends; raise `MemoryStore::with_max_entries` or use a shared store"
            );
        }
        shard.entries.insert(Arc::from(key), claimed);
        Ok(Claim::Acquired(token))
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        self.finish(key, token);
        Ok(())
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        let mut shard = self.shard(key);
        if let Some(Entry::InFlight { token: owner, .. }) = shard.entries.get(key) {
            if *owner == token {
                shard.entries.remove(key);
            }
        }
        Ok(())
    }

    async fn fail(&self, token: ClaimToken, delivery: FailedDelivery) -> Result<()> {
        let key = delivery.key.clone();
        if !self.owns(&key, token) {
            // The lease ran out and another delivery took the key over: it is that one's to keep.
            tracing::debug!("claim was taken over after its lease; not recording its failure");
            return Ok(());
        }
        {
            let mut failed = lock(&self.inner.failed);
            if failed.len() >= self.inner.settings.max_failed {
                return Err(StoreError::Full);
            }
            failed.push_back(delivery);
        }
        self.finish(&key, token);
        Ok(())
    }

    async fn failed(&self) -> Result<Vec<FailedDelivery>> {
        Ok(lock(&self.inner.failed).iter().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;

    fn acquired(claim: Claim) -> ClaimToken {
        match claim {
            Claim::Acquired(token) => token,
            other => panic!("expected a claim, got {other:?}"),
        }
    }

    fn failed(key: &str) -> FailedDelivery {
        FailedDelivery::new(
            key.into(),
            "test".into(),
            key.into(),
            None,
            0,
            HeaderMap::new(),
            Bytes::from_static(b"{}"),
            "boom".into(),
        )
    }

    #[tokio::test]
    async fn claim_complete_release_cycle() {
        let store = MemoryStore::new();
        let token = acquired(store.claim("a").await.unwrap());
        assert_eq!(store.claim("a").await.unwrap(), Claim::InFlight);
        store.release("a", token).await.unwrap();
        let token = acquired(store.claim("a").await.unwrap());
        store.complete("a", token).await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
    }

    #[tokio::test]
    async fn only_the_owner_releases() {
        let store = MemoryStore::new();
        let _owner = acquired(store.claim("a").await.unwrap());
        store.release("a", ClaimToken::new(999_999)).await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::InFlight);
    }

    #[tokio::test]
    async fn completed_keys_expire_after_retention() {
        let store = MemoryStore::new().with_retention(Duration::from_millis(30));
        let token = acquired(store.claim("a").await.unwrap());
        store.complete("a", token).await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
        tokio::time::sleep(Duration::from_millis(60)).await;
        acquired(store.claim("a").await.unwrap());
    }

    #[tokio::test]
    async fn abandoned_claims_are_taken_over_after_the_lease() {
        let store = MemoryStore::new().with_lease(Duration::from_millis(30));
        let first = acquired(store.claim("a").await.unwrap());
        assert_eq!(store.claim("a").await.unwrap(), Claim::InFlight);
        tokio::time::sleep(Duration::from_millis(60)).await;
        let second = acquired(store.claim("a").await.unwrap());
        // The late first owner cannot complete what the second now owns.
        store.complete("a", first).await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::InFlight);
        store.complete("a", second).await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
    }

    #[tokio::test]
    async fn bounded_evicting_the_oldest_completed_keys() {
        let store = MemoryStore::new().with_max_entries(SHARDS);
        for i in 0..10 * SHARDS {
            let key = format!("k{i}");
            let token = acquired(store.claim(&key).await.unwrap());
            store.complete(&key, token).await.unwrap();
        }
        assert!(store.len() <= SHARDS, "{} keys held", store.len());
    }

    #[test]
    fn settings_survive_each_other() {
        let store = MemoryStore::new()
            .with_max_entries(10)
            .with_retention(Duration::from_secs(7))
            .with_lease(Duration::from_secs(3))
            .with_max_failed(5);
        assert_eq!(store.inner.settings.max_entries, 10);
        assert_eq!(store.inner.settings.retention, Duration::from_secs(7));
        assert_eq!(store.inner.settings.lease, Duration::from_secs(3));
        assert_eq!(store.inner.settings.max_failed, 5);
    }

    #[tokio::test]
    async fn full_of_in_flight_keys_refuses_new_claims() {
        let store = MemoryStore::new().with_max_entries(SHARDS);
        let mut refused = 0;
        for i in 0..10 * SHARDS {
            match store.claim(&format!("k{i}")).await {
                Ok(Claim::Acquired(_)) => {}
                Err(StoreError::Full) => refused += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(refused >= 9 * SHARDS, "refused {refused}");
        assert!(store.len() <= SHARDS);
    }

    #[tokio::test]
    async fn failed_deliveries_are_kept_and_bounded() {
        let store = MemoryStore::new().with_max_failed(1);
        let token = acquired(store.claim("a").await.unwrap());
        store.fail(token, failed("a")).await.unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
        let kept = store.failed().await.unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].error, "boom");
        let token = acquired(store.claim("b").await.unwrap());
        assert!(matches!(
            store.fail(token, failed("b")).await,
            Err(StoreError::Full)
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_claims_acquire_exactly_once() {
        let store = MemoryStore::new();
        for round in 0..50 {
            let key = format!("evt_{round}");
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let store = store.clone();
                    let key = key.clone();
                    tokio::spawn(async move { store.claim(&key).await.unwrap() })
                })
                .collect();
            let mut acquired = 0;
            for task in tasks {
                if matches!(task.await.unwrap(), Claim::Acquired(_)) {
                    acquired += 1;
                }
            }
            assert_eq!(acquired, 1, "round {round}");
        }
    }
}
