//! ECDSA over P-256 with SHA-256, DER signatures, keys as a SubjectPublicKeyInfo (with ring).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};

use crate::secret::SecretError;

/// The DER of a P-256 SubjectPublicKeyInfo up to its point: SEQUENCE { SEQUENCE { id-ecPublicKey,
/// prime256v1 }, BIT STRING (66 bytes, no unused bits) }. A key with another curve, another
/// algorithm or another DER layout does not start so and is refused.
const SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// An uncompressed point: 0x04, then x and y.
const POINT_LEN: usize = 65;

/// A P-256 public key; ring checks the point lies on the curve when it verifies.
#[derive(Clone)]
pub(crate) struct PublicKey(UnparsedPublicKey<Vec<u8>>);

/// The provider's public key from a SubjectPublicKeyInfo in DER.
pub(super) fn public_key(spki: &[u8]) -> Result<PublicKey, SecretError> {
    let point = spki
        .strip_prefix(&SPKI_PREFIX[..])
        .filter(|point| point.len() == POINT_LEN && point[0] == 0x04)
        .ok_or(SecretError::InvalidPublicKey)?;
    Ok(PublicKey(UnparsedPublicKey::new(
        &ECDSA_P256_SHA256_ASN1,
        point.to_vec(),
    )))
}

/// The DER inside a PEM `PUBLIC KEY` block, if `text` is one.
pub(super) fn pem(text: &[u8]) -> Option<Result<Vec<u8>, SecretError>> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let body = text
        .strip_prefix("-----BEGIN PUBLIC KEY-----")?
        .strip_suffix("-----END PUBLIC KEY-----")?;
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    Some(BASE64.decode(base64).map_err(|_| SecretError::NotBase64))
}

/// Whether `candidate` (DER) is `key`'s signature of `message`.
pub(super) fn verify(key: &PublicKey, message: &[u8], candidate: &[u8]) -> bool {
    key.0.verify(message, candidate).is_ok()
}

/// A private key from its PKCS#8 document, for signing in tests.
#[cfg(any(test, feature = "testing"))]
pub(super) fn signing_key(pkcs8: &[u8]) -> Result<ring::signature::EcdsaKeyPair, SecretError> {
    let rng = ring::rand::SystemRandom::new();
    ring::signature::EcdsaKeyPair::from_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        pkcs8,
        &rng,
    )
    .map_err(|_| SecretError::InvalidPublicKey)
}

#[cfg(any(test, feature = "testing"))]
pub(super) fn sign(key: &ring::signature::EcdsaKeyPair, message: &[u8]) -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    // Signing fails only if the system's random source does; a test then fails to verify.
    key.sign(&rng, message)
        .map(|signature| signature.as_ref().to_vec())
        .unwrap_or_default()
}

/// The SubjectPublicKeyInfo of a signing key, to configure a layer with.
#[cfg(any(test, feature = "testing"))]
pub(super) fn spki(key: &ring::signature::EcdsaKeyPair) -> Vec<u8> {
    use ring::signature::KeyPair as _;
    let mut spki = SPKI_PREFIX.to_vec();
    spki.extend_from_slice(key.public_key().as_ref());
    spki
}
