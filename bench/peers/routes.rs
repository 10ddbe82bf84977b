//! The peers bench's routes: one axum app per way of receiving the same webhook, each verifying,
//! deduplicating and parsing into the same [`Payload`], so that what differs is only the code
//! doing it. Shared by `benches/peers.rs` (in process, `oneshot`) and `examples/bench_server.rs`
//! (over HTTP, under `/peers/<route>`, loaded by `bench/peers.sh` with wrk).
//!
//! Standard Webhooks routes (deliveries signed as the specification says, key
//! [`SW_SECRET`]): `bare` (collects the body, verifies nothing), `hand-written` (hmac + base64 +
//! subtle + `Mutex<HashSet>` + `serde_json::from_slice`), `webhook-verify` 0.1,
//! `standardwebhooks` 1.0 and `axum-standardwebhooks` 1.0 (each with the same dedup and parse),
//! `ours` (`WebhookLayer::standard_webhooks` + `Event<Payload>`), `ours-nostore` (over
//! `testing::NoStore`). YCloud routes (key [`YCLOUD_SECRET`]): `hand-written-ycloud`, `ours-ycloud`;
//! no peer crate has a YCloud preset.
//!
//! Every route counts the deliveries its handler took; [`check`] proves a route answers 2xx, takes
//! a duplicate once and refuses a bad signature before anything is measured.

#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tower::ServiceExt;
use tower_webhooks::store::MemoryStore;
use tower_webhooks::testing::NoStore;
use tower_webhooks::{Event, WebhookLayer};

/// The Standard Webhooks key: `whsec_` and the base64 of [`SW_KEY`].
pub(crate) const SW_SECRET: &str = "whsec_dG93ZXItd2ViaG9va3MtcGVlcnMtYmVuY2gta2V5";
/// The decoded Standard Webhooks key (what `bench/sign.lua` signs with: `SW_KEY`).
pub(crate) const SW_KEY: &[u8] = b"tower-webhooks-peers-bench-key";
/// The YCloud secret (used as it is, as YCloud does).
pub(crate) const YCLOUD_SECRET: &str = "whsec_bench";
/// Standard Webhooks' and YCloud's tolerance.
const TOLERANCE: i64 = 300;

/// What every route parses a delivery into.
#[derive(Debug, Deserialize)]
pub(crate) struct Payload {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) event_type: String,
    pub(crate) pad: String,
}

/// The signing scheme a route expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    StandardWebhooks,
    YCloud,
}

/// Every route, in table order: (name, scheme it expects).
pub(crate) const ROUTES: &[(&str, Family)] = &[
    ("bare", Family::StandardWebhooks),
    ("hand-written", Family::StandardWebhooks),
    ("webhook-verify", Family::StandardWebhooks),
    ("standardwebhooks", Family::StandardWebhooks),
    ("axum-standardwebhooks", Family::StandardWebhooks),
    ("ours", Family::StandardWebhooks),
    ("ours-nostore", Family::StandardWebhooks),
    ("hand-written-ycloud", Family::YCloud),
    ("ours-ycloud", Family::YCloud),
];

/// A route's app (serving `POST /`) and the count of deliveries its handler took.
pub(crate) struct Route {
    pub(crate) app: Router,
    pub(crate) handled: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Hand {
    key: Hmac<Sha256>,
    seen: Arc<Mutex<HashSet<String>>>,
    handled: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Peer {
    secret: Arc<webhook_verify::Secret>,
    standard: Arc<standardwebhooks::Webhook>,
    axum: axum_standardwebhooks::SharedWebhook,
    seen: Arc<Mutex<HashSet<String>>>,
    handled: Arc<AtomicU64>,
}

impl Peer {
    /// After a peer crate verified the delivery: the same dedup (by `webhook-id`) and parse.
    fn verified(&self, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let Some(id) = header(headers, "webhook-id") else {
            return StatusCode::BAD_REQUEST;
        };
        dedup_and_parse(&self.seen, &self.handled, id, body)
    }
}

impl FromRef<Peer> for axum_standardwebhooks::SharedWebhook {
    fn from_ref(peer: &Peer) -> Self {
        peer.axum.clone()
    }
}

/// A fresh app for `name` (empty dedup set or store).
pub(crate) fn route(name: &str) -> Route {
    let handled = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&handled);
    let hand = |key: &[u8]| Hand {
        key: Hmac::new_from_slice(key).expect("any key length"),
        seen: Arc::default(),
        handled: Arc::clone(&handled),
    };
    let peer = || Peer {
        secret: Arc::new(webhook_verify::Secret::new(SW_SECRET)),
        standard: Arc::new(standardwebhooks::Webhook::new(SW_SECRET).expect("a valid secret")),
        axum: axum_standardwebhooks::SharedWebhook::new(
            standardwebhooks::Webhook::new(SW_SECRET).expect("a valid secret"),
        ),
        seen: Arc::default(),
        handled: Arc::clone(&handled),
    };
    let ours = move |event: Event<Payload>| {
        let handled = Arc::clone(&counted);
        async move {
            std::hint::black_box(event.payload());
            handled.fetch_add(1, Ordering::Relaxed);
            StatusCode::OK
        }
    };
    let app = match name {
        "bare" => Router::new().route(
            "/",
            post(|body: Bytes| async move {
                std::hint::black_box(body.len());
                StatusCode::OK
            }),
        ),
        "hand-written" => Router::new()
            .route("/", post(hand_written))
            .with_state(hand(SW_KEY)),
        "hand-written-ycloud" => Router::new()
            .route("/", post(hand_written_ycloud))
            .with_state(hand(YCLOUD_SECRET.as_bytes())),
        "webhook-verify" => Router::new()
            .route("/", post(with_webhook_verify))
            .with_state(peer()),
        "standardwebhooks" => Router::new()
            .route("/", post(with_standardwebhooks))
            .with_state(peer()),
        "axum-standardwebhooks" => Router::new()
            .route("/", post(with_axum_standardwebhooks))
            .with_state(peer()),
        "ours" => Router::new().route(
            "/",
            post(ours).layer(WebhookLayer::standard_webhooks(SW_SECRET).with_store(unbounded())),
        ),
        "ours-nostore" => Router::new().route(
            "/",
            post(ours).layer(WebhookLayer::standard_webhooks(SW_SECRET).with_store(NoStore)),
        ),
        "ours-ycloud" => Router::new().route(
            "/",
            post(ours).layer(WebhookLayer::ycloud(YCLOUD_SECRET).with_store(unbounded())),
        ),
        other => panic!("no route {other}"),
    };
    // Finalised as `axum::serve` finalises an app, so that no route pays axum's conversion of a
    // stateless handler into a route on every request (the stateful routes have it already).
    let app = app.with_state(());
    Route { app, handled }
}

/// Our memory store, sized to remember every key as the hand-written `HashSet` does. At its
/// default budget (64 MiB, about 524,000 keys) a bench server that has taken more deliveries
/// across its runs evicts a key for every new one, which the other routes never do.
pub(crate) fn unbounded() -> MemoryStore {
    MemoryStore::new()
        .with_max_entries(4_000_000)
        .with_max_bytes(usize::MAX)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The same dedup and parse after every peer's verification: a new id is parsed and counted.
fn dedup_and_parse(
    seen: &Mutex<HashSet<String>>,
    handled: &AtomicU64,
    id: &str,
    body: &[u8],
) -> StatusCode {
    if !seen.lock().unwrap().insert(id.to_owned()) {
        return StatusCode::OK;
    }
    match serde_json::from_slice::<Payload>(body) {
        Ok(payload) => {
            std::hint::black_box(&payload);
            handled.fetch_add(1, Ordering::Relaxed);
            StatusCode::OK
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

/// What a team writes by hand for Standard Webhooks: the headers, the tolerance, one HMAC, each
/// `v1,` signature decoded and compared in constant time.
async fn hand_written(State(hand): State<Hand>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (Some(id), Some(ts), Some(signatures)) = (
        header(&headers, "webhook-id"),
        header(&headers, "webhook-timestamp"),
        header(&headers, "webhook-signature"),
    ) else {
        return StatusCode::BAD_REQUEST;
    };
    let Ok(t) = ts.parse::<i64>() else {
        return StatusCode::BAD_REQUEST;
    };
    if (now() - t).abs() > TOLERANCE {
        return StatusCode::BAD_REQUEST;
    }
    let mut mac = hand.key.clone();
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&body);
    let expected = mac.finalize().into_bytes();
    let mut decoded = [0u8; 64];
    let valid = signatures.split(' ').any(|candidate| {
        candidate.strip_prefix("v1,").is_some_and(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode_slice(b64, &mut decoded)
                .is_ok_and(|n| bool::from(decoded[..n].ct_eq(&expected)))
        })
    });
    if !valid {
        return StatusCode::UNAUTHORIZED;
    }
    dedup_and_parse(&hand.seen, &hand.handled, id, &body)
}

/// The same for YCloud: `YCloud-Signature: t=<ts>,s=<hex>` over `<ts>.<body>`, id in the body.
async fn hand_written_ycloud(
    State(hand): State<Hand>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(signature) = header(&headers, "ycloud-signature") else {
        return StatusCode::BAD_REQUEST;
    };
    let (mut ts, mut sig) = (None, None);
    for pair in signature.split(',') {
        match pair.split_once('=') {
            Some(("t", v)) => ts = Some(v),
            Some(("s", v)) => sig = Some(v),
            _ => {}
        }
    }
    let (Some(ts), Some(sig)) = (ts, sig) else {
        return StatusCode::BAD_REQUEST;
    };
    match ts.parse::<i64>() {
        Ok(t) if (now() - t).abs() <= TOLERANCE => {}
        _ => return StatusCode::BAD_REQUEST,
    }
    let mut mac = hand.key.clone();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&body);
    let expected = mac.finalize().into_bytes();
    let mut decoded = [0u8; 32];
    if hex::decode_to_slice(sig, &mut decoded).is_err() || !bool::from(decoded.ct_eq(&expected)) {
        return StatusCode::UNAUTHORIZED;
    }
    // YCloud's id is in the body: the parse gives it, then the same dedup as every route.
    let Ok(payload) = serde_json::from_slice::<Payload>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    if !hand.seen.lock().unwrap().insert(payload.id.clone()) {
        return StatusCode::OK;
    }
    std::hint::black_box(&payload);
    hand.handled.fetch_add(1, Ordering::Relaxed);
    StatusCode::OK
}

async fn with_webhook_verify(
    State(peer): State<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if webhook_verify::verify(
        webhook_verify::Provider::StandardWebhooks,
        &headers,
        &body,
        &peer.secret,
        Default::default(),
    )
    .is_err()
    {
        return StatusCode::UNAUTHORIZED;
    }
    peer.verified(&headers, &body)
}

async fn with_standardwebhooks(
    State(peer): State<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if peer.standard.verify(&body, &headers).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    peer.verified(&headers, &body)
}

async fn with_axum_standardwebhooks(
    State(peer): State<Peer>,
    headers: HeaderMap,
    axum_standardwebhooks::StandardWebhook(Json(payload)): axum_standardwebhooks::StandardWebhook<
        Json<Payload>,
    >,
) -> StatusCode {
    let Some(id) = header(&headers, "webhook-id") else {
        return StatusCode::BAD_REQUEST;
    };
    // Its extractor parses before the dedup can run: the payload is only counted once.
    if !peer.seen.lock().unwrap().insert(id.to_owned()) {
        return StatusCode::OK;
    }
    std::hint::black_box(&payload);
    peer.handled.fetch_add(1, Ordering::Relaxed);
    StatusCode::OK
}

/// A delivery: its headers and body, signed for `family` at `timestamp`.
#[derive(Clone)]
pub(crate) struct Delivery {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Delivery {
    /// The request `oneshot` sends.
    pub(crate) fn request(&self) -> Request<Body> {
        let mut request = Request::post("/")
            .body(Body::from(self.body.clone()))
            .unwrap();
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// A body of `size` bytes with id `id`: `{"id":..,"type":"bench.event","pad":"aaa.."}`.
pub(crate) fn body(id: &str, size: usize) -> String {
    let head = format!(r#"{{"id":"{id}","type":"bench.event","pad":""#);
    let pad = size.saturating_sub(head.len() + 2);
    format!("{head}{}\"}}", "a".repeat(pad))
}

/// A delivery of `family` with id `id`, signed independently of the crates measured (hmac,
/// base64, hex), with a 1 KiB body (or `size`).
pub(crate) fn sign(family: Family, id: &str, size: usize, timestamp: i64) -> Delivery {
    let body = body(id, size);
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    match family {
        Family::StandardWebhooks => {
            let mut mac = Hmac::<Sha256>::new_from_slice(SW_KEY).unwrap();
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            let signature =
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            headers.insert("webhook-id", id.parse().unwrap());
            headers.insert("webhook-timestamp", timestamp.to_string().parse().unwrap());
            headers.insert(
                "webhook-signature",
                format!("v1,{signature}").parse().unwrap(),
            );
        }
        Family::YCloud => {
            let mut mac = Hmac::<Sha256>::new_from_slice(YCLOUD_SECRET.as_bytes()).unwrap();
            mac.update(format!("{timestamp}.{body}").as_bytes());
            let signature = hex::encode(mac.finalize().into_bytes());
            headers.insert(
                "ycloud-signature",
                format!("t={timestamp},s={signature}").parse().unwrap(),
            );
        }
    }
    Delivery {
        headers,
        body: Bytes::from(body),
    }
}

/// The status `app` answers `request` with.
async fn answer(app: &Router, request: Request<Body>) -> StatusCode {
    match app.clone().oneshot(request).await {
        Ok(response) => response.status(),
        Err(never) => match never {},
    }
}

/// Proves `name` is fit to be measured: a delivery is answered 2xx and handled once, its
/// duplicate answered 2xx and not handled again, a delivery with one byte of its body changed
/// refused with a non-2xx and not handled. Each check runs on a fresh app.
pub(crate) async fn check(name: &str, family: Family) -> Result<(), String> {
    let route = route(name);
    let delivery = sign(family, "evt_check_0001", 1024, now());
    let status = answer(&route.app, delivery.request()).await;
    if !status.is_success() {
        return Err(format!("{name}: a valid delivery was answered {status}"));
    }
    if name == "bare" {
        return Ok(()); // Verifies nothing, dedups nothing: the floor, not a contender.
    }
    let duplicate = answer(&route.app, delivery.request()).await;
    if !duplicate.is_success() {
        return Err(format!("{name}: a duplicate was answered {duplicate}"));
    }
    let mut tampered = sign(family, "evt_check_0002", 1024, now());
    let mut bytes = tampered.body.to_vec();
    let last = bytes.len() - 3;
    bytes[last] = b'b';
    tampered.body = Bytes::from(bytes);
    let refused = answer(&route.app, tampered.request()).await;
    if refused.is_success() {
        return Err(format!("{name}: a bad signature was answered {refused}"));
    }
    let handled = route.handled.load(Ordering::Relaxed);
    // Over `NoStore` nothing is remembered: the duplicate is handled again, by design.
    let expected = if name == "ours-nostore" { 2 } else { 1 };
    if handled != expected {
        return Err(format!(
            "{name}: the handler took {handled} deliveries of one delivery, its duplicate and a forgery (expected {expected})"
        ));
    }
    Ok(())
}
