//! ECDSA over P-256 with SHA-256, DER signatures, keys as a SubjectPublicKeyInfo (with ring).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::signature::{ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

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

/// Whether `candidate` (`r || s`, as JWS writes ES256) is `key`'s signature of `message`.
pub(super) fn verify_fixed(key: &PublicKey, message: &[u8], candidate: &[u8]) -> bool {
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.0.as_ref())
        .verify(message, candidate)
        .is_ok()
}

/// A P-256 public key as a JWK (RFC 7518, 6.2): `kty` `EC`, `crv` `P-256`, `x` and `y` of 32
/// bytes in base64url; an `alg`, if given, must be `ES256`. What Plaid's key endpoint returns.
#[derive(serde::Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    x: String,
    y: String,
    #[serde(default)]
    alg: Option<String>,
}

/// The key of a JWK, if `text` is a JSON object (the key itself, or `{"key": {...}}` as Plaid's
/// endpoint answers).
pub(super) fn jwk(text: &[u8]) -> Option<Result<PublicKey, SecretError>> {
    if !text.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    let read = || -> Result<PublicKey, SecretError> {
        let value: serde_json::Value =
            serde_json::from_slice(text).map_err(|_| SecretError::InvalidPublicKey)?;
        let value = value.get("key").cloned().unwrap_or(value);
        let jwk: Jwk = serde_json::from_value(value).map_err(|_| SecretError::InvalidPublicKey)?;
        if jwk.kty != "EC" || jwk.crv != "P-256" || jwk.alg.as_deref().is_some_and(|a| a != "ES256")
        {
            return Err(SecretError::InvalidPublicKey);
        }
        let coordinate = |text: &str| {
            super::encoding::BASE64_URL
                .decode(text)
                .ok()
                .filter(|bytes| bytes.len() == 32)
                .ok_or(SecretError::InvalidPublicKey)
        };
        let mut spki = SPKI_PREFIX.to_vec();
        spki.push(0x04);
        spki.extend(coordinate(&jwk.x)?);
        spki.extend(coordinate(&jwk.y)?);
        public_key(&spki)
    };
    Some(read())
}

/// A private key from its PKCS#8 document, for signing in tests: DER signatures, or `r || s`
/// ones when `fixed` (JWS).
#[cfg(any(test, feature = "testing"))]
pub(super) fn signing_key(
    pkcs8: &[u8],
    fixed: bool,
) -> Result<ring::signature::EcdsaKeyPair, SecretError> {
    let rng = ring::rand::SystemRandom::new();
    let algorithm = if fixed {
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING
    } else {
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING
    };
    ring::signature::EcdsaKeyPair::from_pkcs8(algorithm, pkcs8, &rng)
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
