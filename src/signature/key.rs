//! Keys, derived once from a secret: an HMAC key, or a provider's public key of one of the
//! algorithm families (each in its own module), and the encodings a signature is written in.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use zeroize::Zeroizing;

#[cfg(feature = "ecdsa")]
use super::ecdsa;
#[cfg(feature = "ed25519")]
use super::ed25519;
use super::hmac::HmacKey;
#[cfg(feature = "rsa")]
use super::rsa;
use super::{Message, Signatures};
use crate::Secret;
use crate::scheme::{Algorithm, SecretFormat, Signature};
use crate::secret::SecretError;

/// What a delivery's signature is checked with.
// The HMAC key, the common case, stays inline: no pointer to follow on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Key {
    /// A shared secret.
    Hmac(HmacKey),
    /// The provider's Ed25519 public key.
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
    /// The provider's P-256 public key.
    #[cfg(feature = "ecdsa")]
    EcdsaP256(ecdsa::PublicKey),
    /// The provider's RSA public key, perhaps from a certificate.
    #[cfg(feature = "rsa")]
    Rsa(rsa::PublicKey),
    /// A shared token, sent as is.
    Token(Zeroizing<Vec<u8>>),
    /// A public key for the list's public-key entries (Standard Webhooks `whpk_`, `v1a,`).
    #[cfg(feature = "ed25519")]
    Entry(ed25519_dalek::VerifyingKey),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key([redacted])")
    }
}

/// The bytes a secret stands for under `format`; wiped when dropped. A public key may also be
/// given as PEM, whatever the format.
fn decode(secret: &Secret, format: &SecretFormat) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    let raw = secret.expose();
    let bytes = match format {
        SecretFormat::Raw => raw.to_vec(),
        SecretFormat::Base64 { prefix } => {
            let raw = raw.strip_prefix(prefix.as_bytes()).unwrap_or(raw);
            BASE64.decode(raw).map_err(|_| SecretError::NotBase64)?
        }
        SecretFormat::Hex => hex::decode(raw).map_err(|_| SecretError::NotHex)?,
    };
    if bytes.is_empty() {
        return Err(SecretError::Empty);
    }
    Ok(Zeroizing::new(bytes))
}

/// The public key of a list's public-key entries: base64 after its prefix.
#[cfg_attr(not(feature = "ed25519"), allow(unused_variables))]
fn entry_key(encoded: &[u8]) -> Result<Key, SecretError> {
    let bytes = Zeroizing::new(BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?);
    #[cfg(feature = "ed25519")]
    return Ok(Key::Entry(ed25519::public_key(&bytes)?));
    #[cfg(not(feature = "ed25519"))]
    Err(SecretError::Unsupported("ed25519"))
}

/// A public key's bytes: PEM's DER, or the secret decoded as the scheme says.
#[cfg(feature = "ecdsa")]
fn decode_public(
    secret: &Secret,
    format: &SecretFormat,
) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    match ecdsa::pem(secret.expose()) {
        Some(der) => der.map(Zeroizing::new),
        None => decode(secret, format),
    }
}

impl Key {
    /// Whether `value` is this token, in constant time for a value of the token's length (the
    /// length alone is not secret enough to hide at the cost of a branch-free padding scheme).
    pub(super) fn token_matches(&self, value: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        match self {
            Key::Token(token) => token.len() == value.len() && bool::from(token.ct_eq(value)),
            _ => false,
        }
    }

    /// The key `secret` stands for under `signature`'s key format and algorithm. Only
    /// [`Verifier`](super::Verifier) calls it: keys are derived in one place.
    pub(crate) fn derive(secret: &Secret, signature: &Signature) -> Result<Self, SecretError> {
        if let Some(entries) = &signature.public_entries
            && let Some(encoded) = secret.expose().strip_prefix(entries.key_prefix.as_bytes())
        {
            return entry_key(encoded);
        }
        let format = &signature.secret_format;
        match signature.algorithm {
            Algorithm::Hmac(hash) => Ok(Key::Hmac(HmacKey::new(hash, &decode(secret, format)?)?)),
            Algorithm::Token => Ok(Key::Token(decode(secret, format)?)),
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => Ok(Key::Ed25519(ed25519::public_key(&decode(secret, format)?)?)),
            #[cfg(not(feature = "ed25519"))]
            Algorithm::Ed25519 => Err(SecretError::Unsupported("ed25519")),
            #[cfg(feature = "ecdsa")]
            Algorithm::EcdsaP256Sha256 => Ok(Key::EcdsaP256(ecdsa::public_key(&decode_public(
                secret, format,
            )?)?)),
            #[cfg(not(feature = "ecdsa"))]
            Algorithm::EcdsaP256Sha256 => Err(SecretError::Unsupported("ecdsa")),
            #[cfg(feature = "ecdsa")]
            Algorithm::Es256 => match ecdsa::jwk(secret.expose()) {
                Some(key) => Ok(Key::EcdsaP256(key?)),
                None => Ok(Key::EcdsaP256(ecdsa::public_key(&decode_public(
                    secret, format,
                )?)?)),
            },
            #[cfg(not(feature = "ecdsa"))]
            Algorithm::Es256 => Err(SecretError::Unsupported("ecdsa")),
            #[cfg(feature = "rsa")]
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPkcs1Sha1 => {
                let raw = secret.expose();
                // A certificate or key in PEM is taken as is; otherwise DER in the key format.
                let pem = raw.starts_with(b"-----BEGIN");
                let bytes = if pem {
                    Zeroizing::new(raw.to_vec())
                } else {
                    decode(secret, format)?
                };
                Ok(Key::Rsa(rsa::public_key(&bytes)?))
            }
            #[cfg(not(feature = "rsa"))]
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPkcs1Sha1 => {
                Err(SecretError::Unsupported("rsa"))
            }
        }
    }

    /// Whether `candidate` is this key's JWS signature (ES256: `r || s`) of `input`.
    #[cfg_attr(not(feature = "ecdsa"), allow(unused_variables))]
    pub(super) fn accepts_jws(&self, input: &[u8], candidate: &[u8]) -> bool {
        match self {
            #[cfg(feature = "ecdsa")]
            Key::EcdsaP256(key) => ecdsa::verify_fixed(key, input, candidate),
            _ => false,
        }
    }

    /// When the key may be used, `(not_before, not_after)` in unix seconds: a key from a
    /// certificate has the certificate's validity; `None` for any other.
    pub(crate) fn validity(&self) -> Option<(i64, i64)> {
        match self {
            #[cfg(feature = "rsa")]
            Key::Rsa(key) => key.validity,
            _ => None,
        }
    }

    /// The HMAC key, for the handshakes answered with a MAC (Zoom, X); `None` for a public key.
    pub(crate) fn hmac(&self) -> Option<&HmacKey> {
        match self {
            Key::Hmac(key) => Some(key),
            Key::Token(_) => None,
            #[cfg(feature = "ed25519")]
            Key::Entry(_) => None,
            #[cfg(feature = "ed25519")]
            Key::Ed25519(_) => None,
            #[cfg(feature = "ecdsa")]
            Key::EcdsaP256(_) => None,
            #[cfg(feature = "rsa")]
            Key::Rsa(_) => None,
        }
    }

    /// Whether any of the header's signatures is this key's over `message` (a public key of the
    /// list's second kind checks `entries`).
    #[cfg_attr(not(feature = "ed25519"), allow(unused_variables))]
    pub(super) fn accepts(
        &self,
        message: &Message<'_>,
        signatures: &Signatures,
        entries: Option<&Signatures>,
    ) -> bool {
        match self {
            #[cfg(feature = "ed25519")]
            Key::Entry(key) => entries.is_some_and(|entries| {
                let bytes = message.to_vec();
                entries
                    .candidates()
                    .any(|candidate| ed25519::verify(key, &bytes, candidate))
            }),
            // The HMAC is fed piece by piece and compared in constant time.
            Key::Hmac(key) => signatures.matches(key.mac(message).as_slice()),
            // A token is compared where it is read (`token_matches`), never as a signature.
            Key::Token(_) => false,
            #[cfg(feature = "ed25519")]
            Key::Ed25519(key) => {
                let bytes = message.to_vec();
                signatures
                    .candidates()
                    .any(|candidate| ed25519::verify(key, &bytes, candidate))
            }
            #[cfg(feature = "ecdsa")]
            Key::EcdsaP256(key) => {
                let bytes = message.to_vec();
                signatures
                    .candidates()
                    .any(|candidate| ecdsa::verify(key, &bytes, candidate))
            }
            #[cfg(feature = "rsa")]
            Key::Rsa(key) => {
                let bytes = message.to_vec();
                signatures
                    .candidates()
                    .any(|candidate| rsa::verify(key, message.algorithm, &bytes, candidate))
            }
        }
    }
}

/// What signs requests in tests: the shared secret, or the provider's private key.
#[cfg(any(test, feature = "testing"))]
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum SigningKey {
    Hmac(HmacKey),
    Token(Zeroizing<Vec<u8>>),
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::SigningKey),
    #[cfg(feature = "ecdsa")]
    EcdsaP256(std::sync::Arc<ring::signature::EcdsaKeyPair>),
    #[cfg(feature = "rsa")]
    Rsa(std::sync::Arc<ring::rsa::KeyPair>),
    /// The private key of a list's public-key entries (Standard Webhooks `whsk_`).
    #[cfg(feature = "ed25519")]
    Entry(ed25519_dalek::SigningKey),
}

#[cfg(any(test, feature = "testing"))]
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

#[cfg(any(test, feature = "testing"))]
impl SigningKey {
    /// The signing key `secret` stands for: the shared secret, or, for a public-key scheme, the
    /// private key in the scheme's key format (an Ed25519 seed; a P-256 PKCS#8 document).
    pub(crate) fn derive(secret: &Secret, signature: &Signature) -> Result<Self, SecretError> {
        if let Some(entries) = &signature.public_entries
            && let Some(encoded) = secret
                .expose()
                .strip_prefix(entries.signing_key_prefix.as_bytes())
        {
            let bytes = Zeroizing::new(BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?);
            #[cfg(feature = "ed25519")]
            return Ok(SigningKey::Entry(ed25519::signing_key(&bytes)?));
            #[cfg(not(feature = "ed25519"))]
            drop(bytes);
            #[cfg(not(feature = "ed25519"))]
            return Err(SecretError::Unsupported("ed25519"));
        }
        let bytes = decode(secret, &signature.secret_format)?;
        match signature.algorithm {
            Algorithm::Hmac(hash) => Ok(SigningKey::Hmac(HmacKey::new(hash, &bytes)?)),
            Algorithm::Token => Ok(SigningKey::Token(bytes)),
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => Ok(SigningKey::Ed25519(ed25519::signing_key(&bytes)?)),
            #[cfg(not(feature = "ed25519"))]
            Algorithm::Ed25519 => Err(SecretError::Unsupported("ed25519")),
            #[cfg(feature = "ecdsa")]
            Algorithm::EcdsaP256Sha256 => Ok(SigningKey::EcdsaP256(std::sync::Arc::new(
                ecdsa::signing_key(&bytes, false)?,
            ))),
            #[cfg(feature = "ecdsa")]
            Algorithm::Es256 => Ok(SigningKey::EcdsaP256(std::sync::Arc::new(
                ecdsa::signing_key(&bytes, true)?,
            ))),
            #[cfg(not(feature = "ecdsa"))]
            Algorithm::EcdsaP256Sha256 | Algorithm::Es256 => Err(SecretError::Unsupported("ecdsa")),
            #[cfg(feature = "rsa")]
            Algorithm::RsaPkcs1Sha256 => Ok(SigningKey::Rsa(std::sync::Arc::new(
                rsa::signing_key(&bytes)?,
            ))),
            // ring signs RSA with SHA-256 only; SHA-1 vectors come from Python.
            #[cfg(feature = "rsa")]
            Algorithm::RsaPkcs1Sha1 => Err(SecretError::Unsupported("rsa with SHA-256")),
            #[cfg(not(feature = "rsa"))]
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPkcs1Sha1 => {
                Err(SecretError::Unsupported("rsa"))
            }
        }
    }

    /// Whether it signs a list's public-key entries.
    pub(crate) fn is_entry(&self) -> bool {
        #[cfg(feature = "ed25519")]
        if let SigningKey::Entry(_) = self {
            return true;
        }
        false
    }

    /// The raw signature of `bytes` (a JWT's signing input).
    #[cfg_attr(not(feature = "ecdsa"), allow(unused_variables))]
    pub(crate) fn sign_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        match self {
            #[cfg(feature = "ecdsa")]
            SigningKey::EcdsaP256(key) => ecdsa::sign(key, bytes),
            _ => Vec::new(),
        }
    }

    /// The raw signature of `message`.
    pub(crate) fn sign(&self, message: &Message<'_>) -> Vec<u8> {
        match self {
            SigningKey::Hmac(key) => key.mac(message).as_slice().to_vec(),
            SigningKey::Token(token) => token.to_vec(),
            #[cfg(feature = "ed25519")]
            SigningKey::Ed25519(key) | SigningKey::Entry(key) => {
                ed25519::sign(key, &message.to_vec())
            }
            #[cfg(feature = "ecdsa")]
            SigningKey::EcdsaP256(key) => ecdsa::sign(key, &message.to_vec()),
            #[cfg(feature = "rsa")]
            SigningKey::Rsa(key) => rsa::sign(key, &message.to_vec()),
        }
    }

    /// The public key to configure a layer with, in the scheme's key format; `None` for a
    /// shared secret (the layer takes the same secret).
    #[cfg_attr(
        not(any(feature = "ed25519", feature = "ecdsa", feature = "rsa")),
        allow(unused_variables, unreachable_code)
    )]
    pub(crate) fn public_key(&self, signature: &Signature) -> Option<String> {
        let format = &signature.secret_format;
        let public: Vec<u8> = match self {
            SigningKey::Hmac(_) | SigningKey::Token(_) => return None,
            #[cfg(feature = "ed25519")]
            SigningKey::Ed25519(key) => key.verifying_key().to_bytes().to_vec(),
            #[cfg(feature = "ed25519")]
            SigningKey::Entry(key) => {
                let prefix = signature
                    .public_entries
                    .as_ref()
                    .map_or("", |e| &e.key_prefix);
                return Some(format!(
                    "{prefix}{}",
                    BASE64.encode(key.verifying_key().to_bytes())
                ));
            }
            #[cfg(feature = "ecdsa")]
            SigningKey::EcdsaP256(key) => ecdsa::spki(key),
            #[cfg(feature = "rsa")]
            SigningKey::Rsa(key) => rsa::spki(key),
        };
        let spki = match self {
            #[cfg(feature = "ed25519")]
            SigningKey::Ed25519(_) | SigningKey::Entry(_) => false,
            _ => true,
        };
        Some(match format {
            SecretFormat::Hex => hex::encode(public),
            SecretFormat::Base64 { prefix } => format!("{prefix}{}", BASE64.encode(public)),
            // A SubjectPublicKeyInfo as text: PEM, which every public-key scheme also reads.
            SecretFormat::Raw if spki => {
                let base64 = BASE64.encode(public);
                let lines: Vec<&str> = base64
                    .as_bytes()
                    .chunks(64)
                    .map(|line| std::str::from_utf8(line).unwrap_or_default())
                    .collect();
                format!(
                    "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                    lines.join("\n")
                )
            }
            SecretFormat::Raw => String::from_utf8_lossy(&public).into_owned(),
        })
    }
}
