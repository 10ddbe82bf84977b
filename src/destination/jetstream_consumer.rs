//! `JetStreamConsumer`: a durable pull consumer on a JetStream stream, for a
//! [`Consumer`](crate::Consumer) (feature `nats`).

use std::fmt;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, pull};
use async_nats::jetstream::{self, AckKind};
use async_trait::async_trait;
use futures_util::stream::{self, BoxStream, StreamExt};

use super::jetstream::JetStream;
use super::source::{Settle, Source};
use super::{DestinationError, Pull, Pulled, Reading, Subject, message};
use crate::store::Settlement;

/// A durable pull consumer: every process that names the same stream and consumer shares its
/// messages (each goes to one of them), and the stream remembers what was acknowledged.
///
/// A message not acknowledged within the ack wait (its consumer died mid-way) is handed to
/// another; a failed one is negatively acknowledged with the layer's backoff as its delay; after
/// the last attempt it is published to the dead-letter subject (default
/// `webhooks-dead.{provider}.{type}`: give it a stream, see [`StreamSettings`](super::StreamSettings))
/// with `Webhook-Attempts` and `Webhook-Error`, then terminated. The consumer is created on
/// first use (and again after NATS comes back), so a process may start before NATS does.
///
/// ```no_run
/// use std::time::Duration;
/// use axum::{routing::post, Router};
/// use tower_webhooks::destination::{JetStream, JetStreamConsumer};
/// use tower_webhooks::{provider::stripe, Event, WebhookLayer};
///
/// async fn on_event(event: Event<stripe::Event>) { let _ = event.event_type(); }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let layer = WebhookLayer::stripe("whsec_...");
/// let app: Router = Router::new().route("/webhooks/stripe", post(on_event).layer(layer.clone()));
/// let nats = JetStream::connect("nats://127.0.0.1:4222").await?;
/// let source = JetStreamConsumer::durable(&nats, "WEBHOOKS", "workers").with_ack_wait(Duration::from_secs(60));
/// tokio::spawn(layer.consumer(source, app));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JetStreamConsumer {
    context: jetstream::Context,
    stream: String,
    name: String,
    ack_wait: Duration,
    filter: Option<String>,
    dead_letter: Subject,
}

impl fmt::Debug for JetStreamConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JetStreamConsumer")
            .field("stream", &self.stream)
            .field("name", &self.name)
            .field("ack_wait", &self.ack_wait)
            .field("filter", &self.filter)
            .field("dead_letter", &self.dead_letter)
            .finish_non_exhaustive()
    }
}

/// Where dead messages go unless told otherwise: outside `webhooks.>`, so a consumer of the
/// deliveries never takes them.
const DEAD_LETTER: &str = "webhooks-dead.{provider}.{type}";

impl JetStreamConsumer {
    /// The durable consumer `name` on `stream`, through `nats`'s connection. Ack wait 5 min.
    pub fn durable(nats: &JetStream, stream: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            context: nats.context().clone(),
            stream: stream.into(),
            name: name.into(),
            ack_wait: Duration::from_secs(5 * 60),
            filter: None,
            dead_letter: Subject::new(DEAD_LETTER).unwrap_or_else(|_| unreachable!()),
        }
    }

    /// How long a message may stay unacknowledged before another consumer gets it; keep it
    /// above the handler's longest run. Applies when the consumer is created.
    pub fn with_ack_wait(mut self, ack_wait: Duration) -> Self {
        self.ack_wait = ack_wait;
        self
    }

    /// Takes only the messages of these subjects (`webhooks.stripe.>`).
    pub fn with_filter(mut self, subject: impl Into<String>) -> Self {
        self.filter = Some(subject.into());
        self
    }

    /// Publishes dead messages to `subject` instead.
    pub fn with_dead_letter(mut self, subject: Subject) -> Self {
        self.dead_letter = subject;
        self
    }

    async fn open(&self, reading: Reading) -> Result<PullConsumer, DestinationError> {
        let stream = self
            .context
            .get_stream(&self.stream)
            .await
            .map_err(DestinationError::unavailable)?;
        let config = pull::Config {
            durable_name: Some(self.name.clone()),
            ack_policy: AckPolicy::Explicit,
            ack_wait: self.ack_wait,
            // The layer's backoff decides when a message is dead, not the server.
            max_deliver: -1,
            max_ack_pending: i64::try_from(reading.batch.max(1) * 64).unwrap_or(i64::MAX),
            filter_subject: self.filter.clone().unwrap_or_default(),
            ..Default::default()
        };
        stream
            .get_or_create_consumer(&self.name, config)
            .await
            .map_err(DestinationError::unavailable)
    }
}

type PullConsumer = async_nats::jetstream::consumer::Consumer<pull::Config>;

/// What the read loop holds: the consumer once found or made, and the pull request under way.
#[derive(Default)]
struct Reader {
    consumer: Option<PullConsumer>,
    batch: Option<pull::Batch>,
}

impl From<JetStreamConsumer> for Pull {
    fn from(consumer: JetStreamConsumer) -> Self {
        Pull(std::sync::Arc::new(consumer))
    }
}

impl Source for JetStreamConsumer {
    fn messages(&self, reading: Reading) -> BoxStream<'static, Result<Pulled, DestinationError>> {
        let this = self.clone();
        let batch = reading.batch.max(1);
        let expires = reading.wait.max(Duration::from_millis(100));
        // One pull request at a time, of `batch` messages, expiring after the poll interval. A
        // request the server never answers (it went to a consumer still being set up, or to a
        // node that died) is given up after twice its expiry, and asked again: a
        // long-lived pull would wait on it for good.
        let patience = expires * 2;
        stream::unfold(Reader::default(), move |mut reader| {
            let this = this.clone();
            async move {
                loop {
                    let Some(consumer) = &reader.consumer else {
                        match this.open(reading).await {
                            Ok(consumer) => reader.consumer = Some(consumer),
                            Err(err) => return Some((Err(err), reader)),
                        }
                        continue;
                    };
                    let Some(pending) = &mut reader.batch else {
                        let request = consumer
                            .batch()
                            .max_messages(batch)
                            .expires(expires)
                            .messages()
                            .await;
                        match request {
                            Ok(pending) => reader.batch = Some(pending),
                            Err(err) => {
                                reader.consumer = None;
                                return Some((Err(DestinationError::unavailable(err)), reader));
                            }
                        }
                        continue;
                    };
                    match tokio::time::timeout(patience, pending.next()).await {
                        Ok(Some(Ok(message))) => return Some((Ok(this.pulled(message)), reader)),
                        Ok(Some(Err(err))) => {
                            // The consumer may be gone with its stream: look it up again.
                            reader = Reader::default();
                            return Some((Err(DestinationError::unavailable(err)), reader));
                        }
                        // The request is fulfilled or expired, or lost: ask again.
                        Ok(None) | Err(_) => reader.batch = None,
                    }
                }
            }
        })
        .boxed()
    }
}

impl JetStreamConsumer {
    fn pulled(&self, message: jetstream::Message) -> Pulled {
        let attempt = message
            .info()
            .ok()
            .and_then(|info| u32::try_from(info.delivered).ok())
            .unwrap_or(1)
            .max(1);
        let delivery = message::delivery(pairs(message.headers.as_ref()), message.payload.clone());
        Pulled {
            delivery,
            attempt,
            ack: Box::new(Ack {
                message,
                dead_letter: self.dead_letter.clone(),
                context: self.context.clone(),
            }),
        }
    }
}

/// Every (name, value) of a NATS header map.
fn pairs(headers: Option<&async_nats::HeaderMap>) -> Vec<(String, Vec<u8>)> {
    let Some(headers) = headers else {
        return Vec::new();
    };
    headers
        .iter()
        .flat_map(|(name, values)| {
            values
                .iter()
                .map(move |value| (name.to_string(), value.as_str().as_bytes().to_vec()))
        })
        .collect()
}

struct Ack {
    message: jetstream::Message,
    dead_letter: Subject,
    context: jetstream::Context,
}

#[async_trait]
impl Settle for Ack {
    async fn settle(&self, settlement: &Settlement) -> Result<(), DestinationError> {
        match settlement {
            // Confirmed by the server: a lost ack would run the handler once more.
            Settlement::Done => self
                .message
                .double_ack()
                .await
                .map_err(DestinationError::unavailable),
            Settlement::Retry { after, .. } => self
                .message
                .ack_with(AckKind::Nak(Some(*after)))
                .await
                .map_err(DestinationError::unavailable),
            Settlement::Dead { error } => {
                let mut headers = self.message.headers.clone().unwrap_or_default();
                let provider = headers
                    .get(message::PROVIDER)
                    .map_or_else(|| "unknown".to_owned(), |v| v.as_str().to_owned());
                let event_type = headers.get(message::TYPE).map(|v| v.as_str().to_owned());
                let attempts = self.message.info().map_or(0, |info| info.delivered);
                headers.insert(message::ATTEMPTS, attempts.to_string().as_str());
                headers.insert(message::ERROR, one_line(error).as_str());
                // Its `Nats-Msg-Id` stays: dead-lettered twice (the Term was lost), the dead
                // stream keeps one copy.
                let subject = self.dead_letter.render(&provider, event_type.as_deref());
                self.context
                    .publish_with_headers(subject, headers, self.message.payload.clone())
                    .await
                    .map_err(DestinationError::unavailable)?
                    .await
                    .map_err(DestinationError::unavailable)?;
                self.message
                    .ack_with(AckKind::Term)
                    .await
                    .map_err(DestinationError::unavailable)
            }
        }
    }
}

/// A header value cannot hold a line break.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
