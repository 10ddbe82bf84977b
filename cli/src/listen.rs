//! `webhooks listen`: a local receiver for development. Verifies each delivery with the
//! provider's layer, prints it as one line (time, provider, id, type, verdict), and forwards it
//! when told to (the answer to the provider is then the upstream's).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use tower_webhooks::{Ack, Builder, Verified};

use crate::Provider;
use crate::error::Error;
use crate::forward::Forward;

pub(crate) fn run(
    provider: &Provider,
    port: u16,
    forward: Option<&str>,
) -> Result<ExitCode, Error> {
    let scheme = crate::scheme::load(&provider.provider, None)?;
    let secret = crate::secret::of(provider)?;
    let layer = Builder::from(scheme)
        .secret(secret)
        .build()
        .map_err(|err| Error::config(format!("--provider {}: {err}", provider.provider)))?
        .with_ack(Ack::Passthrough);
    let forward = forward
        .map(|url| {
            url.parse()
                .map(|uri| Forward::new(uri, Duration::from_secs(30)))
                .map_err(|err| Error::config(format!("--forward {url}: {err}")))
        })
        .transpose()?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|err| Error::runtime(format!("cannot start the runtime: {err}")))?;
    runtime.block_on(async move {
        let handler = axum::routing::post(
            move |axum::Extension(verified): axum::Extension<Verified>, headers: HeaderMap| {
                let forward = forward.clone();
                async move {
                    let status = match &forward {
                        Some(forward) => forward.send(&verified, &headers).await,
                        None => StatusCode::OK,
                    };
                    print_line(
                        verified.provider(),
                        verified.id(),
                        verified.event_type(),
                        &if forward.is_some() {
                            format!("verified, forwarded: {}", status.as_u16())
                        } else {
                            "verified".to_owned()
                        },
                        true,
                    );
                    status
                }
            },
        );
        let app = Router::new()
            .route("/", handler.clone())
            .route("/{*path}", handler)
            .layer(layer)
            .layer(axum::middleware::from_fn(rejections));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|err| Error::runtime(format!("--port {port}: cannot bind: {err}")))?;
        let local = listener
            .local_addr()
            .map_err(|err| Error::runtime(err.to_string()))?;
        println!("listening on http://{local} (Ctrl-C stops)");
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|err| Error::runtime(format!("the receiver stopped: {err}")))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Prints the deliveries the layer refused, with the reason it gave.
async fn rejections(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status().is_client_error() || response.status() == StatusCode::SERVICE_UNAVAILABLE {
        let (parts, body) = response.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        print_line(
            "-",
            "-",
            None,
            &format!(
                "refused {}: {}",
                parts.status.as_u16(),
                String::from_utf8_lossy(&bytes)
            ),
            false,
        );
        return Response::from_parts(parts, Body::from(bytes));
    }
    response
}

/// One line per delivery; the verdict in colour only on a terminal.
fn print_line(provider: &str, id: &str, event_type: Option<&str>, verdict: &str, ok: bool) {
    let time = crate::now();
    let verdict = if std::io::stdout().is_terminal() {
        format!("\x1b[{}m{verdict}\x1b[0m", if ok { 32 } else { 31 })
    } else {
        verdict.to_owned()
    };
    println!(
        "{time}  {provider}  {id}  {}  {verdict}",
        event_type.unwrap_or("-")
    );
}
