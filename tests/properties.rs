//! Properties over random bodies, secrets and timestamps, for every signed preset: what
//! `testing::Signer` signs, `Verifier` accepts; one flipped bit of the body, of the MAC or of the
//! timestamp, and it refuses.

use base64::Engine as _;
use http::{HeaderValue, Uri};
use proptest::prelude::*;
use tower_webhooks::scheme::{
    Algorithm, Encoding, Scheme, SecretFormat, SignatureFormat, TimestampSource,
};
use tower_webhooks::testing::Signer;
use tower_webhooks::{Rejection, Verifier};

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const BASE64_URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// A P-256 private key (PKCS#8), made with Python's cryptography from a fixed scalar.
const P256_PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOh98LptNWm+ODBstP0pbbH2OnwobLD1OX2BxgpOktcahRANCAATyNrMAWI4eUWiF8hye1zgKw44BeZmgNCKlppYwmyn3StVAowyHCeA6C4+iXjmBuGaHo0KGBYk/Y0qnmlPzjMhQ";

/// Every preset, those that sign with a private key too when the build verifies them. Twilio's
/// signer sends JSON, which the signed URL pins by its SHA-256; in form mode Twilio signs the
/// decoded parameters, so `%41` and `A` are the same message by design.
fn presets() -> Vec<Scheme> {
    // A timestamp carried in the body needs a JSON body holding it (Linear), and a token is no
    // signature: it does not cover the body, so a flipped body bit passes by design (GitLab,
    // Okta). Their vectors, provider tests and the bad-input matrix cover them instead.
    let mut presets: Vec<Scheme> = tower_webhooks::testing::presets()
        .into_iter()
        .filter(|scheme| !matches!(scheme.timestamp(), Some(TimestampSource::Json(_))))
        .filter(|scheme| scheme.signature().unwrap().algorithm() != Algorithm::Token)
        .collect();
    presets.extend(
        tower_webhooks::testing::public_key_presets()
            .into_iter()
            .filter(|scheme| {
                let algorithm = scheme.signature().unwrap().algorithm();
                let verifies = [
                    (Algorithm::Ed25519, cfg!(feature = "ed25519")),
                    (Algorithm::EcdsaP256Sha256, cfg!(feature = "ecdsa")),
                ];
                verifies.iter().all(|(a, on)| *a != algorithm || *on)
            }),
    );
    presets
}

/// A secret in the form the scheme expects, from random key bytes: for a public-key scheme, a
/// private key's 32-byte seed made from them.
fn secret_for(scheme: &Scheme, key: &[u8]) -> Vec<u8> {
    let signature = scheme.signature().unwrap();
    let key = match signature.algorithm() {
        Algorithm::Hmac(_) => key.to_vec(),
        // A P-256 key must be a PKCS#8 document: one fixed key (the random bytes cannot be one).
        Algorithm::EcdsaP256Sha256 => BASE64.decode(P256_PKCS8).unwrap(),
        _ => <sha2::Sha256 as sha2::Digest>::digest(key).to_vec(),
    };
    match signature.key_format() {
        SecretFormat::Base64 { prefix } => format!("{prefix}{}", BASE64.encode(&key)).into_bytes(),
        SecretFormat::Hex => hex::encode(&key).into_bytes(),
        _ => key,
    }
}

struct Signed {
    verifier: Verifier,
    scheme: Scheme,
    headers: http::HeaderMap,
    uri: Uri,
    body: Vec<u8>,
    timestamp: i64,
}

fn sign(preset: usize, key: &[u8], body: Vec<u8>, timestamp: i64) -> Signed {
    let scheme = presets()[preset % presets().len()].clone();
    let secret = secret_for(&scheme, key);
    let signer = Signer::new(scheme.clone(), secret.as_slice()).unwrap();
    // A public-key scheme is verified with the signer's public key, an HMAC one with its secret.
    let verifying = signer
        .public_key()
        .map_or(secret.clone(), String::into_bytes);
    let request = signer
        .at(timestamp)
        .with_id("msg_prop")
        .request("/hook?a=1", body.clone());
    Signed {
        verifier: Verifier::new(scheme.clone(), verifying.as_slice()).unwrap(),
        scheme,
        headers: request.headers().clone(),
        uri: request.uri().clone(),
        body,
        timestamp,
    }
}

impl Signed {
    fn verify(&self) -> Result<Option<i64>, Rejection> {
        self.verifier
            .verify(&self.headers, &self.uri, &self.body, self.timestamp)
    }

    fn signature_value(&self) -> String {
        let name = self.scheme.signature().unwrap().header();
        self.headers[name].to_str().unwrap().to_owned()
    }

    fn set_signature(&mut self, value: &str) {
        let name = self.scheme.signature().unwrap().header().clone();
        self.headers
            .insert(name, HeaderValue::from_str(value).unwrap());
    }
}

fn keys() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..80)
}

fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn what_is_signed_verifies(preset in 0usize..512, key in keys(), body in bodies(), ts in 0i64..4_000_000_000) {
        let signed = sign(preset, &key, body, ts);
        let expected = signed.scheme.timestamp().map(|_| ts);
        prop_assert_eq!(signed.verify().ok(), Some(expected), "{}", signed.scheme.provider());
    }

    #[test]
    fn a_flipped_body_bit_is_refused(preset in 0usize..512, key in keys(), body in prop::collection::vec(any::<u8>(), 1..2048), ts in 0i64..4_000_000_000, bit in any::<prop::sample::Index>()) {
        let mut signed = sign(preset, &key, body, ts);
        let bit = bit.index(signed.body.len() * 8);
        signed.body[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(matches!(signed.verify(), Err(Rejection::InvalidSignature)), "{}", signed.scheme.provider());
    }

    #[test]
    fn a_flipped_mac_bit_is_refused(preset in 0usize..512, key in keys(), body in bodies(), ts in 0i64..4_000_000_000, bit in any::<prop::sample::Index>()) {
        let mut signed = sign(preset, &key, body, ts);
        let signature = signed.scheme.signature().unwrap().clone();
        let value = signed.signature_value();
        // Every signer format ends with the encoded MAC.
        let mac_len = signature.hash_function().map_or(64, |hash| hash.output_len());
        let encoded_len = match (signature.algorithm(), signature.mac_encoding()) {
            // A DER signature's length varies: SendGrid's header is the signature alone.
            (Algorithm::EcdsaP256Sha256, _) => value.len(),
            (_, Encoding::Hex) => mac_len * 2,
            (_, Encoding::Base64Url) => (mac_len * 4).div_ceil(3),
            _ => mac_len.div_ceil(3) * 4,
        };
        let (head, encoded) = value.split_at(value.len() - encoded_len);
        let mut mac = match signature.mac_encoding() {
            Encoding::Hex => hex::decode(encoded).unwrap(),
            Encoding::Base64Url => BASE64_URL.decode(encoded).unwrap(),
            _ => BASE64.decode(encoded).unwrap(),
        };
        let bit = bit.index(mac.len() * 8);
        mac[bit / 8] ^= 1 << (bit % 8);
        let flipped = match signature.mac_encoding() {
            Encoding::Hex => hex::encode(&mac),
            Encoding::Base64Url => BASE64_URL.encode(&mac),
            _ => BASE64.encode(&mac),
        };
        signed.set_signature(&format!("{head}{flipped}"));
        prop_assert!(matches!(signed.verify(), Err(Rejection::InvalidSignature)), "{}", signed.scheme.provider());
    }

    #[test]
    fn a_flipped_timestamp_bit_is_refused(preset in 0usize..512, key in keys(), body in bodies(), ts in 0i64..4_000_000_000, bit in 0u32..32) {
        let mut signed = sign(preset, &key, body, ts);
        let other = ts ^ (1 << bit);
        match signed.scheme.timestamp().cloned() {
            None => return Ok(()),
            Some(TimestampSource::Header(name)) if signed.scheme.timestamp_format() == tower_webhooks::scheme::TimestampFormat::Rfc3339 => {
                // Another valid date-time: the minute's last digit moved on.
                let mut value = signed.headers[&name].as_bytes().to_vec();
                value[15] = b'0' + (value[15] - b'0' + 1) % 10;
                signed.headers.insert(name, HeaderValue::from_bytes(&value).unwrap());
            }
            Some(TimestampSource::Header(name)) => {
                signed.headers.insert(name, HeaderValue::from_str(&other.to_string()).unwrap());
            }
            Some(TimestampSource::Pair(key)) => {
                let SignatureFormat::Pairs { separator, .. } = signed.scheme.signature().unwrap().format().clone() else {
                    unreachable!("a timestamp pair lives in a pairs header")
                };
                let (ts, other) = if signed.scheme.timestamp_format() == tower_webhooks::scheme::TimestampFormat::UnixMillis {
                    (ts * 1000, other * 1000)
                } else {
                    (ts, other)
                };
                let value = signed.signature_value().replace(
                    &format!("{key}={ts}{separator}"),
                    &format!("{key}={other}{separator}"),
                );
                prop_assert_ne!(&value, &signed.signature_value());
                signed.set_signature(&value);
            }
            Some(_) => unreachable!(),
        }
        // Checked at the signed time: the refusal is the signature's, not the tolerance's.
        prop_assert!(matches!(signed.verify(), Err(Rejection::InvalidSignature)), "{}", signed.scheme.provider());
    }
}

/// A scheme whose timestamp header is written as `format`: `<t>.<body>` under HMAC-SHA256.
fn timestamped(format: tower_webhooks::scheme::TimestampFormat) -> Scheme {
    use http::HeaderName;
    use tower_webhooks::scheme::{Signature, SignedPart};
    tower_webhooks::Builder::new()
        .signature(Signature::new(HeaderName::from_static("x-sig")).signs([
            SignedPart::Timestamp,
            SignedPart::literal("."),
            SignedPart::Body,
        ]))
        .timestamp(TimestampSource::Header(HeaderName::from_static("x-ts")))
        .timestamp_format(format)
        .scheme()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every timestamp format round-trips through the signer and the verifier, from year 1 to
    /// 9999 for RFC 3339, and a second off is refused as stale with a zero tolerance.
    #[test]
    fn every_timestamp_format_round_trips(ts in -62_135_596_800i64..253_402_300_799, body in bodies(), format in 0usize..3) {
        use tower_webhooks::scheme::TimestampFormat;
        let format = [TimestampFormat::UnixSeconds, TimestampFormat::UnixMillis, TimestampFormat::Rfc3339][format];
        // Digits carry no sign: before 1970 only a date-time can be signed.
        let ts = if format == TimestampFormat::Rfc3339 { ts } else { ts.abs() };
        let scheme = timestamped(format);
        let request = Signer::new(scheme.clone(), "k").unwrap().at(ts).request("/", body.clone());
        let verifier = Verifier::new(scheme, "k").unwrap().with_tolerance(std::time::Duration::ZERO);
        prop_assert_eq!(verifier.verify(request.headers(), request.uri(), &body, ts).ok(), Some(Some(ts)));
        prop_assert!(matches!(verifier.verify(request.headers(), request.uri(), &body, ts + 1), Err(Rejection::StaleTimestamp)));
    }
}
