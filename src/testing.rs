//! Signing requests for your own tests (feature `testing`).
//!
//! ```
//! use tower::ServiceExt;
//! use tower_webhooks::{provider::ycloud, testing::Signer, WebhookLayer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = axum::Router::new().route(
//!     "/hook",
//!     axum::routing::post(|| async { "ok" }).layer(WebhookLayer::ycloud("whsec_test")),
//! );
//! let signer = Signer::new(ycloud::scheme(), "whsec_test")?;
//! let request = signer.request("/hook", r#"{"id":"evt_1","type":"contact.created"}"#);
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```

use axum_core::body::Body;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Request, Uri};

use crate::clock::{Clock, SystemClock};
use crate::identify::body_hash;
use crate::scheme::{BuildError, Scheme};
use crate::signature::{self, Message, Verifier};
use crate::store::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, Schedule, Settlement, StoreError,
    StoredDelivery, Taken,
};
use crate::Secret;
use std::time::Duration;

/// Signs requests the way a provider would.
///
/// ```
/// use tower_webhooks::{provider::ycloud, testing::Signer};
///
/// let signer = Signer::new(ycloud::scheme(), "whsec_test")?.at(1_654_084_800);
/// let request = signer.request("/webhooks/ycloud", r#"{"id":"evt_1","type":"t"}"#);
/// let header = request.headers()["ycloud-signature"].to_str().unwrap();
/// assert!(header.starts_with("t=1654084800,s="));
/// # Ok::<(), tower_webhooks::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    /// The scheme and the one key signing with it, derived as the layer derives its keys.
    verifier: Verifier,
    timestamp: Option<i64>,
    id: Option<String>,
    form: bool,
}

impl Signer {
    /// A signer for `scheme` with `secret`; fails if the scheme is unsigned or the secret unusable.
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Result<Self, BuildError> {
        Ok(Self {
            verifier: Verifier::new(scheme, secret)?,
            timestamp: None,
            id: None,
            form: false,
        })
    }

    /// Signs with this timestamp (unix seconds) instead of now, for stale or pinned-clock tests.
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.timestamp = Some(unix_seconds);
        self
    }

    /// Sends this id where the scheme reads the id from a header (default: derived from the body).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sends bodies as `application/x-www-form-urlencoded` instead of JSON (Slack slash commands,
    /// Twilio).
    ///
    /// ```
    /// use tower_webhooks::{provider::slack, testing::Signer};
    ///
    /// let signer = Signer::new(slack::scheme(), "signing-secret")?.form();
    /// let request = signer.request("/slack/commands", "command=%2Fdeploy&text=now");
    /// assert_eq!(request.headers()["content-type"], "application/x-www-form-urlencoded");
    /// # Ok::<(), tower_webhooks::BuildError>(())
    /// ```
    pub fn form(mut self) -> Self {
        self.form = true;
        self
    }

    /// The headers a provider would send for `body` posted to `uri`: the signature, and the
    /// timestamp and id headers where the scheme has them, plus `Content-Type: application/json`
    /// (or the form type, after [`form`](Self::form)).
    pub fn headers(&self, uri: &Uri, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(if self.form {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            }),
        );
        let scheme = self.verifier.scheme();
        let (Some(signature), Some(key)) = (&scheme.signature, self.verifier.keys().first()) else {
            return headers;
        };
        let timestamp = self
            .timestamp
            .unwrap_or_else(|| SystemClock.now())
            .to_string();
        let id = match (&self.id, scheme.id.header()) {
            (Some(id), _) => id.clone(),
            (None, Some(_)) => format!("msg_{}", &body_hash(body)[..24]),
            // The scheme reads no id header: nothing to make up.
            (None, None) => String::new(),
        };
        if let Some(name) = scheme.timestamp_header() {
            insert(&mut headers, name.clone(), &timestamp);
        }
        if let Some(name) = scheme.id.header() {
            insert(&mut headers, name.clone(), &id);
        }
        let message = Message::new(signature, &timestamp, &id, body, uri);
        let value = signature::sign(signature, key, &message, scheme.timestamp_pair());
        insert(&mut headers, signature.header.clone(), &value);
        headers
    }

    /// A signed request with the scheme's first delivery method (POST for every preset).
    ///
    /// On a scheme that pins JSON bodies in the URL (Twilio's `bodySHA256`), a JSON body's hash is
    /// added to the query first, as the provider does.
    pub fn request(&self, uri: &str, body: impl Into<Bytes>) -> Request<Body> {
        let body = body.into();
        let scheme = self.verifier.scheme();
        let pin = scheme
            .signature
            .as_ref()
            .and_then(|s| s.body_hash_param.as_deref())
            .filter(|_| !self.form);
        let uri = match pin {
            Some(param) => {
                let separator = if uri.contains('?') { '&' } else { '?' };
                format!("{uri}{separator}{param}={}", body_hash(&body))
            }
            None => uri.to_owned(),
        };
        let uri: Uri = uri.parse().unwrap_or_else(|_| Uri::from_static("/"));
        let method = scheme.methods.first().cloned().unwrap_or(Method::POST);
        let headers = self.headers(&uri, &body);
        let mut request = Request::new(Body::from(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        request
    }
}

fn insert(headers: &mut HeaderMap, name: http::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Every preset's scheme, with placeholder settings where a preset takes some (Meta's verify
/// token `verify-token`, Twilio's base URL `https://example.com`): for tests, benches and fuzz
/// targets that must cover them all.
///
/// ```
/// let presets = tower_webhooks::testing::presets();
/// assert!(presets.iter().any(|scheme| scheme.provider() == "stripe"));
/// assert!(presets.iter().all(|scheme| scheme.signature().is_some()));
/// ```
pub fn presets() -> Vec<Scheme> {
    use crate::provider::*;
    vec![
        ycloud::scheme(),
        wappcloud::scheme(),
        yeastar::scheme(),
        conversation::scheme(),
        standard_webhooks::scheme(),
        svix::scheme(),
        stripe::scheme(),
        github::scheme(),
        slack::scheme(),
        meta::scheme("verify-token"),
        shopify::scheme(),
        twilio::scheme("https://example.com"),
        zoom::scheme(),
        paddle::scheme(),
        intercom::scheme(),
        x::scheme(),
    ]
}

/// A store that claims every key and remembers nothing: deduplication off, to measure the layer
/// without a store or to test a handler's own idempotency. It keeps no deliveries either, so a
/// delivery that would go to the inbox (a failed handler, [`Ack::Immediately`](crate::Ack)) is
/// answered 503.
///
/// ```
/// use tower_webhooks::{testing::NoStore, WebhookLayer};
///
/// let layer = WebhookLayer::ycloud("whsec_...").with_store(NoStore);
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoStore;

#[async_trait::async_trait]
impl DeliveryStore for NoStore {
    async fn claim(&self, _: &str) -> Result<Claim, StoreError> {
        Ok(Claim::Acquired(ClaimToken::new(1)))
    }

    async fn complete(&self, _: &str, _: ClaimToken) -> Result<(), StoreError> {
        Ok(())
    }

    async fn release(&self, _: &str, _: ClaimToken) -> Result<(), StoreError> {
        Ok(())
    }

    /// Keeps nothing, so it says so: a delivery that would be parked is answered 503.
    async fn park(&self, _: ClaimToken, _: StoredDelivery, _: Schedule) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "NoStore keeps no deliveries".into(),
        ))
    }

    async fn take_due(&self, _: usize, _: Duration) -> Result<Vec<Taken>, StoreError> {
        Ok(Vec::new())
    }

    async fn settle(&self, _: &str, _: ClaimToken, _: Settlement) -> Result<(), StoreError> {
        Ok(())
    }

    async fn inbox(&self, _: InboxStatus, _: usize) -> Result<Vec<StoredDelivery>, StoreError> {
        Ok(Vec::new())
    }

    async fn replay(&self, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }

    async fn purge(&self, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
}
