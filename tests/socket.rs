//! The layer behind a real server on a loopback socket, driven by a real HTTP client.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::routing::post;
use common::client::send;
use common::{Calls, SECRET, ycloud_body};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower_webhooks::provider::{wappcloud, ycloud};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Event, WebhookLayer};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn ycloud_app(layer: WebhookLayer, calls: &Calls) -> Router {
    let calls = calls.clone();
    Router::new().route(
        "/webhooks/ycloud",
        post(move |event: Event<ycloud::Event>| async move {
            calls.hit();
            format!("handled {}", event.id)
        })
        .layer(layer),
    )
}

fn signer() -> Signer {
    Signer::new(ycloud::scheme(), SECRET).unwrap()
}

#[tokio::test]
async fn valid_duplicate_forged_and_stale_over_http() -> TestResult {
    let calls = Calls::default();
    let addr = serve(ycloud_app(WebhookLayer::ycloud(SECRET), &calls)).await;
    let url = "/webhooks/ycloud";

    let (status, body) = send(addr, signer().request(url, ycloud_body("evt_1"))).await?;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "handled evt_1"));
    let (status, body) = send(addr, signer().request(url, ycloud_body("evt_1"))).await?;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    let forged =
        Signer::new(ycloud::scheme(), "not the secret")?.request(url, ycloud_body("evt_2"));
    assert_eq!(send(addr, forged).await?.0, StatusCode::UNAUTHORIZED);
    let stale = signer()
        .at(1_000_000_000)
        .request(url, ycloud_body("evt_3"));
    assert_eq!(send(addr, stale).await?.0, StatusCode::UNAUTHORIZED);
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test]
async fn wappcloud_challenge_over_http() -> TestResult {
    let app = Router::new().route(
        "/w",
        post(|| async { "event" })
            .get(|| async { "never" })
            .layer(WebhookLayer::wappcloud(SECRET)),
    );
    let addr = serve(app).await;
    let (status, body) = send(
        addr,
        Request::get("/w?challenge=abc123").body(Body::empty())?,
    )
    .await?;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"challenge":"abc123"}"#)
    );
    let event = Signer::new(wappcloud::scheme(), SECRET)?.request("/w", r#"{"event":"x"}"#);
    assert_eq!(
        send(addr, event).await?,
        (StatusCode::OK, "event".to_owned())
    );
    Ok(())
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413() -> TestResult {
    let calls = Calls::default();
    let addr = serve(ycloud_app(
        WebhookLayer::ycloud(SECRET).with_body_limit(64 * 1024),
        &calls,
    ))
    .await;
    // A streamed body of 128 KiB without Content-Length (chunked transfer encoding).
    let chunks: Vec<Result<_, std::convert::Infallible>> = (0..128)
        .map(|_| Ok(http_body::Frame::data(Bytes::from(vec![b' '; 1024]))))
        .collect();
    let mut request = signer().request("/webhooks/ycloud", "");
    *request.body_mut() = Body::new(http_body_util::StreamBody::new(futures_util::stream::iter(
        chunks,
    )));
    let (status, _) = send(addr, request).await?;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(calls.get(), 0);
    Ok(())
}

#[tokio::test]
async fn slow_sender_gets_408_and_others_are_served_meanwhile() -> TestResult {
    let calls = Calls::default();
    let layer = WebhookLayer::ycloud(SECRET).with_body_timeout(Duration::from_millis(300));
    let addr = serve(ycloud_app(layer, &calls)).await;

    // Headers and half of the declared body, then nothing.
    let mut slow = TcpStream::connect(addr).await?;
    slow.write_all(
        b"POST /webhooks/ycloud HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
          ycloud-signature: t=1,s=00\r\ncontent-length: 100\r\n\r\n{\"id\":",
    )
    .await?;

    let (status, _) = send(
        addr,
        signer().request("/webhooks/ycloud", ycloud_body("evt_ok")),
    )
    .await?;
    assert_eq!(status, StatusCode::OK);

    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(read.is_ok(), "the server kept the slow connection open");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(calls.get(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identical_deliveries_over_sockets_run_the_handler_once() -> TestResult {
    let calls = Calls::default();
    let gate_calls = calls.clone();
    let app = Router::new().route(
        "/webhooks/ycloud",
        post(move |_: Event<ycloud::Event>| async move {
            gate_calls.hit();
            // Hold the claim a while so that the duplicates arrive while it is in flight.
            tokio::time::sleep(Duration::from_millis(50)).await;
            "handled"
        })
        .layer(WebhookLayer::ycloud(SECRET)),
    );
    let addr = serve(app).await;
    let body = ycloud_body("evt_concurrent");
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let request = signer().request("/webhooks/ycloud", body.clone());
            tokio::spawn(send(addr, request))
        })
        .collect();
    let mut handled = 0;
    for task in tasks {
        let (status, body) = task.await?.map_err(|e| e.to_string())?;
        assert_eq!(status, StatusCode::OK);
        handled += usize::from(body == "handled");
    }
    assert_eq!(handled, 1);
    assert_eq!(calls.get(), 1);
    Ok(())
}
