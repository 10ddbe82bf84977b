//! What a [`Consumer`](crate::Consumer) reads: messages pulled from a stream, each with the way
//! to settle it. One implementation per engine; the consumer's loop is shared.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::stream::BoxStream;

use super::DestinationError;
use super::message::MessageError;
use crate::store::{Settlement, StoredDelivery};

/// How a consumer reads a stream.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(any(feature = "nats", feature = "redis")), allow(dead_code))]
pub(crate) struct Reading {
    /// How many messages may be held (taken, not yet settled) at once.
    pub(crate) batch: usize,
    /// How long to wait for messages before asking again.
    pub(crate) wait: Duration,
}

/// One message taken from a stream, leased to this consumer until settled.
pub(crate) struct Pulled {
    /// The delivery it carries, or why it carries none (it is dead-lettered as it is).
    pub(crate) delivery: Result<StoredDelivery, MessageError>,
    /// The how-manieth time the stream hands it out (1 the first time).
    pub(crate) attempt: u32,
    pub(crate) ack: Box<dyn Settle + Sync>,
}

/// Settles one pulled message in its engine.
#[async_trait]
pub(crate) trait Settle: Send {
    /// `Done`: acknowledged. `Retry`: handed out again after the delay. `Dead`: copied to the
    /// dead-letter place with its attempts and error, then acknowledged.
    /// May be called again after an error (the engine was away), with the same settlement.
    async fn settle(&self, settlement: &Settlement) -> Result<(), DestinationError>;
}

/// A stream of pulled messages; an `Err` is an engine failure, logged and waited out.
pub(crate) trait Source: Send + Sync + 'static {
    /// The messages, as they come, until the stream is dropped.
    fn messages(&self, reading: Reading) -> BoxStream<'static, Result<Pulled, DestinationError>>;
}

/// What a [`Consumer`](crate::Consumer) pulls from: a `JetStreamConsumer`
/// (feature `nats`) or a `RedisStreamConsumer` (feature `redis`),
/// made by `into()`; [`WebhookLayer::consumer`](crate::WebhookLayer::consumer) takes either.
///
/// ```
/// # #[cfg(feature = "redis")] {
/// use tower_webhooks::destination::{Pull, RedisStreamConsumer};
///
/// fn takes<P: Into<Pull>>(_: P) {}
/// # let _ = takes::<RedisStreamConsumer>;
/// # }
/// ```
#[derive(Clone)]
pub struct Pull(pub(crate) std::sync::Arc<dyn Source>);

impl std::fmt::Debug for Pull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Pull").finish_non_exhaustive()
    }
}
