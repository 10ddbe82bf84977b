//! HMAC keys: a shared secret with its pads absorbed once.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::Message;
use crate::scheme::Hash;
use crate::secret::SecretError;

/// An HMAC key with its inner and outer pads already absorbed: cloning it per request skips the
/// key schedule.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl HmacKey {
    pub(super) fn new(hash: Hash, bytes: &[u8]) -> Result<Self, SecretError> {
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
