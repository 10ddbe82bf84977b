//! The default store: in memory, bounded, expiring, sharded.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use self::shard::{Entry, Fingerprint, Fingerprints, Millis, Shard, after};
use super::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, Result, Schedule, Settlement, StoreError,
    StoredDelivery, Taken,
};
use crate::clock::{Clock, SystemClock};

mod shard;

const SHARDS: usize = 16;
/// A token's low bits name its key's shard (see [`MemoryStore::token`]).
const SHARD_BITS: u32 = SHARDS.trailing_zeros();
const _: () = assert!(SHARDS.is_power_of_two());

/// What a remembered key costs: its slot in a shard's table (a 128-bit fingerprint, a time and
/// a holder: 32 bytes, at the table's load factor), its place in the expiry queue, and the slack
/// of tables that grow by doubling. The key itself is not kept, so its length costs nothing.
/// Measured: see `tests/memory_store.rs`, which checks that this count is never below what RSS
/// grew with a million keys.
pub(crate) const KEY_COST: usize = 128;

/// The default memory budget for remembered keys: 64 MiB, about 524,000 keys.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// How often, at most, eviction is warned about.
const WARN_EVERY: Millis = 60_000;

/// An in-memory [`DeliveryStore`]: zero setup, for a service that runs as one process.
///
/// - Bounded by memory: a remembered key is a 128-bit fingerprint, not the key's bytes, counted
///   at its measured cost of 128 bytes whatever the key's length, against a budget of
///   [`DEFAULT_MAX_BYTES`] (64 MiB: about 524,000 keys), set with
///   [`with_max_bytes`](Self::with_max_bytes);
///   [`with_max_entries`](Self::with_max_entries) bounds the count as well. Over budget, the
///   oldest completed keys are evicted before their retention ends; keys in flight and keys of
///   parked deliveries are never evicted, and if nothing can go, claims fail with
///   [`StoreError::Full`] (the layer answers 503).
/// - Its dedup window is known: [`window`](Self::window) is how long a completed key is
///   remembered now, the retention until eviction starts, then the age of the youngest key
///   evicted. While evicting, a warning at most once a minute says how many keys went, how old
///   they were against the retention, and what to do. A provider's retry of an evicted
///   delivery is processed again: size the budget for your rate times the provider's retry
///   schedule (YCloud's spans 5 h 36 min), or use a shared store, which keeps the full
///   retention.
/// - Expiring: completed keys are kept for `retention` (default 24 h) from the delivery's
///   arrival, which is when a provider's retry schedule starts; an in-flight claim whose owner
///   vanished is taken over after `lease` (default 5 min).
/// - Sharded: keys are spread over 16 mutex-guarded tables by their fingerprint (SipHash-2-4
///   under a random key), so concurrent deliveries rarely wait on each other and crafted ids
///   cannot pile into one shard. Two keys share a fingerprint with a chance of 2^-128 per pair.
///   The budget is kept per shard (a sixteenth each). A claim's token carries its key's
///   shard and table bits, so completing finds the claim without hashing the key again: give
///   [`complete`](DeliveryStore::complete) the key and the token its claim returned together.
/// - The inbox (deliveries parked for the [`Worker`](crate::Worker): pending or dead) holds at
///   most `max_inbox` (default 10,000); past that, parking fails, so the layer answers 503 and
///   the provider retries rather than lose the delivery.
/// - Timed by a [`Clock`] (default [`SystemClock`], see [`with_clock`](Self::with_clock)).
///
/// Everything, the inbox included, is lost on restart and not shared between processes: for
/// several replicas, or [`Ack::Immediately`](crate::Ack::Immediately) across restarts, use a
/// shared store.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::{store::MemoryStore, WebhookLayer};
///
/// let store = MemoryStore::new()
///     .with_retention(Duration::from_secs(48 * 3600))
///     .with_max_bytes(256 * 1024 * 1024);
/// let layer = WebhookLayer::ycloud("whsec_...").with_store(store.clone());
/// assert_eq!(store.window(), Duration::from_secs(48 * 3600)); // nothing evicted
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the keys: a store holds up to `max_entries` of them.
        f.debug_struct("MemoryStore")
            .field("settings", &self.inner.settings)
            .field("len", &self.len())
            .field("inbox", &self.inbox_lock().entries.len())
            .finish()
    }
}

struct Inner {
    shards: Box<[Mutex<Shard>]>,
    fingerprints: Fingerprints,
    settings: Settings,
    /// The keys a shard may hold: `settings.max_entries` spread over the shards (rounded up),
    /// or what its share of `settings.max_bytes` pays for, whichever is less.
    max_per_shard: usize,
    inbox: Mutex<Inbox>,
    /// Where "now" comes from: the system clock unless [`MemoryStore::with_clock`] says otherwise.
    clock: Arc<dyn Clock>,
    next_token: AtomicU64,
    eviction: Eviction,
}

/// What eviction has done, for [`MemoryStore::window`] and the warning.
#[derive(Debug)]
struct Eviction {
    /// When the youngest evicted key arrived (`Millis::MIN` before any eviction): every key
    /// that arrived later is still remembered.
    youngest_arrived: AtomicI64,
    /// Keys evicted since the last warning.
    since_warning: AtomicU64,
    /// When eviction was last warned about.
    warned_at: AtomicI64,
}

/// The bounds a store is built with.
#[derive(Debug, Clone, Copy)]
struct Settings {
    retention: Duration,
    lease: Duration,
    max_entries: usize,
    max_bytes: usize,
    max_inbox: usize,
}

/// Parked deliveries, and the pending ones in the order they are due.
#[derive(Debug, Default)]
struct Inbox {
    entries: HashMap<Arc<str>, Parked>,
    /// (due, sequence, key) of every pending delivery; a taken one is due again when its lease
    /// runs out.
    due: BTreeSet<(Millis, u64, Arc<str>)>,
    /// Dead keys in the order they died.
    dead: BTreeSet<(u64, Arc<str>)>,
    sequence: u64,
}

#[derive(Debug)]
struct Parked {
    delivery: StoredDelivery,
    /// Where it sits in `due` (pending) or `dead`.
    slot: Slot,
    /// The worker's lease, while taken.
    owner: Option<ClaimToken>,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Due(Millis, u64),
    Dead(u64),
}

/// Keys each shard has room for before its table first grows: the budget's share when that is
/// smaller, else 256 (4,096 for the store). Kept small so that a small store's tables stay in
/// the CPU's cache: a new key's slot is anywhere in its table, and in tables pre-sized for
/// 4,096 keys a shard (5.5 MB in all) it was a cold line, which made a new key's claim 1.8x a
/// duplicate's among 1,000 keys (1.1x at 256). The tables double from there, amortised; the
/// doublings a larger size would have skipped are the smallest and quickest.
const INITIAL_PER_SHARD: usize = 256;

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// A store with the default bounds.
    pub fn new() -> Self {
        Self::build(
            Settings {
                retention: Duration::from_secs(24 * 3600),
                lease: Duration::from_secs(300),
                max_entries: usize::MAX,
                max_bytes: DEFAULT_MAX_BYTES,
                max_inbox: 10_000,
            },
            Arc::new(SystemClock),
        )
    }

    fn build(settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let by_entries = settings.max_entries.div_ceil(SHARDS).max(1);
        let by_bytes = settings.max_bytes / SHARDS / KEY_COST;
        let max_per_shard = by_entries.min(by_bytes);
        let initial = INITIAL_PER_SHARD.min(max_per_shard.max(1));
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(Shard::with_capacity(initial)))
            .collect();
        Self {
            inner: Arc::new(Inner {
                shards,
                fingerprints: Fingerprints::new(),
                settings,
                max_per_shard,
                inbox: Mutex::new(Inbox::default()),
                clock,
                next_token: AtomicU64::new(1),
                eviction: Eviction {
                    youngest_arrived: AtomicI64::new(Millis::MIN),
                    since_warning: AtomicU64::new(0),
                    warned_at: AtomicI64::new(Millis::MIN),
                },
            }),
        }
    }

    /// A new, empty store with one setting changed.
    fn rebuild(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings;
        change(&mut settings);
        Self::build(settings, Arc::clone(&self.inner.clock))
    }

    /// The clock that retention, leases and due times follow (default [`SystemClock`]), to the
    /// millisecond ([`Clock::now_millis`]): a test can run hours of retention in no time. The
    /// same clock a layer is given with `with_clock` is a good choice. Configure before use:
    /// this returns an empty store.
    ///
    /// ```
    /// use tower_webhooks::{store::MemoryStore, FixedClock};
    ///
    /// let store = MemoryStore::new().with_clock(FixedClock(1_700_000_000));
    /// # let _ = store;
    /// ```
    pub fn with_clock(self, clock: impl Clock) -> Self {
        Self::build(self.inner.settings, Arc::new(clock))
    }

    fn now(&self) -> Millis {
        self.inner.clock.now_millis()
    }

    /// How long a completed key is remembered from its delivery's arrival (default 24 h).
    /// Configure before use: this returns an empty store.
    pub fn with_retention(self, retention: Duration) -> Self {
        self.rebuild(|s| s.retention = retention)
    }

    /// How long an in-flight claim lasts before another delivery may take it over (default
    /// 5 min). Configure before use: this returns an empty store.
    pub fn with_lease(self, lease: Duration) -> Self {
        self.rebuild(|s| s.lease = lease)
    }

    /// The most keys kept (default: no count, only the memory budget of
    /// [`with_max_bytes`](Self::with_max_bytes)). Configure before use: this returns an empty
    /// store.
    pub fn with_max_entries(self, max_entries: usize) -> Self {
        self.rebuild(|s| s.max_entries = max_entries)
    }

    /// The memory budget for remembered keys (default [`DEFAULT_MAX_BYTES`], 64 MiB), each
    /// counted as 128 bytes, whatever its length. The inbox's deliveries are bounded apart, by
    /// [`with_max_inbox`](Self::with_max_inbox). Configure before use: this returns an empty
    /// store.
    ///
    /// ```
    /// use tower_webhooks::store::MemoryStore;
    ///
    /// // 100 deliveries/s through YCloud's whole retry schedule (5 h 36 min):
    /// // 100 * 20,140 s * 128 bytes = 258 MB, and some room for the shards' uneven fill.
    /// let store = MemoryStore::new().with_max_bytes(272 * 1024 * 1024);
    /// # let _ = store;
    /// ```
    pub fn with_max_bytes(self, max_bytes: usize) -> Self {
        self.rebuild(|s| s.max_bytes = max_bytes)
    }

    /// How long a completed key is remembered now: the retention, or, once the budget forced
    /// evictions, the age of the youngest key evicted (growing back towards the retention as
    /// evictions stop). A provider's retry later than this after its first delivery is
    /// processed again.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_webhooks::store::MemoryStore;
    ///
    /// assert_eq!(MemoryStore::new().window(), Duration::from_secs(24 * 3600));
    /// ```
    pub fn window(&self) -> Duration {
        let retention = self.inner.settings.retention;
        let youngest = self.inner.eviction.youngest_arrived.load(Ordering::Relaxed);
        if youngest == Millis::MIN {
            return retention;
        }
        let age = self.now().saturating_sub(youngest).max(0);
        retention.min(Duration::from_millis(u64::try_from(age).unwrap_or(0)))
    }

    /// The bytes the remembered keys are counted for, against the budget.
    pub fn counted_bytes(&self) -> usize {
        self.len() * KEY_COST
    }

    /// A live completed key whose delivery arrived at `arrived` was evicted at `now`: the
    /// window shrinks to its age, and the warning is due at most once a minute.
    fn evicted(&self, now: Millis, arrived: Millis) {
        let eviction = &self.inner.eviction;
        eviction
            .youngest_arrived
            .fetch_max(arrived, Ordering::Relaxed);
        eviction.since_warning.fetch_add(1, Ordering::Relaxed);
        let warned = eviction.warned_at.load(Ordering::Relaxed);
        if now.saturating_sub(warned) < WARN_EVERY
            || eviction
                .warned_at
                .compare_exchange(warned, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let count = eviction.since_warning.swap(0, Ordering::Relaxed);
        let settings = &self.inner.settings;
        let window = self.window().as_secs();
        let retention = settings.retention.as_secs();
        tracing::warn!(
            evicted = count,
            window_secs = window,
            retention_secs = retention,
            max_bytes = settings.max_bytes,
            "memory delivery store over its budget: evicted {count} completed keys, the youngest \
             {window} s old against a retention of {retention} s, so the dedup window is now \
             {window} s and a provider's retry later than that is processed again; raise \
             `MemoryStore::with_max_bytes` ({} MiB now) or use a shared store (RedisStore, \
             PostgresStore), which keeps the full retention",
            settings.max_bytes / (1024 * 1024)
        );
    }

    /// The most deliveries the inbox holds, pending and dead (default 10,000). Configure before
    /// use: this returns an empty store.
    pub fn with_max_inbox(self, max_inbox: usize) -> Self {
        self.rebuild(|s| s.max_inbox = max_inbox)
    }

    /// How many keys are held (in flight or done, expired ones not yet swept included).
    pub fn len(&self) -> usize {
        self.inner.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shard holding `key`, locked, and the key's fingerprint (computed here, once).
    fn shard(&self, key: &str) -> (MutexGuard<'_, Shard>, Fingerprint) {
        let fingerprint = self.inner.fingerprints.of(key);
        let shard = &self.inner.shards[fingerprint.shard(SHARDS)];
        (lock(shard), fingerprint)
    }

    /// A token no claim of this store held before, for a key in `shard`: a count, with the
    /// shard in its low bits so that completing finds the shard without hashing the key again.
    fn token(&self, shard: usize) -> u64 {
        loop {
            let count = self.inner.next_token.fetch_add(1, Ordering::Relaxed);
            let token = (count << SHARD_BITS) | shard as u64;
            if shard::is_token(token) {
                return token;
            }
        }
    }

    fn retention_millis(&self) -> Millis {
        i64::try_from(self.inner.settings.retention.as_millis()).unwrap_or(Millis::MAX)
    }

    /// When a key marked done at `now` expires.
    fn done_until(&self, now: Millis) -> Millis {
        after(now, self.inner.settings.retention)
    }

    fn claim_sync(&self, key: &str) -> Result<Claim> {
        let now = self.now();
        let lease = self.inner.settings.lease;
        let (mut shard, key) = self.shard(key);
        let index = key.shard(SHARDS);
        shard.sweep(now);
        if let Some(slot) = shard.get_mut(key) {
            match slot.entry() {
                Entry::Done { until } if until > now => return Ok(Claim::Done),
                Entry::Parked => return Ok(Claim::Done),
                Entry::InFlight { since, .. } if after(since, lease) > now => {
                    return Ok(Claim::InFlight);
                }
                // Expired, or abandoned by its owner: taken over.
                _ => {
                    let token = self.token(index);
                    slot.set(Entry::InFlight { token, since: now });
                    return Ok(Claim::Acquired(claim_token(key, token)));
                }
            }
        }
        while shard.len() >= self.inner.max_per_shard {
            match shard.evict_one(now, lease) {
                Ok(Some(until)) => self.evicted(now, until.saturating_sub(self.retention_millis())),
                Ok(None) => {}
                Err(shard::Full) => return Err(StoreError::Full),
            }
        }
        let token = self.token(index);
        shard.insert_new(key, Entry::InFlight { token, since: now });
        Ok(Claim::Acquired(claim_token(key, token)))
    }

    fn complete_sync(&self, key: &str, token: ClaimToken) {
        // The token names the claim (its key's table bits, its shard, a count never reused): the
        // slot it still holds is found without hashing the key a second time. A token is the
        // key's: `complete` is given the two together, as `claim` returned them.
        let (table, holder) = token_parts(token);
        if shard::is_token(holder) {
            let mut shard = lock(&self.inner.shards[shard_of(holder)]);
            if let Some(slot) = shard.held_mut(table, holder)
                && let Entry::InFlight { since, .. } = slot.entry()
            {
                debug_assert_eq!(
                    slot.fingerprint(),
                    self.inner.fingerprints.of(key),
                    "completed with another key's token"
                );
                let until = slot.complete(since, self.inner.settings.retention);
                let fingerprint = slot.fingerprint();
                shard.push_expiry(fingerprint, until);
                return;
            }
        }
        // Not held by this token any more (taken over after its lease), or never (a store
        // written to by hand): by the key.
        let (mut shard, key) = self.shard(key);
        let Some(slot) = shard.get_mut(key) else {
            // Not held (a store written to by hand): done from now.
            let until = self.done_until(self.now());
            shard.done(key, until);
            return;
        };
        match slot.entry() {
            Entry::InFlight {
                token: owner,
                since,
            } if owns(token, key, owner) => {
                let until = slot.complete(since, self.inner.settings.retention);
                shard.push_expiry(key, until);
            }
            _ => tracing::debug!("claim was taken over after its lease; not marking it done"),
        }
    }

    fn inbox_lock(&self) -> MutexGuard<'_, Inbox> {
        lock(&self.inner.inbox)
    }
}

/// The public form of a token of this store, for a claim on `key`: its table bits, then the
/// token (which ends with the key's shard).
fn claim_token(key: Fingerprint, token: u64) -> ClaimToken {
    ClaimToken::new((u128::from(key.table()) << 64) | u128::from(token))
}

/// What [`claim_token`] put together: the key's table bits, and the token.
fn token_parts(token: ClaimToken) -> (u64, u64) {
    ((token.get() >> 64) as u64, token.get() as u64)
}

/// The shard of the key a token of [`MemoryStore::token`] was made for.
fn shard_of(token: u64) -> usize {
    token as usize & (SHARDS - 1)
}

/// Whether `token` is the claim that holds `key`, held by `holder`.
fn owns(token: ClaimToken, key: Fingerprint, holder: u64) -> bool {
    token == claim_token(key, holder)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No user code runs under these locks; a poisoned one still holds consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[async_trait]
impl DeliveryStore for MemoryStore {
    fn claim_now(&self, key: &str) -> Option<Result<Claim>> {
        Some(self.claim_sync(key))
    }

    fn complete_now(&self, key: &str, token: ClaimToken) -> Option<Result<()>> {
        self.complete_sync(key, token);
        Some(Ok(()))
    }

    async fn claim(&self, key: &str) -> Result<Claim> {
        self.claim_sync(key)
    }

    async fn complete(&self, key: &str, token: ClaimToken) -> Result<()> {
        self.complete_sync(key, token);
        Ok(())
    }

    async fn release(&self, key: &str, token: ClaimToken) -> Result<()> {
        let (mut shard, key) = self.shard(key);
        if let Some(Entry::InFlight { token: owner, .. }) = shard.get(key)
            && owns(token, key, owner)
        {
            shard.remove(key);
        }
        Ok(())
    }

    async fn park(
        &self,
        token: ClaimToken,
        mut delivery: StoredDelivery,
        schedule: Schedule,
    ) -> Result<()> {
        let key: Arc<str> = Arc::from(delivery.key.as_str());
        let (mut shard, fingerprint) = self.shard(&key);
        match shard.get(fingerprint) {
            Some(Entry::InFlight { token: owner, .. }) if owns(token, fingerprint, owner) => {}
            _ => {
                // The lease ran out and another delivery took the key over: it is that one's.
                tracing::debug!("claim was taken over after its lease; not parking it");
                return Ok(());
            }
        }
        let mut inbox = self.inbox_lock();
        if inbox.entries.len() >= self.inner.settings.max_inbox {
            return Err(StoreError::Full);
        }
        let slot = match schedule {
            Schedule::After(delay) => {
                delivery.status = InboxStatus::Pending;
                inbox.schedule(&key, after(self.now(), delay))
            }
            Schedule::Dead => {
                delivery.status = InboxStatus::Dead;
                inbox.bury(&key)
            }
        };
        inbox.entries.insert(
            Arc::clone(&key),
            Parked {
                delivery,
                slot,
                owner: None,
            },
        );
        shard.set(fingerprint, Entry::Parked);
        Ok(())
    }

    async fn take_due(&self, limit: usize, lease: Duration) -> Result<Vec<Taken>> {
        let now = self.now();
        // A lease of the inbox, compared whole: no key's.
        let token = ClaimToken::new(u128::from(self.token(0)));
        let mut inbox = self.inbox_lock();
        let due: Vec<(Millis, u64, Arc<str>)> = inbox
            .due
            .iter()
            .take_while(|(at, _, _)| *at <= now)
            .take(limit)
            .cloned()
            .collect();
        let mut taken = Vec::with_capacity(due.len());
        for (at, sequence, key) in due {
            inbox.due.remove(&(at, sequence, Arc::clone(&key)));
            let slot = inbox.schedule(&key, after(now, lease));
            if let Some(parked) = inbox.entries.get_mut(&key) {
                parked.slot = slot;
                parked.owner = Some(token);
                taken.push(Taken::new(token, parked.delivery.clone()));
            }
        }
        Ok(taken)
    }

    async fn settle(&self, key: &str, token: ClaimToken, settlement: Settlement) -> Result<()> {
        let (mut shard, fingerprint) = self.shard(key);
        let mut inbox = self.inbox_lock();
        let Some(parked) = inbox.entries.get(key) else {
            return Ok(());
        };
        if parked.owner != Some(token) {
            tracing::debug!("inbox lease was taken over; not settling it");
            return Ok(());
        }
        let slot = parked.slot;
        inbox.unslot(key, slot);
        let (slot, status, error) = match settlement {
            Settlement::Done => {
                inbox.entries.remove(key);
                shard.done(fingerprint, self.done_until(self.now()));
                return Ok(());
            }
            Settlement::Retry {
                after: delay,
                error,
            } => (
                inbox.schedule(key, after(self.now(), delay)),
                InboxStatus::Pending,
                error,
            ),
            Settlement::Dead { error } => (inbox.bury(key), InboxStatus::Dead, error),
        };
        if let Some(parked) = inbox.entries.get_mut(key) {
            parked.slot = slot;
            parked.owner = None;
            parked.delivery.attempts = parked.delivery.attempts.saturating_add(1);
            parked.delivery.last_error = Some(error);
            parked.delivery.status = status;
        }
        Ok(())
    }

    async fn inbox(&self, status: InboxStatus, limit: usize) -> Result<Vec<StoredDelivery>> {
        let inbox = self.inbox_lock();
        let listed = match status {
            InboxStatus::Pending => inbox
                .due
                .iter()
                .take(limit)
                .filter_map(|(at, _, key)| {
                    let mut delivery = inbox.entries.get(key)?.delivery.clone();
                    delivery.next_attempt_at = Some(at.div_euclid(1000));
                    Some(delivery)
                })
                .collect(),
            InboxStatus::Dead => inbox
                .dead
                .iter()
                .take(limit)
                .filter_map(|(_, key)| Some(inbox.entries.get(key)?.delivery.clone()))
                .collect(),
        };
        Ok(listed)
    }

    async fn inbox_len(&self, status: InboxStatus) -> Result<u64> {
        let inbox = self.inbox_lock();
        let len = match status {
            InboxStatus::Pending => inbox.due.len(),
            InboxStatus::Dead => inbox.dead.len(),
        };
        Ok(len as u64)
    }

    async fn replay(&self, key: &str) -> Result<bool> {
        let mut inbox = self.inbox_lock();
        let Some(slot) = inbox.entries.get(key).map(|p| p.slot) else {
            return Ok(false);
        };
        inbox.unslot(key, slot);
        let slot = inbox.schedule(key, self.now());
        if let Some(parked) = inbox.entries.get_mut(key) {
            parked.slot = slot;
            parked.owner = None;
            parked.delivery.status = InboxStatus::Pending;
        }
        Ok(true)
    }

    async fn purge(&self, key: &str) -> Result<bool> {
        let (mut shard, fingerprint) = self.shard(key);
        let mut inbox = self.inbox_lock();
        let Some(parked) = inbox.entries.remove(key) else {
            return Ok(false);
        };
        inbox.unslot(key, parked.slot);
        shard.done(fingerprint, self.done_until(self.now()));
        Ok(true)
    }

    fn dedup_window(&self) -> Option<Duration> {
        Some(self.window())
    }

    /// A claim lives in this process only: if the process dies, so does every copy's claim.
    fn outlives_process(&self) -> bool {
        false
    }
}

impl Inbox {
    fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// Puts `key` in the due order at `at`.
    fn schedule(&mut self, key: &str, at: Millis) -> Slot {
        let sequence = self.next();
        self.due.insert((at, sequence, Arc::from(key)));
        Slot::Due(at, sequence)
    }

    /// Puts `key` at the end of the dead.
    fn bury(&mut self, key: &str) -> Slot {
        let sequence = self.next();
        self.dead.insert((sequence, Arc::from(key)));
        Slot::Dead(sequence)
    }

    fn unslot(&mut self, key: &str, slot: Slot) {
        let key: Arc<str> = Arc::from(key);
        match slot {
            Slot::Due(at, sequence) => self.due.remove(&(at, sequence, key)),
            Slot::Dead(sequence) => self.dead.remove(&(sequence, key)),
        };
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

    fn stored(key: &str) -> StoredDelivery {
        StoredDelivery::new(
            key,
            "test",
            key,
            HeaderMap::new(),
            Bytes::from_static(b"{}"),
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
    async fn completing_finds_each_claim_by_its_token_in_any_order() {
        // Enough keys that every shard's table grows (and moves its slots) between the claims
        // and the completions.
        let store = MemoryStore::new();
        let mut claims = Vec::new();
        for i in 0..4000 {
            let key = format!("k{i}");
            let token = acquired(store.claim(&key).await.unwrap());
            claims.push((key, token));
        }
        let mut shards = std::collections::HashSet::new();
        for (key, token) in claims.iter().rev() {
            shards.insert(shard_of(token_parts(*token).1));
            assert_eq!(store.claim(key).await.unwrap(), Claim::InFlight);
            store.complete(key, *token).await.unwrap();
            assert_eq!(store.claim(key).await.unwrap(), Claim::Done, "{key}");
        }
        assert_eq!(shards.len(), SHARDS);
        // A token that names no claim of this store leaves the key alone.
        let token = acquired(store.claim("held").await.unwrap());
        for stranger in [
            ClaimToken::new(token.get() ^ (1 << 64)),
            ClaimToken::new(token.get() + u128::from(SHARDS as u64)),
            ClaimToken::new(u128::MAX),
            ClaimToken::new(0),
        ] {
            store.complete("held", stranger).await.unwrap();
            assert_eq!(store.claim("held").await.unwrap(), Claim::InFlight);
        }
        store.complete("held", token).await.unwrap();
        assert_eq!(store.claim("held").await.unwrap(), Claim::Done);
    }

    /// The token alone finds its claim: given with another key, it still names its own (a
    /// misuse that debug builds catch).
    #[cfg(debug_assertions)]
    #[tokio::test]
    #[should_panic(expected = "completed with another key's token")]
    async fn completing_goes_by_the_token() {
        let store = MemoryStore::new();
        let token = acquired(store.claim("a").await.unwrap());
        store.complete("b", token).await.unwrap();
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

    #[tokio::test]
    async fn the_memory_budget_holds_and_evicts_the_oldest_first() {
        let key = |i: usize| format!("ycloud:evt_{i:020}");
        let budget = SHARDS * 50 * KEY_COST;
        let store = MemoryStore::new().with_max_bytes(budget);
        assert_eq!(store.window(), Duration::from_secs(24 * 3600));
        for i in 0..SHARDS * 200 {
            let token = acquired(store.claim(&key(i)).await.unwrap());
            store.complete(&key(i), token).await.unwrap();
        }
        assert!(store.counted_bytes() <= budget, "{}", store.counted_bytes());
        assert!(store.len() >= SHARDS * 40, "{} keys held", store.len());
        // The newest keys are kept, the oldest went.
        assert_eq!(
            store.claim(&key(SHARDS * 200 - 1)).await.unwrap(),
            Claim::Done
        );
        assert!(matches!(
            store.claim(&key(0)).await.unwrap(),
            Claim::Acquired(_)
        ));
        // All of it happened at one instant here: the youngest evicted key is 0 s old.
        assert!(store.window() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn the_window_grows_back_once_eviction_stops() {
        let now = Arc::new(AtomicI64::new(1_000_000));
        let clock = {
            let now = Arc::clone(&now);
            move || now.load(Ordering::Relaxed)
        };
        let store = MemoryStore::new()
            .with_max_entries(SHARDS)
            .with_clock(clock);
        for i in 0..10 * SHARDS {
            let key = format!("k{i}");
            let token = acquired(store.claim(&key).await.unwrap());
            store.complete(&key, token).await.unwrap();
        }
        assert!(store.window() < Duration::from_secs(1));
        now.fetch_add(600, Ordering::Relaxed);
        assert_eq!(store.window(), Duration::from_secs(600));
    }

    #[test]
    fn settings_survive_each_other() {
        let store = MemoryStore::new()
            .with_max_entries(10)
            .with_retention(Duration::from_secs(7))
            .with_lease(Duration::from_secs(3))
            .with_max_inbox(5)
            .with_max_bytes(1000);
        assert_eq!(store.inner.settings.max_entries, 10);
        assert_eq!(store.inner.settings.max_bytes, 1000);
        assert_eq!(store.inner.settings.retention, Duration::from_secs(7));
        assert_eq!(store.inner.settings.lease, Duration::from_secs(3));
        assert_eq!(store.inner.settings.max_inbox, 5);
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
    async fn the_inbox_is_bounded() {
        let store = MemoryStore::new().with_max_inbox(1);
        let token = acquired(store.claim("a").await.unwrap());
        store
            .park(token, stored("a"), Schedule::Dead)
            .await
            .unwrap();
        assert_eq!(store.claim("a").await.unwrap(), Claim::Done);
        let token = acquired(store.claim("b").await.unwrap());
        assert!(matches!(
            store.park(token, stored("b"), Schedule::Dead).await,
            Err(StoreError::Full)
        ));
        // Purging makes room.
        assert!(store.purge("a").await.unwrap());
        store
            .park(token, stored("b"), Schedule::After(Duration::ZERO))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn parked_keys_are_never_evicted() {
        let store = MemoryStore::new().with_max_entries(SHARDS);
        let token = acquired(store.claim("parked").await.unwrap());
        store
            .park(token, stored("parked"), Schedule::Dead)
            .await
            .unwrap();
        for i in 0..10 * SHARDS {
            let key = format!("k{i}");
            if let Ok(Claim::Acquired(token)) = store.claim(&key).await {
                store.complete(&key, token).await.unwrap();
            }
        }
        assert_eq!(store.claim("parked").await.unwrap(), Claim::Done);
        assert_eq!(store.inbox(InboxStatus::Dead, 10).await.unwrap().len(), 1);
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
