//! The whole service: arbitrary method, headers, query and body through `oneshot`, on presets
//! that cover JSON, forms, signed URLs and handshakes. Nothing unsigned reaches the handler,
//! every answer has a status the layer documents, nothing panics.
#![no_main]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::routing::any;
use axum::Router;
use http::{HeaderName, HeaderValue, Method, Request};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use tower_webhooks::WebhookLayer;

#[path = "common.rs"]
mod common;

#[derive(Debug, Arbitrary)]
struct Input {
    preset: u8,
    method: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let presets = common::presets();
    let scheme = presets[input.preset as usize % presets.len()].clone();
    let layer = WebhookLayer::new(scheme.clone(), common::secret(&scheme)).with_body_limit(64 * 1024);
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let app = Router::new()
        .route(
            "/hook",
            any(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { "handled" }
            }),
        )
        .layer(layer);

    let Ok(method) = Method::from_bytes(input.method.as_bytes()) else {
        return;
    };
    let Ok(mut request) = Request::builder()
        .method(method)
        .uri(format!("/hook?{}", input.query))
        .body(Body::from(input.body))
    else {
        return;
    };
    for (name, value) in input.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    let response = common::runtime().block_on(app.oneshot(request)).unwrap();
    assert!(
        matches!(
            response.status().as_u16(),
            200 | 400 | 401 | 403 | 405 | 408 | 413
        ),
        "{}",
        response.status()
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "an unsigned request reached the handler"
    );
});
