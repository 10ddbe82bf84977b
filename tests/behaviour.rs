//! Each line of the behaviour table in the crate docs, through `tower::ServiceExt::oneshot`.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::{Body, Bytes};
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::{any, post};
use axum::{Json, Router};
use common::{Calls, NOW, SECRET, body_string, post as post_req, ycloud_body};
use http_body_util::StreamBody;
use tower::{Service, ServiceExt};
use tower_webhooks::provider::{conversation, wappcloud, ycloud, yeastar};
use tower_webhooks::store::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, MemoryStore, Schedule, Settlement, StoreError,
    StoredDelivery, Taken,
};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Ack, Event, FixedClock, Rejection, RejectionKind, Verified, WebhookLayer};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Sends a signed YCloud delivery with event id `id` to `/hook`.
async fn deliver(app: &Router, id: &str) -> Result<axum::response::Response, Infallible> {
    app.clone()
        .oneshot(signer().request("/hook", ycloud_body(id)))
        .await
}

fn signer() -> Signer {
    Signer::new(ycloud::scheme(), SECRET).unwrap().at(NOW)
}

fn layer() -> WebhookLayer {
    WebhookLayer::ycloud(SECRET).with_clock(FixedClock(NOW))
}

/// A YCloud route whose handler counts calls and answers 201 "created <id>".
fn app(layer: WebhookLayer, calls: &Calls) -> Router {
    let calls = calls.clone();
    Router::new().route(
        "/hook",
        post(move |event: Event<ycloud::Event>| async move {
            calls.hit();
            (StatusCode::CREATED, format!("created {}", event.id))
        })
        .layer(layer),
    )
}

#[tokio::test]
async fn authentic_new_delivery_reaches_the_handler_once_with_its_response() -> TestResult {
    let calls = Calls::default();
    let response = app(layer(), &calls)
        .oneshot(signer().request("/hook", ycloud_body("evt_1")))
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(body_string(response).await, "created evt_1");
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test]
async fn duplicate_of_a_completed_delivery_is_acknowledged_without_the_handler() -> TestResult {
    let calls = Calls::default();
    let app = app(layer(), &calls);
    let first = deliver(&app, "evt_1").await?;
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = deliver(&app, "evt_1").await?;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(body_string(again).await, "");
    assert_eq!(calls.get(), 1);
    // Another id is new.
    let other = deliver(&app, "evt_2").await?;
    assert_eq!(other.status(), StatusCode::CREATED);
    assert_eq!(calls.get(), 2);
    Ok(())
}

/// A YCloud route whose handler counts calls, then waits for `gate` and answers `status`.
fn gated_app(
    layer: WebhookLayer,
    calls: &Calls,
    gate: &Arc<tokio::sync::Notify>,
    status: StatusCode,
) -> Router {
    let (calls, gate) = (calls.clone(), gate.clone());
    Router::new().route(
        "/hook",
        post(move || async move {
            calls.hit();
            gate.notified().await;
            status
        })
        .layer(layer),
    )
}

#[tokio::test]
async fn duplicate_of_a_delivery_in_flight_is_acknowledged_without_the_handler() -> TestResult {
    let calls = Calls::default();
    let gate = Arc::new(tokio::sync::Notify::new());
    let app = gated_app(layer(), &calls, &gate, StatusCode::OK);
    let first = tokio::spawn(
        app.clone()
            .oneshot(signer().request("/hook", ycloud_body("evt_1"))),
    );
    while calls.get() == 0 {
        tokio::task::yield_now().await;
    }
    let second = deliver(&app, "evt_1").await?;
    assert_eq!(second.status(), StatusCode::OK);
    gate.notify_one();
    assert_eq!(first.await??.status(), StatusCode::OK);
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test]
async fn duplicate_in_flight_under_ack_passthrough_is_409_so_it_is_retried() -> TestResult {
    let calls = Calls::default();
    let gate = Arc::new(tokio::sync::Notify::new());
    let layer = layer().with_ack(Ack::Passthrough);
    let app = gated_app(layer, &calls, &gate, StatusCode::INTERNAL_SERVER_ERROR);
    let first = tokio::spawn(
        app.clone()
            .oneshot(signer().request("/hook", ycloud_body("evt_1"))),
    );
    while calls.get() == 0 {
        tokio::task::yield_now().await;
    }
    let copy = deliver(&app, "evt_1").await?;
    assert_eq!(copy.status(), StatusCode::CONFLICT);
    assert_eq!(body_string(copy).await, Rejection::InFlight.to_string());
    gate.notify_one();
    assert_eq!(first.await??.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identical_deliveries_call_the_handler_exactly_once() -> TestResult {
    let calls = Calls::default();
    let app = app(layer(), &calls);
    for round in 0..20 {
        let id = format!("evt_{round}");
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                tokio::spawn(
                    app.clone()
                        .oneshot(signer().request("/hook", ycloud_body(&id))),
                )
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            let response = task.await??;
            assert!(response.status().is_success(), "{}", response.status());
            if response.status() == StatusCode::CREATED {
                created += 1;
            }
        }
        assert_eq!(created, 1, "round {round}");
    }
    assert_eq!(calls.get(), 20);
    Ok(())
}

#[tokio::test]
async fn handshake_is_echoed_without_the_handler() -> TestResult {
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let app = Router::new().route(
        "/wapp",
        any(move || async move {
            handler_calls.hit();
            "handler"
        })
        .layer(WebhookLayer::wappcloud(SECRET)),
    );
    let request = Request::get("/wapp?challenge=abc123").body(Body::empty())?;
    let response = app.clone().oneshot(request).await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(body_string(response).await, r#"{"challenge":"abc123"}"#);

    let hostile = Request::get("/wapp?challenge=%22%3Cscript%3E%0A").body(Body::empty())?;
    let response = app.clone().oneshot(hostile).await?;
    let text = body_string(response).await;
    assert!(!text.contains('<'), "{text}");
    let echoed: serde_json::Value = serde_json::from_str(&text)?;
    assert_eq!(echoed["challenge"], "\"<script>\n");

    let missing = app
        .oneshot(Request::get("/wapp").body(Body::empty())?)
        .await?;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(calls.get(), 0);
    Ok(())
}

#[tokio::test]
async fn signature_missing_malformed_or_wrong_is_401_without_the_handler() -> TestResult {
    let calls = Calls::default();
    let app = app(layer(), &calls);
    let body = ycloud_body("evt_1");

    let missing = app.clone().oneshot(post_req("/hook", body.clone())).await?;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_string(missing).await,
        Rejection::MissingSignature.to_string()
    );

    for value in [
        "garbage",
        "t=1700000000,s=",
        "t=1700000000,s=zz",
        "t=abc,s=00",
        "s=00",
    ] {
        let mut request = post_req("/hook", body.clone());
        request
            .headers_mut()
            .insert("ycloud-signature", value.parse()?);
        let response = app.clone().oneshot(request).await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{value}");
        assert!(
            body_string(response)
                .await
                .starts_with("webhook signature is malformed"),
            "{value}"
        );
    }

    let forged = Signer::new(ycloud::scheme(), "another secret")?.at(NOW);
    let response = app
        .clone()
        .oneshot(forged.request("/hook", body.clone()))
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_string(response).await,
        Rejection::InvalidSignature.to_string()
    );

    // Signed over other bytes than those sent.
    let mut tampered = signer().request("/hook", body.clone());
    *tampered.body_mut() = Body::from(body.replace("delivered", "read"));
    let response = app.oneshot(tampered).await?;
    assert_eq!(
        body_string(response).await,
        Rejection::InvalidSignature.to_string()
    );
    assert_eq!(calls.get(), 0);
    Ok(())
}

#[tokio::test]
async fn stale_or_future_timestamp_is_its_own_401() -> TestResult {
    let calls = Calls::default();
    let app = app(layer(), &calls);
    for at in [NOW - 301, NOW + 301] {
        let request = Signer::new(ycloud::scheme(), SECRET)?
            .at(at)
            .request("/hook", ycloud_body("evt_1"));
        let response = app.clone().oneshot(request).await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            body_string(response).await,
            Rejection::StaleTimestamp.to_string()
        );
    }
    for at in [NOW - 300, NOW + 300] {
        let request = Signer::new(ycloud::scheme(), SECRET)?
            .at(at)
            .request("/hook", ycloud_body(&format!("evt_{at}")));
        assert_eq!(
            app.clone().oneshot(request).await?.status(),
            StatusCode::CREATED
        );
    }
    assert_eq!(calls.get(), 2);
    Ok(())
}

#[tokio::test]
async fn tolerance_is_configurable() -> TestResult {
    let calls = Calls::default();
    let app = app(layer().with_tolerance(Duration::from_secs(10)), &calls);
    let request = signer().at(NOW - 11).request("/hook", ycloud_body("evt_1"));
    assert_eq!(
        app.clone().oneshot(request).await?.status(),
        StatusCode::UNAUTHORIZED
    );
    let request = signer().at(NOW - 10).request("/hook", ycloud_body("evt_1"));
    assert_eq!(app.oneshot(request).await?.status(), StatusCode::CREATED);
    Ok(())
}

#[tokio::test]
async fn body_over_the_limit_is_413_by_length_or_while_streaming() -> TestResult {
    let calls = Calls::default();
    let app = app(layer().with_body_limit(1024), &calls);

    let big = format!(
        r#"{{"id":"evt_1","type":"t","pad":"{}"}}"#,
        "x".repeat(2000)
    );
    let mut declared = signer().request("/hook", big.clone());
    declared
        .headers_mut()
        .insert(header::CONTENT_LENGTH, big.len().into());
    assert_eq!(
        app.clone().oneshot(declared).await?.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // No Content-Length: a stream of 100-byte chunks.
    let chunks: Vec<Result<_, Infallible>> = big
        .as_bytes()
        .chunks(100)
        .map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    let streaming = StreamBody::new(futures_util::stream::iter(chunks));
    let mut request = signer().request("/hook", big.clone());
    *request.body_mut() = Body::new(streaming);
    assert_eq!(
        app.clone().oneshot(request).await?.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // Exactly at the limit passes.
    let prefix = r#"{"id":"evt_2","type":"t","pad":""#;
    let at_limit = format!("{prefix}{}\"}}", "x".repeat(1024 - prefix.len() - 2));
    assert_eq!(at_limit.len(), 1024);
    assert_eq!(
        app.oneshot(signer().request("/hook", at_limit))
            .await?
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test]
async fn other_methods_are_405_with_allow() -> TestResult {
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let ycloud_app = Router::new().route(
        "/hook",
        any(move || async move {
            handler_calls.hit();
        })
        .layer(layer()),
    );
    for method in [
        Method::GET,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ] {
        let request = Request::builder()
            .method(method.clone())
            .uri("/hook")
            .body(Body::empty())?;
        let response = ycloud_app.clone().oneshot(request).await?;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(response.headers()[header::ALLOW], "POST");
    }
    let wapp = Router::new().route(
        "/w",
        any(|| async {}).layer(WebhookLayer::wappcloud(SECRET)),
    );
    let response = wapp
        .oneshot(Request::put("/w").body(Body::empty())?)
        .await?;
    assert_eq!(response.headers()[header::ALLOW], "GET, POST");
    assert_eq!(calls.get(), 0);
    Ok(())
}

/// A store whose backend is down.
#[derive(Debug)]
struct DownStore;

#[async_trait]
impl DeliveryStore for DownStore {
    async fn claim(&self, _: &str) -> Result<Claim, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn complete(&self, _: &str, _: ClaimToken) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn release(&self, _: &str, _: ClaimToken) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn park(&self, _: ClaimToken, _: StoredDelivery, _: Schedule) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn take_due(&self, _: usize, _: Duration) -> Result<Vec<Taken>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn settle(&self, _: &str, _: ClaimToken, _: Settlement) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn inbox(&self, _: InboxStatus, _: usize) -> Result<Vec<StoredDelivery>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn replay(&self, _: &str) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn purge(&self, _: &str) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

/// The deliveries the store's inbox holds with `status`.
async fn inbox(
    store: &MemoryStore,
    status: InboxStatus,
) -> Result<Vec<StoredDelivery>, StoreError> {
    store.inbox(status, 100).await
}

#[tokio::test]
async fn store_unavailable_is_503_without_the_handler() -> TestResult {
    let calls = Calls::default();
    let app = app(layer().with_store(DownStore), &calls);
    let response = deliver(&app, "evt_1").await?;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(calls.get(), 0);
    Ok(())
}

#[tokio::test]
async fn ack_immediately_stores_then_answers_without_the_handler() -> TestResult {
    let calls = Calls::default();
    let store = MemoryStore::new();
    let app = app(
        layer().with_store(store.clone()).with_ack(Ack::Immediately),
        &calls,
    );
    let response = deliver(&app, "evt_1").await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        calls.get(),
        0,
        "the worker runs the handler, not the request"
    );
    let pending = inbox(&store, InboxStatus::Pending).await?;
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].attempts, &pending[0].last_error), (0, &None));
    // A copy is a duplicate: acknowledged, not stored twice.
    assert_eq!(deliver(&app, "evt_1").await?.status(), StatusCode::OK);
    assert_eq!(inbox(&store, InboxStatus::Pending).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn ack_immediately_never_acknowledges_what_it_could_not_store() -> TestResult {
    let calls = Calls::default();
    for (store, name) in [
        (Arc::new(DownStore) as Arc<dyn DeliveryStore>, "down"),
        (Arc::new(tower_webhooks::testing::NoStore), "keeps nothing"),
        (Arc::new(MemoryStore::new().with_max_inbox(0)), "full"),
    ] {
        let app = app(layer().with_store(store).with_ack(Ack::Immediately), &calls);
        let response = deliver(&app, "evt_1").await?;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{name}");
    }
    assert_eq!(calls.get(), 0);
    Ok(())
}

#[tokio::test]
async fn authentic_but_unidentifiable_is_kept_and_acknowledged_under_ack_always() -> TestResult {
    let calls = Calls::default();
    let store = MemoryStore::new();
    let app = app(layer().with_store(store.clone()), &calls);
    for body in [
        "not json",
        r#"{"type":"no id"}"#,
        r#"{"id":"","type":"empty id"}"#,
    ] {
        let response = app.clone().oneshot(signer().request("/hook", body)).await?;
        assert_eq!(response.status(), StatusCode::OK, "{body}");
    }
    // The same unidentifiable body again is a duplicate: kept once.
    let again = app.oneshot(signer().request("/hook", "not json")).await?;
    assert_eq!(again.status(), StatusCode::OK);
    // Dead at once: no handler can take a delivery without an id.
    assert!(inbox(&store, InboxStatus::Pending).await?.is_empty());
    let failed = inbox(&store, InboxStatus::Dead).await?;
    assert_eq!(failed.len(), 3);
    assert_eq!(failed[0].body, "not json");
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("body is not valid JSON")
    );
    assert_eq!(
        failed[1].last_error.as_deref(),
        Some("delivery id is missing")
    );
    assert!(failed[0].headers.contains_key("ycloud-signature"));
    assert_eq!(calls.get(), 0);
    Ok(())
}

#[tokio::test]
async fn authentic_but_unidentifiable_is_422_under_ack_passthrough() -> TestResult {
    let calls = Calls::default();
    let app = app(layer().with_ack(Ack::Passthrough), &calls);
    let response = app.oneshot(signer().request("/hook", "not json")).await?;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(calls.get(), 0);
    Ok(())
}

/// A handler that fails its first `failures` calls with `status` (or a panic when `None`).
fn flaky_app(
    layer: WebhookLayer,
    calls: &Calls,
    failures: usize,
    status: Option<StatusCode>,
) -> Router {
    let calls = calls.clone();
    let seen = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/hook",
        post(move |_: Event| async move {
            calls.hit();
            if seen.fetch_add(1, Ordering::SeqCst) < failures {
                match status {
                    Some(status) => return (status, "failed"),
                    None => panic!("handler exploded"),
                }
            }
            (StatusCode::OK, "ok")
        })
        .layer(layer),
    )
}

#[tokio::test]
async fn failing_handler_under_ack_always_is_acknowledged_and_kept() -> TestResult {
    let calls = Calls::default();
    let store = MemoryStore::new();
    let app = flaky_app(
        layer().with_store(store.clone()),
        &calls,
        1,
        Some(StatusCode::INTERNAL_SERVER_ERROR),
    );
    let response = deliver(&app, "evt_1").await?;
    assert_eq!(response.status(), StatusCode::OK);
    // Pending for the worker's retry, after the first delay of the backoff.
    let failed = inbox(&store, InboxStatus::Pending).await?;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, "evt_1");
    assert_eq!(failed[0].key, "ycloud:evt_1");
    assert_eq!(failed[0].provider, "ycloud");
    assert_eq!(
        failed[0].event_type.as_deref(),
        Some("whatsapp.message.updated")
    );
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("handler answered 500 Internal Server Error")
    );
    assert_eq!(failed[0].attempts, 1);
    assert_eq!(failed[0].uri, "/hook");
    assert_eq!(failed[0].method, http::Method::POST);
    assert_eq!(failed[0].body, ycloud_body("evt_1"));
    let now = tower_webhooks::Clock::now(&tower_webhooks::SystemClock);
    let due_in = failed[0].next_attempt_at.unwrap_or_default() - now;
    assert!((9..=11).contains(&due_in), "due in {due_in} s");
    // Recorded, so a redelivery is not processed twice.
    let again = deliver(&app, "evt_1").await?;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test]
async fn panicking_handler_under_ack_always_is_acknowledged_and_kept() -> TestResult {
    let calls = Calls::default();
    let store = MemoryStore::new();
    let app = flaky_app(layer().with_store(store.clone()), &calls, 1, None);
    let response = deliver(&app, "evt_1").await?;
    assert_eq!(response.status(), StatusCode::OK);
    let failed = inbox(&store, InboxStatus::Pending).await?;
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("handler panicked: handler exploded")
    );
    Ok(())
}

#[tokio::test]
async fn failure_that_cannot_be_kept_is_503_so_the_provider_retries() -> TestResult {
    let calls = Calls::default();
    let store = MemoryStore::new().with_max_inbox(0);
    let app = flaky_app(
        layer().with_store(store.clone()),
        &calls,
        1,
        Some(StatusCode::BAD_GATEWAY),
    );
    let response = deliver(&app, "evt_1").await?;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    // The claim was released: the retry is processed.
    let retry = deliver(&app, "evt_1").await?;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(calls.get(), 2);
    Ok(())
}

#[tokio::test]
async fn failing_handler_under_ack_passthrough_returns_its_status_and_the_retry_runs() -> TestResult
{
    let calls = Calls::default();
    let store = MemoryStore::new();
    let layer = layer().with_store(store.clone()).with_ack(Ack::Passthrough);
    let app = flaky_app(layer, &calls, 2, Some(StatusCode::SERVICE_UNAVAILABLE));
    let first = deliver(&app, "evt_1").await?;
    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE);
    let second = deliver(&app, "evt_1").await?;
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    let third = deliver(&app, "evt_1").await?;
    assert_eq!(third.status(), StatusCode::OK);
    let fourth = deliver(&app, "evt_1").await?;
    assert_eq!(fourth.status(), StatusCode::OK);
    assert_eq!(calls.get(), 3);
    assert!(inbox(&store, InboxStatus::Pending).await?.is_empty());
    assert!(inbox(&store, InboxStatus::Dead).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn panicking_handler_under_ack_passthrough_is_500_and_released() -> TestResult {
    let calls = Calls::default();
    let app = flaky_app(layer().with_ack(Ack::Passthrough), &calls, 1, None);
    let first = deliver(&app, "evt_1").await?;
    assert_eq!(first.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let retry = deliver(&app, "evt_1").await?;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(calls.get(), 2);
    Ok(())
}

#[tokio::test]
async fn abandoned_delivery_releases_its_claim() -> TestResult {
    let calls = Calls::default();
    let app = {
        let calls = calls.clone();
        Router::new().route(
            "/hook",
            post(move || async move {
                calls.hit();
                if calls.get() == 1 {
                    std::future::pending::<()>().await;
                }
                "ok"
            })
            .layer(layer()),
        )
    };
    // The client gives up: the future is dropped mid-handler.
    let abandoned = tokio::time::timeout(
        Duration::from_millis(50),
        app.clone()
            .oneshot(signer().request("/hook", ycloud_body("evt_1"))),
    )
    .await;
    assert!(abandoned.is_err());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let retry = deliver(&app, "evt_1").await?;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(calls.get(), 2);
    Ok(())
}

#[tokio::test]
async fn rejection_statuses_are_configurable() -> TestResult {
    let calls = Calls::default();
    let layer = layer()
        .with_status(RejectionKind::InvalidSignature, StatusCode::FORBIDDEN)
        .with_status(RejectionKind::MissingSignature, StatusCode::BAD_REQUEST);
    let app = app(layer, &calls);
    let forged = Signer::new(ycloud::scheme(), "wrong")?
        .at(NOW)
        .request("/hook", ycloud_body("e"));
    assert_eq!(
        app.clone().oneshot(forged).await?.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.clone()
            .oneshot(post_req("/hook", ycloud_body("e")))
            .await?
            .status(),
        StatusCode::BAD_REQUEST
    );
    let stale = signer().at(NOW - 1000).request("/hook", ycloud_body("e"));
    assert_eq!(app.oneshot(stale).await?.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

/// A preset constructor, its scheme (to sign with) and a body it accepts.
type Preset = (
    fn(&str) -> WebhookLayer,
    tower_webhooks::scheme::Scheme,
    &'static str,
);

#[tokio::test]
async fn any_of_several_secrets_passes_on_every_preset() -> TestResult {
    let presets: [Preset; 3] = [
        (
            |s| WebhookLayer::ycloud(s),
            ycloud::scheme(),
            r#"{"id":"e1","type":"t"}"#,
        ),
        (
            |s| WebhookLayer::wappcloud(s),
            wappcloud::scheme(),
            r#"{"event":"incoming_message"}"#,
        ),
        (
            |s| WebhookLayer::yeastar(s),
            yeastar::scheme(),
            r#"{"event":"test"}"#,
        ),
    ];
    for (preset, scheme, body) in presets {
        let layer = preset("new-secret")
            .with_secret("old-secret")
            .with_clock(FixedClock(NOW));
        let app = Router::new().route("/h", post(|| async { "ok" }).layer(layer));
        for (secret, status) in [("old-secret", 200), ("new-secret", 200), ("other", 401)] {
            let request = Signer::new(scheme.clone(), secret)?
                .at(NOW)
                .request("/h", format!("{body}{}", " ".repeat(secret.len())));
            let response = app.clone().oneshot(request).await?;
            assert_eq!(response.status(), status, "{} {secret}", scheme.provider());
        }
    }
    let conversation = WebhookLayer::conversation()
        .with_secret("a")
        .with_secret("b");
    let app = Router::new().route("/c", post(|| async { "ok" }).layer(conversation));
    let body = conversation_body("m1", "RECEIVED");
    let request = Signer::new(conversation::scheme(), "b")?.request("/c", body);
    assert_eq!(app.oneshot(request).await?.status(), StatusCode::OK);
    Ok(())
}

fn conversation_body(id: &str, status: &str) -> String {
    format!(
        r#"{{"conversation_id":"c1","data":{{"id":"{id}","content":"Hi","content_type":"TEXT","type":"USER_INPUT","channel":"WHATSAPP","status":"{status}","created_by":"u","updated_by":"u","created_at":"2024-03-21T10:00:00Z","updated_at":"2024-03-21T10:00:00Z"}},"timestamp":"2024-03-21T10:00:00.000Z"}}"#
    )
}

#[tokio::test]
async fn conversation_processes_each_status_of_a_message_once() -> TestResult {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let app = {
        let seen = seen.clone();
        Router::new().route(
            "/c",
            post(move |event: Event<conversation::Message>| async move {
                seen.lock().unwrap().push((
                    event.id().to_owned(),
                    event.data.status,
                    event.verified().key().to_owned(),
                ));
            })
            .layer(WebhookLayer::conversation()),
        )
    };
    for status in ["RECEIVED", "RECEIVED", "PROCESSED", "PROCESSED", "FAILED"] {
        let response = app
            .clone()
            .oneshot(post_req("/c", conversation_body("m1", status)))
            .await?;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].0, "m1");
    assert_eq!(seen[0].1, conversation::Status::Received);
    assert_eq!(seen[0].2, "m1:RECEIVED");
    assert_eq!(seen[2].1, conversation::Status::Failed);
    Ok(())
}

#[tokio::test]
async fn conversation_with_a_secret_requires_the_signature() -> TestResult {
    let app = Router::new().route(
        "/c",
        post(|| async {}).layer(WebhookLayer::conversation().with_secret("s")),
    );
    let unsigned = app
        .clone()
        .oneshot(post_req("/c", conversation_body("m1", "RECEIVED")))
        .await?;
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let signed = Signer::new(conversation::scheme(), "s")?
        .request("/c", conversation_body("m1", "RECEIVED"));
    assert_eq!(app.oneshot(signed).await?.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn yeastar_test_event_is_acknowledged_and_get_delivery_works() -> TestResult {
    let calls = Calls::default();
    let app = {
        let calls = calls.clone();
        Router::new().route(
            "/y",
            any(move |event: Event<yeastar::Event>| async move {
                assert!(event.is_test());
                assert_eq!(event.event_type(), Some("test"));
                calls.hit();
            })
            .layer(WebhookLayer::yeastar(SECRET)),
        )
    };
    let body = r#"{"event":"test","message":"This is a webhook connectivity test."}"#;
    let signer = Signer::new(yeastar::scheme(), SECRET)?;
    assert_eq!(
        app.clone()
            .oneshot(signer.request("/y", body))
            .await?
            .status(),
        StatusCode::OK
    );
    let mut get = signer.request("/y", format!("{body} "));
    *get.method_mut() = Method::GET;
    assert_eq!(app.oneshot(get).await?.status(), StatusCode::OK);
    assert_eq!(calls.get(), 2);
    Ok(())
}

#[tokio::test]
async fn wappcloud_event_type_comes_from_its_header() -> TestResult {
    let app = Router::new().route(
        "/w",
        post(|event: Event<wappcloud::Event>| async move {
            event.event_type().unwrap_or("none").to_owned()
        })
        .layer(WebhookLayer::wappcloud(SECRET)),
    );
    let mut request =
        Signer::new(wappcloud::scheme(), SECRET)?.request("/w", r#"{"data":{"id":"m"}}"#);
    request
        .headers_mut()
        .insert("x-wappcloud-event", "status_update".parse()?);
    let response = app.oneshot(request).await?;
    assert_eq!(body_string(response).await, "status_update");
    Ok(())
}

#[tokio::test]
async fn event_extractor_exposes_the_verified_facts_and_shares_the_buffer() -> TestResult {
    let app = Router::new().route(
        "/hook",
        post(
            |event: Event<ycloud::Event>, verified: Verified, bytes: Bytes| async move {
                assert_eq!(event.id(), "evt_1");
                assert_eq!(event.event_type(), Some("whatsapp.message.updated"));
                assert_eq!(event.timestamp(), Some(NOW));
                assert_eq!(event.provider(), "ycloud");
                assert_eq!(event.api_version.as_deref(), Some("v2"));
                assert_eq!(event.extra["whatsappMessage"]["status"], "delivered");
                assert!(verified.is_signed());
                // One buffer: the extractor's raw bytes, the Verified extension and axum's Bytes.
                assert_eq!(event.raw().as_ptr(), verified.raw().as_ptr());
                assert_eq!(bytes.as_ptr(), verified.raw().as_ptr());
                assert_eq!(bytes, ycloud_body("evt_1"));
                "checked"
            },
        )
        .layer(layer()),
    );
    let response = deliver(&app, "evt_1").await?;
    assert_eq!(body_string(response).await, "checked");
    Ok(())
}

#[tokio::test]
async fn axum_string_and_json_extractors_work_behind_the_layer() -> TestResult {
    let app = Router::new()
        .route(
            "/s",
            post(|s: String| async move { s.len().to_string() }).layer(layer()),
        )
        .route(
            "/j",
            post(|Json(v): Json<serde_json::Value>| async move {
                v["id"].as_str().unwrap_or("").to_owned()
            })
            .layer(layer()),
        );
    let response = app
        .clone()
        .oneshot(signer().request("/s", ycloud_body("evt_1")))
        .await?;
    assert_eq!(
        body_string(response).await,
        ycloud_body("evt_1").len().to_string()
    );
    let response = app
        .oneshot(signer().request("/j", ycloud_body("evt_2")))
        .await?;
    assert_eq!(body_string(response).await, "evt_2");
    Ok(())
}

#[tokio::test]
async fn the_layer_limit_holds_whatever_default_body_limit_says() -> TestResult {
    // A 3 MiB body: over axum's 2 MB default, within the layer's configured 4 MiB.
    let big = format!(
        r#"{{"id":"evt_big","type":"t","pad":"{}"}}"#,
        "x".repeat(3 << 20)
    );
    let router = |inner_limit: Option<usize>| {
        let route = post(|b: Bytes| async move { b.len().to_string() })
            .layer(layer().with_body_limit(4 << 20));
        let router = Router::new().route("/hook", route);
        match inner_limit {
            Some(limit) => router.layer(DefaultBodyLimit::max(limit)),
            None => router,
        }
    };
    for limit in [None, Some(10)] {
        let response = router(limit)
            .oneshot(signer().request("/hook", big.clone()))
            .await?;
        assert_eq!(response.status(), StatusCode::OK, "{limit:?}");
        assert_eq!(body_string(response).await, big.len().to_string());
    }
    // And the layer's own limit is enforced even when axum's is larger.
    let strict = Router::new()
        .route(
            "/hook",
            post(|b: Bytes| async move { b.len().to_string() }).layer(layer().with_body_limit(100)),
        )
        .layer(DefaultBodyLimit::max(10 << 20));
    let response = strict.oneshot(signer().request("/hook", big)).await?;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    Ok(())
}

#[tokio::test]
async fn event_without_the_layer_is_a_clear_500() -> TestResult {
    let app = Router::new().route("/hook", post(|_: Event| async {}));
    let response = app.oneshot(post_req("/hook", "{}")).await?;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body_string(response).await.contains("needs a WebhookLayer"));
    Ok(())
}

#[tokio::test]
async fn payload_of_another_shape_is_rejected_by_the_extractor_and_kept() -> TestResult {
    let store = MemoryStore::new();
    let app = Router::new().route(
        "/hook",
        post(|_: Event<ycloud::Event>| async {}).layer(layer().with_store(store.clone())),
    );
    // Authentic with an id, but `type` is a number: the handler's extractor refuses it (422);
    // under Ack::Always the provider still hears 200 and the delivery is kept.
    let response = app
        .oneshot(signer().request("/hook", r#"{"id":"evt_1","type":5}"#))
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        inbox(&store, InboxStatus::Pending).await?[0]
            .last_error
            .as_deref(),
        Some("handler answered 422 Unprocessable Entity")
    );
    Ok(())
}

#[tokio::test]
async fn works_as_a_plain_tower_service() -> TestResult {
    use tower::Layer;
    let calls = Calls::default();
    let handler_calls = calls.clone();
    let inner = tower::service_fn(move |request: Request<Body>| {
        let calls = handler_calls.clone();
        async move {
            calls.hit();
            let verified = request.extensions().get::<Verified>().cloned();
            Ok::<_, Infallible>(axum::response::Response::new(Body::from(
                verified.map(|v| v.id().to_owned()).unwrap_or_default(),
            )))
        }
    });
    let mut service = layer().layer(inner);
    let response = ServiceExt::<Request<Body>>::ready(&mut service)
        .await?
        .call(signer().request("/any", ycloud_body("evt_9")))
        .await?;
    assert_eq!(body_string(response).await, "evt_9");
    assert_eq!(calls.get(), 1);
    Ok(())
}
