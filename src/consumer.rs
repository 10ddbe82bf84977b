//! `Consumer`: runs the messages of a stream through the app, as the worker does the inbox.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum_core::body::Body;
use futures_util::StreamExt;
use futures_util::future;
use http::Request;
use tower_service::Service;
use tracing::instrument::Instrument;

use crate::config::Config;
use crate::destination::{Pull, Pulled, Reading};
use crate::redelivery::{run_stored, settlement};
use crate::store::{Claim, Settlement, StoredDelivery};

type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How long a consumer keeps trying to record and settle a message it handled while the store
/// or the engine is away: a short outage must not turn one handled message into a second run.
const SETTLE_PATIENCE: Duration = Duration::from_secs(30);

/// Before a delivery key in the store: the mark that a consumer ran its handler, apart from the
/// receiving layer's own claim on the key.
const CONSUMED: &str = "consumed:";

/// Reads messages from a stream and runs each through the app, until shut down.
///
/// Made by [`WebhookLayer::consumer`](crate::WebhookLayer::consumer) and spawned as an ordinary
/// future. Each message becomes the request it came in as (method, URI, kept headers, raw
/// body), marked so that the layer on its route skips verification (done when it arrived) and
/// calls the handler with the same [`Event`](crate::Event) and [`Verified`](crate::Verified)
/// extension, whose [`attempt`](crate::Verified::attempt) is the stream's delivery count.
///
/// - **Acknowledged on success** (JetStream: confirmed by the server), **retried** after the
///   layer's [`Backoff`](crate::Backoff) on failure, **dead-lettered** after the last attempt.
/// - **Exactly-once side effects**: before the handler runs, the delivery key is claimed in the
///   layer's store (as `consumed:<key>`) and marked done after it succeeded; a message handed
///   out again (its consumer died before acknowledging) whose key is done is acknowledged
///   without running the handler. Give consumers on several machines a shared store
///   (`RedisStore`, `PostgresStore`) for this to hold across them.
/// - **Engine outages** are logged and waited out; the stream is read again once it answers.
/// - **Graceful shutdown**: once [`with_graceful_shutdown`](Self::with_graceful_shutdown)'s
///   signal fires, nothing new is taken; what is under way finishes and is settled.
///
/// ```
/// # #[cfg(feature = "redis")] {
/// use axum::{routing::post, Router};
/// use tower_webhooks::{destination::RedisStreamConsumer, provider::ycloud, Event, WebhookLayer};
///
/// async fn on_event(event: Event<ycloud::Event>) {
///     tracing::info!(id = event.id(), attempt = event.verified().attempt(), "handled");
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let layer = WebhookLayer::ycloud("whsec_...");
/// let app: Router = Router::new().route("/webhooks/ycloud", post(on_event).layer(layer.clone()));
/// let source = RedisStreamConsumer::group("redis://127.0.0.1:6379/", "webhooks:stream:ycloud", "workers")?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let consumer = tokio::spawn(layer.consumer(source, app).with_concurrency(32).with_graceful_shutdown(async {
///     let _ = stopped.await;
/// }));
/// let _ = stop.send(());
/// consumer.await?;
/// # Ok(()) }
/// # }
/// ```
#[must_use = "a consumer does nothing unless spawned or awaited"]
pub struct Consumer<S> {
    settings: Option<Box<Settings<S>>>,
    running: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

struct Settings<S> {
    config: Arc<Config>,
    source: Pull,
    app: S,
    shutdown: Option<Shutdown>,
    concurrency: usize,
    poll_interval: Duration,
}

impl<S> fmt::Debug for Consumer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Consumer");
        if let Some(settings) = &self.settings {
            debug
                .field("provider", &settings.config.provider)
                .field("source", &settings.source)
                .field("backoff", &settings.config.backoff)
                .field("concurrency", &settings.concurrency)
                .field("poll_interval", &settings.poll_interval);
        }
        debug.finish_non_exhaustive()
    }
}

impl<S> Consumer<S> {
    pub(crate) fn new(config: Arc<Config>, source: Pull, app: S) -> Self {
        Self {
            settings: Some(Box::new(Settings {
                config,
                source,
                app,
                shutdown: None,
                concurrency: 8,
                poll_interval: Duration::from_secs(1),
            })),
            running: None,
        }
    }

    fn configure(mut self, change: impl FnOnce(&mut Settings<S>)) -> Self {
        match &mut self.settings {
            Some(settings) => change(settings),
            None => tracing::warn!("a running webhook consumer cannot be reconfigured"),
        }
        self
    }

    /// Stops taking messages once `signal` completes, lets the ones under way finish and
    /// settle, then returns.
    pub fn with_graceful_shutdown<F>(self, signal: F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.configure(|s| s.shutdown = Some(Box::pin(signal)))
    }

    /// How many messages this consumer runs at once, and holds unsettled (default 8).
    pub fn with_concurrency(self, concurrency: usize) -> Self {
        self.configure(|s| s.concurrency = concurrency.max(1))
    }

    /// How long a read waits for messages, and how long an engine outage is waited out before
    /// reading again (default 1 s).
    pub fn with_poll_interval(self, interval: Duration) -> Self {
        self.configure(|s| s.poll_interval = interval)
    }
}

impl<S, B> Future for Consumer<S>
where
    S: Service<Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
    B: Send + 'static,
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(settings) = self.settings.take() {
            self.running = Some(Box::pin(run(*settings)));
        }
        match &mut self.running {
            Some(running) => running.as_mut().poll(cx),
            None => Poll::Ready(()),
        }
    }
}

async fn run<S, B>(settings: Settings<S>)
where
    S: Service<Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send + 'static,
    B: Send + 'static,
{
    let Settings {
        config,
        source,
        app,
        shutdown,
        concurrency,
        poll_interval,
    } = settings;
    let shutdown: Shutdown = shutdown.unwrap_or_else(|| Box::pin(future::pending()));
    let reading = Reading {
        batch: concurrency,
        wait: poll_interval,
    };
    let down = AtomicBool::new(false);
    tracing::debug!(provider = %config.provider, "webhook consumer started");
    source
        .0
        .messages(reading)
        .take_until(shutdown)
        .for_each_concurrent(concurrency, |pulled| {
            let (config, app, down) = (&config, app.clone(), &down);
            async move {
                match pulled {
                    Ok(pulled) => {
                        if down.swap(false, Ordering::Relaxed) {
                            tracing::info!("webhook stream reachable again; consumer resumed");
                        }
                        consume(config, app, pulled).await;
                    }
                    Err(err) => {
                        if !down.swap(true, Ordering::Relaxed) {
                            tracing::error!(error = %err, "webhook consumer cannot read its stream; waiting for it");
                        }
                        tokio::time::sleep(poll_interval).await;
                    }
                }
            }
        })
        .await;
    tracing::debug!(provider = %config.provider, "webhook consumer stopped");
}

/// Runs one message through the app (unless its key is done already) and settles it.
async fn consume<S, B>(config: &Config, app: S, pulled: Pulled)
where
    S: Service<Request<Body>, Response = http::Response<B>> + Send + 'static,
    S::Error: fmt::Display,
{
    let Pulled {
        delivery,
        attempt,
        ack,
    } = pulled;
    let delivery = match delivery {
        Ok(delivery) => delivery,
        Err(why) => {
            tracing::error!(error = %why, "unreadable webhook message; dead-lettered");
            let dead = Settlement::Dead {
                error: format!("unreadable message: {why}"),
            };
            if let Err(err) = persistently(|| ack.settle(&dead)).await {
                tracing::error!(error = %err, "could not dead-letter the webhook message; it is handed out again");
            }
            return;
        }
    };
    let span = tracing::info_span!(
        "webhook_consume",
        provider = %delivery.provider,
        id = %delivery.id,
        event_type = delivery.event_type.as_deref().unwrap_or(""),
        attempt,
    );
    async move {
        let settlement = handle(config, app, delivery, attempt).await;
        if let Err(err) = persistently(|| ack.settle(&settlement)).await {
            // Handed out again after the ack wait or lease: the consumed mark keeps the
            // handler from running twice.
            tracing::error!(error = %err, "could not settle the webhook message; it is handed out again");
        }
    }
    .instrument(span)
    .await
}

/// Claims the delivery's consumed mark, runs the handler, and says how the message settles.
async fn handle<S, B>(config: &Config, app: S, delivery: StoredDelivery, attempt: u32) -> Settlement
where
    S: Service<Request<Body>, Response = http::Response<B>> + Send + 'static,
    S::Error: fmt::Display,
{
    let mark = format!("{CONSUMED}{}", delivery.key);
    // While another consumer runs it, or the store is away, look again soon: not an attempt
    // that counts towards the dead letter.
    let later = |error: String| Settlement::Retry {
        after: Duration::from_secs(1),
        error,
    };
    let token = match config.store.as_ref().claim(&mark).await {
        Ok(Claim::Acquired(token)) => token,
        Ok(Claim::Done) => {
            tracing::debug!("webhook message handled before; acknowledged");
            return Settlement::Done;
        }
        Ok(Claim::InFlight) => return later("being handled by another consumer".into()),
        Err(err) => {
            tracing::warn!(error = %err, "webhook store unavailable; the message waits");
            return later(format!("store unavailable: {err}"));
        }
    };
    let result = run_stored(app, delivery, attempt).await;
    let handled = result.is_ok();
    let settlement = settlement(&config.backoff, attempt, result);
    #[cfg(feature = "metrics")]
    crate::metrics::attempt(&config.provider, &settlement);
    let marked = persistently(|| async {
        if handled {
            config.store.as_ref().complete(&mark, token).await
        } else {
            config.store.as_ref().release(&mark, token).await
        }
    })
    .await;
    if let Err(err) = marked {
        tracing::error!(error = %err, "could not record the webhook message as handled");
    }
    settlement
}

/// Runs `attempt` until it succeeds, waiting longer between tries (50 ms to 1 s), for
/// [`SETTLE_PATIENCE`] at most; the last error if it never did.
async fn persistently<F, Fut, E>(mut attempt: F) -> Result<(), E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: fmt::Display,
{
    let started = tokio::time::Instant::now();
    let mut pause = Duration::from_millis(50);
    loop {
        match attempt().await {
            Ok(()) => return Ok(()),
            Err(err) if started.elapsed() + pause > SETTLE_PATIENCE => return Err(err),
            Err(err) => {
                tracing::debug!(error = %err, ?pause, "webhook consumer settles again shortly");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
            }
        }
    }
}
