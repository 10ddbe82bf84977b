//! Where verified deliveries go when a queue, not this process, runs the handler: NATS
//! JetStream (feature `nats`) and Redis Streams (feature `redis`).
//!
//! A layer with a destination ([`WebhookLayer::with_destination`](crate::WebhookLayer::with_destination))
//! admits a delivery as always (signature, timestamp, handshake, dedup claim), then publishes it
//! and answers the provider **200 only once the engine acknowledged the write**. If the engine
//! cannot take it, the answer is 503 and the claim is released, so the provider retries: nothing
//! is acknowledged that is not stored. Consumers in any language read the stream; a Rust consumer
//! runs each message through the same app and the same [`Event`](crate::Event) extractors with a
//! [`Consumer`](crate::Consumer).
//!
//! # The message
//!
//! Every destination writes a delivery the same way ([`message`] holds the names): the raw body
//! byte for byte as the payload, and the verified facts as headers (NATS) or fields (Redis):
//!
//! | header / field | value |
//! |---|---|
//! | `Webhook-Key` | the delivery key, `<provider>:<id>`: also the message id (`Nats-Msg-Id`) |
//! | `Webhook-Provider` | the provider's name (`stripe`) |
//! | `Webhook-Id` | the event id |
//! | `Webhook-Type` | the event type, when known |
//! | `Webhook-Timestamp` | the verified signature time, unix seconds, when signed |
//! | `Webhook-Received-At` | when the layer received it, unix seconds |
//! | `Webhook-Method`, `Webhook-Uri` | the request's method and path (where a consumer routes it) |
//! | `Http-<name>` | each header the layer keeps: those that identify and authenticate it |
//!
//! Redis entries carry the body in the field `body`. A dead-lettered message adds
//! `Webhook-Attempts` and `Webhook-Error`.
//!
//! # Guarantees
//!
//! | destination | a 200 means | copies from replicas |
//! |---|---|---|
//! | `JetStream` (feature `nats`) | the stream stored it (its `PubAck`, after its replicas agreed) | dropped by the stream's duplicate window (`Nats-Msg-Id`), reported as duplicates |
//! | `RedisStream` (feature `redis`) | `XADD` ran in Redis, in the same script as the dedup mark | dropped by the store's key, in the same script: never added twice |

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::BoxError;
use crate::store::{ClaimToken, StoredDelivery};

#[cfg(feature = "nats")]
mod jetstream;
#[cfg(feature = "nats")]
mod jetstream_consumer;
pub mod message;
#[cfg(feature = "redis")]
mod redis_consumer;
#[cfg(feature = "redis")]
mod redis_stream;
mod source;
mod subject;

#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
pub use self::jetstream::{JetStream, StreamSettings};
#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
pub use self::jetstream_consumer::JetStreamConsumer;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis_consumer::RedisStreamConsumer;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis_stream::RedisStream;
pub use self::source::Pull;
pub(crate) use self::source::{Pulled, Reading};
pub use self::subject::{Subject, SubjectError};

/// How a publish ended, when the engine took it.
///
/// ```
/// use tower_webhooks::destination::Published;
///
/// assert_ne!(Published::Stored, Published::Duplicate);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// The engine stored the delivery.
    Stored,
    /// The engine already held this delivery (another replica, or an earlier copy, published it).
    Duplicate,
}

/// Why a publish (or a consumer's read or acknowledgement) failed: the provider gets a 503.
///
/// ```
/// use tower_webhooks::destination::DestinationError;
///
/// let err = DestinationError::Unavailable("connection refused".into());
/// assert_eq!(err.to_string(), "destination unavailable");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum DestinationError {
    /// The engine cannot be reached, timed out or refused the write.
    Unavailable(BoxError),
    /// The delivery cannot be written as a message (a header the engine cannot carry).
    Unwritable(String),
}

#[cfg(any(feature = "nats", feature = "redis"))]
impl DestinationError {
    /// The engine failed: `err` says how.
    pub(crate) fn unavailable(err: impl Into<BoxError>) -> Self {
        DestinationError::Unavailable(err.into())
    }
}

impl fmt::Display for DestinationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DestinationError::Unavailable(_) => f.write_str("destination unavailable"),
            DestinationError::Unwritable(why) => write!(f, "delivery cannot be published: {why}"),
        }
    }
}

impl std::error::Error for DestinationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DestinationError::Unavailable(err) => Some(err.as_ref()),
            DestinationError::Unwritable(_) => None,
        }
    }
}

/// A durable place the layer publishes verified, deduplicated deliveries to.
///
/// [`publish`](Self::publish) must return `Ok` only once the delivery is stored durably by the
/// engine: the layer answers the provider 200 on `Ok` and 503 on `Err`. It gets the claim the
/// layer holds on the delivery's key in its store, for destinations that share that store (the
/// `RedisStream` checks it in the same script that adds the entry).
///
/// ```
/// use std::sync::Mutex;
/// use tower_webhooks::destination::{Destination, DestinationError, Published};
/// use tower_webhooks::store::{ClaimToken, StoredDelivery};
///
/// /// Keeps deliveries in memory (a test double: not durable).
/// #[derive(Debug, Default)]
/// struct Kept(Mutex<Vec<StoredDelivery>>);
///
/// #[async_trait::async_trait]
/// impl Destination for Kept {
///     async fn publish(&self, delivery: &StoredDelivery, _claim: ClaimToken) -> Result<Published, DestinationError> {
///         self.0.lock().unwrap().push(delivery.clone());
///         Ok(Published::Stored)
///     }
/// }
///
/// let layer = tower_webhooks::WebhookLayer::ycloud("whsec_...").with_destination(Kept::default());
/// # let _ = layer;
/// ```
#[async_trait]
pub trait Destination: fmt::Debug + Send + Sync + 'static {
    /// Publishes `delivery` (its key, facts, kept headers and raw body); `Ok` once stored.
    async fn publish(
        &self,
        delivery: &StoredDelivery,
        claim: ClaimToken,
    ) -> Result<Published, DestinationError>;
}

#[async_trait]
impl<T: Destination + ?Sized> Destination for Arc<T> {
    async fn publish(
        &self,
        delivery: &StoredDelivery,
        claim: ClaimToken,
    ) -> Result<Published, DestinationError> {
        (**self).publish(delivery, claim).await
    }
}
