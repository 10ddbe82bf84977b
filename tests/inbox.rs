//! The inbox and its worker, over real sockets, on every store: the in-memory one always, Redis
//! and PostgreSQL against the real servers `.ci/with-services` starts (see
//! `tests/store_conformance.rs` for how a missing server is handled).
//!
//! - a handler that fails twice then succeeds: the provider hears 200 every time, the side
//!   effect happens once, the attempts are recorded;
//! - `Ack::Immediately`: 200 before the handler runs, the worker runs it once;
//! - dead after the last attempt, listed, replayed, purged;
//! - graceful shutdown finishes the attempt under way;
//! - several workers (and, on a shared store, two instances) never run a delivery twice;
//! - kill and restart (Redis, PostgreSQL): a process killed after its 200s and before its
//!   handler ran is drained by the next process.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use common::client::send;
use common::services::unique;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, oneshot};
use tower_webhooks::provider::ycloud;
use tower_webhooks::store::{Claim, DeliveryStore, InboxStatus, MemoryStore};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Ack, Backoff, Event, WebhookLayer, Worker};

const SECRET: &str = "whsec_inbox";
const PATH: &str = "/webhooks/ycloud";

type Store = Arc<dyn DeliveryStore>;

#[derive(Debug, Clone, Copy)]
enum Backend {
    Memory,
    Redis,
    Postgres,
}

/// A fresh, empty store of `backend` (its own Redis prefix or PostgreSQL table); `None` when
/// the server is missing outside CI.
async fn fresh(backend: Backend) -> Option<Store> {
    match backend {
        Backend::Memory => Some(Arc::new(MemoryStore::new())),
        Backend::Redis => redis(&unique("inbox")).await,
        Backend::Postgres => postgres(&unique("inbox")).await,
    }
}

#[cfg(feature = "redis")]
async fn redis(prefix: &str) -> Option<Store> {
    let url = common::services::server("TEST_REDIS_URL")?;
    let store = tower_webhooks::store::RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix(prefix);
    Some(Arc::new(store))
}

#[cfg(not(feature = "redis"))]
async fn redis(_: &str) -> Option<Store> {
    eprintln!("SKIPPED: built without the `redis` feature");
    None
}

#[cfg(feature = "postgres")]
async fn postgres(table: &str) -> Option<Store> {
    let url = common::services::server("TEST_DATABASE_URL")?;
    let store = tower_webhooks::store::PostgresStore::connect(&url)
        .unwrap()
        .with_table(table);
    store.migrate().await.unwrap();
    Some(Arc::new(store))
}

#[cfg(not(feature = "postgres"))]
async fn postgres(_: &str) -> Option<Store> {
    eprintln!("SKIPPED: built without the `postgres` feature");
    None
}

/// A backoff short enough for tests, `retries` retries long.
fn quick(retries: usize) -> Backoff {
    Backoff::new(vec![Duration::from_millis(300); retries])
}

fn signer() -> Signer {
    Signer::new(ycloud::scheme(), SECRET).unwrap()
}

fn body(id: &str) -> String {
    format!(r#"{{"id":"{id}","type":"contact.created"}}"#)
}

/// Sends a signed delivery of `id` and returns the status.
async fn deliver(addr: SocketAddr, id: &str) -> StatusCode {
    send(addr, signer().request(PATH, body(id)))
        .await
        .unwrap()
        .0
}

/// Serves `app` on a fresh loopback socket.
async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A spawned worker and the way to stop it.
struct Running {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn spawn(worker: Worker<Router>) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let worker = worker
            .with_poll_interval(Duration::from_millis(50))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            });
        Self {
            stop,
            task: tokio::spawn(worker),
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the worker stops")
            .unwrap();
    }
}

/// Waits until `done` holds, failing after `limit`.
async fn eventually<F: Future<Output = bool>>(
    limit: Duration,
    what: &str,
    mut done: impl FnMut() -> F,
) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The inbox entries with `status` whose key is one of ours.
async fn listed(
    store: &Store,
    status: InboxStatus,
    ids: &[&str],
) -> Vec<tower_webhooks::store::StoredDelivery> {
    let keys: Vec<String> = ids.iter().map(|id| format!("ycloud:{id}")).collect();
    store
        .inbox(status, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| keys.contains(&d.key))
        .collect()
}

async fn fails_twice_then_succeeds(store: Store) {
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store.clone())
        .with_backoff(quick(7));
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let effects = Arc::new(AtomicUsize::new(0));
    let handler = {
        let (attempts, effects) = (attempts.clone(), effects.clone());
        move |event: Event<ycloud::Event>| async move {
            let calls = {
                let mut attempts = attempts.lock().unwrap();
                attempts.push(event.verified().attempt());
                attempts.len()
            };
            if calls <= 2 {
                return StatusCode::INTERNAL_SERVER_ERROR;
            }
            effects.fetch_add(1, Ordering::SeqCst);
            StatusCode::OK
        }
    };
    let app = Router::new().route(PATH, post(handler).layer(layer.clone()));
    let addr = serve(app.clone()).await;
    let worker = Running::spawn(layer.worker(app));

    let id = unique("evt_flaky");
    assert_eq!(deliver(addr, &id).await, StatusCode::OK);
    // The first failure is recorded with its attempt and error.
    let kept = listed(&store, InboxStatus::Pending, &[&id]).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].attempts, 1);
    assert_eq!(
        kept[0].last_error.as_deref(),
        Some("handler answered 500 Internal Server Error")
    );
    // The provider's own retry meanwhile is acknowledged, not run.
    assert_eq!(deliver(addr, &id).await, StatusCode::OK);

    eventually(Duration::from_secs(15), "the third attempt", || async {
        effects.load(Ordering::SeqCst) == 1
    })
    .await;
    eventually(Duration::from_secs(5), "the inbox to empty", || async {
        listed(&store, InboxStatus::Pending, &[&id])
            .await
            .is_empty()
    })
    .await;
    assert!(listed(&store, InboxStatus::Dead, &[&id]).await.is_empty());
    assert_eq!(deliver(addr, &id).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(400)).await;
    worker.stop().await;

    assert_eq!(
        effects.load(Ordering::SeqCst),
        1,
        "the side effect happened once"
    );
    assert_eq!(
        *attempts.lock().unwrap(),
        [1, 2, 3],
        "attempts as the handler saw them"
    );
    assert_eq!(
        store.claim(&format!("ycloud:{id}")).await.unwrap(),
        Claim::Done
    );
}

async fn immediately_answers_before_the_handler(store: Store) {
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store.clone())
        .with_ack(Ack::Immediately);
    let gate = Arc::new(Semaphore::new(0));
    let processed = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let handler = {
        let (gate, processed) = (gate.clone(), processed.clone());
        move |event: Event<ycloud::Event>| async move {
            let _permit = gate.acquire().await.unwrap();
            *processed
                .lock()
                .unwrap()
                .entry(event.id.clone())
                .or_default() += 1;
        }
    };
    let app = Router::new().route(PATH, post(handler).layer(layer.clone()));
    let addr = serve(app.clone()).await;
    let worker = Running::spawn(layer.worker(app));

    let ids: Vec<String> = (0..5).map(|i| unique(&format!("evt_now{i}"))).collect();
    let started = Instant::now();
    for id in &ids {
        assert_eq!(deliver(addr, id).await, StatusCode::OK);
    }
    let answered = started.elapsed();
    assert!(
        answered < Duration::from_secs(3),
        "5 answers took {answered:?}"
    );
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(listed(&store, InboxStatus::Pending, &refs).await.len(), 5);
    assert!(
        processed.lock().unwrap().is_empty(),
        "no handler ran before the gate opened"
    );

    gate.add_permits(1_000);
    eventually(
        Duration::from_secs(10),
        "the worker to run the handlers",
        || async { processed.lock().unwrap().len() == 5 },
    )
    .await;
    eventually(Duration::from_secs(5), "the inbox to empty", || async {
        listed(&store, InboxStatus::Pending, &refs).await.is_empty()
    })
    .await;
    worker.stop().await;
    assert!(processed.lock().unwrap().values().all(|runs| *runs == 1));
}

async fn dead_then_replayed_or_purged(store: Store) {
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store.clone())
        .with_backoff(quick(1));
    let healthy = Arc::new(AtomicBool::new(false));
    let processed = Arc::new(Mutex::new(Vec::new()));
    let handler = {
        let (healthy, processed) = (healthy.clone(), processed.clone());
        move |event: Event<ycloud::Event>| async move {
            if !healthy.load(Ordering::SeqCst) {
                return Err("database down");
            }
            processed.lock().unwrap().push(event.id.clone());
            Ok(())
        }
    };
    let app = Router::new().route(
        PATH,
        post(move |event| {
            let handler = handler.clone();
            async move {
                handler(event)
                    .await
                    .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e))
            }
        })
        .layer(layer.clone()),
    );
    let addr = serve(app.clone()).await;
    let worker = Running::spawn(layer.worker(app));

    let (replayed, purged) = (unique("evt_replay"), unique("evt_purge"));
    assert_eq!(deliver(addr, &replayed).await, StatusCode::OK);
    assert_eq!(deliver(addr, &purged).await, StatusCode::OK);
    eventually(Duration::from_secs(10), "both to die", || async {
        listed(&store, InboxStatus::Dead, &[&replayed, &purged])
            .await
            .len()
            == 2
    })
    .await;
    for dead in listed(&store, InboxStatus::Dead, &[&replayed, &purged]).await {
        assert_eq!(dead.attempts, 2, "one try and one retry");
        assert_eq!(
            dead.last_error.as_deref(),
            Some("handler answered 503 Service Unavailable")
        );
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(processed.lock().unwrap().is_empty());

    healthy.store(true, Ordering::SeqCst);
    assert!(store.replay(&format!("ycloud:{replayed}")).await.unwrap());
    assert!(store.purge(&format!("ycloud:{purged}")).await.unwrap());
    eventually(Duration::from_secs(10), "the replay", || async {
        processed.lock().unwrap().len() == 1
    })
    .await;
    eventually(Duration::from_secs(5), "the inbox to empty", || async {
        listed(&store, InboxStatus::Dead, &[&replayed, &purged])
            .await
            .is_empty()
            && listed(&store, InboxStatus::Pending, &[&replayed, &purged])
                .await
                .is_empty()
    })
    .await;
    // The purged delivery's key stays done: the provider's copy is acknowledged, not run.
    assert_eq!(deliver(addr, &purged).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(400)).await;
    worker.stop().await;
    assert_eq!(*processed.lock().unwrap(), [replayed]);
}

async fn graceful_shutdown_finishes_the_attempt(store: Store) {
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store.clone())
        .with_ack(Ack::Immediately);
    let started = Arc::new(Notify::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let handler = {
        let (started, finished) = (started.clone(), finished.clone());
        move || async move {
            started.notify_one();
            tokio::time::sleep(Duration::from_millis(500)).await;
            finished.fetch_add(1, Ordering::SeqCst);
        }
    };
    let app = Router::new().route(PATH, post(handler).layer(layer.clone()));
    let addr = serve(app.clone()).await;
    let worker = Running::spawn(layer.worker(app));

    let id = unique("evt_shutdown");
    assert_eq!(deliver(addr, &id).await, StatusCode::OK);
    tokio::time::timeout(Duration::from_secs(10), started.notified())
        .await
        .expect("the worker started the handler");
    worker.stop().await;
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "the attempt under way finished"
    );
    assert!(
        listed(&store, InboxStatus::Pending, &[&id])
            .await
            .is_empty(),
        "and was settled"
    );
    assert_eq!(
        store.claim(&format!("ycloud:{id}")).await.unwrap(),
        Claim::Done
    );

    // An idle worker stops at once.
    let layer = WebhookLayer::ycloud(SECRET).with_store(store.clone());
    let idle = Running::spawn(layer.worker(Router::new()));
    let asked = Instant::now();
    idle.stop().await;
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "took {:?}",
        asked.elapsed()
    );
}

/// `instances` service instances (each its own layer and store connection from `connect`),
/// `workers` workers each, `Ack::Immediately`: 100 deliveries, each run exactly once.
async fn many_workers_run_each_delivery_once<F, Fut>(connect: F, instances: usize, workers: usize)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Store>,
{
    let processed = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let mut addrs = Vec::new();
    let mut running = Vec::new();
    let mut stores = Vec::new();
    for _ in 0..instances {
        let store = connect().await;
        stores.push(store.clone());
        let layer = WebhookLayer::ycloud(SECRET)
            .with_store(store)
            .with_ack(Ack::Immediately);
        let processed = processed.clone();
        let handler = move |event: Event<ycloud::Event>| async move {
            // Long enough that workers overlap.
            tokio::time::sleep(Duration::from_millis(5)).await;
            *processed
                .lock()
                .unwrap()
                .entry(event.id.clone())
                .or_default() += 1;
        };
        let app = Router::new().route(PATH, post(handler).layer(layer.clone()));
        addrs.push(serve(app.clone()).await);
        for _ in 0..workers {
            running.push(Running::spawn(
                layer.worker(app.clone()).with_concurrency(4),
            ));
        }
    }
    let ids: Vec<String> = (0..100).map(|i| unique(&format!("evt_many{i}"))).collect();
    let sends: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (addr, id) = (addrs[i % addrs.len()], id.clone());
            tokio::spawn(async move { deliver(addr, &id).await })
        })
        .collect();
    for sent in sends {
        assert_eq!(sent.await.unwrap(), StatusCode::OK);
    }
    eventually(
        Duration::from_secs(30),
        "100 deliveries processed",
        || async { processed.lock().unwrap().len() == ids.len() },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for worker in running {
        worker.stop().await;
    }
    let processed = processed.lock().unwrap();
    let twice: Vec<_> = processed.iter().filter(|(_, runs)| **runs != 1).collect();
    assert!(twice.is_empty(), "run more than once: {twice:?}");
    assert_eq!(processed.len(), ids.len());
}

async fn every_scenario(backend: Backend) {
    let Some(store) = fresh(backend).await else {
        return;
    };
    fails_twice_then_succeeds(store).await;
    immediately_answers_before_the_handler(fresh(backend).await.unwrap()).await;
    dead_then_replayed_or_purged(fresh(backend).await.unwrap()).await;
    graceful_shutdown_finishes_the_attempt(fresh(backend).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_inbox() {
    every_scenario(Backend::Memory).await;
    let store: Store = Arc::new(MemoryStore::new());
    many_workers_run_each_delivery_once(|| std::future::ready(store.clone()), 1, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_inbox() {
    every_scenario(Backend::Redis).await;
    let prefix = unique("inbox_many");
    if redis(&prefix).await.is_some() {
        many_workers_run_each_delivery_once(|| async { redis(&prefix).await.unwrap() }, 2, 2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_inbox() {
    every_scenario(Backend::Postgres).await;
    let table = unique("inbox_many");
    if postgres(&table).await.is_some() {
        many_workers_run_each_delivery_once(|| async { postgres(&table).await.unwrap() }, 2, 2)
            .await;
    }
}

/// A stored delivery whose route is gone, or now serves another provider, is a failure the
/// worker records and retries; it never reaches a handler unverified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_that_reaches_no_matching_layer_fails_and_is_kept() {
    use tower_webhooks::store::{Schedule, StoredDelivery};
    let store: Store = Arc::new(MemoryStore::new());
    let called = Arc::new(AtomicUsize::new(0));
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store.clone())
        .with_backoff(quick(7));
    let handler = {
        let called = called.clone();
        move || async move {
            called.fetch_add(1, Ordering::SeqCst);
        }
    };
    let app = Router::new()
        .route(PATH, post(handler.clone()).layer(layer.clone()))
        // No layer on this route: a redelivery must not count as processed here.
        .route("/unlayered", post(handler));
    let worker = Running::spawn(layer.worker(app));

    let park = |key: &str, provider: &str, uri: &str| {
        let mut delivery = StoredDelivery::new(
            key,
            provider,
            "evt_1",
            http::HeaderMap::new(),
            body("evt_1").into(),
        );
        delivery.uri = uri.parse().unwrap();
        let store = store.clone();
        let key = key.to_owned();
        async move {
            let Claim::Acquired(token) = store.claim(&key).await.unwrap() else {
                panic!("fresh key");
            };
            store
                .park(token, delivery, Schedule::After(Duration::ZERO))
                .await
                .unwrap();
        }
    };
    park("ycloud:gone", "ycloud", "/gone").await;
    park("ycloud:unlayered", "ycloud", "/unlayered").await;
    park("stripe:moved", "stripe", PATH).await;
    let keys = ["ycloud:gone", "ycloud:unlayered", "stripe:moved"];
    eventually(Duration::from_secs(10), "three failed attempts", || async {
        let pending = store.inbox(InboxStatus::Pending, 100).await.unwrap();
        pending.len() == 3 && pending.iter().all(|d| d.attempts == 1)
    })
    .await;
    worker.stop().await;
    let pending = store.inbox(InboxStatus::Pending, 100).await.unwrap();
    let error = |key: &str| {
        pending
            .iter()
            .find(|d| d.key == key)
            .and_then(|d| d.last_error.clone())
            .unwrap_or_default()
    };
    assert!(keys.iter().all(|k| pending.iter().any(|d| d.key == *k)));
    assert!(
        error("ycloud:gone").contains("answered 404 Not Found without reaching a webhook layer"),
        "{}",
        error("ycloud:gone")
    );
    assert!(
        error("ycloud:unlayered").contains("without reaching a webhook layer"),
        "{}",
        error("ycloud:unlayered")
    );
    assert!(
        error("stripe:moved").contains("a stripe delivery reached the ycloud layer"),
        "{}",
        error("stripe:moved")
    );
    // The unlayered route's handler ran (it is the app's), but the delivery was not settled by it.
    assert_eq!(called.load(Ordering::SeqCst), 1);
}
