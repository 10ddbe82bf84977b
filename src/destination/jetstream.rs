//! `JetStream`: verified deliveries published to a NATS JetStream stream (feature `nats`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use async_trait::async_trait;

use super::{Destination, DestinationError, Published, Subject, message};
use crate::store::{ClaimToken, StoredDelivery};

/// Publishes each delivery to a JetStream stream and waits for the stream's `PubAck`.
///
/// The subject comes from a [`Subject`] template (default `webhooks.{provider}.{type}`); the
/// message id (`Nats-Msg-Id`) is the delivery key, so the stream's duplicate window drops the
/// copies other replicas publish, and the `PubAck` says so ([`Published::Duplicate`]). The
/// payload is the raw body; the facts are headers ([`message`]). With a stream of three
/// replicas, a `PubAck` means a majority stored it: a node may die without losing it.
///
/// ```no_run
/// use tower_webhooks::destination::{JetStream, StreamSettings};
/// use tower_webhooks::WebhookLayer;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let nats = JetStream::connect("nats://10.0.0.1:4222,nats://10.0.0.2:4222").await?;
/// nats.create_stream(StreamSettings::new("WEBHOOKS").replicas(3)).await?;
/// let layer = WebhookLayer::stripe("whsec_...").with_destination(nats);
/// # let _ = layer;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JetStream {
    context: jetstream::Context,
    subject: Subject,
}

impl fmt::Debug for JetStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JetStream")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// The subject deliveries are published to unless told otherwise.
pub(crate) const DEFAULT_SUBJECT: &str = "webhooks.{provider}.{type}";

impl JetStream {
    /// Publishes through `context` (your own client: credentials, TLS, timeouts) to the default
    /// subject `webhooks.{provider}.{type}`.
    pub fn new(context: jetstream::Context) -> Self {
        Self {
            context,
            subject: Subject::new(DEFAULT_SUBJECT).unwrap_or_else(|_| unreachable!()),
        }
    }

    /// Connects to the comma-separated server URLs (a cluster's nodes). The client reconnects
    /// by itself, and may be made before NATS is up: publishes fail (503) until it answers.
    /// A `PubAck` is awaited 5 s at most.
    pub async fn connect(urls: &str) -> Result<Self, DestinationError> {
        let addresses = urls
            .split(',')
            .map(|url| url.trim().parse::<async_nats::ServerAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(DestinationError::unavailable)?;
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(2))
            .connect(addresses)
            .await
            .map_err(DestinationError::unavailable)?;
        let mut context = jetstream::new(client);
        context.set_timeout(Duration::from_secs(5));
        Ok(Self::new(context))
    }

    /// Publishes to `subject` instead (a [`Subject`] template).
    pub fn with_subject(mut self, subject: Subject) -> Self {
        self.subject = subject;
        self
    }

    /// The JetStream context, for what this type does not do (consumers, stream info).
    pub fn context(&self) -> &jetstream::Context {
        &self.context
    }

    /// Creates the stream if it does not exist (an existing one is left as it is) and returns
    /// its name.
    pub async fn create_stream(
        &self,
        settings: StreamSettings,
    ) -> Result<String, DestinationError> {
        let config = settings.config();
        let name = config.name.clone();
        self.context
            .get_or_create_stream(config)
            .await
            .map_err(DestinationError::unavailable)?;
        Ok(name)
    }
}

#[async_trait]
impl Destination for JetStream {
    async fn publish(
        &self,
        delivery: &StoredDelivery,
        _claim: ClaimToken,
    ) -> Result<Published, DestinationError> {
        // Checked here: async-nats panics on a header it cannot write, and an event id is the
        // provider's text (a JSON string may hold a line break).
        let mut headers = async_nats::HeaderMap::new();
        for (name, value) in message::fields(delivery) {
            let value = async_nats::HeaderValue::from_str(&value)
                .map_err(|_| DestinationError::Unwritable(format!("{name} holds a line break")))?;
            let name = async_nats::HeaderName::from_str(&name).map_err(|_| {
                DestinationError::Unwritable(format!("{name} cannot name a NATS header"))
            })?;
            headers.append(name, value);
        }
        let subject = self
            .subject
            .render(&delivery.provider, delivery.event_type.as_deref());
        let publish = PublishMessage::build()
            .payload(delivery.body.clone())
            .headers(headers)
            .message_id(&delivery.key);
        let ack = self
            .context
            .send_publish(subject, publish)
            .await
            .map_err(DestinationError::unavailable)?
            .await
            .map_err(DestinationError::unavailable)?;
        Ok(if ack.duplicate {
            Published::Duplicate
        } else {
            Published::Stored
        })
    }
}

/// A stream for webhook deliveries, as [`JetStream::create_stream`] makes it: file storage,
/// limits retention, the subjects `webhooks.>`, one replica, kept 7 days, duplicates dropped
/// within 10 minutes.
///
/// The duplicate window is what makes the copies of other replicas disappear: keep it above
/// the time a provider's copies of one event arrive apart from each other (their first retries
/// come within minutes), and below what the servers' memory allows (one id per message in the
/// window). Copies that come later are the layer's store's to drop.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::destination::StreamSettings;
///
/// let settings = StreamSettings::new("WEBHOOKS")
///     .subjects(["webhooks.stripe.>"])
///     .replicas(3)
///     .max_age(Duration::from_secs(3 * 24 * 3600))
///     .duplicate_window(Duration::from_secs(30 * 60));
/// # let _ = settings;
/// ```
#[derive(Debug, Clone)]
pub struct StreamSettings {
    name: String,
    subjects: Vec<String>,
    replicas: usize,
    max_age: Duration,
    duplicate_window: Duration,
    memory: bool,
}

impl StreamSettings {
    /// A stream named `name` with the defaults above.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            subjects: vec!["webhooks.>".to_owned()],
            replicas: 1,
            max_age: Duration::from_secs(7 * 24 * 3600),
            duplicate_window: Duration::from_secs(10 * 60),
            memory: false,
        }
    }

    /// The subjects it captures (wildcards allowed).
    pub fn subjects<I, S>(mut self, subjects: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.subjects = subjects.into_iter().map(Into::into).collect();
        self
    }

    /// How many servers hold each message (1 to 5; 3 survives the loss of one).
    pub fn replicas(mut self, replicas: usize) -> Self {
        self.replicas = replicas.clamp(1, 5);
        self
    }

    /// How long a message is kept.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How long a message id is remembered to drop its copies.
    pub fn duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }

    /// Keeps messages in memory rather than files (fast, lost when every replica restarts).
    pub fn in_memory(mut self) -> Self {
        self.memory = true;
        self
    }

    fn config(self) -> stream::Config {
        stream::Config {
            name: self.name,
            subjects: self.subjects,
            num_replicas: self.replicas,
            max_age: self.max_age,
            duplicate_window: self.duplicate_window.min(self.max_age),
            storage: if self.memory {
                stream::StorageType::Memory
            } else {
                stream::StorageType::File
            },
            retention: stream::RetentionPolicy::Limits,
            ..Default::default()
        }
    }
}
