//! Routes that publish to a queue instead of forwarding: NATS JetStream or a Redis stream.

use tower_webhooks::WebhookLayer;
use tower_webhooks::destination::{JetStream, RedisStream, StreamSettings, Subject};
use tower_webhooks::store::RedisStore;

use crate::config::Route;
use crate::error::Error;

/// A route's Redis store at `url` (`redis://...`), its keys prefixed by the route's path
/// (`webhooks:webhooks:stripe`); `field` names the config field in errors.
pub(crate) async fn redis_store(
    route: &Route,
    i: usize,
    url: &str,
    field: &str,
) -> Result<RedisStore, Error> {
    let prefix = format!(
        "webhooks:{}",
        route.path.trim_matches('/').replace('/', ":")
    );
    RedisStore::connect(url)
        .await
        .map(|store| store.with_prefix(prefix))
        .map_err(|err| Error::config(format!("route[{i}].{field}: {err}")))
}

/// `layer` publishing to the route's destination.
pub(crate) async fn attach(
    layer: WebhookLayer,
    route: &Route,
    i: usize,
    destination: &str,
    redis: Option<&RedisStore>,
) -> Result<WebhookLayer, Error> {
    let subject = |default: &str| {
        Subject::new(route.subject.as_deref().unwrap_or(default))
            .map_err(|err| Error::config(format!("route[{i}].subject: {err}")))
    };
    if destination.starts_with("nats://") {
        let subject = subject("webhooks.{provider}.{type}")?;
        let nats = JetStream::connect(destination)
            .await
            .map_err(|err| Error::config(format!("route[{i}].destination: {err}")))?
            .with_subject(subject.clone());
        if let Some(stream) = &route.stream {
            let literal = subject.as_str().split('{').next().unwrap_or_default();
            let settings = StreamSettings::new(stream.clone())
                .subjects([format!("{literal}>")])
                .replicas(route.stream_replicas);
            nats.create_stream(settings).await.map_err(|err| {
                Error::runtime(format!("route[{i}].stream: cannot create {stream}: {err}"))
            })?;
        }
        return Ok(layer.with_destination(nats));
    }
    // redis-stream://: the layer's own store, so the script that adds the entry recognises the
    // layer's claim.
    let redis = redis.ok_or_else(|| {
        Error::config(format!(
            "route[{i}].destination: a Redis stream needs its Redis store"
        ))
    })?;
    let stream = RedisStream::new(redis).with_stream(subject("webhooks:stream:{provider}")?);
    Ok(layer.with_destination(stream))
}
