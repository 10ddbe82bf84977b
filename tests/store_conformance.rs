//! One conformance suite for every `DeliveryStore`: the in-memory store always, Redis and
//! PostgreSQL against real servers (`.ci/with-services cargo test --all-features` starts them and
//! sets `TEST_REDIS_URL` / `TEST_DATABASE_URL`). Without them the shared-store tests say so
//! loudly and skip, except in CI (`CI` or `TOWER_WEBHOOKS_REQUIRE_SERVICES` set), where they fail.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::services::{server, unique};
use http::{HeaderMap, HeaderValue};
use tower_webhooks::store::{Claim, ClaimToken, DeliveryStore, FailedDelivery, MemoryStore};

const LEASE: Duration = Duration::from_millis(600);
const RETENTION: Duration = Duration::from_millis(1200);

fn acquired(claim: Claim) -> ClaimToken {
    match claim {
        Claim::Acquired(token) => token,
        other => panic!("expected a new claim, got {other:?}"),
    }
}

fn failed_delivery(key: &str) -> FailedDelivery {
    let mut headers = HeaderMap::new();
    headers.insert("ycloud-signature", HeaderValue::from_static("t=1,s=abcd"));
    headers.insert(
        "x-binary",
        HeaderValue::from_bytes(&[0xfe, b'a', 0xff]).unwrap(),
    );
    FailedDelivery::new(
        key.to_owned(),
        "ycloud".to_owned(),
        "evt_failed".to_owned(),
        Some("contact.created".to_owned()),
        1_700_000_000,
        headers,
        Bytes::from_static(b"{\"id\":\"evt_failed\",\"raw\":\"\xff\x00\"}"),
        "handler answered 500".to_owned(),
    )
}

/// Everything a store must do; `p` prefixes every key so that runs and tests never collide.
async fn conformance(store: Arc<dyn DeliveryStore>, p: &str) {
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

    // fail keeps the delivery, byte for byte, and counts as done
    let token = acquired(store.claim(&k("c")).await.unwrap());
    let delivery = failed_delivery(&k("c"));
    store.fail(token, delivery.clone()).await.unwrap();
    assert_eq!(store.claim(&k("c")).await.unwrap(), Claim::Done);
    let kept: Vec<FailedDelivery> = store
        .failed()
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.key == k("c"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].body, delivery.body);
    assert_eq!(kept[0].headers, delivery.headers);
    assert_eq!(
        (&kept[0].id, &kept[0].event_type, &kept[0].error),
        (&delivery.id, &delivery.event_type, &delivery.error)
    );
    // A failure by someone who does not own the claim is not recorded.
    let token = acquired(store.claim(&k("d")).await.unwrap());
    store
        .fail(ClaimToken::new(u128::MAX), failed_delivery(&k("d")))
        .await
        .unwrap();
    assert_eq!(store.claim(&k("d")).await.unwrap(), Claim::InFlight);
    store.complete(&k("d"), token).await.unwrap();

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

    // an abandoned claim is taken over after its lease, a done key after its retention
    let _abandoned = acquired(store.claim(&k("lease")).await.unwrap());
    let token = acquired(store.claim(&k("retention")).await.unwrap());
    store.complete(&k("retention"), token).await.unwrap();
    tokio::time::sleep(LEASE + Duration::from_millis(300)).await;
    let token = acquired(store.claim(&k("lease")).await.unwrap());
    store.complete(&k("lease"), token).await.unwrap();
    assert_eq!(store.claim(&k("retention")).await.unwrap(), Claim::Done);
    tokio::time::sleep(RETENTION).await;
    acquired(store.claim(&k("retention")).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_conforms() {
    let store = MemoryStore::new()
        .with_lease(LEASE)
        .with_retention(RETENTION);
    conformance(Arc::new(store), &unique("memory")).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_conforms() {
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let store = tower_webhooks::store::RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix(unique("conformance"))
        .with_lease(LEASE)
        .with_retention(RETENTION);
    conformance(Arc::new(store), "k").await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_conforms() {
    let Some(url) = server("TEST_DATABASE_URL") else {
        return;
    };
    let store = tower_webhooks::store::PostgresStore::connect(&url)
        .unwrap()
        .with_lease(LEASE)
        .with_retention(RETENTION);
    store.migrate().await.unwrap();
    // Twice is harmless.
    store.migrate().await.unwrap();
    conformance(Arc::new(store), &unique("conformance")).await;
}
