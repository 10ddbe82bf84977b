//! The layer's own cost per delivery, in process (no sockets): `oneshot` through an axum router
//! whose handler only collects the body, versus the same router behind the YCloud layer (verify,
//! in-memory dedup, `Event<ycloud::Event>`), versus the layer over a no-op store. Every delivery
//! is new (unique id, signed ahead of time). Deterministic under `valgrind --tool=callgrind`:
//!
//!   cargo bench --bench layer -- bare|layer|nostore <count>
//!
//! prints nothing but runs `count` deliveries; `bench/layer_cost.sh` turns instruction counts
//! into a per-delivery table.

use std::hint::black_box;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use tower::ServiceExt;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::{NoStore, Signer};
use tower_webhooks::{Event, WebhookLayer};

async fn on_event(event: Event<ycloud::Event>) -> StatusCode {
    black_box(event.id().len());
    StatusCode::OK
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes `--bench`; the route and count follow `--`.
    let rest: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let route = rest.first().map_or("layer", |s| s.as_str()).to_owned();
    let count: usize = rest.get(1).and_then(|c| c.parse().ok()).unwrap_or(20_000);

    let app = match route.as_str() {
        "bare" => Router::new().route(
            "/hook",
            post(|body: Bytes| async move {
                black_box(body.len());
                StatusCode::OK
            }),
        ),
        "layer" => Router::new().route(
            "/hook",
            post(on_event).layer(WebhookLayer::ycloud("whsec_bench")),
        ),
        "nostore" => Router::new().route(
            "/hook",
            post(on_event).layer(WebhookLayer::ycloud("whsec_bench").with_store(NoStore)),
        ),
        other => panic!("unknown route {other}: bare, layer or nostore"),
    };
    let signer = Signer::new(ycloud::scheme(), "whsec_bench").unwrap();
    let requests: Vec<_> = (0..count)
        .map(|i| {
            let head = format!(r#"{{"id":"evt_{i:012}","type":"bench.event","pad":""#);
            let body = format!("{head}{}\"}}", "a".repeat(1024 - head.len() - 2));
            signer.request("/hook", body)
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for request in requests {
            let response = app.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }
    });
}
