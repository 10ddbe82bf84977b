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
    assert!(
        store
            .inbox(InboxStatus::Pending, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.claim("p:evt_done").await.unwrap(), Claim::Done);
    assert_eq!(store.claim("p:evt_dead").await.unwrap(), Claim::Done);
    // And it works as a table of today's schema.
    assert!(store.replay("p:evt_dead").await.unwrap());
    assert_eq!(
        store.inbox(InboxStatus::Pending, 10).await.unwrap().len(),
        1
    );
}

/// Each key's completion racing a claim of another's, all at once, through `stores` in turn:
/// a statement completing `a` and claiming `b` while another completes `b` and claims `a` would
/// wait on each other, a deadlock PostgreSQL breaks by failing one of them (seen in CI as
/// "db error"). Every call succeeds, and no claim racing its key's completion acquires it.
#[cfg(feature = "postgres")]
async fn cross_completions_and_claims(
    stores: &[std::sync::Arc<tower_webhooks::store::PostgresStore>],
    rounds: usize,
) {
    use std::sync::Arc;
    use tower_webhooks::store::{Claim, DeliveryStore};
    for round in 0..rounds {
        let keys: Vec<String> = (0..48).map(|i| format!("r{round}:{i}")).collect();
        let mut owned = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let Claim::Acquired(token) = stores[i % stores.len()].claim(key).await.unwrap() else {
                panic!("{key} was new")
            };
            owned.push((key.clone(), token));
        }
        // Interleaved in a different order each round.
        let mut calls = Vec::new();
        for (i, (key, token)) in owned.into_iter().enumerate() {
            let other = keys[(i * 7 + round + 1) % keys.len()].clone();
            let store = Arc::clone(&stores[i % stores.len()]);
            let again = Arc::clone(&stores[(i + 1) % stores.len()]);
            calls.push(tokio::spawn(async move {
                store.complete(&key, token).await.map(|()| None)
            }));
            calls.push(tokio::spawn(
                async move { again.claim(&other).await.map(Some) },
            ));
        }
        for call in calls {
            let claim = call.await.unwrap().unwrap_or_else(|err| {
                panic!(
                    "round {round}: {err}: {:?}",
                    std::error::Error::source(&err)
                )
            });
            assert!(
                !matches!(claim, Some(Claim::Acquired(_))),
                "round {round}: a claim racing its key's completion acquired it"
            );
        }
    }
}

/// A database of the test's own (PostgreSQL counts deadlocks per database): a client of the
/// server, the database's name and its URL.
#[cfg(feature = "postgres")]
async fn own_database(url: &str, name: &str) -> (tokio_postgres::Client, String, String) {
    let database = unique(name);
    let client = psql(url).await;
    client
        .batch_execute(&format!(r#"CREATE DATABASE "{database}""#))
        .await
        .unwrap();
    let (server, _) = url.rsplit_once('/').unwrap();
    let own = format!("{server}/{database}");
    (client, database, own)
}

/// The deadlocks PostgreSQL detected in `database`, once no connection to it is left (a
/// backend reports its counters when it ends).
#[cfg(feature = "postgres")]
async fn deadlocks(client: &tokio_postgres::Client, database: &str) -> i64 {
    for _ in 0..100 {
        let row = client
            .query_one(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1), \
                        (SELECT deadlocks FROM pg_stat_database WHERE datname = $1)",
                &[&database],
            )
            .await
            .unwrap();
        if row.get::<_, i64>(0) == 0 {
            return row.get(1);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("connections to {database} outlived their stores")
}

/// [`cross_completions_and_claims`] for `rounds` through `replicas` stores sharing one table, each
/// writing batches on eight connections, in a database of the test's own: every call succeeds,
/// and PostgreSQL detected no deadlock (each batch locks its rows in key order).
#[cfg(feature = "postgres")]
async fn never_deadlock(name: &str, replicas: usize, rounds: usize) {
    use std::sync::Arc;
    use tower_webhooks::store::PostgresStore;
    let Some(url) = common::services::server("TEST_DATABASE_URL") else {
        return;
    };
    let (client, database, own) = own_database(&url, name).await;
    let stores: Vec<_> = (0..replicas)
        .map(|_| {
            Arc::new(PostgresStore::connect(&own).unwrap().with_batching(
                512,
                std::time::Duration::ZERO,
                8,
            ))
        })
        .collect();
    stores[0].migrate().await.unwrap();
    cross_completions_and_claims(&stores, rounds).await;
    drop(stores);
    assert_eq!(deadlocks(&client, &database).await, 0);
}

/// One process. Before batches were one upsert in key order, this failed in round 2 of one run
/// and round 12 of another (counted from 0) with "db error", a deadlock.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batches_of_one_process_never_deadlock() {
    never_deadlock("crossed", 1, 30).await;
}

/// Two replicas sharing a table, each completing keys the other claims at once.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batches_of_two_replicas_never_deadlock() {
    never_deadlock("replicas", 2, 20).await;
}

/// Concurrent claims and completions go to Redis in batches, one script call for many, and each
/// call is answered as it would be alone: of three claims of a key at once, one acquires it; a
/// completion by the key's owner makes it done, and one with another token changes nothing. On
/// a Redis of the test's own, whose command counts are the store's alone.
#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_batches_answer_each_call_as_it_would_alone() {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;
    use tower_webhooks::store::{Claim, ClaimToken, DeliveryStore, RedisStore};

    if common::services::server("TEST_REDIS_URL").is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(unique("tower-webhooks-batches"));
    std::fs::create_dir_all(&dir).unwrap();
    let redis = common::services::OwnRedis::start(common::services::free_port(), &dir);
    let url = format!("redis://127.0.0.1:{}/", redis.port);
    // One batch awaits Redis at a time: the calls queued meanwhile form the next.
    let store = Arc::new(RedisStore::connect(&url).await.unwrap().with_batching(
        256,
        Duration::ZERO,
        1,
    ));
    let keys: Vec<String> = (0..64).map(|i| format!("b:{i}")).collect();
    let claim_all = |copies: usize| {
        let calls: Vec<_> = keys
            .iter()
            .flat_map(|key| std::iter::repeat_n(key.clone(), copies))
            .map(|key| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let claim = store.claim(&key).await.unwrap();
                    (key, claim)
                })
            })
            .collect();
        async move {
            let mut claims = Vec::new();
            for call in calls {
                claims.push(call.await.unwrap());
            }
            claims
        }
    };

    let mut owners = HashMap::new();
    for (key, claim) in claim_all(3).await {
        match claim {
            Claim::Acquired(token) => {
                assert!(
                    owners.insert(key.clone(), token).is_none(),
                    "{key} acquired twice"
                )
            }
            Claim::InFlight => {}
            Claim::Done => panic!("{key} is not done yet"),
        }
    }
    assert_eq!(owners.len(), keys.len(), "each key acquired once");

    // The even keys completed by their owners, the odd ones by a stranger, all at once.
    let completions: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let token = if i.is_multiple_of(2) {
                owners[key]
            } else {
                ClaimToken::new(7)
            };
            let (store, key) = (Arc::clone(&store), key.clone());
            tokio::spawn(async move { store.complete(&key, token).await.unwrap() })
        })
        .collect();
    for completion in completions {
        completion.await.unwrap();
    }
    for (key, claim) in claim_all(1).await {
        let i: usize = key[2..].parse().unwrap();
        let expected = if i.is_multiple_of(2) {
            Claim::Done
        } else {
            Claim::InFlight
        };
        assert_eq!(claim, expected, "{key}");
    }

    // 320 calls, batched: a few script calls carried them. (Alone, each of the 64 completions
    // would be a script call of its own; Redis also counts the commands a script runs, so
    // only the script calls tell batches apart.)
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut connection)
        .await
        .unwrap();
    let scripts: u64 = info
        .lines()
        .filter(|line| line.starts_with("cmdstat_evalsha:") || line.starts_with("cmdstat_eval:"))
        .filter_map(|line| {
            line.split("calls=")
                .nth(1)?
                .split(',')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum();
    println!("320 calls, {scripts} script calls");
    assert!(
        (1..16).contains(&scripts),
        "320 calls took {scripts} script calls"
    );
    drop(redis);
    let _ = std::fs::remove_dir_all(dir);
}

/// Completions queued without being awaited (`complete_later`) are written by the time `flush`
/// returns: another replica sees every key done.
#[cfg(feature = "redis")]
#[tokio::test]
async fn redis_completions_queued_later_are_written_once_flushed() {
    use tower_webhooks::store::RedisStore;

    let Some(url) = common::services::server("TEST_REDIS_URL") else {
        return;
    };
    let prefix = unique("ride");
    let store = RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix(prefix.clone());
    let replica = RedisStore::connect(&url).await.unwrap().with_prefix(prefix);
    queued_completions_are_written_once_flushed(&store, &replica).await;
}

/// The same on PostgreSQL.
#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_completions_queued_later_are_written_once_flushed() {
    use tower_webhooks::store::PostgresStore;

    let Some(url) = common::services::server("TEST_DATABASE_URL") else {
        return;
    };
    let table = unique("ride");
    let store = PostgresStore::connect(&url).unwrap().with_table(&table);
    store.migrate().await.unwrap();
    let replica = PostgresStore::connect(&url).unwrap().with_table(&table);
    queued_completions_are_written_once_flushed(&store, &replica).await;
}

/// Deliveries one after the other, as on one connection: each claims its key on `store` and
/// queues its completion without waiting for it (they ride with the next claim: `batch.rs`
/// tests). Once `flush` returns, `replica` sees every key done; the last key first, since its
/// completion went alone, after the ride, and only `flush` waited for it.
#[cfg(any(feature = "redis", feature = "postgres"))]
async fn queued_completions_are_written_once_flushed(
    store: &impl tower_webhooks::store::DeliveryStore,
    replica: &impl tower_webhooks::store::DeliveryStore,
) {
    use tower_webhooks::store::Claim;

    let keys: Vec<String> = (0..40).map(|i| format!("ride:{i}")).collect();
    for key in &keys {
        let Claim::Acquired(token) = store.claim(key).await.unwrap() else {
            panic!("{key} is new")
        };
        assert!(store.complete_later(key, token), "{key}: queued");
    }
    store.flush().await;
    for key in keys.iter().rev() {
        assert_eq!(replica.claim(key).await.unwrap(), Claim::Done, "{key}");
    }
}
