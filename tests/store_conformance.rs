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

/// A client of the test database, for what the store does not expose.
#[cfg(feature = "postgres")]
async fn psql(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// A completion rewrites its row in place (a HOT update, which touches no index): what keeps
/// a delivery's cost in PostgreSQL to one insert and one small update. Read from PostgreSQL's
/// own counters, which a backend reports when it ends: the store is dropped first.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_completions_are_hot_updates() {
    use tower_webhooks::store::{Claim, DeliveryStore, PostgresStore};
    let Some(url) = common::services::server("TEST_DATABASE_URL") else {
        return;
    };
    let table = unique("hot");
    let store = PostgresStore::connect(&url).unwrap().with_table(&table);
    store.migrate().await.unwrap();
    // Alone (the lone statements), then 200 at once (the batch statement).
    for i in 0..100 {
        let key = format!("k:{i}");
        let Claim::Acquired(token) = store.claim(&key).await.unwrap() else {
            panic!("{key} was new")
        };
        store.complete(&key, token).await.unwrap();
    }
    let together: Vec<_> = (100..300)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let key = format!("k:{i}");
                let Claim::Acquired(token) = store.claim(&key).await.unwrap() else {
                    panic!("{key} was new")
                };
                store.complete(&key, token).await.unwrap();
            })
        })
        .collect();
    for task in together {
        task.await.unwrap();
    }
    drop(store);
    let client = psql(&url).await;
    let mut counts = (0, 0);
    for _ in 0..100 {
        let row = client
            .query_one(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = $1",
                &[&table],
            )
            .await
            .unwrap();
        counts = (row.get::<_, i64>(0), row.get::<_, i64>(1));
        if counts.0 >= 300 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (updates, hot) = counts;
    assert_eq!(updates, 300, "completions counted");
    // Most, not all: a page whose room (the fillfactor's 30%) is taken by concurrent versions
    // moves a row to another page (seen: 262 to 300 of 300 here). A completion that changes an
    // indexed column is never HOT: 0 of 300.
    assert!(
        hot * 2 > updates,
        "{hot} of {updates} completions were HOT updates"
    );
}

/// `migrate` brings a table of the previous schema (indexes whose predicates read `state`, a
/// dead delivery with a `due_at` and no `dead_at`) to the current one, keeping what it holds.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrates_a_table_of_the_previous_schema() {
    use tower_webhooks::store::{
        Claim, DeliveryStore, InboxStatus, PostgresStore, Schedule, StoredDelivery,
    };
    let Some(url) = common::services::server("TEST_DATABASE_URL") else {
        return;
    };
    let client = psql(&url).await;
    // A delivery's record as the store writes it: parked in a scratch table of today's schema.
    let scratch = unique("scratch");
    let store = PostgresStore::connect(&url).unwrap().with_table(&scratch);
    store.migrate().await.unwrap();
    let Claim::Acquired(token) = store.claim("p:evt_dead").await.unwrap() else {
        panic!("new key")
    };
    let delivery = StoredDelivery::new(
        "p:evt_dead",
        "p",
        "evt_dead",
        Default::default(),
        "{}".into(),
    );
    store.park(token, delivery, Schedule::Dead).await.unwrap();
    let record: String = client
        .query_one(&format!("SELECT record::text FROM \"{scratch}\""), &[])
        .await
        .unwrap()
        .get(0);

    // The previous schema (before the completion became a HOT update), verbatim, and its rows.
    let old = unique("old");
    client
        .batch_execute(&format!(
            r#"CREATE TABLE "{old}" (
                key TEXT PRIMARY KEY,
                state TEXT NOT NULL CHECK (state IN ('in_flight', 'done', 'pending', 'dead')),
                token TEXT, lease_until TIMESTAMPTZ, expires_at TIMESTAMPTZ NOT NULL,
                due_at TIMESTAMPTZ, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
                record JSONB, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE INDEX "{old}_due" ON "{old}" (due_at) WHERE state = 'pending';
            CREATE INDEX "{old}_dead" ON "{old}" (updated_at) WHERE state = 'dead';
            CREATE INDEX "{old}_expiry" ON "{old}" (expires_at) WHERE state IN ('in_flight', 'done');
            INSERT INTO "{old}" (key, state, expires_at, due_at, attempts, last_error, record)
                VALUES ('p:evt_dead', 'dead', 'infinity', now(), 3, 'handler answered 500', $${record}$$);
            INSERT INTO "{old}" (key, state, expires_at) VALUES ('p:evt_done', 'done', now() + interval '1 day');"#
        ))
        .await
        .unwrap();

    let store = PostgresStore::connect(&url).unwrap().with_table(&old);
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    let indexes: Vec<String> = client
        .query(
            "SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1",
            &[&old],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        indexes,
        [
            format!("{old}_dead_at"),
            format!("{old}_due_at"),
            format!("{old}_expires_at"),
            format!("{old}_pkey"),
        ]
    );
    let dead = store.inbox(InboxStatus::Dead, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id.as_str(), dead[0].attempts), ("evt_dead", 3));
    assert!(store
        .inbox(InboxStatus::Pending, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.claim("p:evt_done").await.unwrap(), Claim::Done);
    assert_eq!(store.claim("p:evt_dead").await.unwrap(), Claim::Done);
    // And it works as a table of today's schema.
    assert!(store.replay("p:evt_dead").await.unwrap());
    assert_eq!(
        store.inbox(InboxStatus::Pending, 10).await.unwrap().len(),
        1
    );
}
