//! Receiving replicas that publish to a destination, consumers that handle what they published,
//! and a provider that sends each signed delivery until it hears 200: shared by the destination
//! tests and their fault tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use futures_util::stream::{self, StreamExt};
use tokio::net::TcpListener;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Event, WebhookLayer};

use super::client::send;

pub const SECRET: &str = "whsec_destinations";

/// The body of delivery `id`: a YCloud event.
pub fn body(id: &str) -> String {
    super::ycloud_body(id)
}

/// A receiving replica on its own socket: `layer` publishes, so its handler must never run.
pub async fn replica(layer: WebhookLayer) -> SocketAddr {
    let app = Router::new().route(
        "/hook",
        post(|| async {
            panic!("a replica with a destination never runs the handler");
            #[allow(unreachable_code)]
            StatusCode::OK
        })
        .layer(layer),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// One signed delivery of `id`, sent to `addr` once.
pub async fn deliver(addr: SocketAddr, id: &str) -> StatusCode {
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    match send(addr, signer.request("/hook", body(id))).await {
        Ok((status, _)) => status,
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

/// Sends every id to every replica at once (`concurrency` requests in flight), each copy again
/// while it is answered 409 (the id is in flight elsewhere, as a provider retries); returns the
/// last status of each copy.
pub async fn deliver_to_all(
    replicas: &[SocketAddr],
    ids: &[String],
    concurrency: usize,
) -> HashMap<String, Vec<StatusCode>> {
    let sends = ids
        .iter()
        .flat_map(|id| replicas.iter().map(move |addr| (*addr, id.clone())));
    let statuses: Vec<(String, StatusCode)> = stream::iter(sends)
        .map(|(addr, id)| async move {
            let mut status = deliver(addr, &id).await;
            for _ in 0..250 {
                if status != StatusCode::CONFLICT {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                status = deliver(addr, &id).await;
            }
            (id, status)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut by_id: HashMap<String, Vec<StatusCode>> = HashMap::new();
    for (id, status) in statuses {
        by_id.entry(id).or_default().push(status);
    }
    by_id
}

/// Per id, each run's consumer and attempt.
type Runs = HashMap<String, Vec<(usize, u32)>>;

/// What the consumers' handler saw: per id, each run's consumer and attempt.
#[derive(Clone, Default)]
pub struct Handled(
    Arc<Mutex<Runs>>,
    /// Set once the first run of a `hang-` id started (it never ends).
    Arc<tokio::sync::Notify>,
    /// Whether a `hang-` id already hung once.
    Arc<std::sync::atomic::AtomicBool>,
);

impl Handled {
    /// Waits until the first run of a `hang-` id started.
    pub async fn hung(&self) {
        self.1.notified().await;
    }

    pub fn runs(&self, id: &str) -> Vec<(usize, u32)> {
        self.0.lock().unwrap().get(id).cloned().unwrap_or_default()
    }

    pub fn ids(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    pub fn total_runs(&self) -> usize {
        self.0.lock().unwrap().values().map(Vec::len).sum()
    }

    /// How many runs each consumer made.
    pub fn per_consumer(&self) -> HashMap<usize, usize> {
        let mut counts = HashMap::new();
        for runs in self.0.lock().unwrap().values() {
            for (consumer, _) in runs {
                *counts.entry(*consumer).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Waits until `n` ids were handled, `limit` at most.
    pub async fn wait_for(&self, n: usize, limit: Duration) {
        let start = Instant::now();
        while self.ids() < n {
            assert!(
                start.elapsed() < limit,
                "only {} of {n} deliveries handled after {limit:?}",
                self.ids()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The app of consumer number `consumer`: the handler checks the body is the one signed, byte
/// for byte, and records the run; ids starting with `fail-` fail every time, and the first run
/// of an id starting with `hang-` never ends (its consumer is killed meanwhile).
pub fn consumer_app(layer: WebhookLayer, handled: &Handled, consumer: usize) -> Router {
    let handled = handled.clone();
    Router::new().route(
        "/hook",
        post(move |event: Event<ycloud::Event>| {
            let handled = handled.clone();
            async move {
                assert_eq!(event.verified().raw().as_ref(), body(&event.id).as_bytes());
                // Some work, so that every consumer of a group gets its share.
                tokio::time::sleep(Duration::from_millis(5)).await;
                if event.id.starts_with("fail-") {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                if event.id.starts_with("hang-")
                    && !handled.2.swap(true, std::sync::atomic::Ordering::SeqCst)
                {
                    handled.1.notify_one();
                    std::future::pending::<()>().await;
                }
                handled
                    .0
                    .lock()
                    .unwrap()
                    .entry(event.id.clone())
                    .or_default()
                    .push((consumer, event.verified().attempt()));
                StatusCode::OK
            }
        })
        .layer(layer),
    )
}
