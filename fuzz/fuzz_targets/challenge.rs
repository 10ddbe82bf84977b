//! The handshakes: arbitrary queries on the unsigned ones (Wappcloud's echo, Meta's verify
//! token, X's CRC) and arbitrary tokens in the signed ones (Slack, Zoom). The answer is 200 with valid JSON
//! (or the bare Meta challenge) that never carries markup, or a 4xx; never a panic, never the
//! handler.
#![no_main]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::routing::any;
use axum::Router;
use http::Request;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use tower_webhooks::provider::{slack, zoom};
use tower_webhooks::testing::Signer;
use tower_webhooks::WebhookLayer;

#[path = "common.rs"]
mod common;

#[derive(Debug, Arbitrary)]
struct Input {
    which: u8,
    query: String,
    token: String,
}

fuzz_target!(|input: Input| {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let handler = any(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { "handled" }
    });
    let (layer, request) = match input.which % 5 {
        0 | 1 | 4 => {
            let layer = match input.which % 5 {
                0 => WebhookLayer::wappcloud(common::SECRET),
                1 => WebhookLayer::meta(common::SECRET, "verify-token"),
                _ => WebhookLayer::x(common::SECRET),
            };
            let Ok(request) = Request::get(format!("/hook?{}", input.query)).body(Body::empty())
            else {
                return;
            };
            (layer, request)
        }
        2 => {
            let body = serde_json::json!({"type": "url_verification", "challenge": input.token});
            let signer = Signer::new(slack::scheme(), common::SECRET).unwrap();
            (
                WebhookLayer::slack(common::SECRET),
                signer.request("/hook", body.to_string()),
            )
        }
        _ => {
            let body = serde_json::json!({"event": "endpoint.url_validation", "payload": {"plainToken": input.token}});
            let signer = Signer::new(zoom::scheme(), common::SECRET).unwrap();
            (
                WebhookLayer::zoom(common::SECRET),
                signer.request("/hook", body.to_string()),
            )
        }
    };
    let app = Router::new().route("/hook", handler).layer(layer);
    let response = common::runtime().block_on(app.oneshot(request)).unwrap();
    let status = response.status();
    let content_type = response.headers().get("content-type").cloned();
    let body = common::runtime()
        .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
        .unwrap();
    if status == 200 {
        let text = std::str::from_utf8(&body).expect("answers are UTF-8");
        if content_type
            .as_ref()
            .is_some_and(|c| c == "application/json")
        {
            let json: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
            assert!(json.is_object());
            assert!(
                !text.contains('<') && !text.contains('>'),
                "markup in {text}"
            );
        } else {
            assert_eq!(input.which % 5, 1, "only Meta answers plain text");
        }
    } else {
        assert!(status.is_client_error(), "{status}");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "a handshake reached the handler"
    );
});
