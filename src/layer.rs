//! `WebhookLayer`: presets and settings. It makes the [`Config`] its services and workers share
//! (in one `Arc`, cheap to clone), and is imported by nobody but the crate root.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use tower_layer::Layer;

use crate::builder::Builder;
use crate::clock::Clock;
use crate::config::{Config, Runtime};
use crate::consumer::Consumer;
use crate::destination::{Destination, Pull};
use crate::provider;
use crate::rejection::RejectionKind;
use crate::scheme::{BuildError, Scheme};
use crate::service::Webhook;
use crate::signature::Verifier;
use crate::store::DeliveryStore;
use crate::worker::Worker;
use crate::{Ack, Backoff, HookSecret, Secret};

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
    runtime: Arc<Runtime>,
}

/// `WebhookLayer::<name>(secret)` for each one-secret catalogue preset.
macro_rules! constructors {
    ($($name:ident),* $(,)?) => {
        impl WebhookLayer {
            $(
                #[doc = concat!(
                    "The [`provider::", stringify!($name), "`] preset with its secret: see that ",
                    "page for the scheme and the provider's documentation."
                )]
                pub fn $name(secret: impl Into<Secret>) -> Self {
                    Self::new(provider::$name::scheme(), secret)
                }
            )*
        }
    };
}
provider::one_secret_presets!(constructors);

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

    /// HubSpot (signature v3): `X-HubSpot-Signature-v3` (base64 HMAC-SHA256) over method + public
    /// URL (`public_base_url` + path and query) + body + timestamp in milliseconds, 5 min. See
    /// [`provider::hubspot`].
    pub fn hubspot(client_secret: impl Into<Secret>, public_base_url: impl Into<String>) -> Self {
        Self::new(provider::hubspot::scheme(public_base_url), client_secret)
    }

    /// Linear: `Linear-Signature` (hex HMAC-SHA256 of the body), the signed body's
    /// `webhookTimestamp` (ms) within 60 s; id = `Linear-Delivery`. See [`provider::linear`].
    pub fn linear(signing_secret: impl Into<Secret>) -> Self {
        Self::new(provider::linear::scheme(), signing_secret)
    }

    /// Dropbox: `X-Dropbox-Signature` (hex HMAC-SHA256 of the body); answers `GET ?challenge=`
    /// as text. See [`provider::dropbox`].
    pub fn dropbox(app_secret: impl Into<Secret>) -> Self {
        Self::new(provider::dropbox::scheme(), app_secret)
    }

    /// Xero: `x-xero-signature` (base64 HMAC-SHA256 of the body); answers a signed intent to
    /// receive with an empty 200. See [`provider::xero`].
    pub fn xero(webhook_key: impl Into<Secret>) -> Self {
        Self::new(provider::xero::scheme(), webhook_key)
    }

    /// GitLab: `X-Gitlab-Token` is the secret token itself, compared in constant time; id =
    /// `X-Gitlab-Event-UUID`, type = `X-Gitlab-Event`. See [`provider::gitlab`].
    pub fn gitlab(secret_token: impl Into<Secret>) -> Self {
        Self::new(provider::gitlab::scheme(), secret_token)
    }

    /// Okta event hooks: the `Authorization` header's value (the one configured on the hook),
    /// compared in constant time; answers the `X-Okta-Verification-Challenge` GET. See
    /// [`provider::okta`].
    pub fn okta(authorization: impl Into<Secret>) -> Self {
        Self::new(provider::okta::scheme(), authorization)
    }

    /// Square: `x-square-hmacsha256-signature` (base64 HMAC-SHA256) over the notification URL
    /// (`public_base_url` + the request's path and query) and the body. See [`provider::square`].
    pub fn square(signature_key: impl Into<Secret>, public_base_url: impl Into<String>) -> Self {
        Self::new(provider::square::scheme(public_base_url), signature_key)
    }

    /// Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex>` over id + RFC 3339
    /// timestamp + body, 10 min; answers the signed `webhook_callback_verification` with its
    /// challenge as text. See [`provider::twitch`].
    pub fn twitch(secret: impl Into<Secret>) -> Self {
        Self::new(provider::twitch::scheme(), secret)
    }

    /// Box: `BOX-SIGNATURE-PRIMARY` / `-SECONDARY` (base64) over body + RFC 3339 timestamp, with
    /// the primary and secondary keys, 10 min. See [`provider::box_webhooks`].
    pub fn box_webhooks(primary_key: impl Into<Secret>, secondary_key: impl Into<Secret>) -> Self {
        Self::new(provider::box_webhooks::scheme(), primary_key).with_secret(secondary_key)
    }

    /// Discord interactions: `X-Signature-Ed25519` (hex) over `<X-Signature-Timestamp><body>`,
    /// checked with the application's public key (hex); answers the signed PING with
    /// `{"type":1}`. See [`provider::discord`].
    ///
    /// ```
    /// use tower_webhooks::WebhookLayer;
    ///
    /// let layer = WebhookLayer::discord("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    /// # let _ = layer;
    /// ```
    #[cfg(feature = "ed25519")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ed25519")))]
    pub fn discord(public_key: impl Into<Secret>) -> Self {
        Self::new(provider::discord::scheme(), public_key)
    }

    /// Telnyx: `telnyx-signature-ed25519` (base64) over `<telnyx-timestamp>|<body>`, checked with
    /// the account's public key (base64), tolerance 300 s. See [`provider::telnyx`].
    #[cfg(feature = "ed25519")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ed25519")))]
    pub fn telnyx(public_key: impl Into<Secret>) -> Self {
        Self::new(provider::telnyx::scheme(), public_key)
    }

    /// SendGrid Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` (base64 DER ECDSA
    /// P-256) over `<timestamp><body>`, checked with the public key (base64 SPKI, or PEM),
    /// tolerance 24 h. See [`provider::sendgrid`].
    #[cfg(feature = "ecdsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ecdsa")))]
    pub fn sendgrid(public_key: impl Into<Secret>) -> Self {
        Self::new(provider::sendgrid::scheme(), public_key)
    }

    /// GitHub secret scanning alerts: `Github-Public-Key-Signature` (base64 DER ECDSA P-256) over
    /// the body, with the key `Github-Public-Key-Identifier` names, fetched from GitHub's list
    /// (`api.github.com` only; see [`keys::KeyList`](crate::keys::KeyList)). See
    /// [`provider::github_secret_scanning`].
    #[cfg(all(feature = "fetch", feature = "ecdsa"))]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "fetch", feature = "ecdsa"))))]
    pub fn github_secret_scanning() -> Self {
        Self::from_verifier(Verifier::without_keys(
            provider::github_secret_scanning::scheme(),
        ))
        .with_key_resolver(crate::keys::KeyList::github_secret_scanning())
    }

    /// Amazon SNS: the body's `Signature` (RSA, SHA-1 or SHA-256 by `SignatureVersion`) over
    /// SNS's canonical form of the message, with the certificate at `SigningCertURL` (fetched
    /// from SNS's hosts only; see [`keys::Certificates`](crate::keys::Certificates)); a
    /// `SubscriptionConfirmation` is confirmed by the layer. See [`provider::sns`].
    ///
    /// ```
    /// use tower_webhooks::WebhookLayer;
    ///
    /// let confirming = WebhookLayer::sns();
    /// let to_handler = WebhookLayer::sns().sns_subscriptions_to_handler();
    /// # let _ = (confirming, to_handler);
    /// ```
    #[cfg(all(feature = "fetch", feature = "rsa"))]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "fetch", feature = "rsa"))))]
    pub fn sns() -> Self {
        Self::from_verifier(Verifier::without_keys(provider::sns::scheme()))
            .with_key_resolver(crate::keys::Certificates::amazon_sns())
            .with_subscription_confirmer(crate::keys::Fetcher::amazon_sns())
    }

    /// PayPal: `PAYPAL-TRANSMISSION-SIG` (RSA-SHA256) over `<transmission id>|<transmission
    /// time>|<webhook_id>|<CRC-32 of the body>`, with the certificate at `PAYPAL-CERT-URL`
    /// (fetched from PayPal's API hosts only). See [`provider::paypal`].
    ///
    /// ```
    /// let layer = tower_webhooks::WebhookLayer::paypal("3RN13029J36659323");
    /// # let _ = layer;
    /// ```
    #[cfg(all(feature = "fetch", feature = "rsa"))]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "fetch", feature = "rsa"))))]
    pub fn paypal(webhook_id: &str) -> Self {
        Self::from_verifier(Verifier::without_keys(provider::paypal::scheme(webhook_id)))
            .with_key_resolver(crate::keys::Certificates::paypal())
    }

    /// Plaid: `Plaid-Verification`, a JWT signed with ES256 whose claims pin the body's SHA-256
    /// and the time, with the key its `kid` names, asked of Plaid's production host with your
    /// client id and secret (see [`keys::PlaidKeys`](crate::keys::PlaidKeys); for the sandbox,
    /// `.with_key_resolver(PlaidKeys::sandbox(..))`). See [`provider::plaid`].
    ///
    /// ```
    /// let layer = tower_webhooks::WebhookLayer::plaid("client-id", "client-secret");
    /// # let _ = layer;
    /// ```
    #[cfg(all(feature = "fetch", feature = "ecdsa"))]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "fetch", feature = "ecdsa"))))]
    pub fn plaid(client_id: &str, secret: impl Into<Secret>) -> Self {
        Self::from_verifier(Verifier::without_keys(provider::plaid::scheme()))
            .with_key_resolver(crate::keys::PlaidKeys::production(client_id, secret))
    }

    /// Confirms subscriptions (a scheme with
    /// [`Handshake::ConfirmUrl`](crate::scheme::Handshake::ConfirmUrl), such as SNS's) by
    /// visiting their URL with `fetcher`, whose allowlist decides which URLs may be visited.
    #[cfg(feature = "fetch")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fetch")))]
    pub fn with_subscription_confirmer(mut self, fetcher: crate::keys::Fetcher) -> Self {
        self.config_mut().confirmer = Some(fetcher);
        self
    }

    /// Hands subscription confirmations to the handler instead of confirming them: it then
    /// visits `SubscribeURL` itself (after checking its host), or leaves it unconfirmed.
    pub fn sns_subscriptions_to_handler(mut self) -> Self {
        #[cfg(feature = "fetch")]
        {
            self.config_mut().confirmer = None;
        }
        #[cfg(not(feature = "fetch"))]
        let _ = self.config_mut();
        self
    }

    /// Finds each delivery's key with `resolver` (a preset whose key is named per delivery, such
    /// as `github_secret_scanning` (features `fetch` and `ecdsa`), pointed at another list).
    ///
    /// ```
    /// use tower_webhooks::keys::{KeyResolver, ResolveError};
    /// use tower_webhooks::{provider::github_secret_scanning, Secret, WebhookLayer};
    ///
    /// struct Pinned(&'static str);
    ///
    /// #[async_trait::async_trait]
    /// impl KeyResolver for Pinned {
    ///     async fn resolve(&self, _: &str) -> Result<Secret, ResolveError> {
    ///         Ok(Secret::from(self.0))
    ///     }
    /// }
    ///
    /// let layer = WebhookLayer::builder()
    ///     .key_resolver(Pinned("-----BEGIN PUBLIC KEY-----..."))
    ///     .signature(github_secret_scanning::scheme().signature().unwrap().clone())
    ///     .build();
    /// # let _ = layer;
    /// ```
    pub fn with_key_resolver(mut self, resolver: impl crate::keys::KeyResolver) -> Self {
        self.config_mut()
            .verifier
            .set_resolver(std::sync::Arc::new(resolver));
        self
    }

    /// Asana: `X-Hook-Signature` (hex HMAC-SHA256 of the body) with the secret Asana's
    /// handshake hands over, which `hook` takes only while [`HookSecret::expect`] waits (and
    /// any secret it was made with, from an earlier handshake). See [`provider::asana`].
    ///
    /// ```
    /// use tower_webhooks::{HookSecret, WebhookLayer};
    ///
    /// let layer = WebhookLayer::asana(&HookSecret::with_secret("kept from the handshake"));
    /// # let _ = layer;
    /// ```
    pub fn asana(hook: &HookSecret) -> Self {
        Self::from_verifier(Verifier::without_keys(provider::asana::scheme()))
            .with_hook_secret(hook)
    }

    /// Takes the secrets of a handshake that hands one over (a scheme with
    /// [`Handshake::HookSecret`](crate::scheme::Handshake::HookSecret)) from `hook`, beside
    /// the layer's own.
    pub fn with_hook_secret(mut self, hook: &HookSecret) -> Self {
        self.config_mut().hook_secret = Some(hook.clone());
        self
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

    /// A preset's layer: an unusable secret is logged and ignored, so that the layer fails
    /// closed (every signed delivery refused).
    fn from_parts(scheme: Scheme, secrets: Vec<Secret>, unsigned: bool) -> Self {
        let mut verifier = Verifier::without_keys(scheme);
        for secret in &secrets {
            add_secret(&mut verifier, secret);
        }
        if unsigned {
            verifier.accept_unsigned();
        }
        Self::from_verifier(verifier)
    }

    fn from_verifier(verifier: Verifier) -> Self {
        Self {
            config: Arc::new(Config::new(verifier)),
            runtime: Arc::default(),
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
        add_secret(&mut self.config_mut().verifier, &secret.into());
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
        self.config_mut().verifier.set_tolerance(tolerance);
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

    /// The store for dedup keys and the inbox (default: a new
    /// [`MemoryStore`](crate::store::MemoryStore), within 64 MiB; see its dedup window).
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
        self.config_mut().set_store(Arc::new(store));
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
        Worker::new(Arc::clone(&self.config), Arc::clone(&self.runtime), app)
    }

    /// Publishes each verified, deduplicated delivery to `destination` instead of calling the
    /// handler here: the provider hears 200 once the destination stored it, and 503 (the claim
    /// released, so it retries) when it could not. The ack policy does not apply on this route;
    /// a [`Consumer`] runs the handler where the messages are read. See
    /// [`destination`](crate::destination) for the message and each engine's guarantees.
    ///
    /// ```
    /// # #[cfg(feature = "redis")]
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tower_webhooks::{destination::RedisStream, store::RedisStore, WebhookLayer};
    ///
    /// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
    /// let layer = WebhookLayer::ycloud("whsec_...")
    ///     .with_destination(RedisStream::new(&store))
    ///     .with_store(store);
    /// # let _ = layer;
    /// # Ok(()) }
    /// # #[cfg(not(feature = "redis"))] fn main() {}
    /// ```
    pub fn with_destination(mut self, destination: impl Destination) -> Self {
        self.config_mut().destination = Some(Arc::new(destination));
        self
    }

    /// The consumer that reads `source` (a JetStream consumer, a Redis consumer group) and runs
    /// each message through `app`, the service this layer is part of, as the [`Worker`] does
    /// with the inbox: the same route, the same [`Event`](crate::Event) extractors, acknowledged
    /// on success, retried on this layer's backoff, dead-lettered after the last attempt.
    /// Spawn it; see [`Consumer`].
    ///
    /// ```
    /// # #[cfg(feature = "redis")] {
    /// use axum::{routing::post, Router};
    /// use tower_webhooks::{destination::RedisStreamConsumer, WebhookLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = WebhookLayer::ycloud("whsec_...");
    /// let app: Router = Router::new().route("/webhooks/ycloud", post(|| async {}).layer(layer.clone()));
    /// let source = RedisStreamConsumer::group("redis://127.0.0.1:6379/", "webhooks:stream:ycloud", "workers")?;
    /// let consumer = tokio::spawn(layer.consumer(source, app));
    /// # consumer.abort();
    /// # Ok(()) }
    /// # }
    /// ```
    pub fn consumer<S>(&self, source: impl Into<Pull>, app: S) -> Consumer<S> {
        Consumer::new(Arc::clone(&self.config), source.into(), app)
    }

    /// The clock for the timestamp tolerance (default [`SystemClock`](crate::SystemClock)); the layer's own
    /// [`MemoryStore`](crate::store::MemoryStore) follows it too (a store given with
    /// [`with_store`](Self::with_store) keeps its own clock), so that a test can run a day of
    /// retention in no time.
    ///
    /// ```
    /// use tower_webhooks::{FixedClock, WebhookLayer};
    ///
    /// let layer = WebhookLayer::ycloud("whsec_...").with_clock(FixedClock(1_654_084_800));
    /// # let _ = layer;
    /// ```
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.config_mut().set_clock(Arc::new(clock));
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
        self.config_mut().set_methods(methods.into_iter().collect());
        self
    }

    /// The store in use, to read failed deliveries.
    pub fn store(&self) -> &Arc<dyn DeliveryStore> {
        &self.config.store
    }

    /// The scheme in use.
    pub fn scheme(&self) -> &Scheme {
        self.config.scheme()
    }
}

/// Adds a preset's secret; one that cannot be a key is logged and ignored (failing closed).
fn add_secret(verifier: &mut Verifier, secret: &Secret) {
    if let Err(err) = verifier.add_secret(secret) {
        let provider = verifier.scheme().provider();
        match err {
            BuildError::NoSignature => tracing::error!(
                provider,
                "a secret was given to a scheme without a signature; ignored"
            ),
            err => tracing::error!(
                provider,
                "webhook secret ignored: {err}; deliveries signed with it will be refused"
            ),
        }
    }
}

impl Builder {
    /// The layer: the scheme checked for consistency, every secret derived into its key.
    ///
    /// (Written here rather than in the builder's module: making a layer is the layer's
    /// business, and the builder knows nothing of it.)
    ///
    /// ```
    /// use http::HeaderName;
    /// use tower_webhooks::{scheme::Signature, BuildError, WebhookLayer};
    ///
    /// let layer = WebhookLayer::builder()
    ///     .signature(Signature::new(HeaderName::from_static("x-signature")))
    ///     .secret("s3cret")
    ///     .build()?;
    /// # let _ = layer;
    /// assert_eq!(WebhookLayer::builder().build().err(), Some(BuildError::NoSignature));
    /// # Ok::<(), BuildError>(())
    /// ```
    pub fn build(self) -> Result<WebhookLayer, BuildError> {
        self.verifier().map(WebhookLayer::from_verifier)
    }
}

impl<S> Layer<S> for WebhookLayer {
    type Service = Webhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Webhook::new(inner, Arc::clone(&self.config), Arc::clone(&self.runtime))
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
        assert!(layer.config.verifier.keys().is_empty());
        assert!(!layer.config.verifier.is_unsigned());
    }

    #[test]
    fn conversation_is_unsigned_until_a_secret_is_given() {
        assert!(WebhookLayer::conversation().config.verifier.is_unsigned());
        let signed = WebhookLayer::conversation().with_secret("s");
        assert!(!signed.config.verifier.is_unsigned());
        assert_eq!(signed.config.verifier.keys().len(), 1);
    }
}
