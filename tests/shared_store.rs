//! Replicas sharing one store, over real sockets, against real servers started by
//! `.ci/with-services` (see `tests/store_conformance.rs` for how a missing server is handled):
//! two independent instances receive the same signed delivery 200 times at once and the
//! handler runs exactly once; a replica that dies mid-handler loses no event; and a Redis outage mid-run turns deliveries into 503s, never into a
//! 200 that was not processed (under `Ack::Always`, and under `Ack::Immediately`, whose worker
//! waits the outage out).

#![cfg(all(feature = "redis", feature = "postgres"))]

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use common::client::send;
use common::services::{OwnRedis, free_port, server, unique};
use tokio::net::TcpListener;
use tower_webhooks::provider::ycloud;
use tower_webhooks::store::{DeliveryStore, PostgresStore, RedisStore};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Ack, Event, WebhookLayer};

const SECRET: &str = "whsec_shared";

/// Ids the handler processed, in order, shared by every instance of the test.
type Processed = Arc<Mutex<Vec<String>>>;

/// One service instance: its own router, layer and store connection, on its own socket.
async fn instance(store: impl DeliveryStore, processed: &Processed) -> SocketAddr {
    instance_with(store, processed, Ack::Always).await
}

/// An instance with the given ack policy; under `Ack::Immediately` with its worker running.
async fn instance_with(store: impl DeliveryStore, processed: &Processed, ack: Ack) -> SocketAddr {
    let processed = processed.clone();
    let layer = WebhookLayer::ycloud(SECRET).with_store(store).with_ack(ack);
    let app = Router::new().route(
        "/hook",
        post(move |event: Event<ycloud::Event>| async move {
            // Long enough that concurrent copies overlap.
            tokio::time::sleep(Duration::from_millis(50)).await;
            processed.lock().unwrap().push(event.id.clone());
            "ok"
        })
        .layer(layer.clone()),
    );
    if ack == Ack::Immediately {
        tokio::spawn(
            layer
                .worker(app.clone())
                .with_poll_interval(Duration::from_millis(100)),
        );
    }
    serve(app).await
}

/// Serves `app` on a socket of its own.
async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Sends the signed delivery `body` to `addr` as a provider retries: again after `pause` while
/// it is answered 409 (in flight), `attempts` times at most. Returns the last status and how
/// many 409s came before it.
async fn until_acknowledged(
    addr: SocketAddr,
    body: &str,
    attempts: u32,
    pause: Duration,
) -> (http::StatusCode, u32) {
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let mut conflicts = 0;
    loop {
        let (status, _) = send(addr, signer.request("/hook", body.to_owned()))
            .await
            .unwrap();
        if status != 409 || conflicts + 1 == attempts {
            return (status, conflicts);
        }
        conflicts += 1;
        tokio::time::sleep(pause).await;
    }
}

/// 200 copies of one delivery, alternating between the two instances, all at once. A copy
/// answered 409 (the delivery is in flight) is sent again, as a provider retries.
async fn same_delivery_200_times(a: SocketAddr, b: SocketAddr, processed: &Processed) {
    let id = unique("evt");
    let body = format!(r#"{{"id":"{id}","type":"contact.created"}}"#);
    let sends: Vec<_> = (0..200)
        .map(|i| {
            let addr = if i % 2 == 0 { a } else { b };
            let body = body.clone();
            tokio::spawn(async move {
                until_acknowledged(addr, &body, 101, Duration::from_millis(20)).await
            })
        })
        .collect();
    let mut conflicts = 0;
    for sent in sends {
        let (status, conflicted) = sent.await.unwrap();
        assert_eq!(status, 200);
        conflicts += conflicted;
    }
    // The handler holds the claim 50 ms: copies arriving meanwhile must not be acknowledged.
    assert!(conflicts > 0, "no copy found the delivery in flight");
    let runs = processed
        .lock()
        .unwrap()
        .iter()
        .filter(|p| **p == id)
        .count();
    assert_eq!(runs, 1, "the handler ran {runs} times for one delivery");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_redis_process_a_delivery_once() {
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let prefix = unique("replicas");
    let processed = Processed::default();
    let store = || async {
        RedisStore::connect(&url)
            .await
            .unwrap()
            .with_prefix(prefix.clone())
    };
    let a = instance(store().await, &processed).await;
    let b = instance(store().await, &processed).await;
    same_delivery_200_times(a, b, &processed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_process_a_delivery_once() {
    let Some(url) = server("TEST_DATABASE_URL") else {
        return;
    };
    let first = PostgresStore::connect(&url).unwrap();
    first.migrate().await.unwrap();
    let processed = Processed::default();
    let a = instance(first, &processed).await;
    let b = instance(PostgresStore::connect(&url).unwrap(), &processed).await;
    same_delivery_200_times(a, b, &processed).await;
}

/// A replica dies mid-handler, holding the claim: the key stays in flight in the shared store
/// until its lease (1 s here) runs out. The provider's retries to the other replica are
/// answered 409 until then, not 200, which would have been their last; the retry after the
/// lease is processed.
async fn a_replica_dies_mid_handler(dying: impl DeliveryStore, survivor: impl DeliveryStore) {
    let started = Arc::new(tokio::sync::Notify::new());
    let hanging = {
        let started = started.clone();
        // The handler starts, then never ends: to the store, the process died there.
        post(move || async move {
            started.notify_one();
            std::future::pending::<()>().await;
        })
    };
    let app = Router::new().route(
        "/hook",
        hanging.layer(WebhookLayer::ycloud(SECRET).with_store(dying)),
    );
    let dead = serve(app).await;
    let processed = Processed::default();
    let survivor = instance(survivor, &processed).await;

    let id = unique("evt_dead");
    let body = format!(r#"{{"id":"{id}","type":"contact.created"}}"#);
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    // Held open, never answered: a released claim would not be the dead replica's.
    let first = tokio::spawn(send(dead, signer.request("/hook", body.clone())));
    started.notified().await;

    // 409 while the claim holds, for 20 s at most; then 200.
    let (status, conflicts) =
        until_acknowledged(survivor, &body, 200, Duration::from_millis(100)).await;
    assert_eq!(status, 200, "the claim was never taken over");
    assert!(
        conflicts > 0,
        "a copy was acknowledged while the dead replica held the claim"
    );
    assert_eq!(
        *processed.lock().unwrap(),
        vec![id],
        "the retry after the lease runs the handler, once"
    );
    first.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_dead_mid_handler_on_redis_loses_nothing() {
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let prefix = unique("dead_replica");
    let store = || async {
        RedisStore::connect(&url)
            .await
            .unwrap()
            .with_prefix(prefix.clone())
            .with_lease(Duration::from_secs(1))
    };
    a_replica_dies_mid_handler(store().await, store().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_dead_mid_handler_on_postgres_loses_nothing() {
    let Some(url) = server("TEST_DATABASE_URL") else {
        return;
    };
    let store = || {
        PostgresStore::connect(&url)
            .unwrap()
            .with_lease(Duration::from_secs(1))
    };
    let dying = store();
    dying.migrate().await.unwrap();
    a_replica_dies_mid_handler(dying, store()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_gives_503s_and_loses_nothing() {
    if server("TEST_REDIS_URL").is_none() {
        return;
    }
    outage(Ack::Always).await;
}

/// The same with the handler run by the worker, which waits the outage out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_under_ack_immediately_loses_nothing() {
    if server("TEST_REDIS_URL").is_none() {
        return;
    }
    outage(Ack::Immediately).await;
}

async fn outage(ack: Ack) {
    let dir = std::env::temp_dir().join(unique("tower-webhooks-outage"));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut redis = OwnRedis::start(port, &dir);
    let url = format!("redis://127.0.0.1:{}/", redis.port);
    let processed = Processed::default();
    let addr = instance_with(RedisStore::connect(&url).await.unwrap(), &processed, ack).await;
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let send_id = |i: usize| {
        let body = format!(r#"{{"id":"evt_outage_{i}","type":"t"}}"#);
        send(addr, signer.request("/hook", body))
    };

    let (mut acknowledged, mut refused) = (HashSet::new(), Vec::new());
    for i in 0..90 {
        if i == 30 {
            redis.kill();
        }
        if i == 60 {
            redis = OwnRedis::start(port, &dir);
        }
        let (status, _) = send_id(i).await.unwrap();
        match status.as_u16() {
            200 => {
                acknowledged.insert(format!("evt_outage_{i}"));
            }
            503 => refused.push(i),
            other => panic!("delivery {i}: unexpected {other}"),
        }
    }
    let outage_503s = refused.len();
    assert!(outage_503s > 0, "the outage was never seen");
    // The provider retries what was refused; the store is back.
    let mut retries = 0;
    while let Some(i) = refused.pop() {
        let (status, _) = send_id(i).await.unwrap();
        if status == 200 {
            acknowledged.insert(format!("evt_outage_{i}"));
        } else {
            retries += 1;
            assert!(retries < 100, "deliveries still refused after the outage");
            refused.push(i);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Under Ack::Immediately the worker runs the handlers after the 200s.
    let started = std::time::Instant::now();
    while processed.lock().unwrap().len() < acknowledged.len() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the worker did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let processed: Vec<String> = processed.lock().unwrap().clone();
    let unique_processed: HashSet<&String> = processed.iter().collect();
    println!(
        "outage ({ack:?}): {outage_503s} answered 503 while Redis was down; in the end {} acknowledged, \
         {} processed ({} unique)",
        acknowledged.len(),
        processed.len(),
        unique_processed.len()
    );
    assert_eq!(
        acknowledged.len(),
        90,
        "every delivery is acknowledged in the end"
    );
    for id in &acknowledged {
        assert!(
            unique_processed.contains(id),
            "{id} got 200 but was never processed"
        );
    }
    assert_eq!(
        processed.len(),
        unique_processed.len(),
        "a delivery ran twice"
    );
    drop(redis);
    let _ = std::fs::remove_dir_all(dir);
}
