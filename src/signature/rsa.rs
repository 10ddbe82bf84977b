//! RSASSA-PKCS1-v1_5 with SHA-256 or SHA-1 (with ring), keys from X.509 certificates or
//! SubjectPublicKeyInfos of 2048 to 8192 bits.

use ring::signature::{
    RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
};

use super::certificate;
use crate::scheme::Algorithm;
use crate::secret::SecretError;

/// A provider's RSA public key, and the validity of the certificate it came in, if it did.
#[derive(Clone)]
pub(crate) struct PublicKey {
    /// The RSAPublicKey DER; ring checks its size and form when it verifies.
    key: Vec<u8>,
    /// `(not_before, not_after)` in unix seconds, for a key from a certificate.
    pub(crate) validity: Option<(i64, i64)>,
}

/// The key of a certificate (PEM or DER) or of a SubjectPublicKeyInfo (DER).
pub(super) fn public_key(bytes: &[u8]) -> Result<PublicKey, SecretError> {
    let pem = certificate::pem(bytes).transpose()?;
    let der = pem.as_deref().unwrap_or(bytes);
    if let Ok(certificate) = certificate::parse(der) {
        return Ok(PublicKey {
            key: certificate::rsa_public_key(certificate.spki)?.to_vec(),
            validity: Some((certificate.not_before, certificate.not_after)),
        });
    }
    if pem.is_some() {
        return Err(SecretError::InvalidCertificate);
    }
    Ok(PublicKey {
        key: certificate::rsa_public_key(der)
            .map_err(|_| SecretError::InvalidPublicKey)?
            .to_vec(),
        validity: None,
    })
}

/// Whether `candidate` is `key`'s signature of `message` under `algorithm`.
pub(super) fn verify(
    key: &PublicKey,
    algorithm: Algorithm,
    message: &[u8],
    candidate: &[u8],
) -> bool {
    let parameters = match algorithm {
        Algorithm::RsaPkcs1Sha256 => &RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RsaPkcs1Sha1 => &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        _ => return false,
    };
    UnparsedPublicKey::new(parameters, &key.key)
        .verify(message, candidate)
        .is_ok()
}

/// A private key from its PKCS#8 document, for signing in tests (SHA-256 only: ring does not
/// sign with SHA-1).
#[cfg(any(test, feature = "testing"))]
pub(super) fn signing_key(pkcs8: &[u8]) -> Result<ring::rsa::KeyPair, SecretError> {
    ring::rsa::KeyPair::from_pkcs8(pkcs8).map_err(|_| SecretError::InvalidPublicKey)
}

#[cfg(any(test, feature = "testing"))]
pub(super) fn sign(key: &ring::rsa::KeyPair, message: &[u8]) -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    let mut signature = vec![0; key.public().modulus_len()];
    // Signing fails only if the system's random source does; a test then fails to verify.
    match key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &rng,
        message,
        &mut signature,
    ) {
        Ok(()) => signature,
        Err(_) => Vec::new(),
    }
}

/// The SubjectPublicKeyInfo of a signing key (rsaEncryption, NULL parameters), to configure a
/// layer with.
#[cfg(any(test, feature = "testing"))]
pub(super) fn spki(key: &ring::rsa::KeyPair) -> Vec<u8> {
    use ring::signature::KeyPair as _;
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }
    let algorithm = tlv(
        0x30,
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ],
    );
    let mut bits = vec![0];
    bits.extend_from_slice(key.public_key().as_ref());
    let mut content = algorithm;
    content.extend(tlv(0x03, &bits));
    tlv(0x30, &content)
}
