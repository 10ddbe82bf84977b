//! One conformance suite for every `DeliveryStore`, the one `testing::StoreConformance` exports
//! for third-party stores: the in-memory store always, Redis and PostgreSQL against real servers
//! (`.ci/with-services cargo test --all-features` starts them and sets `TEST_REDIS_URL` /
//! `TEST_DATABASE_URL`). Without them the shared-store tests say so loudly and skip, except in CI
//! (`CI` or `TOWER_WEBHOOKS_REQUIRE_SERVICES` set), where they fail.

mod common;

use common::services::unique;
use futures_util::FutureExt;
use tower_webhooks::store::MemoryStore;
use tower_webhooks::testing::{NoStore, StoreConformance};

/// The suite can fail: a store that remembers nothing breaks the contract at its first rule.
#[tokio::test]
async fn a_store_that_forgets_fails_the_suite() {
    let suite = StoreConformance::new("nostore");
    let run = std::panic::AssertUnwindSafe(suite.run(NoStore));
    assert!(
        run.catch_unwind().await.is_err(),
        "NoStore passed the conformance suite"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_conforms() {
    let suite = StoreConformance::new(unique("memory"));
    let store = MemoryStore::new()
        .with_lease(suite.lease())
        .with_retention(suite.retention());
    suite.run(store).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_conforms() {
    let Some(url) = common::services::server("TEST_REDIS_URL") else {
        return;
    };
    let suite = StoreConformance::new("k");
    let store = tower_webhooks::store::RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix(unique("conformance"))
        .with_lease(suite.lease())
        .with_retention(suite.retention());
    suite.run(store).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_conforms() {
    let Some(url) = common::services::server("TEST_DATABASE_URL") else {
        return;
    };
    let suite = StoreConformance::new(unique("conformance"));
    let store = tower_webhooks::store::PostgresStore::connect(&url)
        .unwrap()
        .with_table(&unique("conformance"))
        .with_lease(suite.lease())
        .with_retention(suite.retention());
    store.migrate().await.unwrap();
    // Twice is harmless.
    store.migrate().await.unwrap();
    suite.run(store).await;
}
