//! What the service and the worker share: the marker on a stored delivery sent through the app
//! again, the layer's report of how the handler did, and the handler's outcome.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum_core::body::Body;
use futures_util::FutureExt;
use futures_util::future::Either;
use http::Request;
use tower_service::Service;

use crate::Backoff;
use crate::store::{Settlement, StoredDelivery};

/// Marks a request from the worker: the layer skips verification and deduplication. Only code
/// in this process can put it there (extensions never come from the wire).
#[derive(Clone)]
pub(crate) struct Redelivery {
    pub(crate) delivery: Arc<StoredDelivery>,
    pub(crate) attempt: u32,
}

impl Redelivery {
    /// The request a stored delivery came in as (method, URI, kept headers, raw body), marked.
    pub(crate) fn request(delivery: StoredDelivery, attempt: u32) -> Request<Body> {
        let mut request = Request::new(Body::from(delivery.body.clone()));
        *request.method_mut() = delivery.method.clone();
        *request.uri_mut() = delivery.uri.clone();
        *request.headers_mut() = delivery.headers.clone();
        request.extensions_mut().insert(Redelivery {
            delivery: Arc::new(delivery),
            attempt,
        });
        request
    }
}

/// Sends a stored delivery through the app as attempt `attempt` (the worker's and the
/// consumer's way in): `Ok` when the layer on its route says the handler succeeded, otherwise
/// what went wrong.
pub(crate) async fn run_stored<S, B>(
    app: S,
    delivery: StoredDelivery,
    attempt: u32,
) -> Result<(), String>
where
    S: Service<Request<Body>, Response = http::Response<B>>,
    S::Error: fmt::Display,
{
    let request = Redelivery::request(delivery, attempt);
    match ready_and_call(app, request).await {
        Outcome::Response(response) => match response.extensions().get::<Redelivered>() {
            Some(Redelivered(Ok(()))) if response.status().is_success() => Ok(()),
            Some(Redelivered(Err(error))) => Err(error.clone()),
            _ => Err(format!(
                "answered {} without reaching a webhook layer (is the route still there?)",
                response.status()
            )),
        },
        Outcome::Error(err) => Err(format!("app error: {err}")),
        Outcome::Panic(message) => Err(format!("app panicked: {message}")),
    }
}

/// What follows an attempt: done, a retry after the backoff's delay, or dead after the last.
pub(crate) fn settlement(
    backoff: &Backoff,
    attempt: u32,
    result: Result<(), String>,
) -> Settlement {
    match result {
        Ok(()) => {
            tracing::info!("webhook delivery processed");
            Settlement::Done
        }
        Err(error) => match backoff.after(attempt) {
            Some(after) => {
                tracing::warn!(error = %error, retry_in = ?after, "webhook delivery failed; will retry");
                Settlement::Retry { after, error }
            }
            None => {
                tracing::error!(error = %error, "webhook delivery failed for the last time; dead");
                Settlement::Dead { error }
            }
        },
    }
}

/// Drives the app to readiness, then calls it; a panic becomes an outcome.
async fn ready_and_call<S, B>(mut app: S, request: Request<Body>) -> Outcome<B, S::Error>
where
    S: Service<Request<Body>, Response = http::Response<B>>,
{
    if let Err(err) = futures_util::future::poll_fn(|cx| app.poll_ready(cx)).await {
        return Outcome::Error(err);
    }
    call_catching_panics(app, request).await
}

/// Set by the layer on its answer to a redelivery: how the handler did (`Err` holds what went
/// wrong, as [`Outcome::describe`] says it).
#[derive(Clone)]
pub(crate) struct Redelivered(pub(crate) Result<(), String>);

/// How a call of the handler (or of the app) ended.
pub(crate) enum Outcome<B, E> {
    Response(http::Response<B>),
    Error(E),
    Panic(String),
}

impl<B, E: fmt::Display> Outcome<B, E> {
    /// Whether the handler answered 2xx.
    pub(crate) fn succeeded(&self) -> bool {
        matches!(self, Outcome::Response(response) if response.status().is_success())
    }

    /// What went wrong, for the logs and the inbox (a 2xx response is not asked), in the one
    /// wording the request path and the worker both use.
    pub(crate) fn describe(&self) -> String {
        match self {
            Outcome::Response(response) => format!("handler answered {}", response.status()),
            Outcome::Error(err) => format!("handler error: {err}"),
            Outcome::Panic(message) => format!("handler panicked: {message}"),
        }
    }
}

/// Calls the service; a panic in `call` or in its future becomes [`Outcome::Panic`].
pub(crate) fn call_catching_panics<S, B>(
    mut inner: S,
    request: Request<Body>,
) -> impl Future<Output = Outcome<B, S::Error>>
where
    S: Service<Request<Body>, Response = http::Response<B>>,
{
    // Called here, and combined rather than awaited in an `async` block: the future holds the
    // service's future once, not the request besides.
    match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
        Ok(future) => {
            Either::Left(
                AssertUnwindSafe(future)
                    .catch_unwind()
                    .map(|answered| match answered {
                        Ok(Ok(response)) => Outcome::Response(response),
                        Ok(Err(err)) => Outcome::Error(err),
                        Err(panic) => Outcome::Panic(panic_message(panic.as_ref())),
                    }),
            )
        }
        Err(panic) => Either::Right(futures_util::future::ready(Outcome::Panic(panic_message(
            panic.as_ref(),
        )))),
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
