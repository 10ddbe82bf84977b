//! `WebhookLayer`: presets, settings, and the configuration shared by every clone in one `Arc`.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::Duration;

use http::{header, HeaderName, HeaderValue, Method, StatusCode};
use tower_layer::Layer;

use crate::builder::Builder;
use crate::clock::{Clock, ClockDebug, SystemClock};
use crate::error::{RejectionKind, Statuses};
use crate::identify::Source;
use crate::provider;
use crate::scheme::{Scheme, TimestampSource};
use crate::service::Webhook;
use crate::signature::Key;
use crate::store::{DeliveryStore, MemoryStore};
use crate::worker::Worker;
use crate::{Ack, Backoff, Secret};
use tokio::sync::Notify;

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// The default time to receive a body: 10 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A tower layer that lets only authentic, new webhook deliveries through to the handler.
///
/// Pick a preset ([`ycloud`](Self::ycloud), [`stripe`](Self::stripe), [`github`](Self::github),
/// [`slack`](Self::slack), [`meta`](Self::meta), ... one per module of [`provider`]) or describe
/// any provider with [`builder`](Self::builder); adjust it with the `with_*` methods. Cloning is cheap: the
/// configuration sits behind one `Arc`.
///
/// ```
/// use axum::{routing::post, Router};
/// use tower_webhooks::{provider::ycloud, Event, WebhookLayer};
///
/// async fn on_event(event: Event<ycloud::Event>) {
///     tracing::info!(id = event.id(), "handled");
/// }
///
/// let app: Router = Router::new().route(
///     "/webhooks/ycloud",
///     post(on_event).layer(WebhookLayer::ycloud("whsec_...")),
/// );
/// ```
#[derive(Clone)]
pub struct WebhookLayer {
    config: Arc<Config>,
}

/// Everything a delivery is checked against.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) scheme: Scheme,
    pub(crate) provider: Arc<str>,
    pub(crate) keys: Vec<Key>,
    /// True when deliveries are accepted without a signature (no secret on an unsigned scheme).
    pub(crate) unsigned: bool,
    pub(crate) tolerance: Duration,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Option<Duration>,
    pub(crate) store: Arc<dyn DeliveryStore>,
    pub(crate) ack: Ack,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) statuses: Statuses,
    pub(crate) allow: HeaderValue,
    /// The headers kept with a failed delivery: those that authenticate and identify it.
    pub(crate) kept_headers: Vec<HeaderName>,
    pub(crate) backoff: Backoff,
    /// Wakes this process's workers when a delivery is parked due now.
    pub(crate) wake: Arc<Notify>,
    /// This layer's workers running in this process, and whether parking without one was
    /// already warned about.
    pub(crate) workers: Arc<(AtomicUsize, AtomicBool)>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("scheme", &self.scheme)
            .field("secrets", &format_args!("{} [redacted]", self.keys.len()))
            .field("unsigned", &self.unsigned)
            .field("tolerance", &self.tolerance)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .field("store", &self.store)
            .field("ack", &self.ack)
            .field("backoff", &self.backoff)
            .field("clock", &ClockDebug)
            .finish()
    }
}

impl fmt::Debug for WebhookLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookLayer")
            .field("config", &self.config)
            .finish()
    }
}

impl WebhookLayer {
    /// YCloud: `YCloud-Signature: t=<unix s>,s=<hex HMAC-SHA256 of "<t>.<body>">`, tolerance
    /// 300 s; id = JSON `id`, type = JSON `type`. See [`provider::ycloud`].
    pub fn ycloud(secret: impl Into<Secret>) -> Self {
        Self::from_parts(provider::ycloud::scheme(), vec![secret.into()], false)
    }

    /// Wappcloud: `X-Wappcloud-Signature: sha256=<hex HMAC-SHA256 of the body>`, type from
    /// `X-Wappcloud-Event`; answers `GET ?challenge=` with `{"challenge":"<v>"}`. See
    /// [`provider::wappcloud`].
    pub fn wappcloud(secret: impl Into<Secret>) -> Self {
        Self::from_parts(provider::wappcloud::scheme(), vec![secret.into()], false)
    }

    /// Yeastar: `X-Signature: <base64 HMAC-SHA256 of the body>`, type = JSON `event`, delivered
    /// with POST or GET. See [`provider::yeastar`].
    pub fn yeastar(secret: impl Into<Secret>) -> Self {
        Self::from_parts(provider::yeastar::scheme(), vec![secret.into()], false)
    }

    /// Conversation messages: unsigned unless [`with_secret`](Self::with_secret) is called;
    /// each status of a message is processed once. See [`provider::conversation`].
    pub fn conversation() -> Self {
        Self::from_parts(provider::conversation::scheme(), Vec::new(), true)
    }

    /// Standard Webhooks: `webhook-signature: v1,<base64>` over `<id>.<timestamp>.<body>` with
    /// the `whsec_<base64>` key, tolerance 5 min; id = `webhook-id`. See
    /// [`provider::standard_webhooks`].
    pub fn standard_webhooks(secret: impl Into<Secret>) -> Self {
        Self::new(provider::standard_webhooks::scheme(), secret)
    }

    /// Svix: Standard Webhooks with `svix-*` headers. See [`provider::svix`].
    pub fn svix(secret: impl Into<Secret>) -> Self {
        Self::new(provider::svix::scheme(), secret)
    }

    /// Stripe: `Stripe-Signature: t=..,v1=..` over `<t>.<body>`, any `v1` may match, tolerance
    /// 300 s; id = JSON `id`. See [`provider::stripe`].
    pub fn stripe(secret: impl Into<Secret>) -> Self {
        Self::new(provider::stripe::scheme(), secret)
    }

    /// GitHub: `X-Hub-Signature-256: sha256=<hex>`; id = `X-GitHub-Delivery`, type =
    /// `X-GitHub-Event`. See [`provider::github`].
    pub fn github(secret: impl Into<Secret>) -> Self {
        Self::new(provider::github::scheme(), secret)
    }

    /// Slack: `X-Slack-Signature: v0=<hex>` over `v0:<timestamp>:<body>`, JSON or form bodies,
    /// answers the signed `url_verification`. See [`provider::slack`].
    pub fn slack(signing_secret: impl Into<Secret>) -> Self {
        Self::new(provider::slack::scheme(), signing_secret)
    }

    /// Meta (WhatsApp Cloud API, Messenger, Instagram): `X-Hub-Signature-256` with the app
    /// secret; answers `GET ?hub.challenge=` when `hub.verify_token` is `verify_token` (403
    /// otherwise). See [`provider::meta`].
    pub fn meta(app_secret: impl Into<Secret>, verify_token: impl Into<Secret>) -> Self {
        Self::new(provider::meta::scheme(verify_token), app_secret)
    }

    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>`; id = `X-Shopify-Webhook-Id`, type =
    /// `X-Shopify-Topic`. See [`provider::shopify`].
    pub fn shopify(secret: impl Into<Secret>) -> Self {
        Self::new(provider::shopify::scheme(), secret)
    }

    /// Twilio: `X-Twilio-Signature`, base64 HMAC-SHA1 over the public URL (`public_base_url` +
    /// the request's path and query) and the sorted form parameters. See [`provider::twilio`].
    pub fn twilio(auth_token: impl Into<Secret>, public_base_url: impl Into<String>) -> Self {
        Self::new(provider::twilio::scheme(public_base_url), auth_token)
    }

    /// Zoom: `x-zm-signature: v0=<hex>` over `v0:<timestamp>:<body>`; answers the signed
    /// `endpoint.url_validation`. See [`provider::zoom`].
    pub fn zoom(secret_token: impl Into<Secret>) -> Self {
        Self::new(provider::zoom::scheme(), secret_token)
    }

    /// Paddle Billing: `Paddle-Signature: ts=..;h1=..` over `<ts>:<body>`, tolerance 5 s; id =
    /// JSON `event_id`. See [`provider::paddle`].
    pub fn paddle(secret: impl Into<Secret>) -> Self {
        Self::new(provider::paddle::scheme(), secret)
    }

    /// Intercom: `X-Hub-Signature: sha1=<hex>`; id = JSON `id`, type = JSON `topic`. See
    /// [`provider::intercom`].
    pub fn intercom(client_secret: impl Into<Secret>) -> Self {
        Self::new(provider::intercom::scheme(), client_secret)
    }

    /// X (formerly Twitter) Account Activity API: `x-twitter-webhooks-signature: sha256=<base64>`
    /// with the consumer secret; answers the CRC `GET ?crc_token=`. See [`provider::x`].
    pub fn x(consumer_secret: impl Into<Secret>) -> Self {
        Self::new(provider::x::scheme(), consumer_secret)
    }

    /// A layer for any provider; see [`Builder`].
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// A layer from a scheme (such as a preset's) and a secret.
    ///
    /// An unusable secret (empty, or not the encoding the scheme expects) is logged and ignored,
    /// so that the layer fails closed: use [`Builder::build`] to get the error instead.
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Self {
        Self::from_parts(scheme, vec![secret.into()], false)
    }

    pub(crate) fn from_parts(scheme: Scheme, secrets: Vec<Secret>, unsigned: bool) -> Self {
        let mut config = Config {
            provider: Arc::from(scheme.provider.as_ref()),
            tolerance: scheme.tolerance,
            allow: allow_header(&scheme),
            kept_headers: kept_headers(&scheme),
            scheme,
            keys: Vec::new(),
            unsigned,
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: Some(DEFAULT_BODY_TIMEOUT),
            store: Arc::new(MemoryStore::new()),
            ack: Ack::default(),
            backoff: Backoff::default(),
            wake: Arc::new(Notify::new()),
            workers: Arc::default(),
            clock: Arc::new(SystemClock),
            statuses: Statuses::default(),
        };
        for secret in secrets {
            config.add_secret(&secret);
        }
        Self {
            config: Arc::new(config),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Adds a secret: during a rotation, a delivery signed with any configured secret passes.
    /// On an unsigned preset (conversation), the first secret turns verification on.
    ///
    /// ```
    /// use tower_webhooks::WebhookLayer;
    ///
    /// let layer = WebhookLayer::ycloud("whsec_new").with_secret("whsec_old");
    /// # let _ = layer;
    /// ```
    pub fn with_secret(mut self, secret: impl Into<Secret>) -> Self {
        let secret = secret.into();
        let config = self.config_mut();
        config.add_secret(&secret);
        config.unsigned = false;
        self
    }

    /// How far the signed timestamp may be from now, past or future (preset default 300 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_webhooks::WebhookLayer;
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...").with_tolerance(Duration::from_secs(60));
    /// # let _ = layer;
    /// ```
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.config_mut().tolerance = tolerance;
        self
    }

    /// The largest body accepted (default 1 MiB); larger ones are answered 413.
    ///
    /// This limit is the one that holds behind the layer: axum's own `DefaultBodyLimit` is
    /// lifted for the verified body, which has already been bounded here.
    ///
    /// ```
    /// use tower_webhooks::WebhookLayer;
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...").with_body_limit(256 * 1024);
    /// # let _ = layer;
    /// ```
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.config_mut().body_limit = limit;
        self
    }

    /// How long the body may take to arrive (default 10 s); slower senders are answered 408.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_webhooks::WebhookLayer;
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...").with_body_timeout(Duration::from_secs(5));
    /// # let _ = layer;
    /// ```
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.config_mut().body_timeout = Some(timeout);
        self
    }

    /// The store for dedup keys and the inbox (default: a new [`MemoryStore`]).
    ///
    /// ```
    /// use tower_webhooks::{store::MemoryStore, WebhookLayer};
    ///
    /// let store = MemoryStore::new();
    /// let layer = WebhookLayer::ycloud("whsec_...").with_store(store.clone());
    /// // later: store.inbox(InboxStatus::Dead, 100).await
    /// # let _ = layer;
    /// ```
    pub fn with_store(mut self, store: impl DeliveryStore) -> Self {
        self.config_mut().store = Arc::new(store);
        self
    }

    /// The acknowledgement policy (default [`Ack::Always`]).
    ///
    /// ```
    /// use tower_webhooks::{Ack, WebhookLayer};
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...").with_ack(Ack::Passthrough);
    /// # let _ = layer;
    /// ```
    pub fn with_ack(mut self, ack: Ack) -> Self {
        self.config_mut().ack = ack;
        self
    }

    /// The delays between attempts at a failed delivery (default [`Backoff::default`]: 10 s,
    /// 30 s, 5 min, 30 min, 1 h, 2 h, 2 h); used by the layer when the handler fails under
    /// [`Ack::Always`] and by the [`Worker`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_webhooks::{Backoff, WebhookLayer};
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...")
    ///     .with_backoff(Backoff::new([Duration::from_secs(60); 3]));
    /// # let _ = layer;
    /// ```
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.config_mut().backoff = backoff;
        self
    }

    /// The worker that runs the inbox of this layer's store through `app`: the service the
    /// layer is part of (an axum `Router`, say), so that a delivery is handled by the same route,
    /// extractors and middleware as when it arrived. Spawn it; see [`Worker`].
    ///
    /// ```
    /// use axum::{routing::post, Router};
    /// use tower_webhooks::{Ack, WebhookLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let layer = WebhookLayer::ycloud("whsec_...").with_ack(Ack::Immediately);
    /// let app: Router = Router::new().route("/webhooks/ycloud", post(|| async {}).layer(layer.clone()));
    /// let worker = tokio::spawn(layer.worker(app.clone()));
    /// # worker.abort();
    /// # }
    /// ```
    pub fn worker<S>(&self, app: S) -> Worker<S> {
        Worker::new(Arc::clone(&self.config), app)
    }

    /// The clock for the timestamp tolerance (default [`SystemClock`]).
    ///
    /// ```
    /// use tower_webhooks::{FixedClock, WebhookLayer};
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...").with_clock(FixedClock(1_654_084_800));
    /// # let _ = layer;
    /// ```
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.config_mut().clock = Arc::new(clock);
        self
    }

    /// The status answered for a kind of rejection (defaults in [`RejectionKind`]).
    ///
    /// ```
    /// use http::StatusCode;
    /// use tower_webhooks::{RejectionKind, WebhookLayer};
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...")
    ///     .with_status(RejectionKind::InvalidSignature, StatusCode::FORBIDDEN);
    /// # let _ = layer;
    /// ```
    pub fn with_status(mut self, kind: RejectionKind, status: StatusCode) -> Self {
        self.config_mut().statuses.set(kind, status);
        self
    }

    /// The methods deliveries arrive with (the preset's by default).
    ///
    /// ```
    /// use http::Method;
    /// use tower_webhooks::WebhookLayer;
    ///
    /// // This Yeastar webhook is configured to deliver with POST only.
    /// let layer = WebhookLayer::yeastar("Q7mZp2Lx...").with_methods([Method::POST]);
    /// # let _ = layer;
    /// ```
    pub fn with_methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        let config = self.config_mut();
        config.scheme.methods = methods.into_iter().collect();
        config.allow = allow_header(&config.scheme);
        self
    }

    /// The store in use, to read failed deliveries.
    pub fn store(&self) -> &Arc<dyn DeliveryStore> {
        &self.config.store
    }

    /// The scheme in use.
    pub fn scheme(&self) -> &Scheme {
        &self.config.scheme
    }
}

impl Config {
    fn add_secret(&mut self, secret: &Secret) {
        let Some(signature) = &self.scheme.signature else {
            tracing::error!(provider = %self.provider, "a secret was given to a scheme without a signature; ignored");
            return;
        };
        match Key::derive(secret, signature) {
            Ok(key) => self.keys.push(key),
            // Fail closed: with no usable key, every delivery is refused.
            Err(err) => tracing::error!(
                provider = %self.provider,
                "webhook secret ignored: {err}; deliveries signed with it will be refused"
            ),
        }
    }
}

fn kept_headers(scheme: &Scheme) -> Vec<HeaderName> {
    let mut names = vec![header::CONTENT_TYPE];
    names.extend(scheme.signature.as_ref().map(|s| s.header().clone()));
    if let Some(TimestampSource::Header(name)) = &scheme.timestamp {
        names.push(name.clone());
    }
    names.extend(scheme.id.header().cloned());
    for source in &scheme.event_type {
        if let Source::Header(name) = source {
            names.push(name.clone());
        }
    }
    names
}

fn allow_header(scheme: &Scheme) -> HeaderValue {
    let mut methods: Vec<&str> = scheme.methods.iter().map(Method::as_str).collect();
    if let Some(handshake) = &scheme.handshake {
        methods.push(handshake.method().as_str());
    }
    methods.sort_unstable();
    methods.dedup();
    HeaderValue::from_str(&methods.join(", ")).unwrap_or_else(|_| HeaderValue::from_static("POST"))
}

impl<S> Layer<S> for WebhookLayer {
    type Service = Webhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Webhook::new(inner, Arc::clone(&self.config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let layer = WebhookLayer::ycloud("hunter2-secret").with_secret("other-secret");
        let debug = format!("{layer:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("other-secret"), "{debug}");
        assert!(debug.contains("2 [redacted]"), "{debug}");
    }

    #[test]
    fn allow_lists_delivery_and_handshake_methods() {
        assert_eq!(WebhookLayer::wappcloud("s").config.allow, "GET, POST");
        assert_eq!(WebhookLayer::ycloud("s").config.allow, "POST");
        assert_eq!(WebhookLayer::yeastar("s").config.allow, "GET, POST");
    }

    #[test]
    fn empty_secret_fails_closed() {
        let layer = WebhookLayer::ycloud("");
        assert!(layer.config.keys.is_empty());
        assert!(!layer.config.unsigned);
    }

    #[test]
    fn conversation_is_unsigned_until_a_secret_is_given() {
        assert!(WebhookLayer::conversation().config.unsigned);
        let signed = WebhookLayer::conversation().with_secret("s");
        assert!(!signed.config.unsigned);
        assert_eq!(signed.config.keys.len(), 1);
    }
}
