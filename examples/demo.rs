//! End-to-end demo: a server with the four seed routes on an ephemeral port, and signed
//! deliveries from each provider sent to it over real HTTP (valid, duplicate, forged, stale,
//! challenge, oversize). Prints a table and exits 0 only if every answer is the expected one; then
//! a handler that fails twice, acknowledged at once and retried by the worker until it succeeds.
//!
//! ```text
//! cargo run --example demo
//! ```

#[path = "../tests/common/client.rs"]
mod client;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use tower_webhooks::provider::{conversation, wappcloud, ycloud, yeastar};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Backoff, Event, WebhookLayer};

const YCLOUD: &str = "whsec_demo_ycloud";
const WAPPCLOUD: &str = "demo_wappcloud";
const YEASTAR: &str = "Q7mZp2Lx9VbN4cTr8HsK1dWf6GjY3eUa";
const LIMIT: usize = 64 * 1024;

type Counters = Arc<BTreeMap<&'static str, AtomicUsize>>;

fn app(counters: &Counters) -> Router {
    let hit = |provider: &'static str| {
        let counters = counters.clone();
        move || counters[provider].fetch_add(1, Ordering::SeqCst)
    };
    let (y, w, ye, c) = (
        hit("ycloud"),
        hit("wappcloud"),
        hit("yeastar"),
        hit("conversation"),
    );
    Router::new()
        .route(
            "/webhooks/ycloud",
            post(move |_: Event<ycloud::Event>| async move {
                y();
            })
            .layer(WebhookLayer::ycloud(YCLOUD).with_body_limit(LIMIT)),
        )
        .route(
            "/webhooks/wappcloud",
            post(move |_: Event<wappcloud::Event>| async move {
                w();
            })
            .layer(WebhookLayer::wappcloud(WAPPCLOUD).with_body_limit(LIMIT)),
        )
        .route(
            "/webhooks/yeastar",
            post(move |_: Event<yeastar::Event>| async move {
                ye();
            })
            .layer(WebhookLayer::yeastar(YEASTAR).with_body_limit(LIMIT)),
        )
        .route(
            "/webhooks/conversation",
            post(move |_: Event<conversation::Message>| async move {
                c();
            })
            .layer(WebhookLayer::conversation().with_body_limit(LIMIT)),
        )
}

struct Case {
    provider: &'static str,
    name: &'static str,
    request: Request<Body>,
    status: StatusCode,
    handler: bool,
}

fn cases() -> Result<Vec<Case>, Box<dyn std::error::Error + Send + Sync>> {
    let ycloud_body = r#"{"id":"evt_demo_1","type":"whatsapp.message.updated","apiVersion":"v2","createTime":"2026-01-05T09:30:00.000Z","whatsappMessage":{"id":"63f5d602","status":"delivered"}}"#;
    let wapp_body = r#"{"event":"incoming_message","data":{"id":"msg_01HZX8","from":"+15550001111","type":"text","text":"Hi there"}}"#;
    let yeastar_body = r#"{"event":"test","message":"This is a webhook connectivity test."}"#;
    let conversation_body = r#"{"conversation_id":"c0a8","data":{"id":"m-1","content":"Hello","content_type":"TEXT","type":"USER_INPUT","channel":"WHATSAPP","status":"RECEIVED","created_by":"u1","updated_by":"u1","created_at":"2026-01-05T09:30:00Z","updated_at":"2026-01-05T09:30:00Z"},"timestamp":"2026-01-05T09:30:00.000Z"}"#;
    let oversize = format!(
        r#"{{"id":"evt_big","type":"x","pad":"{}"}}"#,
        "x".repeat(LIMIT)
    );

    let ycloud = Signer::new(ycloud::scheme(), YCLOUD)?;
    let wapp = Signer::new(wappcloud::scheme(), WAPPCLOUD)?;
    let yeastar = Signer::new(yeastar::scheme(), YEASTAR)?;
    let (ok, dup, bad, big) = (
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::UNAUTHORIZED,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    let case = |provider, name, request, status, handler| Case {
        provider,
        name,
        request,
        status,
        handler,
    };
    let post = |uri: &str, body: &str| Request::post(uri).body(Body::from(body.to_owned()));

    Ok(vec![
        case(
            "ycloud",
            "valid",
            ycloud.request("/webhooks/ycloud", ycloud_body),
            ok,
            true,
        ),
        case(
            "ycloud",
            "duplicate",
            ycloud.request("/webhooks/ycloud", ycloud_body),
            dup,
            false,
        ),
        case(
            "ycloud",
            "forged",
            Signer::new(ycloud::scheme(), "attacker")?.request("/webhooks/ycloud", ycloud_body),
            bad,
            false,
        ),
        case(
            "ycloud",
            "stale (1 h old)",
            ycloud
                .clone()
                .at(now() - 3600)
                .request("/webhooks/ycloud", ycloud_body),
            bad,
            false,
        ),
        case(
            "ycloud",
            "oversize",
            ycloud.request("/webhooks/ycloud", oversize.clone()),
            big,
            false,
        ),
        case(
            "wappcloud",
            "challenge",
            Request::get("/webhooks/wappcloud?challenge=abc123").body(Body::empty())?,
            ok,
            false,
        ),
        case(
            "wappcloud",
            "valid",
            wapp.request("/webhooks/wappcloud", wapp_body),
            ok,
            true,
        ),
        case(
            "wappcloud",
            "duplicate",
            wapp.request("/webhooks/wappcloud", wapp_body),
            dup,
            false,
        ),
        case(
            "wappcloud",
            "forged",
            Signer::new(wappcloud::scheme(), "attacker")?.request("/webhooks/wappcloud", wapp_body),
            bad,
            false,
        ),
        case(
            "wappcloud",
            "oversize",
            wapp.request("/webhooks/wappcloud", oversize.clone()),
            big,
            false,
        ),
        case(
            "yeastar",
            "valid (test event)",
            yeastar.request("/webhooks/yeastar", yeastar_body),
            ok,
            true,
        ),
        case(
            "yeastar",
            "duplicate",
            yeastar.request("/webhooks/yeastar", yeastar_body),
            dup,
            false,
        ),
        case(
            "yeastar",
            "forged",
            Signer::new(yeastar::scheme(), "attacker")?.request("/webhooks/yeastar", yeastar_body),
            bad,
            false,
        ),
        case(
            "yeastar",
            "oversize",
            yeastar.request("/webhooks/yeastar", oversize.clone()),
            big,
            false,
        ),
        case(
            "conversation",
            "valid (unsigned)",
            post("/webhooks/conversation", conversation_body)?,
            ok,
            true,
        ),
        case(
            "conversation",
            "duplicate",
            post("/webhooks/conversation", conversation_body)?,
            dup,
            false,
        ),
        case(
            "conversation",
            "next status",
            post(
                "/webhooks/conversation",
                &conversation_body.replace("RECEIVED", "PROCESSED"),
            )?,
            ok,
            true,
        ),
        case(
            "conversation",
            "oversize",
            post("/webhooks/conversation", &oversize)?,
            big,
            false,
        ),
    ])
}

fn now() -> i64 {
    use tower_webhooks::Clock;
    tower_webhooks::SystemClock.now()
}

async fn serve(counters: &Counters) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = app(counters);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let counters: Counters = Arc::new(
        ["ycloud", "wappcloud", "yeastar", "conversation"]
            .into_iter()
            .map(|p| (p, AtomicUsize::new(0)))
            .collect(),
    );
    let addr = serve(&counters).await?;
    println!("server listening on http://{addr}\n");
    println!(
        "{:<13} {:<20} {:>6} {:>9} {:>8}  answer",
        "provider", "case", "status", "handler", "expected"
    );

    let mut wrong = 0;
    for case in cases()? {
        let before = counters[case.provider].load(Ordering::SeqCst);
        let (status, body) = client::send(addr, case.request).await?;
        let called = counters[case.provider].load(Ordering::SeqCst) > before;
        let as_expected = status == case.status && called == case.handler;
        wrong += usize::from(!as_expected);
        let mut answer: String = body.chars().take(48).collect();
        if answer.is_empty() {
            answer = "(empty)".into();
        }
        println!(
            "{:<13} {:<20} {:>6} {:>9} {:>8}  {answer}",
            case.provider,
            case.name,
            status.as_u16(),
            if called { "called" } else { "-" },
            if as_expected { "yes" } else { "NO" },
        );
    }
    if wrong > 0 {
        eprintln!("\n{wrong} case(s) did not get the expected answer");
        std::process::exit(1);
    }
    println!("\nall cases answered as expected");
    inbox().await?;
    Ok(())
}

/// A handler that fails twice: the provider hears 200 at once, the worker retries it.
async fn inbox() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let attempts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = attempts.clone();
    let layer =
        WebhookLayer::ycloud(YCLOUD).with_backoff(Backoff::new([Duration::from_millis(200); 3]));
    let app = Router::new().route(
        "/webhooks/ycloud",
        post(move |event: Event<ycloud::Event>| async move {
            let attempt = event.verified().attempt();
            seen.lock().unwrap_or_else(|e| e.into_inner()).push(attempt);
            if attempt < 3 {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            }
        })
        .layer(layer.clone()),
    );
    let worker = tokio::spawn(
        layer
            .worker(app.clone())
            .with_poll_interval(Duration::from_millis(100)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let request = Signer::new(ycloud::scheme(), YCLOUD)?.request(
        "/webhooks/ycloud",
        r#"{"id":"evt_demo_flaky","type":"contact.created"}"#,
    );
    let (status, _) = client::send(addr, request).await?;
    println!("\ninbox: a handler that fails twice; the provider heard {status}");
    let started = std::time::Instant::now();
    while attempts.lock().unwrap_or_else(|e| e.into_inner()).len() < 3
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    let attempts = attempts.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!(
        "inbox: the worker ran it {} times (attempts {attempts:?}) in {:?}",
        attempts.len(),
        started.elapsed()
    );
    if status != StatusCode::OK || attempts != [1, 2, 3] {
        eprintln!("inbox: expected 200 and attempts [1, 2, 3]");
        std::process::exit(1);
    }
    Ok(())
}
