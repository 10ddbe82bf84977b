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
//!
//! `PORT` (default 3900) and `BENCH_SECRET` (default `whsec_bench`) must match `bench/sign.lua`.

use std::hint::black_box;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::NoStore;
use tower_webhooks::{Event, WebhookLayer};

async fn on_event(event: Event<ycloud::Event>) -> StatusCode {
    black_box(event.id().len() + event.payload().event_type.len());
    StatusCode::OK
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3900);
    let secret = std::env::var("BENCH_SECRET").unwrap_or_else(|_| "whsec_bench".into());
    // Every request of a run carries a new id: keep them all, as a service would.
    let store = tower_webhooks::store::MemoryStore::new().with_max_entries(4_000_000);
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
            let store = tower_webhooks::store::RedisStore::connect(&url)
                .await?
                .with_prefix(format!("bench{}", std::process::id()));
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
            let store = tower_webhooks::store::PostgresStore::connect(&url)?;
            store.migrate().await?;
            app.route(
                "/hook-postgres",
                post(on_event).layer(WebhookLayer::ycloud(secret.as_str()).with_store(store)),
            )
        }
        Err(_) => app,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("bench server on http://127.0.0.1:{port}");
    axum::serve(listener, app).await?;
    Ok(())
}
