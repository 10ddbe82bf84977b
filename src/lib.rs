//! Receive webhooks safely behind one tower layer.
//!
//! Providers push events with an HMAC signature, retry when they get no 2xx, and deliver the same
//! event more than once. `tower-webhooks` keeps the raw body, checks the signature in constant
//! time, rejects stale timestamps, answers the URL-validation handshake, drops duplicates and
//! hands your handler a typed [`Event`]:
//!
//! ```
//! use axum::{routing::post, Router};
//! use tower_webhooks::{provider::ycloud, Event, WebhookLayer};
//!
//! async fn on_ycloud(event: Event<ycloud::Event>) {
//!     tracing::info!(id = event.id(), kind = event.event_type(), "handled");
//! }
//!
//! let secret = std::env::var("YCLOUD_SECRET").unwrap_or_default();
//! let app: Router = Router::new()
//!     .route("/webhooks/ycloud", post(on_ycloud).layer(WebhookLayer::ycloud(secret)));
//! ```
//!
//! # Behaviour
//!
//! | request | answer | handler called |
//! |---|---|---|
//! | authentic, new id | the handler's response if 2xx, else see [`Ack`] ([`Ack::Immediately`]: 200 once stored) | once (from the [`Worker`] under [`Ack::Immediately`]) |
//! | authentic, id already completed | 200, empty body | no |
//! | authentic, id in flight | 409 ([`Rejection::InFlight`]) with a shared store (Redis, PostgreSQL) or under [`Ack::Passthrough`]; else 200, empty body | no |
//! | handshake (`GET ?challenge=`) | 200 with the echo | no |
//! | Meta handshake with a wrong `hub.verify_token` | 403 ([`Rejection::InvalidVerifyToken`]) | no |
//! | signed handshake event (Slack `url_verification`, Zoom `endpoint.url_validation`) | 200 with the answer, once the signature passed | no |
//! | signature header missing / malformed / not matching | 401 ([`Rejection::MissingSignature`], [`MalformedSignature`](Rejection::MalformedSignature), [`InvalidSignature`](Rejection::InvalidSignature)) | no |
//! | timestamp outside tolerance (default 300 s, past or future) | 401 ([`Rejection::StaleTimestamp`]) | no |
//! | body over the limit (default 1 MiB), by `Content-Length` or while streaming | 413 ([`Rejection::PayloadTooLarge`]) | no |
//! | body whose length differs from its `Content-Length` | 400 ([`Rejection::LengthMismatch`]) | no |
//! | body slower than the read timeout (default 10 s) | 408 ([`Rejection::BodyTimeout`]) | no |
//! | method the provider does not deliver with | 405 with `Allow` ([`Rejection::MethodNotAllowed`]) | no |
//! | dedup store unavailable | 503 ([`Rejection::StoreUnavailable`]): the provider retries, nothing is lost | no |
//! | the key the delivery names cannot be fetched (GitHub secret scanning) / is not published | 503 ([`Rejection::KeyUnavailable`]) / 401 | no |
//! | Asana `X-Hook-Secret` handshake while [`HookSecret::expect`] waits / at any other time | 200 echoing it, the secret kept / 400 ([`Rejection::InvalidChallenge`]) | no |
//! | authentic but body not JSON / id missing | [`Ack::Always`] / [`Ack::Immediately`]: 200, kept dead in the inbox; [`Ack::Passthrough`]: 422 ([`Rejection::Unprocessable`]) | no |
//!
//! Every status in the table can be changed with [`WebhookLayer::with_status`] (some teams answer
//! 400 or 403). Rejection bodies are short plain-text reasons that never echo request data.
//!
//! The order is fixed and one-way: handshake, method, body (limit, timeout), signature over the
//! exact raw bytes (constant-time, any of several secrets), timestamp, identity, claim in the
//! store, handler, then complete / fail / release. Nothing is parsed before the signature holds.
//!
//! When the handler fails (non-2xx, error or panic), [`Ack::Always`] (the default) answers 200 and
//! parks the delivery, with its raw body and verified headers, in the store's inbox, where a
//! [`Worker`] retries it on the layer's [`Backoff`] (10 s, 30 s, 5 min, 30 min, 1 h, 2 h, 2 h)
//! and leaves it dead after the last attempt ([`DeliveryStore::inbox`](store::DeliveryStore::inbox),
//! [`replay`](store::DeliveryStore::replay), [`purge`](store::DeliveryStore::purge));
//! [`Ack::Immediately`] stores every delivery and answers 200 at once, and the worker runs the
//! handler; [`Ack::Passthrough`] releases the claim and returns the handler's status, so the
//! provider retries. If a delivery is abandoned mid-way (the client disconnects), its claim is
//! released so that the retry is processed.
//!
//! ```
//! use axum::{routing::post, Router};
//! use tower_webhooks::{provider::ycloud, Ack, Event, WebhookLayer};
//!
//! # async fn on_ycloud(_: Event<ycloud::Event>) {}
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let layer = WebhookLayer::ycloud("whsec_...").with_ack(Ack::Immediately);
//! let app: Router = Router::new().route("/webhooks/ycloud", post(on_ycloud).layer(layer.clone()));
//! let worker = tokio::spawn(layer.worker(app.clone())); // runs the handler, retries, gives up
//! # worker.abort();
//! // axum::serve(listener, app).await
//! # }
//! ```
//!
//! Behind the layer, the verified body is put back into the request: axum's `Bytes`, `String`
//! and `Json<T>` extractors work too, and the layer's body limit is the one that holds (axum's
//! `DefaultBodyLimit` is lifted for the already-bounded body).
//!
//! # Providers
//!
//! Seventy-five presets: [`WebhookLayer::ycloud`], [`stripe`](WebhookLayer::stripe),
//! [`github`](WebhookLayer::github), [`slack`](WebhookLayer::slack),
//! [`standard_webhooks`](WebhookLayer::standard_webhooks), [`pagerduty`](WebhookLayer::pagerduty),
//! [`mux`](WebhookLayer::mux) and the rest of the catalogue, and, signing with a private key,
//! `discord` and `telnyx` (feature `ed25519`) and `sendgrid` (feature `ecdsa`); [`provider`] has
//! their formats and documentation links in one table and their typed payloads, and
//! [`provider::by_name`] finds one by name. A provider described in a file instead:
//! [`Scheme::from_json`](scheme::Scheme::from_json) (or `from_toml`, feature `toml`). Any other
//! provider:
//! [`WebhookLayer::builder`], composed from the same parts (every one of them in [`scheme`]).
//!
//! # Testing your handler
//!
//! With the `testing` feature, `testing::Signer` signs requests for `oneshot` tests:
//!
//! ```
//! # #[cfg(feature = "testing")]
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use tower::ServiceExt;
//! use tower_webhooks::{provider::ycloud, testing::Signer, WebhookLayer};
//!
//! let app = axum::Router::new().route(
//!     "/hook",
//!     axum::routing::post(|| async { "ok" }).layer(WebhookLayer::ycloud("whsec_test")),
//! );
//! let request = Signer::new(ycloud::scheme(), "whsec_test")?
//!     .request("/hook", r#"{"id":"evt_1","type":"contact.created"}"#);
//! assert_eq!(app.oneshot(request).await?.status(), 200);
//! # Ok(()) }
//! # #[cfg(not(feature = "testing"))] fn main() {}
//! ```
//!
//! # Features
//!
//! - `testing`: `testing::Signer`, to sign requests in your own tests (also
//!   `testing::presets()` and `testing::NoStore`).
//! - `redis`: `store::RedisStore`, deduplication and a durable inbox shared by replicas, in Redis.
//! - `postgres`: `store::PostgresStore`, the same in PostgreSQL, with `migrate()`.
//! - `ed25519`: providers that sign with an Ed25519 private key (`WebhookLayer::discord`,
//!   `WebhookLayer::telnyx`, [`scheme::Algorithm::Ed25519`] in the builder), verified strictly
//!   with `ed25519-dalek`.
//! - `ecdsa`: providers that sign with an ECDSA P-256 key (`WebhookLayer::sendgrid`, with
//!   `fetch` `WebhookLayer::github_secret_scanning` and `WebhookLayer::plaid`'s ES256 JWTs;
//!   [`scheme::Algorithm::EcdsaP256Sha256`], [`scheme::Algorithm::Es256`]), verified with `ring`.
//! - `rsa`: providers that sign with RSA and name their certificate by URL (`WebhookLayer::sns`,
//!   `WebhookLayer::paypal`, with `fetch`; [`scheme::Algorithm::RsaPkcs1Sha256`]), verified with
//!   `ring`, the certificate read by a strict DER reader of our own.
//! - `fetch`: `keys::Fetcher`, `keys::KeyList`, `keys::Certificates` and `keys::PlaidKeys`, keys
//!   fetched from the provider over HTTPS (rustls), from allowlisted hosts only.
//!
//! - `nats`: `destination::JetStream` and `destination::JetStreamConsumer`, verified deliveries
//!   published to NATS JetStream and consumed from it through the app (`async-nats`). With
//!   `redis`, the same through Redis Streams: `destination::RedisStream` and
//!   `destination::RedisStreamConsumer`.
//!
//! - `metrics`: deliveries, rejections, durations, inbox gauges and attempts recorded through
//!   the `metrics` facade (no exporter in the library); [`metrics`] names them.
//!
//! Without `redis` or `postgres`, the [`store::MemoryStore`] deduplicates and keeps the inbox
//! within one process (lost on restart).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod ack;
mod backoff;
mod body;
mod builder;
mod clock;
mod config;
mod consumer;
pub mod destination;
mod event;
mod handshake;
mod hook_secret;
mod identify;
pub mod keys;
mod layer;
pub mod metrics;
pub mod provider;
mod redelivery;
mod rejection;
pub mod scheme;
mod secret;
mod service;
mod signature;
pub mod store;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod timestamp;
mod worker;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use ack::Ack;
pub use backoff::Backoff;
pub use builder::Builder;
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT};
pub use consumer::Consumer;
pub use event::{Event, EventRejection, Verified};
pub use hook_secret::HookSecret;
pub use layer::WebhookLayer;
pub use rejection::{Rejection, RejectionKind};
pub use scheme::BuildError;
pub use secret::{Secret, SecretError};
pub use service::{ResponseFuture, Webhook};
pub use signature::Verifier;
pub use worker::Worker;

/// A boxed error, as tower uses.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
