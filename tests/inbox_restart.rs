//! Kill and restart with `Ack::Immediately`, against the real Redis and PostgreSQL that
//! `.ci/with-services` starts: a receiver process answers 200 to 20 deliveries and is killed
//! (SIGKILL) before its handler completed any of them (one is mid-run, the rest never started);
//! a new process drains them all, each exactly once.

#![cfg(all(feature = "redis", feature = "postgres"))]

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use common::client::send;
use common::services::{server, unique};
use tokio::net::TcpListener;
use tower_webhooks::provider::ycloud;
use tower_webhooks::store::{DeliveryStore, InboxStatus, PostgresStore, RedisStore};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Ack, Event, WebhookLayer};

const SECRET: &str = "whsec_restart";
const PATH: &str = "/webhooks/ycloud";
const DELIVERIES: usize = 20;
/// The crashed worker's lease on the delivery it was running.
const LEASE: Duration = Duration::from_secs(2);

async fn store(backend: &str, name: &str) -> Arc<dyn DeliveryStore> {
    match backend {
        "redis" => {
            let url = std::env::var("TEST_REDIS_URL").unwrap();
            Arc::new(RedisStore::connect(&url).await.unwrap().with_prefix(name))
        }
        _ => {
            let url = std::env::var("TEST_DATABASE_URL").unwrap();
            let store = PostgresStore::connect(&url).unwrap().with_table(name);
            store.migrate().await.unwrap();
            Arc::new(store)
        }
    }
}

/// The receiver: `Ack::Immediately` and a worker. `INBOX_HANG` makes its handler hang (the
/// process is killed mid-run); otherwise the handler appends the event id to `INBOX_LOG`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by a_killed_receiver_is_drained_by_the_next_one in a child process"]
async fn receiver_child() {
    let backend = std::env::var("INBOX_BACKEND").unwrap();
    let name = std::env::var("INBOX_NAME").unwrap();
    let log = std::env::var("INBOX_LOG").unwrap();
    let hang = std::env::var_os("INBOX_HANG").is_some();
    let store = store(&backend, &name).await;
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store)
        .with_ack(Ack::Immediately);
    let handler = move |event: Event<ycloud::Event>| async move {
        if hang {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        writeln!(file, "{}", event.id).unwrap();
    };
    let app = Router::new().route(PATH, post(handler).layer(layer.clone()));
    tokio::spawn(
        layer
            .worker(app.clone())
            .with_concurrency(1)
            .with_lease(LEASE)
            .with_poll_interval(Duration::from_millis(100)),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    common::child::announce(&listener);
    axum::serve(listener, app).await.unwrap();
}

fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn killed_receiver_is_drained(backend: &str) {
    let name = unique(&format!("restart_{backend}"));
    let log = std::env::temp_dir().join(format!("{name}.log"));
    let log_path = log.to_str().unwrap().to_owned();
    let env = |hang: bool| {
        let mut env = vec![
            ("INBOX_BACKEND", backend.to_owned()),
            ("INBOX_NAME", name.clone()),
            ("INBOX_LOG", log_path.clone()),
        ];
        if hang {
            env.push(("INBOX_HANG", "1".to_owned()));
        }
        env
    };

    // The first receiver acknowledges every delivery, then dies before any handler finished.
    let first_env = env(true);
    let (mut first, addr) = common::child::spawn_with("receiver_child", &borrowed(&first_env));
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let ids: Vec<String> = (0..DELIVERIES)
        .map(|i| unique(&format!("evt_{i}")))
        .collect();
    for id in &ids {
        let body = format!(r#"{{"id":"{id}","type":"contact.created"}}"#);
        let (status, _) = send(addr, signer.request(PATH, body)).await.unwrap();
        assert_eq!(status, 200);
    }
    // Let its worker take a delivery into the hanging handler, then kill it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(!log.exists(), "no handler completed before the kill");
    let store = store(backend, &name).await;
    let pending = store.inbox(InboxStatus::Pending, 1_000).await.unwrap();
    assert_eq!(
        pending.len(),
        DELIVERIES,
        "every acknowledged delivery is in the inbox"
    );

    // The next receiver drains them, including the one the dead worker held (after its lease).
    let second_env = env(false);
    let (mut second, _) = common::child::spawn_with("receiver_child", &borrowed(&second_env));
    let started = Instant::now();
    let processed = loop {
        let lines = std::fs::read_to_string(&log).unwrap_or_default();
        let mut runs = HashMap::<String, usize>::new();
        for line in lines.lines() {
            *runs.entry(line.to_owned()).or_default() += 1;
        }
        if runs.len() == DELIVERIES || started.elapsed() > Duration::from_secs(30) {
            break runs;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let drained = started.elapsed();
    // Settling follows the handler; give it a moment, then the inbox must be empty.
    let settled = Instant::now();
    while !store
        .inbox(InboxStatus::Pending, 1_000)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            settled.elapsed() < Duration::from_secs(10),
            "the inbox was not settled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    let _ = std::fs::remove_file(&log);

    println!(
        "{backend}: {DELIVERIES} deliveries acknowledged by a killed receiver, drained by the next in {drained:?}"
    );
    for id in &ids {
        assert_eq!(
            processed.get(id),
            Some(&1),
            "{id} processed {:?} times",
            processed.get(id)
        );
    }
    assert_eq!(processed.len(), DELIVERIES);
    assert!(
        store
            .inbox(InboxStatus::Dead, 1_000)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_receiver_is_drained_by_the_next_one() {
    if server("TEST_REDIS_URL").is_none() || server("TEST_DATABASE_URL").is_none() {
        return;
    }
    killed_receiver_is_drained("redis").await;
    killed_receiver_is_drained("postgres").await;
}
