//! Forwarding a verified delivery to the upstream: the raw body byte for byte, the request's
//! headers, and `X-Webhook-*` headers saying what was verified. Any answer but a 2xx (or no
//! answer) is a failure, which the inbox worker retries on the route's backoff.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode, Uri, header};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower_webhooks::Verified;

/// Headers that belong to one hop, not to the delivery.
const HOP_BY_HOP: [HeaderName; 5] = [
    header::HOST,
    header::CONTENT_LENGTH,
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Sends deliveries to one upstream.
#[derive(Clone, Debug)]
pub(crate) struct Forward {
    client: Client<HttpConnector, Full<Bytes>>,
    upstream: Uri,
    timeout: Duration,
}

impl Forward {
    pub(crate) fn new(upstream: Uri, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            upstream,
            timeout,
        }
    }

    /// Forwards the delivery; 200 once the upstream answered 2xx, 502 otherwise.
    pub(crate) async fn send(&self, verified: &Verified, headers: &HeaderMap) -> StatusCode {
        let mut request = Request::post(self.upstream.clone())
            .body(Full::new(verified.raw().clone()))
            .unwrap_or_default();
        let out = request.headers_mut();
        for (name, value) in headers {
            if !HOP_BY_HOP.contains(name) && !name.as_str().starts_with("x-webhook-") {
                out.append(name, value.clone());
            }
        }
        let mut fact = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                out.insert(HeaderName::from_static(name), value);
            }
        };
        fact("x-webhook-verified", "signature");
        fact("x-webhook-provider", verified.provider());
        fact("x-webhook-id", verified.id());
        if let Some(event_type) = verified.event_type() {
            fact("x-webhook-type", event_type);
        }
        if let Some(timestamp) = verified.timestamp() {
            fact("x-webhook-timestamp", &timestamp.to_string());
        }
        fact("x-webhook-attempt", &verified.attempt().to_string());
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Ok(Ok(response)) if response.status().is_success() => StatusCode::OK,
            Ok(Ok(response)) => {
                tracing::warn!(status = %response.status(), "upstream refused the delivery");
                StatusCode::BAD_GATEWAY
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "upstream unreachable");
                StatusCode::BAD_GATEWAY
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.timeout, "upstream did not answer in time");
                StatusCode::GATEWAY_TIMEOUT
            }
        }
    }
}

/// The handler of a forwarding route.
pub(crate) fn handler(forward: Forward) -> axum::routing::MethodRouter {
    axum::routing::post(
        move |axum::Extension(verified): axum::Extension<Verified>, headers: HeaderMap| {
            let forward = forward.clone();
            async move { forward.send(&verified, &headers).await }
        },
    )
}
