//! A long-running webhook receiver with the four seed providers.
//!
//! ```text
//! PORT=3000 YCLOUD_SECRET=... WAPPCLOUD_SECRET=... YEASTAR_SECRET=... cargo run --example receiver
//! ```
//!
//! Listens on `127.0.0.1:$PORT` (default 3000) with the routes `/webhooks/ycloud`,
//! `/webhooks/wappcloud`, `/webhooks/yeastar` and `/webhooks/conversation`. Without the
//! environment variables it uses the demo secrets `whsec_demo_ycloud`, `demo_wappcloud` and
//! `Q7mZp2Lx9VbN4cTr8HsK1dWf6GjY3eUa` (never use those in production). Every handled event is
//! logged as one `handled` line with its provider and id; set `RUST_LOG` to change the level.
//! A worker per route retries deliveries whose handler failed (`Ack::Always`, the default).

use axum::Router;
use axum::routing::post;
use tower_webhooks::provider::{conversation, wappcloud, ycloud, yeastar};
use tower_webhooks::{Event, WebhookLayer};
use tracing_subscriber::EnvFilter;

fn secret(var: &str, demo: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        tracing::warn!("{var} is not set; using the demo secret");
        demo.to_owned()
    })
}

async fn on_ycloud(event: Event<ycloud::Event>) {
    tracing::info!(provider = event.provider(), id = event.id(), event_type = %event.event_type, "handled");
}

async fn on_wappcloud(event: Event<wappcloud::Event>) {
    tracing::info!(
        provider = event.provider(),
        id = event.id(),
        event_type = event.event_type().unwrap_or(""),
        "handled"
    );
}

async fn on_yeastar(event: Event<yeastar::Event>) {
    tracing::info!(provider = event.provider(), id = event.id(), event_type = %event.event, "handled");
}

async fn on_conversation(event: Event<conversation::Message>) {
    tracing::info!(provider = event.provider(), id = event.id(), status = ?event.data.status, "handled");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let ycloud = WebhookLayer::ycloud(secret("YCLOUD_SECRET", "whsec_demo_ycloud"));
    let wappcloud = WebhookLayer::wappcloud(secret("WAPPCLOUD_SECRET", "demo_wappcloud"));
    let yeastar =
        WebhookLayer::yeastar(secret("YEASTAR_SECRET", "Q7mZp2Lx9VbN4cTr8HsK1dWf6GjY3eUa"));
    let conversation = WebhookLayer::conversation();
    let app = Router::new()
        .route("/webhooks/ycloud", post(on_ycloud).layer(ycloud.clone()))
        .route(
            "/webhooks/wappcloud",
            post(on_wappcloud).layer(wappcloud.clone()),
        )
        .route("/webhooks/yeastar", post(on_yeastar).layer(yeastar.clone()))
        .route(
            "/webhooks/conversation",
            post(on_conversation).layer(conversation.clone()),
        );

    // One worker per layer (each has its own in-memory store here): it retries deliveries whose
    // handler failed, on the default backoff, and stops after the server on Ctrl-C.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers: Vec<_> = [ycloud, wappcloud, yeastar, conversation]
        .into_iter()
        .map(|layer| {
            let mut stopped = stopped.clone();
            tokio::spawn(
                layer
                    .worker(app.clone())
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    }),
            )
        })
        .collect();

    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("receiving webhooks on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    stop.send(true)?;
    for worker in workers {
        worker.await?;
    }
    Ok(())
}
