//! Secrets that never show up in logs.

use std::fmt;

use zeroize::Zeroizing;

/// A webhook signing secret (or verify token).
///
/// `Debug` and `Display` print `Secret([redacted])`, and the bytes are zeroized when the last copy
/// is dropped, so a secret can sit in a config struct that is logged without leaking.
///
/// ```
/// use tower_webhooks::Secret;
///
/// let secret = Secret::from("whsec_9f2c4e1a");
/// assert_eq!(format!("{secret:?}"), "Secret([redacted])");
/// assert_eq!(secret.expose(), b"whsec_9f2c4e1a");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps raw secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(bytes.into()))
    }

    /// The secret bytes, for computing a MAC. Do not log them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Whether the secret has no bytes (a configuration mistake: such a key verifies nothing).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value.into_bytes())
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Self::new(value.as_bytes())
    }
}

impl From<&[u8]> for Secret {
    fn from(value: &[u8]) -> Self {
        Self::new(value)
    }
}

impl From<Vec<u8>> for Secret {
    fn from(value: Vec<u8>) -> Self {
        Self::new(value)
    }
}

/// Why a secret cannot become an HMAC key.
///
/// ```
/// use tower_webhooks::scheme::Signature;
/// use tower_webhooks::{BuildError, SecretError, WebhookLayer};
///
/// let result = WebhookLayer::builder()
///     .signature(Signature::new(http::HeaderName::from_static("x-signature")))
///     .secret("")
///     .build();
/// assert_eq!(result.err(), Some(BuildError::Secret(SecretError::Empty)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret has no bytes.
    Empty,
    /// The scheme expects base64 (after its prefix) and the secret is not.
    NotBase64,
    /// The scheme expects hex and the secret is not.
    NotHex,
    /// The secret is not a usable public key of the scheme's algorithm (wrong length, not a
    /// point on the curve, or a weak key).
    InvalidPublicKey,
    /// The secret is not a well-formed X.509 certificate (PEM or DER), or its key is not of the
    /// scheme's algorithm.
    InvalidCertificate,
    /// The scheme's algorithm needs a cargo feature this build does not have (`ed25519`).
    Unsupported(&'static str),
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretError::Empty => f.write_str("the secret is empty"),
            SecretError::NotBase64 => f.write_str("the secret is not valid base64"),
            SecretError::NotHex => f.write_str("the secret is not valid hex"),
            SecretError::InvalidPublicKey => {
                f.write_str("the secret is not a valid public key for the scheme's algorithm")
            }
            SecretError::InvalidCertificate => {
                f.write_str("the secret is not a well-formed X.509 certificate for the scheme")
            }
            SecretError::Unsupported(feature) => write!(
                f,
                "the scheme's algorithm needs the `{feature}` feature of tower-webhooks"
            ),
        }
    }
}

impl std::error::Error for SecretError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::from("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert!(!format!("{:#?}", vec![secret.clone()]).contains("hunter2"));
    }
}
