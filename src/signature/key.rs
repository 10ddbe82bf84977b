//! HMAC keys, derived once from a secret, and the encodings a MAC is written in.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::Message;
use crate::scheme::{Encoding, Hash, SecretFormat, Signature};
use crate::secret::SecretError;
use crate::Secret;

/// An HMAC key with its inner and outer pads already absorbed: cloning it per request skips the
/// key schedule.
#[derive(Clone)]
pub(crate) enum Key {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key([redacted])")
    }
}

impl Key {
    /// The key `secret` stands for under `signature`'s key format and hash. Only
    /// [`Verifier`](super::Verifier) calls it: keys are derived in one place.
    pub(crate) fn derive(secret: &Secret, signature: &Signature) -> Result<Self, SecretError> {
        let decoded;
        let bytes = match &signature.secret_format {
            SecretFormat::Raw => secret.expose(),
            SecretFormat::Base64 { prefix } => {
                let raw = secret.expose();
                let raw = raw.strip_prefix(prefix.as_bytes()).unwrap_or(raw);
                decoded = zeroize::Zeroizing::new(
                    BASE64.decode(raw).map_err(|_| SecretError::NotBase64)?,
                );
                decoded.as_slice()
            }
        };
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        // HMAC takes keys of any length, so these never fail; map the impossible error anyway.
        let key = match signature.hash {
            Hash::Sha1 => Key::Sha1(Hmac::new_from_slice(bytes).map_err(|_| SecretError::Empty)?),
            Hash::Sha256 => {
                Key::Sha256(Hmac::new_from_slice(bytes).map_err(|_| SecretError::Empty)?)
            }
            Hash::Sha512 => {
                Key::Sha512(Hmac::new_from_slice(bytes).map_err(|_| SecretError::Empty)?)
            }
        };
        Ok(key)
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
            Key::Sha1(key) => run(key, feed),
            Key::Sha256(key) => run(key, feed),
            Key::Sha512(key) => run(key, feed),
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
