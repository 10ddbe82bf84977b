//! Nothing secret reaches the logs: not the secret, not a signature, not a body, at any level.

mod common;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use common::{Captured, SECRET, ycloud_body};
use tower::ServiceExt;
use tower_webhooks::provider::ycloud;
use tower_webhooks::store::MemoryStore;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Event, WebhookLayer};

#[tokio::test]
async fn no_secret_signature_or_body_in_logs_at_trace_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let marker = "PERSONAL-DATA-7f3a";
    let body = ycloud_body("evt_1").replace("delivered", marker);
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let signed = signer.request("/hook", body.clone());
    let signature = signed.headers()["ycloud-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let mac = signature.split("s=").nth(1).unwrap().to_owned();

    let layer = WebhookLayer::ycloud(SECRET)
        .with_secret("second-secret-value")
        .with_store(MemoryStore::new());
    tracing::debug!(?layer, "configured");
    let app = Router::new().route(
        "/hook",
        post(|event: Event<ycloud::Event>| async move {
            // A failing handler: the failure is logged and kept.
            assert!(!event.id().is_empty());
            StatusCode::INTERNAL_SERVER_ERROR
        })
        .layer(layer),
    );
    // Authentic (fails in the handler), duplicate, forged, malformed, unidentifiable.
    assert_eq!(app.clone().oneshot(signed).await.unwrap().status(), 200);
    let again = signer.request("/hook", body.clone());
    assert_eq!(app.clone().oneshot(again).await.unwrap().status(), 200);
    let forged = Signer::new(ycloud::scheme(), "forger")
        .unwrap()
        .request("/hook", body.clone());
    assert_eq!(app.clone().oneshot(forged).await.unwrap().status(), 401);
    let mut malformed = signer.request("/hook", body.clone());
    malformed.headers_mut().insert(
        "ycloud-signature",
        format!("t=1,s={mac}zz").parse().unwrap(),
    );
    assert_eq!(app.clone().oneshot(malformed).await.unwrap().status(), 401);
    let garbage = signer.request("/hook", format!("not json {marker}"));
    assert_eq!(app.oneshot(garbage).await.unwrap().status(), 200);

    let logs = captured.text();
    assert!(
        logs.contains("webhook handler failed"),
        "the failure was not logged:\n{logs}"
    );
    // No worker runs in this test: parking says so, once.
    assert_eq!(
        logs.matches("no worker runs in this process").count(),
        1,
        "the missing worker was not warned about once:\n{logs}"
    );
    assert!(
        logs.contains("webhook rejected"),
        "the rejections were not logged:\n{logs}"
    );
    for secret in [SECRET, "second-secret-value", mac.as_str(), marker] {
        assert!(
            !logs.contains(secret),
            "{secret:?} leaked into the logs:\n{logs}"
        );
    }
}

/// Every delivery runs in one `webhook` span that names it and records how it ended.
#[tokio::test]
async fn one_span_per_delivery_with_its_outcome() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let app = Router::new().route(
        "/hook",
        post(|_: Event<ycloud::Event>| async { "ok" }).layer(WebhookLayer::ycloud(SECRET)),
    );
    let body = ycloud_body("evt_span");
    for (request, status) in [
        (signer.request("/hook", body.clone()), 200),
        (signer.request("/hook", body.clone()), 200),
        (
            Signer::new(ycloud::scheme(), "forger")
                .unwrap()
                .request("/hook", body.clone()),
            401,
        ),
    ] {
        assert_eq!(app.clone().oneshot(request).await.unwrap().status(), status);
    }

    let logs = captured.text();
    let closed: Vec<&str> = logs.lines().filter(|l| l.contains("close")).collect();
    assert_eq!(closed.len(), 3, "one span per delivery:\n{logs}");
    let named = "webhook{provider=ycloud id=evt_span event_type=whatsapp.message.updated attempt=1";
    assert!(
        closed[0].contains(&format!("{named} outcome=handled}}")),
        "{logs}"
    );
    assert!(
        closed[1].contains(&format!("{named} outcome=duplicate}}")),
        "{logs}"
    );
    // A forgery is never identified: only the provider and the rejection are known.
    assert!(
        closed[2].contains("webhook{provider=ycloud rejection=InvalidSignature outcome=rejected}"),
        "{logs}"
    );
    assert!(!logs.contains(SECRET), "{logs}");
}
