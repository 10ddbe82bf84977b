//! Keys, derived once from a secret (an HMAC key, or a provider's public key), and the encodings
//! a signature is written in.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

use super::{Message, Signatures};
use crate::scheme::{Algorithm, Encoding, Hash, SecretFormat, Signature};
use crate::secret::SecretError;
use crate::Secret;

/// What a delivery's signature is checked with.
#[derive(Clone)]
pub(crate) enum Key {
    /// A shared secret.
    Hmac(HmacKey),
    /// The provider's public key.
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// An HMAC key with its inner and outer pads already absorbed: cloning it per request skips the
/// key schedule.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key([redacted])")
    }
}

/// The bytes a secret stands for under `format`; wiped when dropped.
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

impl Key {
    /// The key `secret` stands for under `signature`'s key format and algorithm. Only
    /// [`Verifier`](super::Verifier) calls it: keys are derived in one place.
    pub(crate) fn derive(secret: &Secret, signature: &Signature) -> Result<Self, SecretError> {
        let bytes = decode(secret, &signature.secret_format)?;
        match signature.algorithm {
            Algorithm::Hmac(hash) => Ok(Key::Hmac(HmacKey::new(hash, &bytes)?)),
            Algorithm::Ed25519 => ed25519_public(&bytes),
        }
    }

    /// The HMAC key, for the handshakes answered with a MAC (Zoom, X); `None` for a public key.
    pub(crate) fn hmac(&self) -> Option<&HmacKey> {
        match self {
            Key::Hmac(key) => Some(key),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(_) => None,
        }
    }

    /// Whether any of the header's signatures is this key's over `message`.
    pub(super) fn accepts(&self, message: &Message<'_>, signatures: &Signatures) -> bool {
        match self {
            Key::Hmac(key) => signatures.matches(key.mac(message).as_slice()),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(key) => {
                // Ed25519 hashes the message twice: it needs it whole.
                let mut bytes = Vec::new();
                message.feed(|part| bytes.extend_from_slice(part));
                signatures.candidates().any(|candidate| {
                    let Ok(candidate) = <[u8; 64]>::try_from(candidate) else {
                        return false;
                    };
                    let signature = ed25519_dalek::Signature::from_bytes(&candidate);
                    // Strict: refuses non-canonical signatures and small-order points.
                    key.verify_strict(&bytes, &signature).is_ok()
                })
            }
        }
    }
}

#[cfg(feature = "ed25519")]
fn ed25519_public(bytes: &[u8]) -> Result<Key, SecretError> {
    let bytes = <[u8; 32]>::try_from(bytes).map_err(|_| SecretError::InvalidPublicKey)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| SecretError::InvalidPublicKey)?;
    if key.is_weak() {
        return Err(SecretError::InvalidPublicKey);
    }
    Ok(Key::Ed25519(key))
}

#[cfg(not(feature = "ed25519"))]
fn ed25519_public(_: &[u8]) -> Result<Key, SecretError> {
    Err(SecretError::Unsupported("ed25519"))
}

impl HmacKey {
    fn new(hash: Hash, bytes: &[u8]) -> Result<Self, SecretError> {
        // HMAC takes keys of any length, so these never fail; map the impossible error anyway.
        let invalid = |_| SecretError::Empty;
        Ok(match hash {
            Hash::Sha1 => HmacKey::Sha1(Hmac::new_from_slice(bytes).map_err(invalid)?),
            Hash::Sha256 => HmacKey::Sha256(Hmac::new_from_slice(bytes).map_err(invalid)?),
            Hash::Sha512 => HmacKey::Sha512(Hmac::new_from_slice(bytes).map_err(invalid)?),
        })
    }

    pub(crate) fn mac(&self, message: &Message<'_>) -> Output {
        self.compute(|update| message.feed(update))
    }

    /// The MAC of `bytes` alone (handshake answers such as Zoom's `encryptedToken`).
    pub(crate) fn mac_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        self.compute(|update| update(bytes)).as_slice().to_vec()
    }

    fn compute(&self, feed: impl FnOnce(&mut dyn FnMut(&[u8]))) -> Output {
        fn run<M: Mac + Clone>(key: &M, feed: impl FnOnce(&mut dyn FnMut(&[u8]))) -> Output {
            let mut mac = key.clone();
            feed(&mut |bytes| mac.update(bytes));
            Output::from_slice(&mac.finalize().into_bytes())
        }
        match self {
            HmacKey::Sha1(key) => run(key, feed),
            HmacKey::Sha256(key) => run(key, feed),
            HmacKey::Sha512(key) => run(key, feed),
        }
    }
}

/// What signs requests in tests: the shared secret, or the provider's private key.
#[cfg(any(test, feature = "testing"))]
#[derive(Clone)]
pub(crate) enum SigningKey {
    Hmac(HmacKey),
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::SigningKey),
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
    /// private key (an Ed25519 seed) in the scheme's key format.
    pub(crate) fn derive(secret: &Secret, signature: &Signature) -> Result<Self, SecretError> {
        let bytes = decode(secret, &signature.secret_format)?;
        match signature.algorithm {
            Algorithm::Hmac(hash) => Ok(SigningKey::Hmac(HmacKey::new(hash, &bytes)?)),
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => {
                let seed = <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| SecretError::InvalidPublicKey)?;
                Ok(SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                    &seed,
                )))
            }
            #[cfg(not(feature = "ed25519"))]
            Algorithm::Ed25519 => Err(SecretError::Unsupported("ed25519")),
        }
    }

    /// The raw signature of `message`.
    pub(crate) fn sign(&self, message: &Message<'_>) -> Vec<u8> {
        match self {
            SigningKey::Hmac(key) => key.mac(message).as_slice().to_vec(),
            #[cfg(feature = "ed25519")]
            SigningKey::Ed25519(key) => {
                use ed25519_dalek::Signer as _;
                let mut bytes = Vec::new();
                message.feed(|part| bytes.extend_from_slice(part));
                key.sign(&bytes).to_bytes().to_vec()
            }
        }
    }

    /// The public key to configure a layer with, in the scheme's key format; `None` for a
    /// shared secret (the layer takes the same secret).
    #[cfg_attr(not(feature = "ed25519"), allow(unused_variables))]
    pub(crate) fn public_key(&self, format: &SecretFormat) -> Option<String> {
        match self {
            SigningKey::Hmac(_) => None,
            #[cfg(feature = "ed25519")]
            SigningKey::Ed25519(key) => {
                let public = key.verifying_key().to_bytes();
                Some(match format {
                    SecretFormat::Hex => hex::encode(public),
                    SecretFormat::Base64 { prefix } => format!("{prefix}{}", BASE64.encode(public)),
                    SecretFormat::Raw => String::from_utf8_lossy(&public).into_owned(),
                })
            }
        }
    }
}

/// A MAC on the stack (64 bytes fits SHA-512).
pub(crate) struct Output {
    bytes: [u8; 64],
    len: usize,
}

impl Output {
    fn from_slice(slice: &[u8]) -> Self {
        let mut bytes = [0; 64];
        let len = slice.len().min(64);
        bytes[..len].copy_from_slice(&slice[..len]);
        Self { bytes, len }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Encodes a MAC the way the scheme writes it.
pub(crate) fn encode(encoding: Encoding, mac: &[u8]) -> String {
    match encoding {
        Encoding::Hex => hex::encode(mac),
        Encoding::Base64 => BASE64.encode(mac),
    }
}
