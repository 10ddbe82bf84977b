//! Whether the parts of a scheme fit together, and why not: what every way of making a layer checks.

use std::fmt;

use super::{Scheme, SignatureFormat, SignedPart, TimestampSource};
use crate::secret::SecretError;

/// Checks that the parts of a scheme fit together.
pub(crate) fn validate(scheme: &Scheme, unsigned: bool) -> Result<(), BuildError> {
    validate_parts(scheme, unsigned, true)
}

/// What a scheme document must hold: the parts, without what a deployment gives (the secret,
/// Meta's verify token, the public URL of a scheme that signs it).
pub(crate) fn validate_document(scheme: &Scheme) -> Result<(), BuildError> {
    validate_parts(scheme, true, false)
}

fn validate_parts(scheme: &Scheme, unsigned: bool, deployed: bool) -> Result<(), BuildError> {
    if scheme.methods.is_empty() {
        return Err(BuildError::NoMethod);
    }
    let Some(signature) = &scheme.signature else {
        return if unsigned {
            Ok(())
        } else {
            Err(BuildError::NoSignature)
        };
    };
    let signs = |part: &SignedPart| signature.signed.contains(part);
    if signature.algorithm == super::Algorithm::Token {
        if scheme.timestamp.is_some() || !signature.signed.is_empty() {
            return Err(BuildError::Inconsistent {
                field: "signature.signed",
                reason: "a token is the secret itself: it signs nothing and carries no timestamp",
            });
        }
        if !matches!(
            signature.format,
            SignatureFormat::Prefixed {
                separator: None,
                ..
            }
        ) {
            return Err(BuildError::Inconsistent {
                field: "signature.format",
                reason: "a token is the whole header value, after an optional prefix",
            });
        }
    }
    if signs(&SignedPart::Timestamp) && scheme.timestamp.is_none() {
        return Err(BuildError::Inconsistent {
            field: "signature.signed",
            reason: "the signed message has a timestamp but no timestamp source is set",
        });
    }
    if let (Some(TimestampSource::Json(_)), true) =
        (&scheme.timestamp, signs(&SignedPart::Timestamp))
    {
        return Err(BuildError::Inconsistent {
            field: "timestamp",
            reason: "a timestamp read from the body cannot be part of the signed message",
        });
    }
    if let Some(TimestampSource::Pair(_)) = scheme.timestamp
        && !matches!(signature.format, SignatureFormat::Pairs { .. })
    {
        return Err(BuildError::Inconsistent {
            field: "signature.format",
            reason: "a timestamp pair needs a `pairs` signature format",
        });
    }
    if signs(&SignedPart::Id) && scheme.id.header().is_none() {
        return Err(BuildError::Inconsistent {
            field: "id",
            reason: "the signed message has the id, so the id must come from a header",
        });
    }
    if signature.in_body.is_some() {
        if signs(&SignedPart::Body) {
            return Err(BuildError::Inconsistent {
                field: "signature.signed",
                reason: "a body that carries its signature cannot be signed whole: sign its fields",
            });
        }
        if !matches!(
            signature.format,
            SignatureFormat::Prefixed {
                separator: None,
                ..
            }
        ) || signature.public_entries.is_some()
            || !(matches!(signature.algorithm, super::Algorithm::Hmac(_))
                || signature.algorithm.is_rsa())
        {
            return Err(BuildError::Inconsistent {
                field: "signature.in_body",
                reason: "a signature in the body is one HMAC or RSA signature, after an optional \
                         prefix",
            });
        }
        if scheme.payload == super::Payload::Opaque {
            return Err(BuildError::Inconsistent {
                field: "payload",
                reason: "a signature in the body needs a JSON payload",
            });
        }
    }
    let jwt = matches!(signature.format, SignatureFormat::Jwt { .. });
    if jwt != (signature.algorithm == super::Algorithm::Es256) {
        return Err(BuildError::Inconsistent {
            field: "signature.format",
            reason: "a JWT is signed with ES256, and ES256 signs JWTs only",
        });
    }
    if jwt
        && (scheme.timestamp.is_some()
            || !signature.signed.is_empty()
            || signature.in_body.is_some()
            || signature.public_entries.is_some()
            || signature.algorithm_by.is_some())
    {
        return Err(BuildError::Inconsistent {
            field: "signature.format",
            reason: "a JWT signs its own header and claims, and carries its own time",
        });
    }
    if signature.key_name == Some(super::KeyName::JwtKid) && !jwt {
        return Err(BuildError::Inconsistent {
            field: "signature.key_named_by_jwt_kid",
            reason: "only a JWT has a kid",
        });
    }
    if let Some(choice) = &signature.algorithm_by {
        let family = |algorithm: super::Algorithm| algorithm.is_rsa();
        if choice.choices.is_empty()
            || choice
                .choices
                .iter()
                .any(|(_, algorithm)| family(*algorithm) != family(signature.algorithm))
            || !signature.algorithm.is_rsa()
        {
            return Err(BuildError::Inconsistent {
                field: "signature.algorithm_by",
                reason: "a body field may choose only among RSA algorithms, with one key",
            });
        }
        if scheme.payload == super::Payload::Opaque {
            return Err(BuildError::Inconsistent {
                field: "payload",
                reason: "an algorithm chosen by a body field needs a JSON payload",
            });
        }
    }
    if signature
        .signed
        .iter()
        .any(|part| matches!(part, SignedPart::Fields(_)))
        && scheme.payload == super::Payload::Opaque
    {
        return Err(BuildError::Inconsistent {
            field: "payload",
            reason: "signed body fields need a JSON payload",
        });
    }
    if signature.public_entries.is_some()
        && !(matches!(signature.algorithm, super::Algorithm::Hmac(_))
            && matches!(
                signature.format,
                SignatureFormat::Prefixed {
                    separator: Some(_),
                    ..
                }
            ))
    {
        return Err(BuildError::Inconsistent {
            field: "signature.public_key_entries",
            reason: "public-key entries sit beside HMAC ones in a prefixed list",
        });
    }
    if deployed && signs(&SignedPart::Url) && signature.base_url.is_none() {
        return Err(BuildError::Inconsistent {
            field: "signature.base_url",
            reason: "the signed message has the URL but no base URL is set",
        });
    }
    Ok(())
}

/// Why a [`Builder`](crate::Builder) could not build.
///
/// ```
/// use tower_webhooks::{BuildError, WebhookLayer};
///
/// assert_eq!(WebhookLayer::builder().build().err(), Some(BuildError::NoSignature));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// No signature is configured and [`Builder::unsigned`](crate::Builder::unsigned) was not called.
    NoSignature,
    /// No secret is configured and [`Builder::unsigned`](crate::Builder::unsigned) was not called.
    NoSecret,
    /// A [`Handshake::VerifyToken`](super::Handshake::VerifyToken) has no token (see
    /// [`Builder::verify_token`](crate::Builder::verify_token)).
    NoVerifyToken,
    /// The scheme names its key per delivery and no [`KeyResolver`](crate::keys::KeyResolver)
    /// is given (see [`Builder::key_resolver`](crate::Builder::key_resolver)).
    NoKeyResolver,
    /// No delivery method is configured.
    NoMethod,
    /// A secret cannot become a key (empty, or not the expected encoding).
    Secret(SecretError),
    /// The parts contradict each other.
    Inconsistent {
        /// The part at fault, named as in a scheme document (`signature.signed`).
        field: &'static str,
        /// What does not fit.
        reason: &'static str,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoSignature => f.write_str(
                "no signature configured (call `unsigned()` to accept unsigned deliveries)",
            ),
            BuildError::NoSecret => f.write_str(
                "no secret configured (call `unsigned()` to accept unsigned deliveries)",
            ),
            BuildError::NoVerifyToken => {
                f.write_str("the verify-token handshake has no token (call `verify_token()`)")
            }
            BuildError::NoKeyResolver => f.write_str(
                "the scheme names its key per delivery: give it a key resolver (`key_resolver()`)",
            ),
            BuildError::NoMethod => f.write_str("no delivery method configured"),
            BuildError::Secret(err) => write!(f, "invalid secret: {err}"),
            BuildError::Inconsistent { field, reason } => {
                write!(f, "inconsistent scheme: `{field}`: {reason}")
            }
        }
    }
}

impl std::error::Error for BuildError {}
