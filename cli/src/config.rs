//! The gateway's configuration file: what `webhooks serve` reads, checked whole before anything
//! starts. Every error names the file, the line and column, and the field.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;

/// `webhooks.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Where deliveries arrive (`0.0.0.0:8080`); `/healthz` and `/readyz` answer there too.
    #[serde(default = "default_listen")]
    pub(crate) listen: String,
    /// Where `/metrics` answers, apart from the deliveries (`127.0.0.1:9100`).
    #[serde(default)]
    pub(crate) admin: Option<String>,
    /// On SIGTERM, how long the gateway keeps forwarding what its memory stores hold before it
    /// exits (default 30 s); durable stores keep theirs for the next start.
    #[serde(default = "default_drain")]
    pub(crate) drain_secs: u64,
    /// The routes, at least one.
    #[serde(rename = "route", default)]
    pub(crate) routes: Vec<Route>,
}

fn default_drain() -> u64 {
    30
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}

/// One provider's endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Route {
    /// The path deliveries are posted to (`/webhooks/stripe`).
    pub(crate) path: String,
    /// A preset's name, or a scheme document (`schemes/acme.toml`, relative to the config).
    pub(crate) provider: String,
    /// The environment variable that holds the secret.
    #[serde(default)]
    pub(crate) secret_env: Option<String>,
    /// A file that holds the secret.
    #[serde(default)]
    pub(crate) secret_file: Option<PathBuf>,
    /// When the provider hears 200: `immediately` (default: once stored, then forwarded by the
    /// worker), `always` (after the first forward; a failure is parked and retried, still 200),
    /// `passthrough` (the upstream's answer, the provider retries).
    #[serde(default)]
    pub(crate) ack: AckMode,
    /// `memory` (default), `redis://...` or `postgres://...`.
    #[serde(default = "default_store")]
    pub(crate) store: String,
    /// The upstream the verified deliveries are forwarded to (`http://127.0.0.1:8081/stripe`).
    #[serde(default)]
    pub(crate) forward: Option<String>,
    /// Or a queue they are published to: `nats://host:4222[,nats://...]` (JetStream) or
    /// `redis-stream://host:6379/` (a Redis stream, deduplicated with a Redis store in the same
    /// script); 200 once the engine stored the delivery.
    #[serde(default)]
    pub(crate) destination: Option<String>,
    /// The subject (NATS) or stream key (Redis) template, default `webhooks.{provider}.{type}` /
    /// `webhooks:stream:{provider}`.
    #[serde(default)]
    pub(crate) subject: Option<String>,
    /// NATS: the stream to create when it is missing (over the subject's literal prefix), and its
    /// replicas (default 1).
    #[serde(default)]
    pub(crate) stream: Option<String>,
    #[serde(default = "default_replicas")]
    pub(crate) stream_replicas: usize,
    /// The delays between attempts at the upstream, in seconds (default: the layer's).
    #[serde(default)]
    pub(crate) backoff_secs: Option<Vec<u64>>,
    /// How many deliveries the route's worker forwards at once (default 32).
    #[serde(default = "default_concurrency")]
    pub(crate) concurrency: usize,
    /// How long the upstream has to answer, in seconds (default 30).
    #[serde(default = "default_timeout")]
    pub(crate) timeout_secs: u64,
}

/// A route's `ack`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AckMode {
    #[default]
    Immediately,
    Always,
    Passthrough,
}

impl From<AckMode> for tower_webhooks::Ack {
    fn from(mode: AckMode) -> Self {
        match mode {
            AckMode::Immediately => tower_webhooks::Ack::Immediately,
            AckMode::Always => tower_webhooks::Ack::Always,
            AckMode::Passthrough => tower_webhooks::Ack::Passthrough,
        }
    }
}

fn default_concurrency() -> usize {
    32
}

fn default_replicas() -> usize {
    1
}

fn default_store() -> String {
    "memory".to_owned()
}

fn default_timeout() -> u64 {
    30
}

impl Route {
    pub(crate) fn backoff(&self) -> Option<tower_webhooks::Backoff> {
        self.backoff_secs.as_ref().map(|delays| {
            tower_webhooks::Backoff::new(delays.iter().map(|s| Duration::from_secs(*s)))
        })
    }
}

impl Config {
    /// Reads and checks `path`.
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::config(format!("{}: cannot be read: {err}", path.display())))?;
        let at = |span: Option<std::ops::Range<usize>>| {
            span.map_or_else(String::new, |span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{column}")
            })
        };
        let deserializer = toml::Deserializer::parse(&text).map_err(|err| {
            Error::config(format!(
                "{}{}: {}",
                path.display(),
                at(err.span()),
                err.message()
            ))
        })?;
        let config: Config = serde_path_to_error::deserialize(deserializer).map_err(|err| {
            let field = err.path().to_string();
            let inner = err.inner();
            Error::config(format!(
                "{}{}: {}: {}",
                path.display(),
                at(inner.span()),
                if field == "." { "the file" } else { &field },
                inner.message()
            ))
        })?;
        config.check(path)?;
        Ok(config)
    }

    fn check(&self, path: &Path) -> Result<(), Error> {
        let field = |i: usize, name: &str, message: String| {
            Error::config(format!("{}: route[{i}].{name}: {message}", path.display()))
        };
        if self.routes.is_empty() {
            return Err(Error::config(format!(
                "{}: no [[route]]: the gateway would receive nothing",
                path.display()
            )));
        }
        let mut paths = std::collections::HashSet::new();
        for (i, route) in self.routes.iter().enumerate() {
            if !route.path.starts_with('/') {
                return Err(field(
                    i,
                    "path",
                    format!("`{}` must start with /", route.path),
                ));
            }
            if !paths.insert(route.path.as_str()) {
                return Err(field(
                    i,
                    "path",
                    format!("`{}` is routed twice", route.path),
                ));
            }
            if route.secret_env.is_none() && route.secret_file.is_none() {
                return Err(field(i, "secret_env", "give secret_env (a variable's name) or secret_file; a secret never goes in this file".into()));
            }
            // No URL is echoed: any may carry credentials.
            match (&route.forward, &route.destination) {
                (Some(forward), None) if forward.starts_with("http://") => {}
                (Some(_), None) => {
                    return Err(field(i, "forward", "must be an http:// URL".into()));
                }
                (None, Some(destination))
                    if destination.starts_with("nats://")
                        || destination.starts_with("redis-stream://") => {}
                (None, Some(_)) => {
                    return Err(field(
                        i,
                        "destination",
                        "must be nats://... or redis-stream://...".into(),
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(field(
                        i,
                        "destination",
                        "a route forwards or publishes, not both".into(),
                    ));
                }
                (None, None) => {
                    return Err(field(
                        i,
                        "forward",
                        "give forward (an upstream URL) or destination (a queue)".into(),
                    ));
                }
            }
            let store = route.store.as_str();
            if store != "memory"
                && !store.starts_with("redis://")
                && !store.starts_with("postgres://")
            {
                return Err(field(
                    i,
                    "store",
                    "must be memory, redis://... or postgres://...".into(),
                ));
            }
        }
        Ok(())
    }
}
