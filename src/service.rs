//! `Webhook<S>`: the flow of one delivery, in one direction.
//!
//! **Admission** decides whether a request is an authentic delivery and what it is: handshake,
//! method, body, signature, identity (a signed handshake is answered there). It ends in an
//! [`Admitted`] delivery or an answer. **Processing** claims the delivery's key, then one `match`
//! on the [`Ack`] policy runs the handler and completes, parks or releases the claim. A
//! redelivery from the worker skips admission: it was admitted when it arrived.
//!
//! Each delivery runs in one `webhook` span with its provider, id, event type, attempt and, when
//! it ends, its outcome; never the secret, a signature or the body.
//!
//! A delivery's future is allocated and moved once per request, so its size is watched (under
//! a kilobyte, within the allocator's fast path): admission's and processing's futures share
//! one place (`then`), steps that would keep their arguments twice as an `async fn` (as given,
//! and as bound in the body) return `async` blocks, locals are scoped so that they do not
//! outlive their use across an await, and the rare steps (parking, publishing, a redelivery, a
//! key to resolve) are boxed where they are awaited.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_core::body::Body;
use axum_core::extract::DefaultBodyLimit;
use axum_core::response::Response;
use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::Either;
use http::request::Parts;
use http::{Request, StatusCode};
use tower_service::Service;
use tracing::Span;
use tracing::field::{Empty, debug, display};
use tracing::instrument::Instrument;

use crate::config::{Config, KeptHeaders, Runtime};
use crate::destination::{Destination, Published};
use crate::event::Verified;
use crate::identify::{self, Identity};
use crate::redelivery::{Outcome, Redelivered, Redelivery, call_catching_panics};
use crate::rejection::Rejection;
use crate::scheme::Handshake;
use crate::store::{Claim, DeliveryKey, DeliveryStore, OwnedClaim, Schedule, StoredDelivery};
use crate::{Ack, BoxError, body, handshake};

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
    runtime: Arc<Runtime>,
}

impl<S> Webhook<S> {
    pub(crate) fn new(inner: S, config: Arc<Config>, runtime: Arc<Runtime>) -> Self {
        Self {
            inner,
            config,
            runtime,
        }
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

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        // Take the service that was driven to readiness; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        let runtime = Arc::clone(&self.runtime);
        let span = tracing::info_span!(
            "webhook",
            provider = %config.provider,
            id = Empty,
            event_type = Empty,
            attempt = Empty,
            outcome = Empty,
            rejection = Empty,
        );
        let inner: Pin<Box<dyn Future<Output = _> + Send>> =
            match req.extensions_mut().remove::<Redelivery>() {
                // From the worker: admitted when it arrived. A future of its own, so that its
                // steps do not size every delivery's.
                Some(redelivery) => Box::pin(
                    async move { Ok(redeliver(&config, inner, req, &redelivery).await) }
                        .instrument(span),
                ),
                None => Box::pin(deliver(config, runtime, inner, req).instrument(span)),
            };
        ResponseFuture { inner }
    }
}

/// How a delivery ended, recorded on its span.
#[derive(Debug, Clone, Copy)]
enum Ended {
    Handled,
    /// Stored by the destination, for a consumer to handle.
    Published,
    Duplicate,
    Parked,
    Handshake,
    /// The handler failed and the provider is told so (`Ack::Passthrough`).
    Failed,
    Rejected(crate::RejectionKind),
}

impl Ended {
    /// On the delivery's span, and in the metrics.
    fn record(self, config: &Config) {
        let outcome = match self {
            Ended::Handled => "handled",
            Ended::Published => "published",
            Ended::Duplicate => "duplicate",
            Ended::Parked => "parked",
            Ended::Handshake => "handshake",
            Ended::Failed => "failed",
            Ended::Rejected(_) => "rejected",
        };
        if let Some(span) = delivery_span() {
            if let Ended::Rejected(kind) = self {
                span.record("rejection", debug(kind));
            }
            span.record("outcome", display(outcome));
        }
        #[cfg(feature = "metrics")]
        {
            let rejection = match self {
                Ended::Rejected(kind) => Some(kind.as_str()),
                _ => None,
            };
            crate::metrics::delivery(&config.provider, outcome, rejection);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = config;
    }
}

/// The delivery's span, to record on; `None` where no subscriber was ever set, which would
/// see nothing recorded (the span is disabled) while looking it up costs a few hundred
/// instructions a delivery.
fn delivery_span() -> Option<Span> {
    tracing::dispatcher::has_been_set().then(Span::current)
}

/// The identity of a delivery, on its span.
fn record_identity(verified: &Verified) {
    let Some(span) = delivery_span() else {
        return;
    };
    span.record("id", display(verified.id()));
    if let Some(event_type) = verified.event_type() {
        span.record("event_type", display(event_type));
    }
    span.record("attempt", verified.attempt());
}

fn deliver<S, ReqBody, ResBody>(
    config: Arc<Config>,
    runtime: Arc<Runtime>,
    inner: S,
    req: Request<ReqBody>,
) -> impl Future<Output = Result<Response, S::Error>> + Send
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
    // Admission's future, then processing's, in one place: the delivery's future is as large
    // as the larger of the two (not their sum), which keeps it small to allocate and move.
    admit(config, req).then(move |(config, admission)| match admission {
        Admission::Admitted(Admitted {
            parts,
            verified,
            unprocessable,
        }) => Either::Left(process(
            config,
            runtime,
            inner,
            parts,
            verified,
            unprocessable,
        )),
        Admission::Answered(response, ended) => {
            ended.record(&config);
            Either::Right(futures_util::future::ready(Ok(response)))
        }
    })
}

/// What admission decided.
enum Admission {
    /// An authentic delivery, for processing.
    Admitted(Admitted),
    /// Answered here: a handshake, or a rejection.
    Answered(Response, Ended),
}

/// An authentic delivery, past admission.
struct Admitted {
    parts: Parts,
    /// The facts, the delivery key among them.
    verified: Verified,
    /// Why no handler can take it (not JSON, no id), if none can: it is kept dead.
    unprocessable: Option<&'static str>,
}

fn rejected(config: &Config, rejection: Rejection) -> Admission {
    let kind = rejection.kind();
    Admission::Answered(config.reject(rejection), Ended::Rejected(kind))
}

fn answered(config: &Config, answer: Result<Response, Rejection>) -> Admission {
    match answer {
        Ok(response) => {
            tracing::info!("webhook handshake answered");
            Admission::Answered(response, Ended::Handshake)
        }
        Err(rejection) => rejected(config, rejection),
    }
}

/// Handshake, method, body, signature, identity: an authentic delivery, or the answer.
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice: see the module docs
fn admit<B>(config: Arc<Config>, req: Request<B>) -> impl Future<Output = (Arc<Config>, Admission)>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    async move {
        let admission = 'admit: {
            let config = &*config;
            let scheme = config.scheme();
            let verifier = &config.verifier;
            let delivers = scheme.methods.contains(req.method());

            if let Some(kind) = &scheme.handshake
                && handshake::matches(kind, req.method(), req.uri(), req.headers(), delivers)
            {
                let answer = handshake::answer(
                    kind,
                    req.uri(),
                    req.headers(),
                    verifier.keys().first(),
                    config.hook_secret.as_ref(),
                );
                break 'admit answered(config, answer);
            }
            if !delivers {
                break 'admit rejected(config, Rejection::MethodNotAllowed);
            }

            let (parts, body) = req.into_parts();
            let raw = match body::read(body, &parts.headers, config.body_limit, config.body_timeout)
                .await
            {
                Ok(raw) => raw,
                Err(rejection) => break 'admit rejected(config, rejection),
            };

            #[cfg(feature = "metrics")]
            let verifying = std::time::Instant::now();
            // Only a scheme that names its keys awaits anything here.
            let resolved = match verifier.names_keys() {
                true => {
                    let now = config.clock.now();
                    Box::pin(verifier.check_resolved(
                        &parts.method,
                        &parts.headers,
                        &parts.uri,
                        &raw,
                        now,
                    ))
                    .await
                }
                false => None,
            };
            let (timestamp, signed_id, key) = if let Some(resolved) = resolved {
                // The key came with the delivery's name for it: it answers no handshake.
                match resolved {
                    Ok(verification) => (verification.timestamp, verification.id, None),
                    Err(rejection) => break 'admit rejected(config, rejection),
                }
            } else if verifier.is_unsigned() {
                (None, None, None)
            } else {
                // A handshake's secrets (Asana) join the configured keys.
                let learned = config.hook_secret.as_ref().and_then(|hook| {
                    let signature = scheme.signature.as_ref()?;
                    let mut keys = verifier.keys().to_vec();
                    keys.extend(hook.keys(signature));
                    Some(keys)
                });
                match verifier.check_with(
                    learned.as_deref(),
                    &parts.method,
                    &parts.headers,
                    &parts.uri,
                    &raw,
                    config.clock.now(),
                ) {
                    Ok(verification) => (
                        verification.timestamp,
                        verification.id,
                        verifier.keys().get(verification.key),
                    ),
                    Err(rejection) => break 'admit rejected(config, rejection),
                }
            };

            #[cfg(feature = "metrics")]
            crate::metrics::verification(&config.provider, verifying.elapsed());

            let (identity, unprocessable) =
                match config.identity.identify(&parts.headers, &raw, signed_id) {
                    Ok(identity) => (identity, None),
                    // Authentic, but we cannot tell what it is: refuse it (Passthrough) or keep
                    // it dead.
                    Err(why) if config.ack == Ack::Passthrough => {
                        break 'admit rejected(config, Rejection::Unprocessable(why.reason()));
                    }
                    Err(why) => {
                        let form = identify::is_form(scheme.payload, &parts.headers, &raw);
                        (
                            Identity::of_body(&raw, None, None, form),
                            Some(why.reason()),
                        )
                    }
                };

            match (&scheme.handshake, &identity.challenge) {
                // A subscription to confirm (SNS): the layer visits its URL, when it has a fetcher;
                // otherwise the handler gets it as any delivery.
                (Some(Handshake::ConfirmUrl { .. }), Some(url)) => {
                    #[cfg(feature = "fetch")]
                    if let Some(fetcher) = &config.confirmer {
                        break 'admit answered(config, Box::pin(confirm(fetcher, url)).await);
                    }
                    let _ = url;
                }
                (Some(kind), Some(token)) => {
                    // A signed URL check (Slack, Zoom): answered here, never stored, never a handler call.
                    let key = key.or(verifier.keys().first());
                    break 'admit answered(config, handshake::answer_signed(kind, token, key));
                }
                _ => {}
            }

            let key = DeliveryKey::new(&config.provider, identity.key());
            // The identity borrows the body: the facts get a second handle on it.
            let verified = config.verified(identity, key, timestamp, raw.clone(), 1);
            record_identity(&verified);
            Admission::Admitted(Admitted {
                parts,
                verified,
                unprocessable,
            })
        };
        (config, admission)
    }
}

/// Visits a verified subscription's confirmation URL: 200 once the provider answered 200, 503
/// otherwise (the provider tries again).
#[cfg(feature = "fetch")]
async fn confirm(fetcher: &crate::keys::Fetcher, url: &str) -> Result<Response, Rejection> {
    match fetcher.get(url).await {
        Ok(_) => {
            tracing::info!("subscription confirmed");
            Ok(Response::new(Body::empty()))
        }
        Err(err) => Err(Rejection::ConfirmationFailed(err.to_string())),
    }
}

/// Claim, then one `match` on the ack policy: handler, and complete / park / release.
///
/// Parking and publishing are boxed where they are awaited: the future of every delivery is as
/// large as its largest step, and it is moved whole into its box when the delivery starts.
///
/// A function returning an `async` block rather than an `async fn`, whose arguments would be
/// kept twice in the future (as given, and as bound in its body).
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice: see the module docs
fn process<S, ResBody>(
    config: Arc<Config>,
    runtime: Arc<Runtime>,
    inner: S,
    parts: Parts,
    verified: Verified,
    unprocessable: Option<&'static str>,
) -> impl Future<Output = Result<Response, S::Error>>
where
    S: Service<Request<Body>, Response = http::Response<ResBody>>,
    S::Error: fmt::Display,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    async move {
        let (config, runtime) = (&*config, &*runtime);
        // (Blocks end the scope of what the later steps no longer need: a local in scope at an
        // await is kept in the future, moved out or not.)
        let key = verified.delivery_key();
        let claim = match claim_key(config.store.as_ref(), key.as_str()).await {
            Ok(Claim::Acquired(token)) => OwnedClaim::new(&config.store, key, token),
            Ok(Claim::InFlight)
                if config.ack == Ack::Passthrough || config.store.outlives_process() =>
            {
                // The first attempt may yet be lost: handed back for a retry (Passthrough), or
                // its replica dead with the claim (a shared store). Acknowledging this copy
                // could lose the event.
                Ended::Rejected(crate::RejectionKind::InFlight).record(config);
                return Ok(config.reject(Rejection::InFlight));
            }
            Ok(Claim::InFlight | Claim::Done) => {
                tracing::debug!("duplicate webhook delivery acknowledged");
                Ended::Duplicate.record(config);
                return Ok(acknowledged());
            }
            Err(err) => {
                tracing::error!(error = %err, "webhook dedup store unavailable; answering 503 so the provider retries");
                Ended::Rejected(crate::RejectionKind::StoreUnavailable).record(config);
                return Ok(config.reject(Rejection::StoreUnavailable(err)));
            }
        };

        if let Some(reason) = unprocessable {
            // Only Always and Immediately get here: admission refused it under Passthrough.
            tracing::error!(
                reason,
                "authentic webhook delivery cannot be processed; kept dead in the inbox"
            );
            let record = Kept::of(config, &parts).record(config, &verified, 0, Some(reason.into()));
            return Ok(Box::pin(park(config, runtime, claim, record, Schedule::Dead)).await);
        }

        if let Some(destination) = &config.destination {
            let record = Kept::of(config, &parts).record(config, &verified, 0, None);
            return Ok(Box::pin(publish(config, destination.as_ref(), claim, record)).await);
        }

        match config.ack {
            Ack::Immediately => {
                let record = Kept::of(config, &parts).record(config, &verified, 0, None);
                let due_now = Schedule::After(Duration::ZERO);
                let response = Box::pin(park(config, runtime, claim, record, due_now)).await;
                if response.status().is_success() {
                    runtime.parked_due();
                }
                Ok(response)
            }
            Ack::Always | Ack::Passthrough => {
                let completing = {
                    // Under Always, what the inbox needs is kept before the handler takes the
                    // request.
                    let kept = (config.ack == Ack::Always).then(|| Kept::of(config, &parts));
                    // One await of the handler for both policies: one slot for its future.
                    let outcome =
                        run_handler(config, inner, handler_request(parts, &verified)).await;
                    if !outcome.succeeded() {
                        let error = outcome.describe();
                        return match kept {
                            Some(kept) => {
                                let retry_in = config.backoff.after(1);
                                tracing::error!(error = %error, ?retry_in, "webhook handler failed; delivery kept in the inbox for the worker and acknowledged");
                                let record = kept.record(config, &verified, 1, Some(error));
                                let schedule = retry_in.map_or(Schedule::Dead, Schedule::After);
                                Ok(Box::pin(park(config, runtime, claim, record, schedule)).await)
                            }
                            None => Box::pin(refuse(config, claim, outcome, error)).await,
                        };
                    }
                    complete(config, claim, outcome)
                };
                Ok(completing.await)
            }
        }
    }
}

/// The store's answer to a claim on `key`: at once where the store can answer so, else awaited.
async fn claim_key(store: &dyn DeliveryStore, key: &str) -> crate::store::Result<Claim> {
    match store.claim_now(key) {
        Some(claimed) => claimed,
        None => store.claim(key).await,
    }
}

/// The handler failed under [`Ack::Passthrough`]: the claim is released, so that the provider's
/// retry is processed, and the handler's answer (or error) goes to the provider.
async fn refuse<ResBody, E>(
    config: &Config,
    claim: OwnedClaim<'_>,
    outcome: Outcome<ResBody, E>,
    error: String,
) -> Result<Response, E>
where
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    if let Err(err) = claim.release().await {
        tracing::error!(error = %err, "could not release the webhook claim; it expires with its lease");
    }
    Ended::Failed.record(config);
    match outcome {
        Outcome::Response(response) => Ok(response.map(Body::new)),
        Outcome::Error(err) => Err(err),
        Outcome::Panic(_) => {
            tracing::error!("{error}");
            let mut response = Response::new(Body::from("webhook handler failed"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            Ok(response)
        }
    }
}

/// The handler succeeded: the key is done, and its answer goes to the provider. The answer is
/// made before the future, which holds it alone while the key is marked.
fn complete<'a, ResBody, E>(
    config: &'a Config,
    claim: OwnedClaim<'a>,
    outcome: Outcome<ResBody, E>,
) -> impl Future<Output = Response> + 'a
where
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    let response = match outcome {
        Outcome::Response(response) => response.map(Body::new),
        // `complete` is only called for a 2xx response.
        Outcome::Error(_) | Outcome::Panic(_) => acknowledged(),
    };
    let completed = claim.complete();
    async move {
        if let Err(err) = completed.await {
            // Processed already: answering an error would only cause a duplicate.
            tracing::error!(error = %err, "could not mark webhook delivery done");
        }
        Ended::Handled.record(config);
        response
    }
}

/// Publishes the delivery and acknowledges it once stored; if it cannot be, releases the claim
/// and asks for a retry.
async fn publish(
    config: &Config,
    destination: &dyn Destination,
    claim: OwnedClaim<'_>,
    record: StoredDelivery,
) -> Response {
    match destination.publish(&record, claim.token()).await {
        Ok(published) => {
            if let Err(err) = claim.complete().await {
                // Stored already: answering an error would only cause a duplicate.
                tracing::error!(error = %err, "could not mark webhook delivery done");
            }
            match published {
                Published::Stored => Ended::Published.record(config),
                Published::Duplicate => Ended::Duplicate.record(config),
            }
            acknowledged()
        }
        Err(err) => {
            tracing::error!(error = %err, "could not publish the webhook delivery; answering 503 so the provider retries");
            if let Err(err) = claim.release().await {
                tracing::error!(error = %err, "could not release the webhook claim; it expires with its lease");
            }
            Ended::Rejected(crate::RejectionKind::DestinationUnavailable).record(config);
            config.reject(Rejection::DestinationUnavailable(err))
        }
    }
}

/// Parks the delivery in the inbox and acknowledges it; if it cannot be kept, asks for a retry.
async fn park(
    config: &Config,
    runtime: &Runtime,
    claim: OwnedClaim<'_>,
    record: StoredDelivery,
    schedule: Schedule,
) -> Response {
    match claim.park(record, schedule).await {
        Ok(()) => {
            runtime.warn_without_worker();
            Ended::Parked.record(config);
            acknowledged()
        }
        Err(err) => {
            tracing::error!(error = %err, "could not keep the webhook delivery; answering 503 so the provider retries");
            Ended::Rejected(crate::RejectionKind::StoreUnavailable).record(config);
            config.reject(Rejection::StoreUnavailable(err))
        }
    }
}

/// What a parked delivery keeps of its request, taken before the handler consumes it.
struct Kept {
    /// The headers and the URI.
    headers: KeptHeaders,
    method: http::Method,
}

impl Kept {
    fn of(config: &Config, parts: &Parts) -> Self {
        Self {
            headers: config.kept_headers(&parts.headers, &parts.uri),
            method: parts.method.clone(),
        }
    }

    /// The inbox entry of this delivery after `attempts` attempts.
    fn record(
        self,
        config: &Config,
        verified: &Verified,
        attempts: u32,
        error: Option<String>,
    ) -> StoredDelivery {
        let (headers, uri) = config.kept_map(self.headers);
        let mut stored = StoredDelivery::new(
            verified.delivery_key().as_str(),
            config.provider.as_ref(),
            verified.id(),
            headers,
            verified.raw().clone(),
        );
        stored.event_type = verified.event_type().map(str::to_owned);
        stored.timestamp = verified.timestamp();
        stored.received_at = config.clock.now();
        stored.method = self.method;
        stored.uri = uri;
        stored.attempts = attempts;
        stored.last_error = error;
        stored
    }
}

/// Calls the handler, timed for the metrics. The handler is called before the future is
/// returned: the future holds the handler's future alone, not the request as well.
fn run_handler<'a, S, ResBody>(
    config: &'a Config,
    inner: S,
    request: Request<Body>,
) -> impl Future<Output = Outcome<ResBody, S::Error>> + 'a
where
    S: Service<Request<Body>, Response = http::Response<ResBody>> + 'a,
    ResBody: 'a,
{
    #[cfg(feature = "metrics")]
    let started = std::time::Instant::now();
    call_catching_panics(inner, request).map(move |outcome| {
        #[cfg(feature = "metrics")]
        crate::metrics::handler(&config.provider, started.elapsed());
        #[cfg(not(feature = "metrics"))]
        let _ = config;
        outcome
    })
}

/// The request for the handler: the verified body back in place, and the [`Verified`] facts.
fn handler_request(parts: Parts, verified: &Verified) -> Request<Body> {
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
    // A store written by hand may hold a key without the provider's prefix: it is the key.
    let key = DeliveryKey::of_stored(&config.provider, &stored.key)
        .unwrap_or_else(|| DeliveryKey::new(&config.provider, &stored.key));
    let identity = Identity {
        id: stored.id.as_str().into(),
        qualified: None,
        event_type: stored.event_type.as_deref().map(Into::into),
        challenge: None,
        form: identify::is_form(config.scheme().payload, &parts.headers, &stored.body),
    };
    let verified = config.verified(
        identity,
        key,
        stored.timestamp,
        stored.body.clone(),
        redelivery.attempt,
    );
    record_identity(&verified);
    let outcome = run_handler(config, inner, handler_request(parts, &verified)).await;
    let result = if outcome.succeeded() {
        Ended::Handled.record(config);
        Ok(())
    } else {
        Ended::Failed.record(config);
        Err(outcome.describe())
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

/// 200 with an empty body: what providers want to hear.
fn acknowledged() -> Response {
    Response::new(Body::empty())
}
