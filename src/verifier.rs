//! `Verifier`: a scheme's signature check on its own, for code that is not a tower service.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, Uri};

use crate::builder::BuildError;
use crate::error::Rejection;
use crate::scheme::{Scheme, SignedPart, TimestampSource};
use crate::signature::{self, Key, SignatureError};
use crate::Secret;

/// Checks a request's signature and timestamp the way [`WebhookLayer`](crate::WebhookLayer)
/// does, for code that receives webhooks some other way (a queue consumer, a serverless handler,
/// a benchmark). Same parsing, same constant-time comparison, same order of checks.
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
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("provider", &self.scheme.provider)
            .field("secrets", &format_args!("{} [redacted]", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Verifier {
    /// A verifier for `scheme` with `secret`; fails if the scheme has no signature or the secret
    /// cannot be its key.
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Result<Self, BuildError> {
        let tolerance = scheme.tolerance;
        Self {
            scheme,
            keys: Vec::new(),
            tolerance,
        }
        .with_secret(secret)
    }

    /// Accepts another secret too (rotation).
    pub fn with_secret(mut self, secret: impl Into<Secret>) -> Result<Self, BuildError> {
        let signature = self
            .scheme
            .signature
            .as_ref()
            .ok_or(BuildError::NoSignature)?;
        let key = Key::derive(&secret.into(), signature).map_err(BuildError::Secret)?;
        self.keys.push(key);
        Ok(self)
    }

    /// Another timestamp tolerance than the scheme's.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks the signature of a request with these headers, URI (for schemes that sign the URL)
    /// and raw body, at `now` (unix seconds); returns the signed timestamp, if the scheme has one.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        uri: &Uri,
        body: &[u8],
        now: i64,
    ) -> Result<Option<i64>, Rejection> {
        check(
            &self.scheme,
            &self.keys,
            headers,
            uri,
            body,
            now,
            self.tolerance,
        )
        .map(|verification| verification.timestamp)
    }
}

/// The layer's check and the [`Verifier`]'s: which headers the scheme reads, then
/// [`signature::verify`], with its errors as rejections.
pub(crate) fn check(
    scheme: &Scheme,
    keys: &[Key],
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<signature::Verification, Rejection> {
    let Some(signature) = &scheme.signature else {
        return Err(Rejection::InvalidSignature);
    };
    let (timestamp_header, timestamp_pair) = match &scheme.timestamp {
        Some(TimestampSource::Header(name)) => (Some(name), None),
        Some(TimestampSource::Pair(key)) => (None, Some(key.as_ref())),
        None => (None, None),
    };
    let request = signature::Request {
        headers,
        uri,
        body,
        timestamp_header,
        timestamp_pair,
        id_header: scheme
            .id
            .header()
            .filter(|_| signature.signed.contains(&SignedPart::Id)),
    };
    signature::verify(signature, keys, &request, now, tolerance.as_secs()).map_err(
        |err| match err {
            SignatureError::Missing => Rejection::MissingSignature,
            SignatureError::Malformed(why) => Rejection::MalformedSignature(why),
            SignatureError::Mismatch => Rejection::InvalidSignature,
            SignatureError::Stale => Rejection::StaleTimestamp,
        },
    )
}
