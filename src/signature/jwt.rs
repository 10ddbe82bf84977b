//! Signed JWTs (compact JWS, RFC 7515) as the signature of a delivery: Plaid's
//! `Plaid-Verification`. The protected header must name the scheme's algorithm (so `none` and
//! `HS256` are refused before any key is touched), the signature is checked over the first two
//! segments, and only then are the claims read: the body's SHA-256, compared in constant time,
//! and the time it was issued, against the tolerance.

use base64::Engine as _;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::encoding::BASE64_URL;
use super::{Key, Presented, SignatureError, Verification, single_header};
use crate::scheme::{Signature, SignatureFormat};

/// Longest token read: Plaid's are about 400 characters.
const MAX_LEN: usize = 8 * 1024;

/// The protected header, as far as it matters.
#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    /// Extensions the verifier must understand (RFC 7515, 4.1.11): none are, so any is refused.
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// A token split into its parts, its header checked.
struct Token<'a> {
    signing_input: &'a str,
    payload: &'a str,
    signature: &'a str,
    header: Header,
}

fn malformed(why: &'static str) -> SignatureError {
    SignatureError::Malformed(why)
}

/// The JWS name of the scheme's algorithm.
fn jws_name(signature: &Signature) -> &'static str {
    match signature.algorithm {
        crate::scheme::Algorithm::Es256 => "ES256",
        _ => "",
    }
}

fn decode(segment: &str) -> Result<Vec<u8>, SignatureError> {
    BASE64_URL
        .decode(segment)
        .map_err(|_| malformed("a JWT segment is not base64url"))
}

fn parse<'a>(signature: &Signature, value: &'a str) -> Result<Token<'a>, SignatureError> {
    if value.len() > MAX_LEN {
        return Err(malformed("the JWT is too long"));
    }
    let mut segments = value.split('.');
    let (Some(header), Some(payload), Some(sig), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(malformed("not a compact JWT of three segments"));
    };
    let header: Header = serde_json::from_slice(&decode(header)?)
        .map_err(|_| malformed("the JWT header is not the expected JSON"))?;
    if header.alg != jws_name(signature) {
        return Err(malformed("the JWT's algorithm is not the scheme's"));
    }
    if header.crit.is_some() {
        return Err(malformed("the JWT has critical extensions"));
    }
    Ok(Token {
        signing_input: &value[..value.len() - sig.len() - 1],
        payload,
        signature: sig,
        header,
    })
}

/// The `kid` of the token in the signature header: the name of its key.
pub(super) fn key_id(
    headers: &http::HeaderMap,
    signature: &Signature,
) -> Result<String, SignatureError> {
    let value = single_header(headers, &signature.header)?.ok_or(SignatureError::Missing)?;
    parse(signature, value)?
        .header
        .kid
        .filter(|kid| !kid.is_empty())
        .ok_or(malformed("the JWT names no key (kid)"))
}

/// Verifies the token in the signature header with `keys`, then its claims.
pub(super) fn verify<'a>(
    signature: &Signature,
    keys: &[Key],
    request: &Presented<'a>,
    now: i64,
    tolerance_secs: u64,
) -> Result<Verification<'a>, SignatureError> {
    let SignatureFormat::Jwt {
        body_hash_claim,
        issued_at_claim,
    } = &signature.format
    else {
        return Err(SignatureError::Mismatch);
    };
    let value =
        single_header(request.headers, &signature.header)?.ok_or(SignatureError::Missing)?;
    let token = parse(signature, value)?;
    let raw = decode(token.signature)?;
    let key = keys
        .iter()
        .position(|key| key.accepts_jws(token.signing_input.as_bytes(), &raw))
        .ok_or(SignatureError::Mismatch)?;

    // Authentic from here: the claims are the provider's.
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&decode(token.payload)?)
            .map_err(|_| malformed("the JWT claims are not a JSON object"))?;
    let pinned = claims
        .get(body_hash_claim.as_ref())
        .and_then(serde_json::Value::as_str)
        .ok_or(malformed("the JWT has no body hash claim"))?;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(request.body);
    let given = hex::decode(pinned).unwrap_or_default();
    if !bool::from(digest.as_slice().ct_eq(&given)) {
        return Err(SignatureError::Mismatch);
    }
    let issued = claims
        .get(issued_at_claim.as_ref())
        .and_then(serde_json::Value::as_i64)
        .ok_or(malformed("the JWT has no issued-at claim in unix seconds"))?;
    let skew = (i128::from(now) - i128::from(issued)).unsigned_abs();
    if skew > u128::from(tolerance_secs) {
        return Err(SignatureError::Stale);
    }
    Ok(Verification {
        timestamp: Some(issued),
        key,
        id: None,
    })
}

/// A token for `body` at `issued`, signed by `key` (for `testing::Signer`).
#[cfg(any(test, feature = "testing"))]
pub(super) fn sign(
    signature: &Signature,
    key: &super::SigningKey,
    kid: &str,
    issued: &str,
    body: &[u8],
) -> String {
    let SignatureFormat::Jwt {
        body_hash_claim,
        issued_at_claim,
    } = &signature.format
    else {
        return String::new();
    };
    let header = serde_json::json!({"alg": jws_name(signature), "kid": kid, "typ": "JWT"});
    let digest = <sha2::Sha256 as sha2::Digest>::digest(body);
    let mut claims = serde_json::Map::new();
    claims.insert(
        issued_at_claim.to_string(),
        issued.parse::<i64>().unwrap_or_default().into(),
    );
    claims.insert(body_hash_claim.to_string(), hex::encode(digest).into());
    let input = format!(
        "{}.{}",
        BASE64_URL.encode(header.to_string()),
        BASE64_URL.encode(serde_json::Value::Object(claims).to_string())
    );
    let raw = key.sign_bytes(input.as_bytes());
    format!("{input}.{}", BASE64_URL.encode(raw))
}
