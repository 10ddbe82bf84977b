//! The contract every [`DeliveryStore`] keeps, as a suite anyone can run against their own store.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};

use crate::store::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, Schedule, Settlement, StoredDelivery, Taken,
};

/// The store conformance suite: what the layer and the [`Worker`](crate::Worker) rely on a
/// [`DeliveryStore`] for, checked against a real store. The memory, Redis and PostgreSQL stores
/// pass it in this crate's tests; a store of your own (DynamoDB, SQLite, ...) runs the same
/// contract with one call.
///
/// It checks: claims (in flight, done, only the owner completes or releases, one winner among
/// 100 concurrent claims, an abandoned claim taken over after its lease, a done key forgotten
/// after its retention); the inbox (park keeps a delivery byte for byte, a non-owner's park
/// changes nothing, take leases, only the lease's owner settles, retry records attempts and
/// error and is due after its delay, dead is listed and never taken, replay, purge, a lease that
/// runs out makes the delivery due again, concurrent takers never share a delivery).
///
/// Build the store with the suite's [`lease`](Self::lease) and [`retention`](Self::retention)
/// (short, so that the suite runs in seconds); every key it writes starts with the prefix, so
/// runs sharing a backend never collide. Like a test, it panics at the first broken rule (a
/// store error included), saying which.
///
/// ```
/// use tower_webhooks::{store::MemoryStore, testing::StoreConformance};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let suite = StoreConformance::new("my-store-test");
/// let store = MemoryStore::new()
///     .with_lease(suite.lease())
///     .with_retention(suite.retention());
/// suite.run(store).await;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct StoreConformance {
    prefix: String,
    lease: Duration,
    retention: Duration,
}

impl StoreConformance {
    /// The suite, writing keys under `prefix`, with a lease of 600 ms and a retention of 1.2 s.
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            lease: Duration::from_millis(600),
            retention: Duration::from_millis(1200),
        }
    }

    /// Another claim lease (the store must be built with it); longer makes the suite slower.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Another retention (the store must be built with it); longer makes the suite slower.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The claim lease the store must be built with.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The retention of done keys the store must be built with.
    pub fn retention(&self) -> Duration {
        self.retention
    }

    /// Runs the whole suite against `store`; panics at the first broken rule.
    pub async fn run(&self, store: impl DeliveryStore) {
        conformance(Arc::new(store), &self.prefix, self.lease, self.retention).await;
    }
}

fn acquired(claim: Claim) -> ClaimToken {
    match claim {
        Claim::Acquired(token) => token,
        other => panic!("expected a new claim, got {other:?}"),
    }
}

fn stored(key: &str) -> StoredDelivery {
    let mut headers = HeaderMap::new();
    headers.insert("ycloud-signature", HeaderValue::from_static("t=1,s=abcd"));
    headers.insert(
        "x-binary",
        HeaderValue::from_bytes(&[0xfe, b'a', 0xff]).expect("obs-text is a valid header value"),
    );
    let mut delivery = StoredDelivery::new(
        key,
        "ycloud",
        "evt_stored",
        headers,
        Bytes::from_static(b"{\"id\":\"evt_stored\",\"raw\":\"\xff\x00\"}"),
    );
    delivery.event_type = Some("contact.created".to_owned());
    delivery.timestamp = Some(1_700_000_000);
    delivery.received_at = 1_700_000_001;
    delivery.method = http::Method::PUT;
    delivery.uri = http::Uri::from_static("/webhooks/ycloud?tenant=a%20b");
    delivery.attempts = 1;
    delivery.last_error = Some("handler answered 500".to_owned());
    delivery
}

/// The inbox entry for `key`, with `status`, if the store lists it.
async fn listed(
    store: &dyn DeliveryStore,
    status: InboxStatus,
    key: &str,
) -> Option<StoredDelivery> {
    store
        .inbox(status, 10_000)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == key)
}

/// Takes due deliveries until `key` comes (others' may share a table), or none is left.
async fn take(store: &dyn DeliveryStore, key: &str, lease: Duration) -> Option<Taken> {
    store
        .take_due(10_000, lease)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.delivery.key == key)
}

/// The inbox: park, take, settle, list, replay, purge, leases.
async fn inbox(store: &dyn DeliveryStore, k: &dyn Fn(&str) -> String) {
    const SHORT: Duration = Duration::from_millis(400);

    // park keeps the delivery byte for byte, and its key counts as done
    let token = acquired(store.claim(&k("c")).await.unwrap());
    let delivery = stored(&k("c"));
    store
        .park(token, delivery.clone(), Schedule::After(Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(store.claim(&k("c")).await.unwrap(), Claim::Done);
    let kept = listed(store, InboxStatus::Pending, &k("c")).await.unwrap();
    assert_eq!(kept.body, delivery.body);
    assert_eq!(kept.headers, delivery.headers);
    assert_eq!(
        (
            &kept.id,
            &kept.provider,
            &kept.event_type,
            kept.timestamp,
            kept.received_at
        ),
        (
            &delivery.id,
            &delivery.provider,
            &delivery.event_type,
            delivery.timestamp,
            delivery.received_at
        )
    );
    assert_eq!((&kept.method, &kept.uri), (&delivery.method, &delivery.uri));
    assert_eq!((kept.attempts, &kept.last_error), (1, &delivery.last_error));
    assert_eq!(kept.status, InboxStatus::Pending);
    assert!(kept.next_attempt_at.is_some());
    assert!(listed(store, InboxStatus::Dead, &k("c")).await.is_none());

    // A park by someone who does not own the claim changes nothing.
    let token = acquired(store.claim(&k("d")).await.unwrap());
    store
        .park(ClaimToken::new(u128::MAX), stored(&k("d")), Schedule::Dead)
        .await
        .unwrap();
    assert_eq!(store.claim(&k("d")).await.unwrap(), Claim::InFlight);
    assert!(listed(store, InboxStatus::Dead, &k("d")).await.is_none());
    store.complete(&k("d"), token).await.unwrap();

    // take leases it: nobody else gets it until the lease runs out or it settles
    let taken = take(store, &k("c"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(taken.delivery.body, delivery.body);
    assert_eq!(taken.delivery.attempts, 1);
    assert!(
        take(store, &k("c"), Duration::from_secs(60))
            .await
            .is_none()
    );
    // Only the lease's owner settles.
    store
        .settle(&k("c"), ClaimToken::new(u128::MAX), Settlement::Done)
        .await
        .unwrap();
    assert!(listed(store, InboxStatus::Pending, &k("c")).await.is_some());
    // retry: attempts and error recorded, due again after the delay
    store
        .settle(
            &k("c"),
            taken.token,
            Settlement::Retry {
                after: SHORT,
                error: "second failure".into(),
            },
        )
        .await
        .unwrap();
    let kept = listed(store, InboxStatus::Pending, &k("c")).await.unwrap();
    assert_eq!(
        (kept.attempts, kept.last_error.as_deref()),
        (2, Some("second failure"))
    );
    assert!(
        take(store, &k("c"), Duration::from_secs(60))
            .await
            .is_none()
    );
    tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
    let taken = take(store, &k("c"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(taken.delivery.attempts, 2);
    // dead: listed as dead, never taken
    store
        .settle(
            &k("c"),
            taken.token,
            Settlement::Dead {
                error: "last failure".into(),
            },
        )
        .await
        .unwrap();
    let dead = listed(store, InboxStatus::Dead, &k("c")).await.unwrap();
    assert_eq!(
        (dead.attempts, dead.last_error.as_deref()),
        (3, Some("last failure"))
    );
    assert_eq!(dead.status, InboxStatus::Dead);
    assert_eq!(dead.body, delivery.body);
    // Counted too (other tests may share the table: at least this one).
    assert!(store.inbox_len(InboxStatus::Dead).await.unwrap() >= 1);
    assert!(listed(store, InboxStatus::Pending, &k("c")).await.is_none());
    assert!(
        take(store, &k("c"), Duration::from_secs(60))
            .await
            .is_none()
    );
    assert_eq!(store.claim(&k("c")).await.unwrap(), Claim::Done);
    // replay: due now, one more attempt; done after it succeeds
    assert!(store.replay(&k("c")).await.unwrap());
    assert!(!store.replay(&k("unknown")).await.unwrap());
    assert!(listed(store, InboxStatus::Dead, &k("c")).await.is_none());
    let taken = take(store, &k("c"), Duration::from_secs(60)).await.unwrap();
    assert_eq!(taken.delivery.attempts, 3);
    store
        .settle(&k("c"), taken.token, Settlement::Done)
        .await
        .unwrap();
    assert!(listed(store, InboxStatus::Pending, &k("c")).await.is_none());
    assert!(listed(store, InboxStatus::Dead, &k("c")).await.is_none());
    assert_eq!(store.claim(&k("c")).await.unwrap(), Claim::Done);

    // dead on arrival, then purged: gone, and its key stays done
    let token = acquired(store.claim(&k("e")).await.unwrap());
    store
        .park(token, stored(&k("e")), Schedule::Dead)
        .await
        .unwrap();
    assert!(listed(store, InboxStatus::Dead, &k("e")).await.is_some());
    assert!(
        take(store, &k("e"), Duration::from_secs(60))
            .await
            .is_none()
    );
    assert!(store.purge(&k("e")).await.unwrap());
    assert!(!store.purge(&k("e")).await.unwrap());
    assert!(listed(store, InboxStatus::Dead, &k("e")).await.is_none());
    assert_eq!(store.claim(&k("e")).await.unwrap(), Claim::Done);

    // a lease that runs out (the worker died) makes the delivery due again; the late worker
    // can no longer settle it
    let token = acquired(store.claim(&k("f")).await.unwrap());
    store
        .park(token, stored(&k("f")), Schedule::After(Duration::ZERO))
        .await
        .unwrap();
    let first = take(store, &k("f"), SHORT).await.unwrap();
    assert!(take(store, &k("f"), SHORT).await.is_none());
    tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
    let second = take(store, &k("f"), Duration::from_secs(60)).await.unwrap();
    assert_ne!(first.token, second.token);
    store
        .settle(&k("f"), first.token, Settlement::Done)
        .await
        .unwrap();
    assert!(listed(store, InboxStatus::Pending, &k("f")).await.is_some());
    store
        .settle(&k("f"), second.token, Settlement::Done)
        .await
        .unwrap();
    assert!(listed(store, InboxStatus::Pending, &k("f")).await.is_none());

    // concurrent takers never share a delivery
    let keys: Vec<String> = (0..24).map(|i| k(&format!("many{i}"))).collect();
    for key in &keys {
        let token = acquired(store.claim(key).await.unwrap());
        store
            .park(token, stored(key), Schedule::After(Duration::ZERO))
            .await
            .unwrap();
    }
    let mut seen = std::collections::HashSet::new();
    let rounds = futures_util::future::join_all((0..4).map(|_| async {
        let mut mine = Vec::new();
        loop {
            let batch = store.take_due(3, Duration::from_secs(60)).await.unwrap();
            if batch.is_empty() {
                return mine;
            }
            mine.extend(batch.into_iter().map(|t| t.delivery.key));
        }
    }))
    .await;
    let mut total = 0;
    for key in rounds
        .into_iter()
        .flatten()
        .filter(|key| keys.contains(key))
    {
        total += 1;
        assert!(seen.insert(key.clone()), "{key} was taken twice");
    }
    assert_eq!(total, keys.len());
}

/// Everything a store must do; `p` prefixes every key so that runs and tests never collide.
async fn conformance(store: Arc<dyn DeliveryStore>, p: &str, lease: Duration, retention: Duration) {
    let k = |name: &str| format!("{p}:{name}");

    // claim, in flight, complete, done
    let token = acquired(store.claim(&k("a")).await.unwrap());
    assert_eq!(store.claim(&k("a")).await.unwrap(), Claim::InFlight);
    // Only the owner completes or releases.
    store
        .complete(&k("a"), ClaimToken::new(u128::MAX))
        .await
        .unwrap();
    store
        .release(&k("a"), ClaimToken::new(u128::MAX))
        .await
        .unwrap();
    assert_eq!(store.claim(&k("a")).await.unwrap(), Claim::InFlight);
    store.complete(&k("a"), token).await.unwrap();
    assert_eq!(store.claim(&k("a")).await.unwrap(), Claim::Done);

    // release lets the next delivery through
    let token = acquired(store.claim(&k("b")).await.unwrap());
    store.release(&k("b"), token).await.unwrap();
    let token = acquired(store.claim(&k("b")).await.unwrap());
    store.complete(&k("b"), token).await.unwrap();

    // a store that answers without waiting answers as it does when awaited
    if let Some(claimed) = store.claim_now(&k("now")) {
        let token = acquired(claimed.unwrap());
        assert_eq!(store.claim(&k("now")).await.unwrap(), Claim::InFlight);
        assert_eq!(
            store.claim_now(&k("now")).map(Result::unwrap),
            Some(Claim::InFlight)
        );
        match store.complete_now(&k("now"), token) {
            Some(completed) => completed.unwrap(),
            None => store.complete(&k("now"), token).await.unwrap(),
        }
        assert_eq!(store.claim(&k("now")).await.unwrap(), Claim::Done);
        assert_eq!(
            store.claim_now(&k("now")).map(Result::unwrap),
            Some(Claim::Done)
        );
    }

    inbox(&*store, &k).await;

    // of 100 concurrent claims exactly one wins
    let claims: Vec<_> = (0..100)
        .map(|_| {
            let store = Arc::clone(&store);
            let key = k("race");
            tokio::spawn(async move { store.claim(&key).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for claim in claims {
        if let Claim::Acquired(_) = claim.await.unwrap() {
            won += 1;
        }
    }
    assert_eq!(won, 1, "concurrent claims acquired {won} times");

    // many keys at once (a batching store writes them together): each is won once; a claim
    // racing its key's completion is never acquired, and the key ends done
    let keys: Vec<String> = (0..40).map(|i| k(&format!("batch{i}"))).collect();
    let claims: Vec<_> = keys
        .iter()
        .chain(keys.iter())
        .map(|key| {
            let (store, key) = (Arc::clone(&store), key.clone());
            tokio::spawn(async move { (key.clone(), store.claim(&key).await.unwrap()) })
        })
        .collect();
    let mut owned = std::collections::HashMap::new();
    for claim in claims {
        if let (key, Claim::Acquired(token)) = claim.await.unwrap() {
            assert!(
                owned.insert(key, token).is_none(),
                "a key was acquired twice"
            );
        }
    }
    assert_eq!(
        owned.len(),
        keys.len(),
        "every key is acquired exactly once"
    );
    let mut racing = Vec::new();
    for (key, token) in owned {
        let (store, again) = (Arc::clone(&store), Arc::clone(&store));
        let key2 = key.clone();
        racing.push(tokio::spawn(async move {
            store.complete(&key, token).await.unwrap();
            None
        }));
        racing.push(tokio::spawn(async move {
            Some(again.claim(&key2).await.unwrap())
        }));
    }
    for race in racing {
        let claim = race.await.unwrap();
        assert!(
            !matches!(claim, Some(Claim::Acquired(_))),
            "a claim racing its key's completion acquired it: {claim:?}"
        );
    }
    for key in &keys {
        assert_eq!(store.claim(key).await.unwrap(), Claim::Done, "{key}");
    }

    // an abandoned claim is taken over after its lease, a done key after its retention
    let _abandoned = acquired(store.claim(&k("lease")).await.unwrap());
    let token = acquired(store.claim(&k("retention")).await.unwrap());
    store.complete(&k("retention"), token).await.unwrap();
    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    let token = acquired(store.claim(&k("lease")).await.unwrap());
    store.complete(&k("lease"), token).await.unwrap();
    assert_eq!(store.claim(&k("retention")).await.unwrap(), Claim::Done);
    tokio::time::sleep(retention).await;
    acquired(store.claim(&k("retention")).await.unwrap());
}
