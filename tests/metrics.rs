//! The metrics the layer and its worker record (feature `metrics`), read back as Prometheus
//! text from `metrics-exporter-prometheus`, the exporter the example and the gateway use: every
//! outcome counted under its own label, rejections by kind, the durations, the inbox gauges and
//! the worker's attempts; and never an event id as a label.

#![cfg(feature = "metrics")]

mod common;

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use common::{SECRET, post as request, ycloud_body};
use metrics_exporter_prometheus::PrometheusBuilder;
use tower::ServiceExt;
use tower_webhooks::provider::ycloud;
use tower_webhooks::store::MemoryStore;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Backoff, Event, WebhookLayer};

/// The value of the sample `name{labels}` in `text`.
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
}

#[tokio::test]
async fn every_outcome_is_counted_under_its_label() {
    let handle = PrometheusBuilder::new().install_recorder().unwrap();
    let store = MemoryStore::new();
    let layer = WebhookLayer::ycloud(SECRET)
        .with_store(store.clone())
        .with_backoff(Backoff::new([Duration::from_millis(10); 2]));
    let app = Router::new().route(
        "/hook",
        post(|event: Event<ycloud::Event>| async move {
            if event.id.starts_with("fail") {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            }
        })
        .layer(layer.clone()),
    );
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let send = |request: http::Request<axum::body::Body>| {
        let app = app.clone();
        async move { app.oneshot(request).await.unwrap().status() }
    };
    for id in ["evt_1", "evt_2", "evt_3"] {
        assert_eq!(send(signer.request("/hook", ycloud_body(id))).await, 200);
    }
    assert_eq!(
        send(signer.request("/hook", ycloud_body("evt_1"))).await,
        200
    );
    assert_eq!(send(request("/hook", ycloud_body("evt_4"))).await, 401);
    let wrong = Signer::new(ycloud::scheme(), "whsec_other").unwrap();
    assert_eq!(
        send(wrong.request("/hook", ycloud_body("evt_5"))).await,
        401
    );
    // Fails in the request: parked, then failed by the worker twice (one retry), then dead.
    assert_eq!(
        send(signer.request("/hook", ycloud_body("fail_1"))).await,
        200
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        layer
            .worker(app.clone())
            .with_poll_interval(Duration::from_millis(10))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            }),
    );
    let started = std::time::Instant::now();
    loop {
        let text = handle.render();
        let dead = sample(&text, r#"webhooks_inbox_dead{provider="ycloud"}"#);
        let attempts = sample(
            &text,
            r#"webhooks_attempts_total{provider="ycloud",result="dead"}"#,
        );
        if attempts == Some(1.0) && dead == Some(1.0) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    worker.await.unwrap();

    let text = handle.render();
    let count =
        |labels: &str| sample(&text, labels).unwrap_or_else(|| panic!("no {labels} in\n{text}"));
    assert_eq!(
        count(r#"webhooks_deliveries_total{provider="ycloud",outcome="handled"}"#),
        3.0
    );
    assert_eq!(
        count(r#"webhooks_deliveries_total{provider="ycloud",outcome="duplicate"}"#),
        1.0
    );
    assert_eq!(
        count(r#"webhooks_deliveries_total{provider="ycloud",outcome="rejected"}"#),
        2.0
    );
    assert_eq!(
        count(r#"webhooks_deliveries_total{provider="ycloud",outcome="parked"}"#),
        1.0
    );
    // The worker's two runs of the failing delivery.
    assert_eq!(
        count(r#"webhooks_deliveries_total{provider="ycloud",outcome="failed"}"#),
        2.0
    );
    assert_eq!(
        count(r#"webhooks_rejections_total{provider="ycloud",kind="missing_signature"}"#),
        1.0
    );
    assert_eq!(
        count(r#"webhooks_rejections_total{provider="ycloud",kind="invalid_signature"}"#),
        1.0
    );
    assert_eq!(
        count(r#"webhooks_attempts_total{provider="ycloud",result="retry"}"#),
        1.0
    );
    assert_eq!(count(r#"webhooks_inbox_pending{provider="ycloud"}"#), 0.0);
    // Handler runs: 3 handled + 1 parked in the request, 2 by the worker; verifications: the 5
    // authentic deliveries (the duplicate is verified before it is recognised).
    assert_eq!(
        count(r#"webhooks_handler_duration_seconds_count{provider="ycloud"}"#),
        6.0
    );
    assert_eq!(
        count(r#"webhooks_verification_duration_seconds_count{provider="ycloud"}"#),
        5.0
    );
    assert!(
        !text.contains("evt_"),
        "an event id became a label:\n{text}"
    );
}
