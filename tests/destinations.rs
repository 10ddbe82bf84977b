//! Verify, then publish: replicas publishing to NATS JetStream and Redis Streams, consumers
//! handling what they published, against the real servers `.ci/with-services` starts (a
//! three-node JetStream cluster, Redis); never mocked, never skipped in CI.
//!
//! - Two replicas receive the same 500 signed deliveries (each sent to both, at once): the
//!   stream holds each exactly once; three consumers in one group handle each exactly once.
//! - A failing handler is retried on the layer's backoff, then dead-lettered with its attempts.
//! - A consumer killed after it took a message and before it acknowledged it: the message goes
//!   to another consumer after the ack wait (the lease), and is handled once.
//! - A destination that refuses the write: 503, the claim released, nothing acknowledged.

#![cfg(all(feature = "redis", feature = "nats"))]

mod common;

use std::time::Duration;

use common::replicas::{self, Handled, SECRET, consumer_app, deliver, deliver_to_all, replica};
use common::services::{server, unique};
use tower_webhooks::destination::{
    JetStream, JetStreamConsumer, RedisStream, RedisStreamConsumer, StreamSettings, Subject,
    message,
};
use tower_webhooks::store::{DeliveryStore, MemoryStore, RedisStore};
use tower_webhooks::{Backoff, WebhookLayer};

const DELIVERIES: usize = 500;

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i}")).collect()
}

/// A stream of its own for one test: its name, the subject prefix it captures, a connection.
struct Nats {
    js: JetStream,
    stream: String,
    prefix: String,
}

async fn connect(url: &str) -> JetStream {
    JetStream::connect(url).await.unwrap()
}

impl Nats {
    /// A stream over `<prefix>.>` with three replicas, and one over `<prefix>-dead.>` for the
    /// dead letters. The cluster may still be electing leaders: creation is retried.
    async fn new(url: &str, name: &str) -> Self {
        let js = connect(url).await;
        let prefix = unique(name).to_lowercase();
        let stream = prefix.to_uppercase();
        for (stream, subjects) in [
            (stream.clone(), format!("{prefix}.>")),
            (format!("{stream}_DEAD"), format!("{prefix}-dead.>")),
        ] {
            let settings = StreamSettings::new(stream).subjects([subjects]).replicas(3);
            let mut tries = 0;
            while let Err(err) = js.create_stream(settings.clone()).await {
                tries += 1;
                assert!(tries < 30, "cannot create a stream: {err:?}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        Self { js, stream, prefix }
    }

    fn subject(&self) -> Subject {
        Subject::new(&format!("{}.{{provider}}.{{type}}", self.prefix)).unwrap()
    }

    /// A publisher on a connection of its own, as a replica has.
    async fn publisher(&self, url: &str) -> JetStream {
        connect(url).await.with_subject(self.subject())
    }

    /// A consumer in the group `workers` on a connection of its own.
    async fn consumer(&self, url: &str, ack_wait: Duration) -> JetStreamConsumer {
        let js = connect(url).await;
        JetStreamConsumer::durable(&js, &self.stream, "workers")
            .with_ack_wait(ack_wait)
            .with_dead_letter(
                Subject::new(&format!("{}-dead.{{provider}}.{{type}}", self.prefix)).unwrap(),
            )
    }

    async fn count(&self, stream: &str) -> u64 {
        let mut stream = self.js.context().get_stream(stream).await.unwrap();
        stream.info().await.unwrap().state.messages
    }

    async fn dead(&self) -> Vec<async_nats::jetstream::message::StreamMessage> {
        let stream = self
            .js
            .context()
            .get_stream(format!("{}_DEAD", self.stream))
            .await
            .unwrap();
        let mut dead = Vec::new();
        let mut sequence = 1;
        while let Ok(message) = stream.get_raw_message(sequence).await {
            dead.push(message);
            sequence += 1;
        }
        dead
    }
}

/// The layer every consumer runs the messages through: a shared store for the consumed marks.
async fn consumer_layer(redis_url: &str, prefix: &str, backoff: Backoff) -> WebhookLayer {
    let store = RedisStore::connect(redis_url)
        .await
        .unwrap()
        .with_prefix(prefix.to_owned())
        .with_lease(Duration::from_secs(3));
    WebhookLayer::ycloud(SECRET)
        .with_store(store)
        .with_backoff(backoff)
}

fn all_200(statuses: &std::collections::HashMap<String, Vec<http::StatusCode>>) {
    for (id, statuses) in statuses {
        assert!(statuses.iter().all(|s| *s == 200), "{id} got {statuses:?}");
    }
}

/// Consumers stopped by one signal; returns the stop and the join handles.
fn spawn_consumers(
    consumers: Vec<tower_webhooks::Consumer<axum::Router>>,
) -> (
    tokio::sync::watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handles = consumers
        .into_iter()
        .map(|consumer| {
            let mut stopped = stopped.clone();
            tokio::spawn(
                consumer
                    .with_poll_interval(Duration::from_millis(200))
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    }),
            )
        })
        .collect();
    (stop, handles)
}

async fn stop_all(
    stop: tokio::sync::watch::Sender<bool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
) {
    stop.send(true).unwrap();
    for handle in handles {
        tokio::time::timeout(Duration::from_secs(10), handle)
            .await
            .expect("a consumer shuts down gracefully")
            .unwrap();
    }
}

fn exactly_once(handled: &Handled, ids: &[String]) {
    for id in ids {
        let runs = handled.runs(id);
        assert_eq!(runs.len(), 1, "{id} handled {runs:?}");
    }
    assert_eq!(handled.total_runs(), ids.len());
    let per_consumer = handled.per_consumer();
    assert!(
        per_consumer.len() >= 2,
        "the group shares the work: {per_consumer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_publish_each_delivery_to_jetstream_once_and_three_consumers_handle_it_once() {
    let (Some(url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL")) else {
        return;
    };
    let nats = Nats::new(&url, "tw_replicas").await;
    let a =
        replica(WebhookLayer::ycloud(SECRET).with_destination(nats.publisher(&url).await)).await;
    let b =
        replica(WebhookLayer::ycloud(SECRET).with_destination(nats.publisher(&url).await)).await;
    let ids = ids(&unique("evt"), DELIVERIES);
    let statuses = deliver_to_all(&[a, b], &ids, 64).await;
    all_200(&statuses);
    assert_eq!(nats.count(&nats.stream).await, DELIVERIES as u64);

    // What a consumer in another language reads: the raw body and the facts as headers.
    let stream = nats.js.context().get_stream(&nats.stream).await.unwrap();
    let first = stream.get_raw_message(1).await.unwrap();
    let id = first.headers.get(message::ID).unwrap().as_str().to_owned();
    assert_eq!(first.payload.as_ref(), replicas::body(&id).as_bytes());
    assert_eq!(
        first.headers.get(message::KEY).unwrap().as_str(),
        format!("ycloud:{id}")
    );
    assert_eq!(
        first.headers.get("Nats-Msg-Id").unwrap().as_str(),
        format!("ycloud:{id}")
    );
    assert_eq!(
        first.subject.as_str(),
        format!("{}.ycloud.whatsapp.message.updated", nats.prefix)
    );
    assert!(first.headers.get("Http-ycloud-signature").is_some());

    let layer = consumer_layer(&redis_url, &unique("consumed"), Backoff::default()).await;
    let handled = Handled::default();
    let mut consumers = Vec::new();
    for n in 0..3 {
        // Each on another node of the cluster.
        let one = url.split(',').nth(n).unwrap().to_owned();
        let source = nats.consumer(&one, Duration::from_secs(30)).await;
        consumers.push(layer.consumer(source, consumer_app(layer.clone(), &handled, n)));
    }
    let (stop, handles) = spawn_consumers(consumers);
    handled.wait_for(DELIVERIES, Duration::from_secs(60)).await;
    // Anything handed out twice would show up within this.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop_all(stop, handles).await;
    exactly_once(&handled, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_add_each_delivery_to_a_redis_stream_once_and_three_consumers_handle_it_once()
{
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let prefix = unique("tw_streams");
    let store = || async {
        RedisStore::connect(&url)
            .await
            .unwrap()
            .with_prefix(prefix.clone())
    };
    let stream_key = format!("{prefix}:stream:{{provider}}");
    let publisher = |store: &RedisStore| {
        RedisStream::new(store).with_stream(Subject::new(&stream_key).unwrap())
    };
    let (sa, sb) = (store().await, store().await);
    let a = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(publisher(&sa))
            .with_store(sa),
    )
    .await;
    let b = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(publisher(&sb))
            .with_store(sb),
    )
    .await;
    let ids = ids(&unique("evt"), DELIVERIES);
    let statuses = deliver_to_all(&[a, b], &ids, 64).await;
    all_200(&statuses);
    let key = format!("{prefix}:stream:ycloud");
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let len: usize = redis::cmd("XLEN")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(len, DELIVERIES);

    let layer = consumer_layer(&url, &unique("consumed"), Backoff::default()).await;
    let handled = Handled::default();
    let mut consumers = Vec::new();
    for n in 0..3 {
        let source = RedisStreamConsumer::group(&url, &key, "workers").unwrap();
        consumers.push(layer.consumer(source, consumer_app(layer.clone(), &handled, n)));
    }
    let (stop, handles) = spawn_consumers(consumers);
    handled.wait_for(DELIVERIES, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop_all(stop, handles).await;
    exactly_once(&handled, &ids);
    let pending: (usize, redis::Value, redis::Value, redis::Value) = redis::cmd("XPENDING")
        .arg(&key)
        .arg("workers")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(pending.0, 0, "every entry acknowledged");
}

/// Backoff of two quick retries: three attempts, then dead.
fn quick_backoff() -> Backoff {
    Backoff::new([Duration::from_millis(100), Duration::from_millis(100)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jetstream_retries_on_the_backoff_then_dead_letters() {
    let (Some(url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL")) else {
        return;
    };
    let nats = Nats::new(&url, "tw_dead").await;
    let addr =
        replica(WebhookLayer::ycloud(SECRET).with_destination(nats.publisher(&url).await)).await;
    let good = unique("good");
    assert_eq!(deliver(addr, &good).await, 200);
    assert_eq!(deliver(addr, "fail-1").await, 200);
    let layer = consumer_layer(&redis_url, &unique("consumed"), quick_backoff()).await;
    let handled = Handled::default();
    let source = nats.consumer(&url, Duration::from_secs(30)).await;
    let (stop, handles) = spawn_consumers(vec![
        layer.consumer(source, consumer_app(layer.clone(), &handled, 0)),
    ]);
    handled.wait_for(1, Duration::from_secs(20)).await;
    let mut dead = Vec::new();
    for _ in 0..100 {
        dead = nats.dead().await;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_all(stop, handles).await;
    assert_eq!(dead.len(), 1, "one dead letter");
    let letter = &dead[0];
    assert_eq!(letter.headers.get(message::ID).unwrap().as_str(), "fail-1");
    assert_eq!(letter.headers.get(message::ATTEMPTS).unwrap().as_str(), "3");
    assert_eq!(
        letter.headers.get(message::ERROR).unwrap().as_str(),
        "handler answered 500 Internal Server Error"
    );
    assert_eq!(letter.payload.as_ref(), replicas::body("fail-1").as_bytes());
    assert_eq!(handled.runs(&good).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_streams_retry_on_the_backoff_then_dead_letter() {
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let (addr, key) = redis_stream_replica(&url, "tw_dead").await;
    let good = unique("good");
    assert_eq!(deliver(addr, &good).await, 200);
    assert_eq!(deliver(addr, "fail-1").await, 200);
    let layer = consumer_layer(&url, &unique("consumed"), quick_backoff()).await;
    let handled = Handled::default();
    let source = RedisStreamConsumer::group(&url, &key, "workers").unwrap();
    let (stop, handles) = spawn_consumers(vec![
        layer.consumer(source, consumer_app(layer.clone(), &handled, 0)),
    ]);
    handled.wait_for(1, Duration::from_secs(20)).await;
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut dead: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    for _ in 0..100 {
        let entries: Vec<(String, Vec<Vec<u8>>)> = redis::cmd("XRANGE")
            .arg(format!("{key}:dead"))
            .arg("-")
            .arg("+")
            .query_async(&mut connection)
            .await
            .unwrap();
        dead = entries
            .into_iter()
            .map(|(_id, fields)| {
                fields
                    .chunks(2)
                    .map(|pair| (String::from_utf8(pair[0].clone()).unwrap(), pair[1].clone()))
                    .collect()
            })
            .collect();
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_all(stop, handles).await;
    assert_eq!(dead.len(), 1, "one dead letter");
    let field = |name: &str| {
        dead[0]
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(field(message::ID), "fail-1");
    assert_eq!(field(message::ATTEMPTS), "3");
    assert_eq!(
        field(message::ERROR),
        "handler answered 500 Internal Server Error"
    );
    assert_eq!(field(message::BODY_FIELD), replicas::body("fail-1"));
    assert_eq!(handled.runs(&good).len(), 1);
}

/// A replica publishing to a Redis stream of its own (its store's keys and its stream under a
/// fresh prefix); its address and the stream's key.
async fn redis_stream_replica(url: &str, name: &str) -> (std::net::SocketAddr, String) {
    let prefix = unique(name);
    let store = RedisStore::connect(url)
        .await
        .unwrap()
        .with_prefix(prefix.clone());
    let key = format!("{prefix}:stream");
    let publisher = RedisStream::new(&store).with_stream(Subject::new(&key).unwrap());
    let addr = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(publisher)
            .with_store(store),
    )
    .await;
    (addr, key)
}

/// Publishes a `hang-` delivery first, then ten more; their ids in that order.
async fn hang_then_ten(addr: std::net::SocketAddr) -> Vec<String> {
    let mut ids = vec![format!("hang-{}", unique("evt"))];
    ids.extend(self::ids(&unique("evt"), 10));
    for id in &ids {
        assert_eq!(deliver(addr, id).await, 200);
    }
    ids
}

/// A consumer that took the first message and died in its handler: after the ack wait (the
/// lease) another consumer gets it, and it is handled once, as a later attempt.
async fn killed_consumer_hands_over(
    first: tower_webhooks::Consumer<axum::Router>,
    second: tower_webhooks::Consumer<axum::Router>,
    handled: &Handled,
    ids: &[String],
) {
    let first = tokio::spawn(first.with_concurrency(1));
    tokio::time::timeout(Duration::from_secs(20), handled.hung())
        .await
        .expect("the first consumer took the message");
    first.abort();
    let _ = first.await;
    let (stop, handles) = spawn_consumers(vec![second]);
    handled.wait_for(ids.len(), Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop_all(stop, handles).await;
    for id in ids {
        let runs = handled.runs(id);
        assert_eq!(runs.len(), 1, "{id} handled {runs:?}");
        assert_eq!(runs[0].0, 1, "{id} was handled by the surviving consumer");
    }
    let hang = &handled.runs(&ids[0])[0];
    assert!(hang.1 >= 2, "handed out again: attempt {}", hang.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jetstream_message_of_a_killed_consumer_is_handled_once_by_another() {
    let (Some(url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL")) else {
        return;
    };
    let nats = Nats::new(&url, "tw_killed").await;
    let addr =
        replica(WebhookLayer::ycloud(SECRET).with_destination(nats.publisher(&url).await)).await;
    let ids = hang_then_ten(addr).await;
    let layer = consumer_layer(&redis_url, &unique("consumed"), Backoff::default()).await;
    let handled = Handled::default();
    let ack_wait = Duration::from_secs(2);
    let first = layer.consumer(
        nats.consumer(&url, ack_wait).await,
        consumer_app(layer.clone(), &handled, 0),
    );
    let second = layer.consumer(
        nats.consumer(&url, ack_wait).await,
        consumer_app(layer.clone(), &handled, 1),
    );
    killed_consumer_hands_over(first, second, &handled, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_entry_of_a_killed_consumer_is_handled_once_by_another() {
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let (addr, key) = redis_stream_replica(&url, "tw_killed").await;
    let ids = hang_then_ten(addr).await;
    let layer = consumer_layer(&url, &unique("consumed"), Backoff::default()).await;
    let handled = Handled::default();
    let source = || {
        RedisStreamConsumer::group(&url, &key, "workers")
            .unwrap()
            .with_lease(Duration::from_secs(2))
    };
    let first = layer.consumer(source(), consumer_app(layer.clone(), &handled, 0));
    let second = layer.consumer(source(), consumer_app(layer.clone(), &handled, 1));
    killed_consumer_hands_over(first, second, &handled, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_whose_key_was_handled_is_acknowledged_without_the_handler() {
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let (addr, key) = redis_stream_replica(&url, "tw_handled").await;
    let (done, fresh) = (unique("done"), unique("fresh"));
    assert_eq!(deliver(addr, &done).await, 200);
    assert_eq!(deliver(addr, &fresh).await, 200);
    // As if a consumer handled `done` and died before acknowledging it.
    let consumed = RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix(unique("consumed"));
    let tower_webhooks::store::Claim::Acquired(token) = consumed
        .claim(&format!("consumed:ycloud:{done}"))
        .await
        .unwrap()
    else {
        panic!("a fresh mark")
    };
    consumed
        .complete(&format!("consumed:ycloud:{done}"), token)
        .await
        .unwrap();
    let layer = WebhookLayer::ycloud(SECRET).with_store(consumed);
    let handled = Handled::default();
    let source = RedisStreamConsumer::group(&url, &key, "workers").unwrap();
    let (stop, handles) = spawn_consumers(vec![
        layer.consumer(source, consumer_app(layer.clone(), &handled, 0)),
    ]);
    handled.wait_for(1, Duration::from_secs(20)).await;
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut pending = usize::MAX;
    for _ in 0..100 {
        let summary: (usize, redis::Value, redis::Value, redis::Value) = redis::cmd("XPENDING")
            .arg(&key)
            .arg("workers")
            .query_async(&mut connection)
            .await
            .unwrap();
        pending = summary.0;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop_all(stop, handles).await;
    assert_eq!(pending, 0, "both acknowledged");
    assert!(handled.runs(&done).is_empty(), "handled before: not again");
    assert_eq!(handled.runs(&fresh).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_publish_is_a_503_and_releases_the_claim() {
    let Some(url) = server("TEST_NATS_URL") else {
        return;
    };
    let nats = Nats::new(&url, "tw_refused").await;
    // One store for both routes: the claim the refused publish took must be free again.
    let store = MemoryStore::new();
    let nowhere = connect(&url)
        .await
        .with_subject(Subject::new(&format!("{}-nowhere.{{provider}}", nats.prefix)).unwrap());
    let refused = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(nowhere)
            .with_store(store.clone()),
    )
    .await;
    let stored = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(nats.publisher(&url).await)
            .with_store(store),
    )
    .await;
    let id = unique("evt");
    // No stream captures the subject: NATS answers "no responders", nothing is stored.
    assert_eq!(deliver(refused, &id).await, 503);
    assert_eq!(deliver(stored, &id).await, 200);
    assert_eq!(nats.count(&nats.stream).await, 1);
    assert_eq!(deliver(stored, &id).await, 200, "a copy is a duplicate");
    assert_eq!(nats.count(&nats.stream).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_no_nats_header_can_carry_is_a_503_and_redis_takes_it() {
    let (Some(url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL")) else {
        return;
    };
    let nats = Nats::new(&url, "tw_line_break").await;
    let to_nats =
        replica(WebhookLayer::ycloud(SECRET).with_destination(nats.publisher(&url).await)).await;
    // `\n` in the JSON body: the event id holds a line break, which no NATS header can.
    let id = format!("{}\\nX-Injected: 1", unique("evt"));
    assert_eq!(deliver(to_nats, &id).await, 503);
    assert_eq!(nats.count(&nats.stream).await, 0);
    // A Redis entry's fields are binary-safe.
    let store = RedisStore::connect(&redis_url)
        .await
        .unwrap()
        .with_prefix(unique("tw_line_break"));
    let to_redis = replica(
        WebhookLayer::ycloud(SECRET)
            .with_destination(RedisStream::new(&store))
            .with_store(store),
    )
    .await;
    assert_eq!(deliver(to_redis, &id).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_publish_of_a_delivery_is_reported_as_a_duplicate() {
    use tower_webhooks::destination::{Destination, Published};
    use tower_webhooks::store::{ClaimToken, StoredDelivery};
    let (Some(url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL")) else {
        return;
    };
    let id = unique("evt");
    let delivery = StoredDelivery::new(
        format!("ycloud:{id}"),
        "ycloud",
        id.clone(),
        Default::default(),
        replicas::body(&id).into(),
    );
    let claim = ClaimToken::new(1);
    // Two publishers, as two replicas have: the stream's duplicate window drops the copy.
    let nats = Nats::new(&url, "tw_duplicate").await;
    let (first, second) = (nats.publisher(&url).await, nats.publisher(&url).await);
    assert_eq!(
        first.publish(&delivery, claim).await.unwrap(),
        Published::Stored
    );
    assert_eq!(
        second.publish(&delivery, claim).await.unwrap(),
        Published::Duplicate
    );
    assert_eq!(nats.count(&nats.stream).await, 1);
    // The Redis script finds the key done.
    let prefix = unique("tw_duplicate");
    let store = RedisStore::connect(&redis_url)
        .await
        .unwrap()
        .with_prefix(prefix.clone());
    let stream =
        RedisStream::new(&store).with_stream(Subject::new(&format!("{prefix}:stream")).unwrap());
    assert_eq!(
        stream.publish(&delivery, claim).await.unwrap(),
        Published::Stored
    );
    assert_eq!(
        stream.publish(&delivery, claim).await.unwrap(),
        Published::Duplicate
    );
    // Under another's claim in flight, a replica does not add it either.
    let other = StoredDelivery::new(
        format!("ycloud:{id}-2"),
        "ycloud",
        format!("{id}-2"),
        Default::default(),
        replicas::body(&format!("{id}-2")).into(),
    );
    let tower_webhooks::store::Claim::Acquired(held) = store.claim(&other.key).await.unwrap()
    else {
        panic!("a fresh key");
    };
    assert_eq!(
        stream.publish(&other, claim).await.unwrap(),
        Published::Duplicate
    );
    assert_eq!(
        stream.publish(&other, held).await.unwrap(),
        Published::Stored
    );
    let client = redis::Client::open(redis_url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let len: usize = redis::cmd("XLEN")
        .arg(stream.stream_key("ycloud", None))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(len, 2);
}
