//! `Webhook<S>`: the flow of one delivery, in one direction.
//!
//! handshake → method → body → signature → identity (→ signed handshake) → claim → handler →
//! complete / park / release; under `Ack::Immediately`, claim → park → 200 (the worker calls
//! the handler). A redelivery from the worker goes straight to the handler.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_core::body::Body;
use axum_core::extract::DefaultBodyLimit;
use axum_core::response::Response;
use bytes::Bytes;
use futures_util::FutureExt;
use http::{header, HeaderMap, Request, StatusCode};
use tower_service::Service;

use crate::error::{BoxError, Rejection};
use crate::event::{Facts, Verified};
use crate::identify::{self, Identity};
use crate::layer::Config;
use crate::signature;
use crate::store::{Claim, ClaimToken, DeliveryStore, Schedule, StoredDelivery};
use crate::verifier;
use crate::worker::{Redelivered, Redelivery};
use crate::{body, Ack};

/// The service made by [`WebhookLayer`](crate::WebhookLayer): verifies, deduplicates and then
/// calls the inner service with the verified body and a [`Verified`] extension.
///
/// ```
/// use tower::Layer;
/// use tower_webhooks::WebhookLayer;
///
/// let inner = tower::service_fn(|_: http::Request<axum::body::Body>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(axum::body::Body::empty()))
/// });
/// let service = WebhookLayer::ycloud("whsec_...").layer(inner);
/// let _inner = service.get_ref();
/// ```
#[derive(Clone)]
pub struct Webhook<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> Webhook<S> {
    pub(crate) fn new(inner: S, config: Arc<Config>) -> Self {
        Self { inner, config }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, by value.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug> fmt::Debug for Webhook<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("inner", &self.inner)
            .field("config", &self.config)
            .finish()
    }
}

/// The response future of [`Webhook`]: the whole flow of one delivery.
///
/// ```
/// use tower::{Layer, Service};
/// use tower_webhooks::{ResponseFuture, WebhookLayer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let inner = tower::service_fn(|_: http::Request<axum::body::Body>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(axum::body::Body::empty()))
/// });
/// let mut service = WebhookLayer::ycloud("whsec_...").layer(inner);
/// let future: ResponseFuture<_> = service.call(http::Request::new(axum::body::Body::empty()));
/// assert_eq!(future.await.unwrap().status(), 405); // GET is not a YCloud delivery
/// # }
/// ```
pub struct ResponseFuture<E> {
    inner: Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>,
}

impl<E> fmt::Debug for ResponseFuture<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<E> Future for ResponseFuture<E> {
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Webhook<S>
where
    S: Service<Request<Body>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        // Take the service that was driven to readiness; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        ResponseFuture {
            inner: Box::pin(deliver(config, inner, req)),
        }
    }
}

async fn deliver<S, ReqBody, ResBody>(
    config: Arc<Config>,
    inner: S,
    mut req: Request<ReqBody>,
) -> Result<Response, S::Error>
where
    S: Service<Request<Body>, Response = http::Response<ResBody>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    if let Some(redelivery) = req.extensions_mut().remove::<Redelivery>() {
        return Ok(redeliver(&config, inner, req, &redelivery).await);
    }

    let scheme = &config.scheme;
    let delivers = scheme.methods.contains(req.method());

    if let Some(handshake) = &scheme.handshake {
        if handshake.matches(req.method(), req.uri(), delivers) {
            let answer = handshake.answer(req.uri(), config.keys.first());
            return Ok(config.handshake(answer));
        }
    }
    if !delivers {
        return Ok(config.reject(Rejection::MethodNotAllowed));
    }

    let (parts, body) = req.into_parts();
    let raw = match body::read(body, &parts.headers, config.body_limit, config.body_timeout).await {
        Ok(raw) => raw,
        Err(rejection) => return Ok(config.reject(rejection)),
    };

    let (timestamp, key) = if config.unsigned {
        (None, None)
    } else {
        match config.verify(&parts.headers, &parts.uri, &raw) {
            Ok(verification) => (verification.timestamp, config.keys.get(verification.key)),
            Err(rejection) => return Ok(config.reject(rejection)),
        }
    };

    let identity = match identify::identify(scheme, &parts.headers, &raw) {
        Ok(identity) => identity,
        Err(why) => {
            // Authentic, but we cannot tell what it is: keep it (Always) or refuse it (Passthrough).
            if config.ack == Ack::Passthrough {
                return Ok(config.reject(Rejection::Unprocessable(why.reason())));
            }
            let identity = Identity::of_body(&raw, None, None);
            let delivery = Delivery::new(&config, identity, timestamp, raw, &parts);
            return Ok(delivery.unprocessable(&config, why.reason()).await);
        }
    };

    if let (Some(handshake), Some(token)) = (&scheme.handshake, &identity.challenge) {
        // A signed URL check (Slack, Zoom): answered here, never stored, never a handler call.
        let key = key.or(config.keys.first());
        return Ok(config.handshake(handshake.answer_signed(token, key)));
    }

    let delivery = Delivery::new(&config, identity, timestamp, raw, &parts);
    let mut claim = match config.store.claim(&delivery.store_key).await {
        Ok(Claim::Acquired(token)) => ClaimGuard::new(&config.store, &delivery.store_key, token),
        Ok(Claim::InFlight) if config.ack == Ack::Passthrough => {
            // The first attempt may still fail and be handed back for a retry: acknowledging
            // this copy now could lose the event.
            return Ok(config.reject(Rejection::InFlight));
        }
        Ok(Claim::InFlight | Claim::Done) => {
            tracing::debug!(provider = %config.provider, id = %delivery.verified.id(), "duplicate webhook delivery acknowledged");
            return Ok(acknowledged());
        }
        Err(err) => {
            tracing::error!(provider = %config.provider, id = %delivery.verified.id(), error = %err, "webhook dedup store unavailable; answering 503 so the provider retries");
            return Ok(config.reject(Rejection::StoreUnavailable(err)));
        }
    };

    if config.ack == Ack::Immediately {
        return Ok(delivery.enqueue(&config, claim).await);
    }

    let request = handler_request(parts, &delivery.verified);
    let failed = match call_catching_panics(inner, request).await {
        Outcome::Response(response) if response.status().is_success() => {
            let token = claim.disarm();
            if let Err(err) = config.store.complete(&delivery.store_key, token).await {
                // Processed already: answering an error would only cause a duplicate.
                tracing::error!(provider = %config.provider, id = %delivery.verified.id(), error = %err, "could not mark webhook delivery done");
            }
            return Ok(response.map(Body::new));
        }
        failed => failed,
    };
    let error = failed.describe();
    if config.ack != Ack::Passthrough {
        return Ok(delivery.failed(&config, claim, error).await);
    }
    claim.release().await;
    match failed {
        Outcome::Response(response) => Ok(response.map(Body::new)),
        Outcome::Error(err) => Err(err),
        Outcome::Panic(_) => {
            tracing::error!(provider = %config.provider, id = %delivery.verified.id(), "{error}");
            let mut response = Response::new(Body::from("webhook handler failed"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            Ok(response)
        }
    }
}

impl Config {
    fn verify(
        &self,
        headers: &HeaderMap,
        uri: &http::Uri,
        raw: &[u8],
    ) -> Result<signature::Verification, Rejection> {
        let now = self.clock.now();
        verifier::check(
            &self.scheme,
            &self.keys,
            headers,
            uri,
            raw,
            now,
            self.tolerance,
        )
    }

    /// The answer to a handshake, or its rejection.
    fn handshake(&self, answer: Result<Response, Rejection>) -> Response {
        match answer {
            Ok(response) => {
                tracing::info!(provider = %self.provider, "webhook handshake answered");
                response
            }
            Err(rejection) => self.reject(rejection),
        }
    }

    /// The response for a rejection, with the configured status; logged without request data.
    fn reject(&self, rejection: Rejection) -> Response {
        let kind = rejection.kind();
        let status = self.statuses.get(kind);
        if status.is_server_error() {
            tracing::error!(provider = %self.provider, reason = %rejection, "webhook rejected");
        } else {
            tracing::warn!(provider = %self.provider, reason = %rejection, status = status.as_u16(), "webhook rejected");
        }
        let mut response = rejection.into_response_with(status);
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, self.allow.clone());
        }
        response
    }

    /// Parked deliveries wait for a worker: say so once if this process runs none (another
    /// replica's may drain a shared store).
    fn warn_without_worker(&self) {
        let (running, warned) = &*self.workers;
        if running.load(Ordering::Relaxed) == 0 && !warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                provider = %self.provider,
                "webhook delivery parked in the inbox, but no worker runs in this process: spawn \
                 `layer.worker(app)` so that it is processed"
            );
        }
    }

    /// What the handler is told about an authentic delivery, for its `attempt`.
    fn verified(
        &self,
        identity: Identity,
        timestamp: Option<i64>,
        raw: Bytes,
        headers: &HeaderMap,
        attempt: u32,
    ) -> Verified {
        Verified::new(Facts {
            provider: Arc::clone(&self.provider),
            id: identity.id,
            key: identity.key,
            event_type: identity.event_type,
            timestamp,
            signed: !self.unsigned,
            form: identify::is_form(self.scheme.payload, headers, &raw),
            raw,
            attempt,
        })
    }

    /// The headers worth keeping with a failed delivery.
    fn kept_headers(&self, headers: &HeaderMap) -> HeaderMap {
        let mut kept = HeaderMap::new();
        for name in &self.kept_headers {
            for value in headers.get_all(name) {
                kept.append(name.clone(), value.clone());
            }
        }
        kept
    }
}

/// The request for the handler: the verified body back in place, and the [`Verified`] facts.
fn handler_request(parts: http::request::Parts, verified: &Verified) -> Request<Body> {
    let mut request = Request::from_parts(parts, Body::from(verified.raw().clone()));
    request.extensions_mut().insert(verified.clone());
    // The body is already bounded by our limit; axum's default limit must not cut it again.
    DefaultBodyLimit::disable().apply(&mut request);
    request
}

/// Hands a stored delivery from the worker to the handler, and tells the worker how it went.
async fn redeliver<S, ReqBody, ResBody>(
    config: &Config,
    inner: S,
    req: Request<ReqBody>,
    redelivery: &Redelivery,
) -> Response
where
    S: Service<Request<Body>, Response = http::Response<ResBody>>,
    S::Error: fmt::Display,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    let (parts, _) = req.into_parts();
    let stored = &redelivery.delivery;
    if stored.provider != *config.provider {
        return failed_redelivery(format!(
            "a {} delivery reached the {} layer (its route serves another provider now)",
            stored.provider, config.provider
        ));
    }
    // The store key is `<provider>:<key>`, as `Delivery::new` made it.
    let key = stored
        .key
        .strip_prefix(config.provider.as_ref())
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(&stored.key);
    let identity = Identity {
        id: stored.id.clone(),
        key: key.to_owned(),
        event_type: stored.event_type.clone(),
        challenge: None,
    };
    let verified = config.verified(
        identity,
        stored.timestamp,
        stored.body.clone(),
        &parts.headers,
        redelivery.attempt,
    );
    let outcome = call_catching_panics(inner, handler_request(parts, &verified)).await;
    let result = match &outcome {
        Outcome::Response(response) if response.status().is_success() => Ok(()),
        failed => Err(failed.describe()),
    };
    match outcome {
        Outcome::Response(response) => {
            let mut response = response.map(Body::new);
            response.extensions_mut().insert(Redelivered(result));
            response
        }
        _ => failed_redelivery(result.err().unwrap_or_default()),
    }
}

fn failed_redelivery(error: String) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.extensions_mut().insert(Redelivered(Err(error)));
    response
}

/// An authentic delivery on its way to the handler.
struct Delivery {
    verified: Verified,
    /// The key in the store, namespaced by provider so that routes can share a store.
    store_key: Arc<str>,
    headers: HeaderMap,
    method: http::Method,
    uri: http::Uri,
}

impl Delivery {
    fn new(
        config: &Config,
        identity: Identity,
        timestamp: Option<i64>,
        raw: Bytes,
        parts: &http::request::Parts,
    ) -> Self {
        let store_key = Arc::from(format!("{}:{}", config.provider, identity.key));
        Self {
            verified: config.verified(identity, timestamp, raw, &parts.headers, 1),
            store_key,
            headers: config.kept_headers(&parts.headers),
            method: parts.method.clone(),
            uri: parts.uri.clone(),
        }
    }

    fn record(&self, config: &Config, attempts: u32, error: Option<String>) -> StoredDelivery {
        let verified = &self.verified;
        let mut stored = StoredDelivery::new(
            self.store_key.as_ref(),
            config.provider.as_ref(),
            verified.id(),
            self.headers.clone(),
            verified.raw().clone(),
        );
        stored.event_type = verified.event_type().map(str::to_owned);
        stored.timestamp = verified.timestamp();
        stored.received_at = config.clock.now();
        stored.method = self.method.clone();
        stored.uri = self.uri.clone();
        stored.attempts = attempts;
        stored.last_error = error;
        stored
    }

    /// Records an authentic delivery that cannot be identified (dead: no handler can take it),
    /// once per body.
    async fn unprocessable(self, config: &Config, reason: &'static str) -> Response {
        match config.store.claim(&self.store_key).await {
            Ok(Claim::Acquired(token)) => {
                let claim = ClaimGuard::new(&config.store, &self.store_key, token);
                tracing::error!(provider = %config.provider, reason, "authentic webhook delivery cannot be processed; kept dead in the inbox");
                let record = self.record(config, 0, Some(reason.to_owned()));
                self.park(config, claim, record, Schedule::Dead).await
            }
            Ok(Claim::InFlight | Claim::Done) => acknowledged(),
            Err(err) => config.reject(Rejection::StoreUnavailable(err)),
        }
    }

    /// Keeps a delivery whose handler failed for the worker to retry, and acknowledges it.
    async fn failed(self, config: &Config, claim: ClaimGuard, error: String) -> Response {
        let retry_in = config.backoff.after(1);
        let schedule = retry_in.map_or(Schedule::Dead, Schedule::After);
        tracing::error!(
            provider = %config.provider,
            id = %self.verified.id(),
            event_type = self.verified.event_type().unwrap_or(""),
            error = %error,
            ?retry_in,
            "webhook handler failed; delivery kept in the inbox for the worker and acknowledged"
        );
        let record = self.record(config, 1, Some(error));
        self.park(config, claim, record, schedule).await
    }

    /// Keeps a delivery for the worker to run the handler, and acknowledges it.
    async fn enqueue(self, config: &Config, claim: ClaimGuard) -> Response {
        let record = self.record(config, 0, None);
        let response = self
            .park(config, claim, record, Schedule::After(Duration::ZERO))
            .await;
        if response.status().is_success() {
            config.wake.notify_one();
        }
        response
    }

    /// Parks the delivery in the inbox and acknowledges it; if it cannot be kept, asks for a
    /// retry.
    async fn park(
        &self,
        config: &Config,
        mut claim: ClaimGuard,
        record: StoredDelivery,
        schedule: Schedule,
    ) -> Response {
        let token = claim.disarm();
        match config.store.park(token, record, schedule).await {
            Ok(()) => {
                config.warn_without_worker();
                acknowledged()
            }
            Err(err) => {
                tracing::error!(provider = %config.provider, id = %self.verified.id(), error = %err, "could not keep the webhook delivery; answering 503 so the provider retries");
                if let Err(err) = config.store.release(&self.store_key, token).await {
                    tracing::error!(provider = %config.provider, error = %err, "could not release the webhook claim");
                }
                config.reject(Rejection::StoreUnavailable(err))
            }
        }
    }
}

/// 200 with an empty body: what providers want to hear.
fn acknowledged() -> Response {
    Response::new(Body::empty())
}

/// Owns an in-flight claim; if the delivery is dropped mid-way (the client went away and hyper
/// dropped our future), the claim is released so that the provider's retry is processed.
struct ClaimGuard {
    store: Arc<dyn DeliveryStore>,
    key: Arc<str>,
    token: Option<ClaimToken>,
}

impl ClaimGuard {
    fn new(store: &Arc<dyn DeliveryStore>, key: &Arc<str>, token: ClaimToken) -> Self {
        Self {
            store: Arc::clone(store),
            key: Arc::clone(key),
            token: Some(token),
        }
    }

    /// Takes the token: the caller now settles the claim.
    fn disarm(&mut self) -> ClaimToken {
        // Always Some: every path disarms at most once.
        self.token.take().unwrap_or(ClaimToken::new(0))
    }

    async fn release(mut self) {
        let token = self.disarm();
        if let Err(err) = self.store.release(&self.key, token).await {
            tracing::error!(error = %err, "could not release the webhook claim; it expires with its lease");
        }
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        let Some(token) = self.token.take() else {
            return;
        };
        let store = Arc::clone(&self.store);
        let key = Arc::clone(&self.key);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(err) = store.release(&key, token).await {
                        tracing::error!(error = %err, "could not release an abandoned webhook claim; it expires with its lease");
                    }
                });
            }
            Err(_) => tracing::warn!(
                "abandoned webhook claim outside a tokio runtime; it expires with its lease"
            ),
        }
    }
}

pub(crate) enum Outcome<B, E> {
    Response(http::Response<B>),
    Error(E),
    Panic(String),
}

impl<B, E: fmt::Display> Outcome<B, E> {
    /// What went wrong, for the logs and the inbox (a 2xx response is not asked).
    fn describe(&self) -> String {
        match self {
            Outcome::Response(response) => format!("handler answered {}", response.status()),
            Outcome::Error(err) => format!("handler error: {err}"),
            Outcome::Panic(message) => format!("handler panicked: {message}"),
        }
    }
}

/// Calls the handler; a panic in `call` or in its future becomes [`Outcome::Panic`].
pub(crate) async fn call_catching_panics<S, B>(
    mut inner: S,
    request: Request<Body>,
) -> Outcome<B, S::Error>
where
    S: Service<Request<Body>, Response = http::Response<B>>,
{
    let future = match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
        Ok(future) => future,
        Err(panic) => return Outcome::Panic(panic_message(panic.as_ref())),
    };
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(Ok(response)) => Outcome::Response(response),
        Ok(Err(err)) => Outcome::Error(err),
        Err(panic) => Outcome::Panic(panic_message(panic.as_ref())),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "(no message)".to_owned()
    }
}
