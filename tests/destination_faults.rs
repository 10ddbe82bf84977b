//! Faults under the destinations, against real servers (never mocked, never skipped in CI):
//!
//! - A node of the three-node JetStream cluster `.ci/with-services` starts is killed mid-run
//!   (the stream has three replicas): publishing goes on, every delivery that got 200 is in the
//!   stream afterwards, counted; the node comes back; nothing lost, nothing doubled.
//! - Redis (a server of this test's own) stops mid-run: every delivery meanwhile gets 503, none
//!   a 200 it was not stored for; Redis starts again: the provider's retries are stored, the
//!   consumers resume, and each delivery is handled once.
//!
//! Alone in this binary: killing a node of the shared cluster must disturb no other test.

#![cfg(all(feature = "redis", feature = "nats"))]

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::replicas::{Handled, SECRET, consumer_app, deliver, replica};
use common::services::{NatsNode, OwnRedis, free_port, server, unique};
use futures_util::stream::{self, StreamExt};
use tower_webhooks::WebhookLayer;
use tower_webhooks::destination::{
    JetStream, JetStreamConsumer, RedisStream, RedisStreamConsumer, StreamSettings, Subject,
};
use tower_webhooks::store::RedisStore;

/// A provider: sends `id` to `addr` until it hears 200 (60 s at most), counting the refusals.
async fn until_200(addr: SocketAddr, id: &str, refused: &AtomicUsize) {
    let start = Instant::now();
    loop {
        let status = deliver(addr, id).await;
        if status == 200 {
            return;
        }
        refused.fetch_add(1, Ordering::Relaxed);
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{id} never got 200 (last {status})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn stream_count(js: &JetStream, stream: &str) -> u64 {
    // Right after a node died the stream may be electing a leader: ask until it answers.
    for _ in 0..60 {
        if let Ok(mut stream) = js.context().get_stream(stream).await
            && let Ok(info) = stream.info().await
        {
            return info.state.messages;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the stream {stream} does not answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_node_killed_mid_run_loses_nothing_and_doubles_nothing() {
    let (Some(url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL")) else {
        return;
    };
    let prefix = unique("tw_node").to_lowercase();
    let name = prefix.to_uppercase();
    let js = JetStream::connect(&url).await.unwrap();
    let settings = StreamSettings::new(name.clone())
        .subjects([format!("{prefix}.>")])
        .replicas(3);
    let mut tries = 0;
    while let Err(err) = js.create_stream(settings.clone()).await {
        tries += 1;
        assert!(tries < 30, "cannot create the stream: {err:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let subject = Subject::new(&format!("{prefix}.{{provider}}.{{type}}")).unwrap();
    let publisher = || async {
        JetStream::connect(&url)
            .await
            .unwrap()
            .with_subject(subject.clone())
    };
    let replicas = [
        replica(WebhookLayer::ycloud(SECRET).with_destination(publisher().await)).await,
        replica(WebhookLayer::ycloud(SECRET).with_destination(publisher().await)).await,
    ];

    let ids: Vec<String> = (0..500).map(|i| format!("{prefix}-{i}")).collect();
    let acknowledged = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    let killed = std::sync::Once::new();
    let node = NatsNode::of_cluster(2);
    let started = Instant::now();
    stream::iter(ids.iter().enumerate())
        .for_each_concurrent(16, |(i, id)| {
            let (acknowledged, refused, killed, node) = (&acknowledged, &refused, &killed, &node);
            async move {
                until_200(replicas[i % 2], id, refused).await;
                if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == 150 {
                    killed.call_once(|| node.kill());
                }
            }
        })
        .await;
    let elapsed = started.elapsed();
    assert!(killed.is_completed(), "the node was killed mid-run");
    let during = stream_count(&js, &name).await;
    node.start();
    let after = stream_count(&js, &name).await;
    println!(
        "node killed after 150 of 500: {} refusals retried by the provider, all 500 acknowledged \
         in {elapsed:?}; the stream held {during} with the node down and {after} once it was back",
        refused.load(Ordering::Relaxed)
    );
    assert_eq!(
        during, 500,
        "every acknowledged delivery is in the stream, once"
    );
    assert_eq!(after, 500);

    // And each is handled once by a group of three.
    let store = RedisStore::connect(&redis_url)
        .await
        .unwrap()
        .with_prefix(unique("consumed"));
    let layer = WebhookLayer::ycloud(SECRET).with_store(store);
    let handled = Handled::default();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut handles = Vec::new();
    for n in 0..3 {
        let js = JetStream::connect(&url).await.unwrap();
        let source = JetStreamConsumer::durable(&js, &name, "workers");
        let mut stopped = stopped.clone();
        handles.push(tokio::spawn(
            layer
                .consumer(source, consumer_app(layer.clone(), &handled, n))
                .with_poll_interval(Duration::from_millis(200))
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                }),
        ));
    }
    handled.wait_for(ids.len(), Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(true).unwrap();
    for handle in handles {
        handle.await.unwrap();
    }
    for id in &ids {
        assert_eq!(handled.runs(id).len(), 1, "{id}: {:?}", handled.runs(id));
    }
    assert_eq!(handled.total_runs(), ids.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_mid_run_gives_503s_and_loses_nothing() {
    if server("TEST_REDIS_URL").is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(unique("tower-webhooks-stream-outage"));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut redis = OwnRedis::start(port, &dir);
    let url = format!("redis://127.0.0.1:{port}/");
    let store = RedisStore::connect(&url).await.unwrap();
    let key = "webhooks:stream:ycloud";
    let addr = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(RedisStream::new(&store))
            .with_store(store),
    )
    .await;
    // Leases longer than the outage: the consumer that held a message when Redis went away
    // records and settles it itself once Redis is back (a lease that runs out first hands the
    // message to another run: at least once, as documented).
    let consumed = RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix("consumed")
        .with_lease(Duration::from_secs(30));
    let layer = WebhookLayer::ycloud(SECRET).with_store(consumed);
    let handled = Handled::default();
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let consumer = tokio::spawn(
        layer
            .consumer(
                RedisStreamConsumer::group(&url, key, "workers")
                    .unwrap()
                    .with_lease(Duration::from_secs(30)),
                consumer_app(layer.clone(), &handled, 0),
            )
            .with_poll_interval(Duration::from_millis(200))
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }),
    );

    let ids: Vec<String> = (0..200).map(|i| format!("evt-{i}")).collect();
    let mut statuses: HashMap<&str, u16> = HashMap::new();
    for id in &ids[..100] {
        statuses.insert(id, deliver(addr, id).await.as_u16());
    }
    redis.kill();
    let down = Instant::now();
    let refused_meanwhile: Vec<(&str, u16)> = stream::iter(&ids[100..])
        .map(|id| async move { (id.as_str(), deliver(addr, id).await.as_u16()) })
        .buffer_unordered(20)
        .collect()
        .await;
    statuses.extend(refused_meanwhile);
    let outage: Vec<u16> = ids[100..].iter().map(|id| statuses[id.as_str()]).collect();
    assert!(
        outage.iter().all(|s| *s == 503),
        "while Redis is down every delivery is refused: {outage:?}"
    );
    assert!(ids[..100].iter().all(|id| statuses[id.as_str()] == 200));
    redis = OwnRedis::start(port, &dir);
    let outage_lasted = down.elapsed();
    // The provider retries what was refused.
    let refused = AtomicUsize::new(0);
    for id in &ids[100..] {
        until_200(addr, id, &refused).await;
    }
    handled.wait_for(ids.len(), Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(true).unwrap();
    consumer.await.unwrap();
    for id in &ids {
        assert_eq!(handled.runs(id).len(), 1, "{id}: {:?}", handled.runs(id));
    }
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let len: usize = redis::cmd("XLEN")
        .arg(key)
        .query_async(&mut connection)
        .await
        .unwrap();
    println!(
        "Redis down for 100 deliveries ({outage_lasted:?}): 100 answered 503, {} more refusals \
         while it came back; the stream holds {len}, each handled once",
        refused.load(Ordering::Relaxed)
    );
    assert_eq!(len, ids.len(), "each delivery stored once");
    drop(redis);
    let _ = std::fs::remove_dir_all(dir);
}
