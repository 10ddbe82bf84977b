//! A scheme for any provider, from the same parts the presets use.
//!
//! The builder makes a checked [`Scheme`] and a [`Verifier`] with its keys; turning those into a
//! layer ([`Builder::build`]) is the layer's business, so `build` is written in `layer.rs` and
//! this module knows nothing of the layer.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use http::Method;

use crate::Secret;
use crate::keys::KeyResolver;
use crate::scheme::{
    BuildError, Handshake, IdSource, Payload, Scheme, Signature, Source, TimestampFormat,
    TimestampSource, validate,
};
use crate::signature::Verifier;

/// Builds a [`WebhookLayer`](crate::WebhookLayer) for a provider without a preset.
///
/// Defaults: provider `"custom"`, POST only, JSON payload, tolerance 300 s, dedup key = the
/// SHA-256 of the body, no handshake. A signature and at least one secret are required, unless
/// [`unsigned`](Self::unsigned) is called.
///
/// ```
/// use http::HeaderName;
/// use tower_webhooks::scheme::{Signature, Source};
/// use tower_webhooks::WebhookLayer;
///
/// // GitHub, with the builder alone.
/// let layer = WebhookLayer::builder()
///     .provider("github")
///     .signature(Signature::new(HeaderName::from_static("x-hub-signature-256")).prefix("sha256="))
///     .id(Source::header(HeaderName::from_static("x-github-delivery")))
///     .event_type(Source::header(HeaderName::from_static("x-github-event")))
///     .secret("It's a Secret to Everybody")
///     .build()?;
/// # let _ = layer;
/// # Ok::<(), tower_webhooks::BuildError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Builder {
    scheme: Scheme,
    secrets: Vec<Secret>,
    unsigned: bool,
    resolver: Resolver,
}

/// The key resolver, if any (shown in `Debug` only as present or not).
#[derive(Clone, Default)]
struct Resolver(Option<Arc<dyn KeyResolver>>);

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Scheme> for Builder {
    /// Starts from an existing scheme, such as a preset's, to adjust it.
    fn from(scheme: Scheme) -> Self {
        Self {
            scheme,
            secrets: Vec::new(),
            unsigned: false,
            resolver: Resolver::default(),
        }
    }
}

impl Builder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::from(Scheme {
            provider: Cow::Borrowed("custom"),
            signature: None,
            timestamp: None,
            timestamp_format: TimestampFormat::UnixSeconds,
            tolerance: crate::scheme::DEFAULT_TOLERANCE,
            id: IdSource::body_hash(),
            event_type: Vec::new(),
            payload: Payload::Json,
            handshake: None,
            methods: vec![Method::POST],
        })
    }

    /// The provider's name, reported by [`Event::provider`](crate::Event::provider) and used to
    /// namespace dedup keys in a shared store.
    pub fn provider(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.scheme.provider = name.into();
        self
    }

    /// The signature header, format, encoding, hash and signed message.
    pub fn signature(mut self, signature: Signature) -> Self {
        self.scheme.signature = Some(signature);
        self
    }

    /// Where the signed timestamp is.
    pub fn timestamp(mut self, source: TimestampSource) -> Self {
        self.scheme.timestamp = Some(source);
        self
    }

    /// How the timestamp is written (default unix seconds).
    pub fn timestamp_format(mut self, format: TimestampFormat) -> Self {
        self.scheme.timestamp_format = format;
        self
    }

    /// How far the timestamp may be from now, in the past or the future.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.scheme.tolerance = tolerance;
        self
    }

    /// How the event id and dedup key are found.
    pub fn id(mut self, id: impl Into<IdSource>) -> Self {
        self.scheme.id = id.into();
        self
    }

    /// Where the event type is (replacing any earlier choice).
    pub fn event_type(mut self, source: Source) -> Self {
        self.scheme.event_type = vec![source];
        self
    }

    /// Another place for the event type, looked at when the earlier ones are absent (Slack: the
    /// Events API's `/event/type`, else interactivity's `/payload/type`, else `/command`).
    pub fn or_event_type(mut self, source: Source) -> Self {
        self.scheme.event_type.push(source);
        self
    }

    /// What the body is.
    pub fn payload(mut self, payload: Payload) -> Self {
        self.scheme.payload = payload;
        self
    }

    /// The URL-validation handshake.
    pub fn handshake(mut self, handshake: Handshake) -> Self {
        self.scheme.handshake = Some(handshake);
        self
    }

    /// The methods deliveries arrive with (default POST).
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.scheme.methods = methods.into_iter().collect();
        self
    }

    /// Sets the token of a [`Handshake::VerifyToken`] handshake (Meta's `hub.verify_token`): a
    /// scheme read from a document carries none, since secrets never sit in its text.
    ///
    /// ```
    /// use tower_webhooks::{scheme::Scheme, Builder};
    ///
    /// let document = tower_webhooks::provider::meta::scheme("token").to_json();
    /// let scheme = Scheme::from_json(&document)?;
    /// let layer = Builder::from(scheme).secret("app secret").verify_token("token").build()?;
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_token(mut self, token: impl Into<Secret>) -> Self {
        if let Some(Handshake::VerifyToken { token: slot }) = &mut self.scheme.handshake {
            *slot = token.into();
        }
        self
    }

    /// Sets the public base URL of a scheme that signs its URL (Twilio, HubSpot, Square), such as
    /// one from [`provider::by_name`](crate::provider::by_name): what the provider was told to
    /// call, without the path the request carries.
    ///
    /// ```
    /// use tower_webhooks::{provider, Builder};
    ///
    /// let twilio = provider::by_name("twilio").unwrap();
    /// assert!(Builder::from(twilio.clone()).secret("token").build().is_err());
    /// let layer = Builder::from(twilio).base_url("https://api.example.com").secret("token").build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_webhooks::BuildError>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        if let Some(signature) = self.scheme.signature.take() {
            self.scheme.signature = Some(signature.base_url(url));
        }
        self
    }

    /// Adds a secret; several may be given during a rotation, any one matching is enough.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Finds each delivery's key with `resolver`, for a scheme whose key is named per delivery
    /// ([`Signature::key_named_by`](crate::scheme::Signature::key_named_by)): no secret is then
    /// configured.
    ///
    /// ```
    /// use tower_webhooks::keys::{KeyResolver, ResolveError};
    /// use tower_webhooks::{provider::github_secret_scanning, Builder, Secret};
    ///
    /// struct Unknown;
    ///
    /// #[async_trait::async_trait]
    /// impl KeyResolver for Unknown {
    ///     async fn resolve(&self, _: &str) -> Result<Secret, ResolveError> {
    ///         Err(ResolveError::Unknown)
    ///     }
    /// }
    ///
    /// let layer = Builder::from(github_secret_scanning::scheme()).key_resolver(Unknown).build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_webhooks::BuildError>(())
    /// ```
    pub fn key_resolver(mut self, resolver: impl KeyResolver) -> Self {
        self.resolver = Resolver(Some(Arc::new(resolver)));
        self
    }

    /// Accepts deliveries without checking a signature unless a secret is given. Only for
    /// providers that do not sign; anyone who knows the URL can then post events.
    pub fn unsigned(mut self) -> Self {
        self.unsigned = true;
        self
    }

    /// The scheme, checked for consistency.
    pub fn scheme(self) -> Result<Scheme, BuildError> {
        validate(&self.scheme, self.unsigned)?;
        Ok(self.scheme)
    }

    /// The scheme as is, for presets whose consistency a unit test checks.
    pub(crate) fn into_scheme(self) -> Scheme {
        self.scheme
    }

    /// The verifier the layer will hold: the scheme checked, every secret derived into its key.
    pub(crate) fn verifier(self) -> Result<Verifier, BuildError> {
        validate(&self.scheme, self.unsigned)?;
        let resolves = self
            .scheme
            .signature
            .as_ref()
            .is_some_and(|signature| signature.key_name.is_some());
        if resolves && self.resolver.0.is_none() {
            return Err(BuildError::NoKeyResolver);
        }
        if self.secrets.is_empty() && !self.unsigned && !resolves {
            // A signature is configured (validate saw to it): it needs a key.
            return Err(BuildError::NoSecret);
        }
        if let Some(Handshake::VerifyToken { token }) = &self.scheme.handshake
            && token.is_empty()
        {
            return Err(BuildError::NoVerifyToken);
        }
        let mut verifier = Verifier::without_keys(self.scheme);
        for secret in &self.secrets {
            verifier.add_secret(secret)?;
        }
        if self.unsigned {
            verifier.accept_unsigned();
        }
        if let Resolver(Some(resolver)) = self.resolver {
            verifier.set_resolver(resolver);
        }
        Ok(verifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::{SecretFormat, SignedPart};
    use crate::secret::SecretError;
    use http::HeaderName;

    fn sig() -> Signature {
        Signature::new(HeaderName::from_static("x-sig"))
    }

    #[test]
    fn needs_a_signature_and_a_secret_unless_unsigned() {
        assert_eq!(Builder::new().build().err(), Some(BuildError::NoSignature));
        assert_eq!(
            Builder::new().signature(sig()).build().err(),
            Some(BuildError::NoSecret)
        );
        assert!(Builder::new().unsigned().build().is_ok());
        assert!(Builder::new().signature(sig()).secret("k").build().is_ok());
    }

    #[test]
    fn refuses_empty_and_undecodable_secrets() {
        assert_eq!(
            Builder::new().signature(sig()).secret("").build().err(),
            Some(BuildError::Secret(SecretError::Empty))
        );
        let b64 = sig().secret_format(SecretFormat::Base64 {
            prefix: "whsec_".into(),
        });
        assert_eq!(
            Builder::new()
                .signature(b64)
                .secret("whsec_%%")
                .build()
                .err(),
            Some(BuildError::Secret(SecretError::NotBase64))
        );
    }

    #[test]
    fn refuses_inconsistent_parts() {
        let signs_ts = sig().signs([SignedPart::Timestamp, SignedPart::Body]);
        assert!(matches!(
            Builder::new().signature(signs_ts).secret("k").build(),
            Err(BuildError::Inconsistent { .. })
        ));
        let signs_id = sig().signs([SignedPart::Id, SignedPart::Body]);
        assert!(matches!(
            Builder::new().signature(signs_id).secret("k").build(),
            Err(BuildError::Inconsistent { .. })
        ));
        let body_ts_signed = Builder::new()
            .signature(sig().signs([SignedPart::Timestamp, SignedPart::Body]))
            .timestamp(TimestampSource::Json(crate::scheme::Pointer::from_keys(&[
                "ts",
            ])))
            .secret("k");
        assert!(matches!(
            body_ts_signed.build(),
            Err(BuildError::Inconsistent { .. })
        ));
        let pair_ts = Builder::new()
            .signature(sig())
            .timestamp(TimestampSource::Pair("t".into()))
            .secret("k");
        assert!(matches!(
            pair_ts.build(),
            Err(BuildError::Inconsistent { .. })
        ));
        assert_eq!(
            Builder::new()
                .signature(sig())
                .secret("k")
                .methods([])
                .build()
                .err(),
            Some(BuildError::NoMethod)
        );
    }
}
