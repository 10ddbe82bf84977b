//! Ed25519 (RFC 8032), strictly: keys of small order and non-canonical signatures are refused.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::secret::SecretError;

/// The provider's public key: 32 bytes that decode to a point not of small order.
pub(super) fn public_key(bytes: &[u8]) -> Result<VerifyingKey, SecretError> {
    let bytes = <[u8; 32]>::try_from(bytes).map_err(|_| SecretError::InvalidPublicKey)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| SecretError::InvalidPublicKey)?;
    if key.is_weak() {
        return Err(SecretError::InvalidPublicKey);
    }
    Ok(key)
}

/// Whether `candidate` is `key`'s signature of `message`.
pub(super) fn verify(key: &VerifyingKey, message: &[u8], candidate: &[u8]) -> bool {
    let Ok(candidate) = <[u8; 64]>::try_from(candidate) else {
        return false;
    };
    // Strict: refuses non-canonical signatures and small-order points.
    key.verify_strict(message, &Signature::from_bytes(&candidate))
        .is_ok()
}

/// A private key from its 32-byte seed, for signing in tests.
#[cfg(any(test, feature = "testing"))]
pub(super) fn signing_key(bytes: &[u8]) -> Result<ed25519_dalek::SigningKey, SecretError> {
    // The seed alone, or the seed and its public key (as some libraries write `whsk_` keys).
    let seed = <[u8; 32]>::try_from(&bytes[..bytes.len().min(32)])
        .map_err(|_| SecretError::InvalidPublicKey)?;
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    match bytes.len() {
        32 => Ok(key),
        64 if bytes[32..] == key.verifying_key().to_bytes() => Ok(key),
        _ => Err(SecretError::InvalidPublicKey),
    }
}

#[cfg(any(test, feature = "testing"))]
pub(super) fn sign(key: &ed25519_dalek::SigningKey, message: &[u8]) -> Vec<u8> {
    use ed25519_dalek::Signer as _;
    key.sign(message).to_bytes().to_vec()
}
