//! `Verifier`: a scheme with its keys and tolerance, the one object that checks signatures.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method, Uri};

use super::{Key, Verification, check};
use crate::Secret;
use crate::keys::{KeyResolver, ResolveError};
use crate::rejection::Rejection;
use crate::scheme::{BuildError, KeyName, Scheme};

/// Checks a request's signature and timestamp the way [`WebhookLayer`](crate::WebhookLayer)
/// does, for code that receives webhooks some other way (a queue consumer, a serverless handler,
/// a benchmark). It is the very object the layer holds: same parsing, same constant-time
/// comparison, same order of checks. Keys are derived from the secrets once, here.
///
/// ```
/// use tower_webhooks::{provider::stripe, testing::Signer, Verifier};
///
/// let verifier = Verifier::new(stripe::scheme(), "whsec_test")?;
/// let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
/// let request = Signer::new(stripe::scheme(), "whsec_test")?.at(1_700_000_000).request("/", &body[..]);
/// let timestamp = verifier.verify(request.headers(), request.uri(), body, 1_700_000_010)?;
/// assert_eq!(timestamp, Some(1_700_000_000));
/// assert!(verifier.verify(request.headers(), request.uri(), b"{}", 1_700_000_010).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    scheme: Scheme,
    keys: Vec<Key>,
    tolerance: Duration,
    /// Deliveries pass without a signature: an unsigned scheme given no secret (the layer only).
    unsigned: bool,
    /// Finds the key a delivery names, for a scheme whose signature has a key header.
    resolver: Option<Arc<dyn KeyResolver>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme)
            .field("secrets", &format_args!("{} [redacted]", self.keys.len()))
            .field("unsigned", &self.unsigned)
            .field("tolerance", &self.tolerance)
            .field("resolver", &self.resolver.is_some())
            .finish()
    }
}

impl Verifier {
    /// A verifier for `scheme` with `secret`; fails if the scheme has no signature or the secret
    /// cannot be its key.
    ///
    /// ```
    /// use tower_webhooks::{provider::ycloud, BuildError, Verifier};
    ///
    /// assert!(Verifier::new(ycloud::scheme(), "whsec_...").is_ok());
    /// assert!(matches!(Verifier::new(ycloud::scheme(), ""), Err(BuildError::Secret(_))));
    /// ```
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Result<Self, BuildError> {
        Self::without_keys(scheme).with_secret(secret)
    }

    /// Accepts another secret too (rotation).
    ///
    /// ```
    /// use tower_webhooks::{provider::ycloud, Verifier};
    ///
    /// let verifier = Verifier::new(ycloud::scheme(), "whsec_new")?.with_secret("whsec_old")?;
    /// # let _ = verifier;
    /// # Ok::<(), tower_webhooks::BuildError>(())
    /// ```
    pub fn with_secret(mut self, secret: impl Into<Secret>) -> Result<Self, BuildError> {
        self.add_secret(&secret.into())?;
        Ok(self)
    }

    /// Another timestamp tolerance than the scheme's.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_webhooks::{provider::ycloud, Verifier};
    ///
    /// let verifier = Verifier::new(ycloud::scheme(), "whsec_...")?.with_tolerance(Duration::from_secs(60));
    /// # let _ = verifier;
    /// # Ok::<(), tower_webhooks::BuildError>(())
    /// ```
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks the signature of a request with these headers, URI (for schemes that sign the URL)
    /// and raw body, at `now` (unix seconds); returns the signed timestamp, if the scheme has one.
    /// A scheme that signs the method is checked with its first delivery method (POST for every
    /// preset); [`verify_parts`](Self::verify_parts) takes the request's own.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        uri: &Uri,
        body: &[u8],
        now: i64,
    ) -> Result<Option<i64>, Rejection> {
        let method = self.scheme.methods.first().unwrap_or(&Method::POST);
        self.check(method, headers, uri, body, now)
            .map(|verification| verification.timestamp)
    }

    /// Checks a request given as its parts (method, URI, headers) and raw body, at `now`.
    ///
    /// ```
    /// use tower_webhooks::{provider::stripe, testing::Signer, Verifier};
    ///
    /// let verifier = Verifier::new(stripe::scheme(), "whsec_test")?;
    /// let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
    /// let request = Signer::new(stripe::scheme(), "whsec_test")?.at(1_700_000_000).request("/", &body[..]);
    /// let (parts, _) = request.into_parts();
    /// assert_eq!(verifier.verify_parts(&parts, body, 1_700_000_000)?, Some(1_700_000_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_parts(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
        now: i64,
    ) -> Result<Option<i64>, Rejection> {
        self.check(&parts.method, &parts.headers, &parts.uri, body, now)
            .map(|verification| verification.timestamp)
    }

    /// The scheme it checks.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// A verifier with no key yet: it refuses every signed delivery until a secret is added.
    pub(crate) fn without_keys(scheme: Scheme) -> Self {
        let tolerance = scheme.tolerance;
        Self {
            scheme,
            keys: Vec::new(),
            tolerance,
            unsigned: false,
            resolver: None,
        }
    }

    /// Finds each delivery's key with `resolver`, for a scheme whose key is named per delivery
    /// ([`Signature::key_named_by`](crate::scheme::Signature::key_named_by)).
    pub(crate) fn set_resolver(&mut self, resolver: Arc<dyn KeyResolver>) {
        self.resolver = Some(resolver);
    }

    /// Whether the scheme names each delivery's key, for [`check_resolved`](Self::check_resolved).
    pub(crate) fn names_keys(&self) -> bool {
        self.scheme
            .signature
            .as_ref()
            .is_some_and(|signature| signature.key_name.is_some())
    }

    /// The check of a delivery whose key it names: resolved, derived, then [`check`]ed with
    /// that key alone. `None` for a scheme whose keys are configured.
    pub(crate) async fn check_resolved<'a>(
        &'a self,
        method: &'a Method,
        headers: &'a HeaderMap,
        uri: &'a Uri,
        body: &'a [u8],
        now: i64,
    ) -> Option<Result<Verification<'a>, Rejection>> {
        let signature = self.scheme.signature.as_ref()?;
        let source = signature.key_name.as_ref()?;
        let Some(resolver) = &self.resolver else {
            // A preset without its resolver fails closed.
            return Some(Err(Rejection::InvalidSignature));
        };
        let result = async {
            let name = match source {
                KeyName::Header(name) => {
                    let mut values = headers.get_all(name).iter();
                    let (Some(value), None) = (values.next(), values.next()) else {
                        return Err(Rejection::MissingSignature);
                    };
                    Cow::Borrowed(value.to_str().map_err(|_| {
                        Rejection::MalformedSignature("key header is not visible ASCII")
                    })?)
                }
                KeyName::Json(pointer) => Cow::Owned(
                    crate::identify::json_field(body, pointer)
                        .ok_or(Rejection::MissingSignature)?,
                ),
                KeyName::JwtKid => {
                    Cow::Owned(super::jwt::key_id(headers, signature).map_err(Rejection::from)?)
                }
            };
            let secret = resolver.resolve(&name).await.map_err(|err| match err {
                ResolveError::Unknown => Rejection::InvalidSignature,
                other => Rejection::KeyUnavailable(other),
            })?;
            let key = Key::derive(&secret, signature).map_err(|err| {
                Rejection::KeyUnavailable(ResolveError::Unavailable(format!(
                    "the provider's key is unusable: {err}"
                )))
            })?;
            // The certificate's validity is part of `check`, as for a configured key.
            self.check_with(
                Some(std::slice::from_ref(&key)),
                method,
                headers,
                uri,
                body,
                now,
            )
        };
        Some(result.await)
    }

    /// Derives the key `secret` stands for: the one place where that happens. A verifier given
    /// a secret never accepts unsigned deliveries again, even if the secret was unusable: it
    /// fails closed.
    pub(crate) fn add_secret(&mut self, secret: &Secret) -> Result<(), BuildError> {
        self.unsigned = false;
        let signature = self
            .scheme
            .signature
            .as_ref()
            .ok_or(BuildError::NoSignature)?;
        self.keys
            .push(Key::derive(secret, signature).map_err(BuildError::Secret)?);
        Ok(())
    }

    /// Lets deliveries through unsigned while no secret is added (unsigned schemes only).
    pub(crate) fn accept_unsigned(&mut self) {
        self.unsigned = self.keys.is_empty();
    }

    pub(crate) fn is_unsigned(&self) -> bool {
        self.unsigned
    }

    pub(crate) fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
    }

    pub(crate) fn scheme_mut(&mut self) -> &mut Scheme {
        &mut self.scheme
    }

    /// The keys, in the order the secrets were given.
    pub(crate) fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The check with these keys instead of its own, when given (a handshake's secrets joined).
    pub(crate) fn check_with<'a>(
        &'a self,
        keys: Option<&[Key]>,
        method: &'a Method,
        headers: &'a HeaderMap,
        uri: &'a Uri,
        body: &'a [u8],
        now: i64,
    ) -> Result<Verification<'a>, Rejection> {
        check(
            &self.scheme,
            keys.unwrap_or(&self.keys),
            (method, headers, uri, body),
            now,
            self.tolerance.as_secs(),
        )
    }

    /// The check, with which key matched.
    pub(crate) fn check<'a>(
        &'a self,
        method: &'a Method,
        headers: &'a HeaderMap,
        uri: &'a Uri,
        body: &'a [u8],
        now: i64,
    ) -> Result<Verification<'a>, Rejection> {
        self.check_with(None, method, headers, uri, body, now)
    }
}
