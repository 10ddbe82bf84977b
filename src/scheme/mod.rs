//! A provider's scheme as data: what is signed and how, where the id, type and timestamp sit,
//! which handshake it performs. This is the vocabulary, and only that: every type that describes
//! a scheme is here, nothing that acts on a request.
//!
//! Every preset in [`crate::provider`] is a [`Scheme`] value built from these parts, and so is
//! any custom scheme made with [`WebhookLayer::builder`](crate::WebhookLayer::builder).
//!
//! | part | types |
//! |---|---|
//! | the signature | [`Signature`], [`Algorithm`], [`SignatureFormat`], [`Encoding`], [`Hash`](enum@Hash), [`SignedPart`], [`SecretFormat`], [`TimestampSource`], [`TimestampFormat`] |
//! | the values of a delivery | [`Source`], [`Pointer`], [`IdSource`], [`Payload`] |
//! | the URL check | [`Handshake`] |
//! | consistency | [`BuildError`], what [`Builder`](crate::Builder) checks |

use std::borrow::Cow;
use std::time::Duration;

use http::Method;

mod document;
mod handshake;
mod signature;
mod source;
mod validate;

pub use self::document::{DocumentError, Location};
pub use self::handshake::Handshake;
pub(crate) use self::handshake::Marker;
pub use self::signature::{
    Algorithm, AlgorithmBy, Encoding, Field, Hash, KeyName, PublicKeyEntries, SecretFormat,
    Signature, SignatureFormat, SignedPart, TimestampFormat, TimestampSource,
};
pub use self::source::{IdSource, Pointer, Source};
pub use self::validate::BuildError;
pub(crate) use self::validate::{validate, validate_document};

/// The timestamp tolerance of a scheme that does not choose one: the five minutes most
/// providers' own libraries allow.
pub(crate) const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// What the body is, so that the layer can check it and find fields in it.
///
/// ```
/// use tower_webhooks::{scheme::Payload, WebhookLayer};
///
/// // Slack slash commands are form-encoded: do not require JSON.
/// let builder = WebhookLayer::builder().payload(Payload::Opaque);
/// # let _ = builder;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload {
    /// A JSON document: it must parse, and JSON pointers find the id and type.
    Json,
    /// Anything: the layer does not look inside (ids come from headers or the body hash).
    Opaque,
    /// JSON, or `application/x-www-form-urlencoded` when the `Content-Type` says so (Slack slash
    /// commands and interactivity, Twilio). In a form, a pointer's first segment names a field;
    /// further segments read that field's value as JSON (Slack's `payload=`: `/payload/type`).
    JsonOrForm,
}

/// A provider's whole scheme: signature, timestamp, identity, handshake, methods.
///
/// Obtain one from a preset (`tower_webhooks::provider::ycloud::scheme()`) or from
/// [`WebhookLayer::builder`](crate::WebhookLayer::builder).
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::{provider::ycloud, Builder, WebhookLayer};
///
/// let scheme = ycloud::scheme();
/// assert_eq!(scheme.tolerance(), Duration::from_secs(300));
/// // A preset can be adjusted through the builder, or used as is with a secret.
/// let strict = Builder::from(scheme.clone()).tolerance(Duration::from_secs(60)).secret("whsec_...").build()?;
/// let layer = WebhookLayer::new(scheme, "whsec_...");
/// # let _ = (strict, layer);
/// # Ok::<(), tower_webhooks::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scheme {
    pub(crate) provider: Cow<'static, str>,
    pub(crate) signature: Option<Signature>,
    pub(crate) timestamp: Option<TimestampSource>,
    pub(crate) timestamp_format: TimestampFormat,
    pub(crate) tolerance: Duration,
    pub(crate) id: IdSource,
    /// Where the type may be, in order: the first one present wins.
    pub(crate) event_type: Vec<Source>,
    pub(crate) payload: Payload,
    pub(crate) handshake: Option<Handshake>,
    pub(crate) methods: Vec<Method>,
}

impl Scheme {
    /// The provider's name, as reported by [`Event::provider`](crate::Event::provider).
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The signature, if deliveries are signed.
    pub fn signature(&self) -> Option<&Signature> {
        self.signature.as_ref()
    }

    /// The methods deliveries arrive with.
    pub fn methods(&self) -> &[Method] {
        &self.methods
    }

    /// The default timestamp tolerance.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Where the signed timestamp comes from, if the scheme has one.
    pub fn timestamp(&self) -> Option<&TimestampSource> {
        self.timestamp.as_ref()
    }

    /// How the timestamp is written.
    pub fn timestamp_format(&self) -> TimestampFormat {
        self.timestamp_format
    }

    /// How the dedup key is made.
    pub fn id(&self) -> &IdSource {
        &self.id
    }

    /// Where the event type is looked for, in order.
    pub fn event_type(&self) -> &[Source] {
        &self.event_type
    }

    /// What the body is.
    pub fn payload(&self) -> Payload {
        self.payload
    }

    /// The URL-validation handshake, if any.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }

    /// The header the timestamp is sent in, when it has one of its own.
    pub(crate) fn timestamp_header(&self) -> Option<&http::HeaderName> {
        match &self.timestamp {
            Some(TimestampSource::Header(name)) => Some(name),
            Some(TimestampSource::Pair(_) | TimestampSource::Json(_)) | None => None,
        }
    }

    /// The pair key of the timestamp, when it sits in the signature header.
    pub(crate) fn timestamp_pair(&self) -> Option<&str> {
        match &self.timestamp {
            Some(TimestampSource::Pair(key)) => Some(key),
            Some(TimestampSource::Header(_) | TimestampSource::Json(_)) | None => None,
        }
    }

    /// Where the timestamp sits in the JSON body, when it does.
    pub(crate) fn timestamp_pointer(&self) -> Option<&Pointer> {
        match &self.timestamp {
            Some(TimestampSource::Json(pointer)) => Some(pointer),
            Some(TimestampSource::Header(_) | TimestampSource::Pair(_)) | None => None,
        }
    }
}
