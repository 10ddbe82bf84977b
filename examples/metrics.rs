//! The layer's metrics (feature `metrics`) exported for Prometheus: the app on one port, and
//! `GET /metrics` in Prometheus text format on an admin port of its own.
//!
//!   cargo run --example metrics --features metrics,testing
//!   curl -s localhost:9100/metrics | grep webhooks_
//!
//! The example sends itself a few signed deliveries (and one unsigned) so that there is
//! something to see, prints the delivery counters, and serves until Ctrl-C.

use axum::Router;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusBuilder;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Event, WebhookLayer};

const SECRET: &str = "whsec_metrics_example";

async fn on_event(event: Event<ycloud::Event>) {
    tracing::info!(id = event.id(), "handled");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let handle = PrometheusBuilder::new().install_recorder()?;
    let app = Router::new().route(
        "/webhooks/ycloud",
        post(on_event).layer(WebhookLayer::ycloud(SECRET)),
    );
    let admin = Router::new().route("/metrics", get(move || async move { handle.render() }));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let admin_listener = tokio::net::TcpListener::bind("127.0.0.1:9100").await?;
    let admin_addr = admin_listener.local_addr()?;
    tokio::spawn(async move { axum::serve(admin_listener, admin).await });

    // A few deliveries through a real socket.
    let signer = Signer::new(ycloud::scheme(), SECRET)?;
    for i in 0..3 {
        let body = format!(r#"{{"id":"evt_{i}","type":"contact.created"}}"#);
        let request = signer.request("/webhooks/ycloud", body);
        send(addr, request).await?;
    }
    let unsigned = http::Request::post("/webhooks/ycloud").body(axum::body::Body::from("{}"))?;
    send(addr, unsigned).await?;

    let text = fetch(admin_addr).await?;
    for line in text.lines().filter(|l| {
        l.starts_with("webhooks_deliveries_total") || l.starts_with("webhooks_rejections_total")
    }) {
        println!("{line}");
    }
    println!("metrics on http://{admin_addr}/metrics (Ctrl-C stops)");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// One request over its own connection; the status.
async fn send(
    addr: std::net::SocketAddr,
    mut request: http::Request<axum::body::Body>,
) -> Result<http::StatusCode, Box<dyn std::error::Error>> {
    request
        .headers_mut()
        .insert(http::header::HOST, addr.to_string().parse()?);
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender.send_request(request).await?.status())
}

async fn fetch(addr: std::net::SocketAddr) -> Result<String, Box<dyn std::error::Error>> {
    use http_body_util::BodyExt;
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = http::Request::get("/metrics")
        .header(http::header::HOST, addr.to_string())
        .body(axum::body::Body::empty())?;
    let body = sender
        .send_request(request)
        .await?
        .into_body()
        .collect()
        .await?;
    Ok(String::from_utf8_lossy(&body.to_bytes()).into_owned())
}
