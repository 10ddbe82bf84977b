//! `Worker`: runs the inbox's deliveries through the app until each succeeds or dies.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum_core::body::Body;
use futures_util::FutureExt;
use futures_util::future::{self, Either};
use http::Request;
use tower_service::Service;

use tracing::instrument::Instrument;

use crate::config::{Config, Runtime};
use crate::redelivery::{run_stored, settlement};
use crate::store::Taken;

/// How often the worker asks the store to drop expired entries.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How often the worker counts the inbox for the metrics' gauges.
#[cfg(feature = "metrics")]
const COUNT_EVERY: Duration = Duration::from_secs(5);

type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs the deliveries parked in the store's inbox through the app, on the layer's
/// [`Backoff`](crate::Backoff), until each succeeds or is dead.
///
/// Made by [`WebhookLayer::worker`](crate::WebhookLayer::worker) and spawned as an ordinary
/// future. Each delivery is sent to the app again as the request it came in as (method, URI,
/// kept headers, raw body), marked so that the layer on its route skips verification (done when
/// it arrived; its timestamp is stale by now) and deduplication and calls the handler with the
/// same [`Event`](crate::Event) and [`Verified`](crate::Verified) extension, whose
/// [`attempt`](crate::Verified::attempt) counts on.
///
/// - **Several workers** (tasks, or replicas on one Redis or PostgreSQL) never run one delivery
///   at once: each is leased to one worker (PostgreSQL `FOR UPDATE SKIP LOCKED`, a token
///   checked by every Redis script). A worker that dies mid-way loses its lease after
///   [`with_lease`](Self::with_lease) and another worker takes the delivery: at least once, as
///   providers deliver.
/// - **Graceful shutdown**: once [`with_graceful_shutdown`](Self::with_graceful_shutdown)'s
///   signal fires, the worker takes nothing new, finishes and settles the attempts it is
///   running, waits for the store to write the completions it queued
///   ([`DeliveryStore::flush`](crate::store::DeliveryStore::flush)), and returns.
/// - **Store outages** are logged and waited out; nothing is taken or settled meanwhile.
///
/// ```
/// use axum::{routing::post, Router};
/// use tower_webhooks::{provider::ycloud, Ack, Event, WebhookLayer};
///
/// async fn on_event(event: Event<ycloud::Event>) {
///     tracing::info!(id = event.id(), attempt = event.verified().attempt(), "handled");
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let layer = WebhookLayer::ycloud("whsec_...").with_ack(Ack::Immediately);
/// let app: Router = Router::new().route("/webhooks/ycloud", post(on_event).layer(layer.clone()));
///
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let worker = tokio::spawn(layer.worker(app.clone()).with_graceful_shutdown(async {
///     let _ = stopped.await;
/// }));
/// // axum::serve(listener, app).await?;
/// let _ = stop.send(());
/// worker.await.unwrap();
/// # }
/// ```
#[must_use = "a worker does nothing unless spawned or awaited"]
pub struct Worker<S> {
    state: State<S>,
}

enum State<S> {
    Ready(Box<Settings<S>>),
    Running(Pin<Box<dyn Future<Output = ()> + Send>>),
    Finished,
}

struct Settings<S> {
    config: Arc<Config>,
    runtime: Arc<Runtime>,
    app: S,
    shutdown: Option<Shutdown>,
    concurrency: usize,
    poll_interval: Duration,
    lease: Duration,
}

impl<S> fmt::Debug for Worker<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Worker");
        if let State::Ready(settings) = &self.state {
            debug
                .field("provider", &settings.config.provider)
                .field("store", &settings.config.store)
                .field("backoff", &settings.config.backoff)
                .field("concurrency", &settings.concurrency)
                .field("poll_interval", &settings.poll_interval)
                .field("lease", &settings.lease);
        }
        debug.finish_non_exhaustive()
    }
}

impl<S> Worker<S> {
    pub(crate) fn new(config: Arc<Config>, runtime: Arc<Runtime>, app: S) -> Self {
        Self {
            state: State::Ready(Box::new(Settings {
                config,
                runtime,
                app,
                shutdown: None,
                concurrency: 8,
                poll_interval: Duration::from_secs(1),
                lease: Duration::from_secs(5 * 60),
            })),
        }
    }

    /// Changes a setting; a worker that already runs keeps the ones it started with.
    fn configure(mut self, change: impl FnOnce(&mut Settings<S>)) -> Self {
        match &mut self.state {
            State::Ready(settings) => change(settings),
            _ => tracing::warn!("a running webhook worker cannot be reconfigured"),
        }
        self
    }

    /// Stops taking deliveries once `signal` completes, lets the attempts under way finish, then
    /// returns.
    pub fn with_graceful_shutdown<F>(self, signal: F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.configure(|s| s.shutdown = Some(Box::pin(signal)))
    }

    /// How many deliveries this worker attempts at once (default 8).
    pub fn with_concurrency(self, concurrency: usize) -> Self {
        self.configure(|s| s.concurrency = concurrency.max(1))
    }

    /// How often the store is asked for due deliveries when there were none (default 1 s).
    /// Deliveries parked by this process wake the worker at once; this bounds the wait for
    /// deliveries parked by other replicas, retries coming due, and leases running out.
    pub fn with_poll_interval(self, interval: Duration) -> Self {
        self.configure(|s| s.poll_interval = interval)
    }

    /// How long an attempt may run before another worker may take the delivery over (default
    /// 5 min). Keep it above the handler's longest run.
    pub fn with_lease(self, lease: Duration) -> Self {
        self.configure(|s| s.lease = lease)
    }
}

impl<S, B> Future for Worker<S>
where
    S: Service<Request<Body>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
    B: Send + 'static,
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            match std::mem::replace(&mut self.state, State::Finished) {
                State::Ready(settings) => {
                    self.state = State::Running(Box::pin(run(*settings)));
                }
                State::Running(mut running) => {
                    return match running.as_mut().poll(cx) {
                        Poll::Ready(()) => Poll::Ready(()),
                        Poll::Pending => {
                            self.state = State::Running(running);
                            Poll::Pending
                        }
                    };
                }
                State::Finished => return Poll::Ready(()),
            }
        }
    }
}

async fn run<S, B>(settings: Settings<S>)
where
    S: Service<Request<Body>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
    B: Send + 'static,
{
    let Settings {
        config,
        runtime,
        app,
        shutdown,
        concurrency,
        poll_interval,
        lease,
    } = settings;
    let mut shutdown: Shutdown = shutdown.unwrap_or_else(|| Box::pin(future::pending()));
    let _running = runtime.worker_running();
    let store = &config.store;
    let mut swept = Instant::now();
    let mut store_down = false;
    #[cfg(feature = "metrics")]
    let mut counted: Option<Instant> = None;
    tracing::debug!(provider = %config.provider, "webhook worker started");
    loop {
        if (&mut shutdown).now_or_never().is_some() {
            break;
        }
        #[cfg(feature = "metrics")]
        if counted.is_none_or(|at| at.elapsed() >= COUNT_EVERY) {
            counted = Some(Instant::now());
            count_inbox(&config).await;
        }
        if swept.elapsed() >= SWEEP_EVERY {
            swept = Instant::now();
            match store.sweep().await {
                Ok(0) => {}
                Ok(swept) => tracing::debug!(swept, "webhook store swept"),
                Err(err) => tracing::warn!(error = %err, "could not sweep the webhook store"),
            }
        }
        let taken = match store.take_due(concurrency, lease).await {
            Ok(taken) => {
                if store_down {
                    store_down = false;
                    tracing::info!("webhook store reachable again; worker resumed");
                }
                taken
            }
            Err(err) => {
                if !store_down {
                    store_down = true;
                    tracing::error!(error = %err, "webhook worker cannot reach the store; waiting for it");
                }
                if wait(&runtime, &mut shutdown, poll_interval).await {
                    break;
                }
                continue;
            }
        };
        if taken.is_empty() {
            if wait(&runtime, &mut shutdown, poll_interval).await {
                break;
            }
            continue;
        }
        // An attempt under way is finished even after the shutdown signal: it settles.
        future::join_all(
            taken
                .into_iter()
                .map(|taken| attempt(&config, app.clone(), taken)),
        )
        .await;
    }
    // The worker stops after the server: the completions the store queued are written first.
    store.flush().await;
    tracing::debug!(provider = %config.provider, "webhook worker stopped");
}

/// Sets the inbox gauges from the store's counts (left as they were if it cannot count now).
#[cfg(feature = "metrics")]
async fn count_inbox(config: &Config) {
    use crate::store::InboxStatus;
    let pending = config.store.inbox_len(InboxStatus::Pending).await;
    let dead = config.store.inbox_len(InboxStatus::Dead).await;
    if let (Ok(pending), Ok(dead)) = (pending, dead) {
        crate::metrics::inbox(&config.provider, pending, dead);
    }
}

/// Waits for a wake-up, the poll interval or the shutdown signal; `true` on shutdown.
async fn wait(runtime: &Runtime, shutdown: &mut Shutdown, interval: Duration) -> bool {
    let woken = Box::pin(runtime.woken());
    let tick = Box::pin(tokio::time::sleep(interval));
    match future::select(shutdown.as_mut(), future::select(woken, tick)).await {
        Either::Left(((), _)) => true,
        Either::Right(_) => false,
    }
}

/// Runs one taken delivery through the app and settles it, in a span that names the delivery
/// as the layer's own span does.
async fn attempt<S, B>(config: &Config, app: S, taken: Taken)
where
    S: Service<Request<Body>, Response = http::Response<B>> + Send + 'static,
    S::Error: fmt::Display,
{
    let Taken { token, delivery } = taken;
    let attempt = delivery.attempts.saturating_add(1);
    let span = tracing::info_span!(
        "webhook_attempt",
        provider = %delivery.provider,
        id = %delivery.id,
        event_type = delivery.event_type.as_deref().unwrap_or(""),
        attempt,
    );
    let key = delivery.key.clone();
    async move {
        let result = run_stored(app, delivery, attempt).await;
        let settlement = settlement(&config.backoff, attempt, result);
        #[cfg(feature = "metrics")]
        crate::metrics::attempt(&config.provider, &settlement);
        if let Err(err) = config.store.settle(&key, token, settlement).await {
            // The lease runs out and the delivery is taken again: processed at least once.
            tracing::error!(error = %err, "could not settle the webhook delivery; it is attempted again after its lease");
        }
    }
    .instrument(span)
    .await
}
