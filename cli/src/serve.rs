//! `webhooks serve`: the receiving gateway. Each route verifies and deduplicates with its
//! provider's layer, answers the provider at once (the delivery is in the route's store), and
//! forwards it to its upstream from the inbox worker, retried on the route's backoff until the
//! upstream answers 2xx.
//!
//! `SIGTERM` / `SIGINT`: stop taking connections, finish the requests under way and the
//! attempts the workers are making, then exit 0. `SIGHUP`: read the config again and switch to
//! it without dropping a request; a broken config is refused (logged) and the running one kept.
//! Routes whose path and store are unchanged keep their store across reloads, so nothing parked
//! in memory is lost.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use http::{Request, StatusCode};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::sync::watch;
use tower_webhooks::store::{DeliveryStore, InboxStatus, MemoryStore, RedisStore};
use tower_webhooks::{Ack, Builder};

use crate::config::{Config, Route};
use crate::error::Error;
use crate::forward::{self, Forward};

pub(crate) fn run(path: &Path) -> Result<ExitCode, Error> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = Config::read(path)?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|err| Error::runtime(format!("cannot start the runtime: {err}")))?;
    runtime.block_on(serve(path.to_path_buf(), config))
}

/// One generation of the config: its router and the workers that drain its stores.
struct Generation {
    router: Router,
    /// Each route's path, store, and whether the store outlives this process.
    stores: Vec<(String, Arc<dyn DeliveryStore>, bool)>,
    stop: watch::Sender<bool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

/// A route's store, and the same store as a `RedisStore` when a Redis stream publishes through it.
#[derive(Clone)]
struct RouteStore {
    store: Arc<dyn DeliveryStore>,
    redis: Option<RedisStore>,
}

/// Stores by (path, what the store is: its URL, or the Redis stream's), kept across reloads.
type Stores = HashMap<(String, String), RouteStore>;

async fn serve(path: PathBuf, config: Config) -> Result<ExitCode, Error> {
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|err| Error::runtime(format!("cannot install the metrics recorder: {err}")))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut stores = Stores::new();
    let generation = build(&config, &base, &mut stores).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|err| Error::runtime(format!("listen = {}: cannot bind: {err}", config.listen)))?;
    let local = listener
        .local_addr()
        .map_err(|err| Error::runtime(err.to_string()))?;
    if let Some(admin) = &config.admin {
        let admin_listener = tokio::net::TcpListener::bind(admin)
            .await
            .map_err(|err| Error::runtime(format!("admin = {admin}: cannot bind: {err}")))?;
        let local_admin = admin_listener
            .local_addr()
            .map_err(|err| Error::runtime(err.to_string()))?;
        tokio::spawn(admin_server(admin_listener, metrics.clone()));
        println!("admin on http://{local_admin} (/metrics)");
    }
    println!("gateway on http://{local} ({} routes)", config.routes.len());

    let current = Arc::new(RwLock::new(Arc::new(generation)));
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get({
                let current = Arc::clone(&current);
                move || ready(Arc::clone(&current))
            }),
        )
        .fallback_service(tower::service_fn({
            let current = Arc::clone(&current);
            move |request: Request<Body>| {
                let router = now(&current).map(|g| g.router.clone());
                async move {
                    match router {
                        Some(router) => tower::ServiceExt::oneshot(router, request).await,
                        None => Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
                    }
                }
            }
        }));

    let (shutdown, mut shutting_down) = watch::channel(false);
    tokio::spawn(signals(path, base, stores, Arc::clone(&current), shutdown));
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutting_down.wait_for(|stop| *stop).await;
        })
        .await
        .map_err(|err| Error::runtime(format!("the gateway stopped: {err}")))?;
    // Requests are done. What a memory store holds dies with the process: forward it first.
    if let Some(generation) = now(&current) {
        drain(&generation, Duration::from_secs(config.drain_secs)).await;
        stop_workers(&generation).await;
    }
    println!("gateway stopped");
    Ok(ExitCode::SUCCESS)
}

/// Waits for signals: SIGHUP reloads, SIGTERM / SIGINT shut down.
async fn signals(
    path: PathBuf,
    base: PathBuf,
    mut stores: Stores,
    current: Arc<RwLock<Arc<Generation>>>,
    shutdown: watch::Sender<bool>,
) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut hangup), Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for signals");
        return;
    };
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                match reload(&path, &base, &mut stores).await {
                    Ok(generation) => {
                        let old = swap(&current, generation);
                        if let Some(old) = old {
                            stop_workers(&old).await;
                        }
                        tracing::info!("config reloaded");
                        println!("config reloaded");
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "config reload refused; the running config is kept");
                        println!("config reload refused: {err}");
                    }
                }
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    tracing::info!("shutting down: finishing what is under way");
    let _ = shutdown.send(true);
}

/// The generation in place.
fn now(current: &RwLock<Arc<Generation>>) -> Option<Arc<Generation>> {
    current
        .read()
        .ok()
        .map(|generation| Arc::clone(&generation))
}

/// Puts `generation` in place; the one it replaces, to stop.
fn swap(current: &RwLock<Arc<Generation>>, generation: Generation) -> Option<Arc<Generation>> {
    let mut guard = current.write().ok()?;
    Some(std::mem::replace(&mut *guard, Arc::new(generation)))
}

async fn reload(path: &Path, base: &Path, stores: &mut Stores) -> Result<Generation, Error> {
    let config = Config::read(path)?;
    build(&config, base, stores).await
}

/// Waits until the memory stores' inboxes are empty and the shared stores have written the
/// completions they queued, `limit` at most; says what is left.
async fn drain(generation: &Generation, limit: Duration) {
    let started = tokio::time::Instant::now();
    for (path, store, durable) in &generation.stores {
        if *durable {
            // Completions the store queued without awaiting them are written before exit.
            let left = limit.saturating_sub(started.elapsed());
            if tokio::time::timeout(left, store.flush()).await.is_err() {
                tracing::error!(route = %path, "completions not written before exit: their keys stay in flight until their lease runs out");
            }
            continue;
        }
        loop {
            let pending = store.inbox_len(InboxStatus::Pending).await.unwrap_or(0);
            if pending == 0 {
                break;
            }
            if started.elapsed() >= limit {
                tracing::error!(route = %path, pending, "deliveries still pending in memory at exit: they are lost (use a redis:// or postgres:// store)");
                println!("{pending} deliveries of {path} not forwarded before exit");
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn stop_workers(generation: &Generation) {
    let _ = generation.stop.send(true);
    for worker in &generation.workers {
        while !worker.is_finished() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The routes of `config`, their stores (reused from `stores` when unchanged) and workers.
async fn build(config: &Config, base: &Path, stores: &mut Stores) -> Result<Generation, Error> {
    let mut router = Router::new();
    let mut layers = Vec::new();
    let mut used = Vec::new();
    for (i, route) in config.routes.iter().enumerate() {
        let RouteStore { store, redis } = store(route, i, stores).await?;
        let durable = route.store != "memory" || route.destination.is_some();
        let mut layer = layer(route, i, base, Arc::clone(&store))?;
        let handler = if let Some(destination) = &route.destination {
            layer = crate::publish::attach(layer, route, i, destination, redis.as_ref()).await?;
            // Never reached: the layer publishes, a consumer runs the handler.
            axum::routing::post(|| async { StatusCode::INTERNAL_SERVER_ERROR })
        } else {
            let upstream = route
                .forward
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|err| Error::config(format!("route[{i}].forward: {err}")))?;
            forward::handler(Forward::new(
                upstream,
                Duration::from_secs(route.timeout_secs),
            ))
        };
        router = router.route(&route.path, handler.layer(layer.clone()));
        layers.push((layer, route.concurrency));
        used.push((route.path.clone(), store, durable));
    }
    let (stop, stopped) = watch::channel(false);
    let workers = layers
        .into_iter()
        .map(|(layer, concurrency)| {
            let mut stopped = stopped.clone();
            tokio::spawn(
                layer
                    .worker(router.clone())
                    .with_concurrency(concurrency)
                    .with_poll_interval(Duration::from_millis(200))
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    }),
            )
        })
        .collect();
    Ok(Generation {
        router,
        stores: used,
        stop,
        workers,
    })
}

/// The route's layer: its provider's scheme and secret, its store, its ack mode.
fn layer(
    route: &Route,
    i: usize,
    base: &Path,
    store: Arc<dyn DeliveryStore>,
) -> Result<tower_webhooks::WebhookLayer, Error> {
    let scheme = crate::scheme::load(&route.provider, Some(base))
        .map_err(|err| Error::config(format!("route[{i}].provider: {err}")))?;
    let file = route.secret_file.as_ref().map(|file| base.join(file));
    let secret = crate::secret::named(
        route.secret_env.as_deref(),
        file.as_deref(),
        "give secret_env or secret_file",
    )
    .map_err(|err| Error::config(format!("route[{i}] ({}): {err}", route.path)))?;
    let layer = Builder::from(scheme)
        .secret(secret)
        .build()
        .map_err(|err| Error::config(format!("route[{i}].provider: {err}")))?
        .with_store(store)
        .with_ack(Ack::from(route.ack));
    Ok(match route.backoff() {
        Some(backoff) => layer.with_backoff(backoff),
        None => layer,
    })
}

/// The route's store: the one it had before a reload, or a new one.
async fn store(route: &Route, i: usize, stores: &mut Stores) -> Result<RouteStore, Error> {
    // A Redis stream deduplicates with its Redis store, in the same script: that is the store.
    let stream = route
        .destination
        .as_deref()
        .and_then(|d| d.strip_prefix("redis-stream://"));
    let what = stream.map_or_else(
        || route.store.clone(),
        |rest| format!("redis-stream://{rest}"),
    );
    let key = (route.path.clone(), what);
    if let Some(kept) = stores.get(&key) {
        return Ok(kept.clone());
    }
    let redis = match stream {
        Some(rest) => Some(
            crate::publish::redis_store(route, i, &format!("redis://{rest}"), "destination")
                .await?,
        ),
        None if route.store.starts_with("redis://") => {
            Some(crate::publish::redis_store(route, i, &route.store, "store").await?)
        }
        None => None,
    };
    let store: Arc<dyn DeliveryStore> = if let Some(redis) = &redis {
        Arc::new(redis.clone())
    } else if route.store == "memory" {
        Arc::new(MemoryStore::new())
    } else {
        let store = tower_webhooks::store::PostgresStore::connect(&route.store)
            .map_err(|err| Error::config(format!("route[{i}].store: {err}")))?;
        store
            .migrate()
            .await
            .map_err(|err| Error::runtime(format!("route[{i}].store: cannot migrate: {err}")))?;
        Arc::new(store)
    };
    let kept = RouteStore { store, redis };
    stores.insert(key, kept.clone());
    Ok(kept)
}

/// 200 when every route's store answers, 503 naming the routes whose store does not.
async fn ready(current: Arc<RwLock<Arc<Generation>>>) -> (StatusCode, String) {
    let Some(generation) = now(&current) else {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready".into());
    };
    let mut down = Vec::new();
    for (path, store, _) in &generation.stores {
        let answered = tokio::time::timeout(
            Duration::from_secs(2),
            store.inbox_len(InboxStatus::Pending),
        )
        .await;
        if !matches!(answered, Ok(Ok(_))) {
            down.push(path.as_str());
        }
    }
    if down.is_empty() {
        (StatusCode::OK, "ready".into())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store unreachable for {}", down.join(", ")),
        )
    }
}

async fn admin_server(listener: tokio::net::TcpListener, metrics: PrometheusHandle) {
    let admin = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move { metrics.render() }
        }),
    );
    if let Err(err) = axum::serve(listener, admin).await {
        tracing::error!(error = %err, "the admin server stopped");
    }
}
