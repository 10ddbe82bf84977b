//! The server `bench/http.sh` loads: the same axum app three ways, side by side.
//!
//! - `POST /bare`: the handler only collects the body (`Bytes`); nothing is verified.
//! - `POST /hook`: the YCloud layer (signature, tolerance, in-memory dedup sized for the run) and
//!   an `Event<ycloud::Event>` extractor.
//! - `POST /hook-nostore`: the same layer over a store that records nothing, to see whether the
//!   memory store's locks cost anything under load.
//!
//! - `POST /hook-redis`, `POST /hook-postgres`: the layer over `RedisStore` / `PostgresStore`, when
//!   `TEST_REDIS_URL` / `TEST_DATABASE_URL` are set (`.ci/with-services` sets them).
//! - `POST /now`, `/now-redis`, `/now-postgres`: the same three stores under `Ack::Immediately`
//!   (stored, answered, then handled by a worker running in this process).
//!
//! - `POST /publish-nats`, `POST /publish-redis`: the layer publishing to a destination (a
//!   JetStream stream of `BENCH_NATS_REPLICAS` replicas, default 3, when `TEST_NATS_URL` is set;
//!   a Redis stream with its dedup in the same script, when `TEST_REDIS_URL` is set), answering
//!   once the engine stored each delivery. Nothing consumes them during the run.
//!
//! - `POST /peers/<route>`: the peers bench's routes (`bench/peers/routes.rs`: hand-written,
//!   `webhook-verify`, `standardwebhooks`, `axum-standardwebhooks`, ours, ...), each checked in
//!   process before the server starts (the server refuses to start if one fails); load them with
//!   `SCHEME=standard-webhooks` (or YCloud's, for the `-ycloud` routes): `bench/peers.sh`.
//!
//! `PORT` (default 3900) and `BENCH_SECRET` (default `whsec_bench`) must match `bench/sign.lua`.
//! `BENCH_REDIS_BATCHING` / `BENCH_POSTGRES_BATCHING` = `max,delay_us,flushes` set the batching
//! of `/hook-redis` / `/hook-postgres` (`with_batching`), to compare settings without a rebuild;
//! the server refuses to start on a malformed value.

#[path = "../bench/peers/routes.rs"]
mod peers;

use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::NoStore;
use tower_webhooks::{Ack, Event, WebhookLayer};

async fn on_event(event: Event<ycloud::Event>) -> StatusCode {
    black_box(event.id().len() + event.payload().event_type.len());
    StatusCode::OK
}

/// The batching `var` asks for (`max,delay_us,flushes`), if it is set.
fn batching(var: &str) -> Result<Option<(usize, Duration, usize)>, String> {
    let Ok(value) = std::env::var(var) else {
        return Ok(None);
    };
    let bad = || format!("{var}={value:?}: expected max,delay_us,flushes (three whole numbers)");
    let numbers: Vec<u64> = value
        .split(',')
        .map(|part| part.trim().parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [max, delay, flushes] = numbers[..] else {
        return Err(bad());
    };
    let size = |n: u64| usize::try_from(n).map_err(|_| bad());
    Ok(Some((
        size(max)?,
        Duration::from_micros(delay),
        size(flushes)?,
    )))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3900);
    let secret = std::env::var("BENCH_SECRET").unwrap_or_else(|_| "whsec_bench".into());
    // Every request of a run carries a new id: keep them all, as a service would.
    let store = peers::unbounded();
    let app = Router::new()
        .route(
            "/bare",
            post(|body: Bytes| async move {
                black_box(body.len());
                StatusCode::OK
            }),
        )
        .route(
            "/hook",
            post(on_event).layer(WebhookLayer::ycloud(secret.as_str()).with_store(store)),
        )
        .route(
            "/hook-nostore",
            post(on_event).layer(WebhookLayer::ycloud(secret.as_str()).with_store(NoStore)),
        );
    #[cfg(feature = "redis")]
    let app = match std::env::var("TEST_REDIS_URL") {
        Ok(url) => {
            let mut store = tower_webhooks::store::RedisStore::connect(&url)
                .await?
                .with_prefix(format!("bench{}", std::process::id()));
            if let Some((max, delay, flushes)) = batching("BENCH_REDIS_BATCHING")? {
                store = store.with_batching(max, delay, flushes);
            }
            app.route(
                "/hook-redis",
                post(on_event).layer(WebhookLayer::ycloud(secret.as_str()).with_store(store)),
            )
        }
        Err(_) => app,
    };
    #[cfg(feature = "postgres")]
    let app = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => {
            let mut store = tower_webhooks::store::PostgresStore::connect(&url)?;
            if let Some((max, delay, flushes)) = batching("BENCH_POSTGRES_BATCHING")? {
                store = store.with_batching(max, delay, flushes);
            }
            store.migrate().await?;
            app.route(
                "/hook-postgres",
                post(on_event).layer(WebhookLayer::ycloud(secret.as_str()).with_store(store)),
            )
        }
        Err(_) => app,
    };
    #[cfg(feature = "nats")]
    let app = match std::env::var("TEST_NATS_URL") {
        Err(_) => app,
        Ok(url) => {
            use tower_webhooks::destination::{JetStream, StreamSettings, Subject};
            let replicas = std::env::var("BENCH_NATS_REPLICAS")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(3);
            let prefix = format!("bench{}", std::process::id());
            let nats = JetStream::connect(&url)
                .await?
                .with_subject(Subject::new(&format!("{prefix}.{{provider}}.{{type}}"))?);
            nats.create_stream(
                StreamSettings::new(prefix.to_uppercase())
                    .subjects([format!("{prefix}.>")])
                    .replicas(replicas),
            )
            .await?;
            app.route(
                "/publish-nats",
                post(on_event).layer(WebhookLayer::ycloud(secret.as_str()).with_destination(nats)),
            )
        }
    };
    #[cfg(feature = "redis")]
    let app = match std::env::var("TEST_REDIS_URL") {
        Err(_) => app,
        Ok(url) => {
            use tower_webhooks::destination::RedisStream;
            let store = tower_webhooks::store::RedisStore::connect(&url)
                .await?
                .with_prefix(format!("bench_publish{}", std::process::id()));
            app.route(
                "/publish-redis",
                post(on_event).layer(
                    WebhookLayer::ycloud(secret.as_str())
                        .with_destination(RedisStream::new(&store))
                        .with_store(store),
                ),
            )
        }
    };
    // Under Ack::Immediately: each route's own store, and a worker that runs the handler.
    #[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(unused_mut))]
    let mut now = vec![(
        "/now",
        WebhookLayer::ycloud(secret.as_str())
            .with_store(peers::unbounded().with_max_inbox(4_000_000)),
    )];
    #[cfg(feature = "redis")]
    if let Ok(url) = std::env::var("TEST_REDIS_URL") {
        let store = tower_webhooks::store::RedisStore::connect(&url)
            .await?
            .with_prefix(format!("bench_now{}", std::process::id()));
        now.push((
            "/now-redis",
            WebhookLayer::ycloud(secret.as_str()).with_store(store),
        ));
    }
    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        let store = tower_webhooks::store::PostgresStore::connect(&url)?
            .with_table(&format!("bench_now{}", std::process::id()));
        store.migrate().await?;
        now.push((
            "/now-postgres",
            WebhookLayer::ycloud(secret.as_str()).with_store(store),
        ));
    }
    let mut app = app;
    for (name, family) in peers::ROUTES {
        peers::check(name, *family).await?;
        app = app.nest_service(&format!("/peers/{name}"), peers::route(name).app);
    }
    let mut workers = Vec::new();
    for (path, layer) in now {
        let layer = layer.with_ack(Ack::Immediately);
        app = app.route(path, post(on_event).layer(layer.clone()));
        workers.push(layer);
    }
    for layer in workers {
        tokio::spawn(layer.worker(app.clone()).with_concurrency(32));
    }

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("bench server on http://127.0.0.1:{port}");
    axum::serve(listener, app).await?;
    Ok(())
}
