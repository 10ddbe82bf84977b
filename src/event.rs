//! What the handler receives: the verified delivery and its typed payload.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;

/// The facts the layer established about a delivery, put in the request extensions for the
/// handler (and any middleware inside the layer).
///
/// Also an extractor of its own, for handlers that want the metadata without parsing the body.
///
/// ```
/// use tower_webhooks::Verified;
///
/// async fn handler(verified: Verified) -> &'static str {
///     tracing::info!(provider = verified.provider(), id = verified.id(), "handled");
///     "ok"
/// }
/// # let _ = axum::routing::post::<_, _, ()>(handler);
/// ```
#[derive(Clone)]
pub struct Verified {
    /// Shared: the layer hands one copy to the request and extractors clone it for free.
    facts: Arc<Facts>,
}

/// What [`Verified`] reports.
pub(crate) struct Facts {
    pub(crate) provider: Arc<str>,
    /// The id, when it is not the key's dedup key (most are, and are not copied twice).
    pub(crate) id: Option<String>,
    /// `<provider>:<dedup key>`, shared with the claim.
    pub(crate) key: crate::store::DeliveryKey,
    pub(crate) event_type: Option<String>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) signed: bool,
    /// The body is `application/x-www-form-urlencoded` (on a scheme that accepts forms).
    pub(crate) form: bool,
    pub(crate) raw: Bytes,
    /// 1 in the request; the worker's attempts count on from there.
    pub(crate) attempt: u32,
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold personal data: print its size, not its bytes.
        f.debug_struct("Verified")
            .field("provider", &self.facts.provider)
            .field("id", &self.id())
            .field("key", &self.facts.key.dedup_key())
            .field("event_type", &self.facts.event_type)
            .field("timestamp", &self.facts.timestamp)
            .field("signed", &self.facts.signed)
            .field("form", &self.facts.form)
            .field("attempt", &self.facts.attempt)
            .field("raw_len", &self.facts.raw.len())
            .finish()
    }
}

impl Verified {
    pub(crate) fn new(facts: Facts) -> Self {
        Self {
            facts: Arc::new(facts),
        }
    }

    /// Whether the body is a form (on a scheme that accepts forms).
    pub(crate) fn is_form(&self) -> bool {
        self.facts.form
    }

    /// The provider's name (`"ycloud"`, `"wappcloud"`, ...).
    pub fn provider(&self) -> &str {
        &self.facts.provider
    }

    /// The event id (the provider's, or the body's SHA-256 when the provider sends none).
    pub fn id(&self) -> &str {
        self.facts
            .id
            .as_deref()
            .unwrap_or_else(|| self.facts.key.dedup_key())
    }

    /// The dedup key: the id, plus qualifiers where the scheme adds them.
    pub fn key(&self) -> &str {
        self.facts.key.dedup_key()
    }

    /// The event type, when the provider states one.
    pub fn event_type(&self) -> Option<&str> {
        self.facts.event_type.as_deref()
    }

    /// The signed timestamp in unix seconds, when the scheme signs one.
    pub fn timestamp(&self) -> Option<i64> {
        self.facts.timestamp
    }

    /// Whether a signature was checked (false only for schemes configured unsigned).
    pub fn is_signed(&self) -> bool {
        self.facts.signed
    }

    /// Which attempt at this delivery this is: 1 when the handler runs in the request (or for
    /// the first time from the [`Worker`](crate::Worker) under
    /// [`Ack::Immediately`](crate::Ack::Immediately)), more when the worker runs it again.
    pub fn attempt(&self) -> u32 {
        self.facts.attempt
    }

    /// `<provider>:<dedup key>`, as the store holds it.
    pub(crate) fn delivery_key(&self) -> &crate::store::DeliveryKey {
        &self.facts.key
    }

    /// The raw body, exactly as signed; the same allocation the layer read (no copy).
    pub fn raw(&self) -> &Bytes {
        &self.facts.raw
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = EventRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Verified>()
            .cloned()
            .ok_or(EventRejection::MissingLayer)
    }
}

/// A verified, deduplicated webhook event with its payload parsed as `T`.
///
/// The payload is JSON, or, on a scheme that accepts forms
/// ([`Payload::JsonOrForm`](crate::scheme::Payload::JsonOrForm): Slack, Twilio), form fields when
/// the body is `application/x-www-form-urlencoded`.
///
/// The extractor only works behind a [`WebhookLayer`](crate::WebhookLayer); it reads the body
/// the layer verified (it does not consume the request body, so `Bytes` or `String` extractors
/// still work alongside). `T` defaults to [`serde_json::Value`]; the provider modules have typed
/// payloads such as [`ycloud::Event`](crate::provider::ycloud::Event).
///
/// ```
/// use tower_webhooks::{provider::ycloud, Event};
///
/// async fn handler(event: Event<ycloud::Event>) {
///     println!("{} {} {:?}", event.id(), event.event_type().unwrap_or("?"), event.api_version);
/// }
/// # let _ = axum::routing::post::<_, _, ()>(handler);
/// ```
pub struct Event<T = serde_json::Value> {
    payload: T,
    verified: Verified,
}

impl<T: fmt::Debug> fmt::Debug for Event<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("verified", &self.verified)
            .field("payload", &self.payload)
            .finish()
    }
}

impl<T> Event<T> {
    /// The parsed payload.
    pub fn payload(&self) -> &T {
        &self.payload
    }

    /// The parsed payload, by value.
    pub fn into_payload(self) -> T {
        self.payload
    }

    /// The facts the layer established.
    pub fn verified(&self) -> &Verified {
        &self.verified
    }

    /// The event id.
    pub fn id(&self) -> &str {
        self.verified.id()
    }

    /// The event type, when the provider states one.
    pub fn event_type(&self) -> Option<&str> {
        self.verified.event_type()
    }

    /// The signed timestamp in unix seconds, when the scheme signs one.
    pub fn timestamp(&self) -> Option<i64> {
        self.verified.timestamp()
    }

    /// The provider's name.
    pub fn provider(&self) -> &str {
        self.verified.provider()
    }

    /// The raw body, exactly as signed; shares the layer's buffer.
    pub fn raw(&self) -> &Bytes {
        self.verified.raw()
    }
}

impl<T> Deref for Event<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.payload
    }
}

impl<T, S> FromRequestParts<S> for Event<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = EventRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verified = Verified::from_request_parts(parts, state).await?;
        let payload = if verified.is_form() {
            serde_urlencoded::from_bytes(verified.raw()).map_err(EventRejection::Form)?
        } else {
            serde_json::from_slice(verified.raw()).map_err(EventRejection::Payload)?
        };
        Ok(Event { payload, verified })
    }
}

/// Why the [`Event`] or [`Verified`] extractor failed.
///
/// ```
/// use tower_webhooks::EventRejection;
///
/// assert_eq!(EventRejection::MissingLayer.status(), 500);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum EventRejection {
    /// The route has no [`WebhookLayer`](crate::WebhookLayer): a server bug, answered 500.
    MissingLayer,
    /// The payload does not fit `T`: 400 for invalid JSON, 422 for JSON of another shape.
    Payload(serde_json::Error),
    /// The form fields do not fit `T`: 422.
    Form(serde_urlencoded::de::Error),
}

impl EventRejection {
    /// The status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            EventRejection::MissingLayer => StatusCode::INTERNAL_SERVER_ERROR,
            EventRejection::Payload(err) if err.is_data() => StatusCode::UNPROCESSABLE_ENTITY,
            EventRejection::Payload(_) => StatusCode::BAD_REQUEST,
            EventRejection::Form(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl fmt::Display for EventRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventRejection::MissingLayer => f.write_str(
                "the webhook Event extractor needs a WebhookLayer on this route (none was found)",
            ),
            EventRejection::Payload(err) => write!(f, "webhook payload does not match: {err}"),
            EventRejection::Form(err) => write!(f, "webhook form does not match: {err}"),
        }
    }
}

impl std::error::Error for EventRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventRejection::MissingLayer => None,
            EventRejection::Payload(err) => Some(err),
            EventRejection::Form(err) => Some(err),
        }
    }
}

impl IntoResponse for EventRejection {
    fn into_response(self) -> Response {
        if matches!(self, EventRejection::MissingLayer) {
            tracing::error!("{self}");
        }
        (self.status(), self.to_string()).into_response()
    }
}
