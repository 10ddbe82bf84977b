//! Verification cost against the floor: one bare HMAC over the same signed bytes with a
//! precomputed key, and the `standardwebhooks` crate on the same Standard Webhooks delivery.
//!
//! `cargo bench --bench verify` runs every signed preset at 64 B, 1 KiB, 64 KiB and 1 MiB, then
//! prints each one's median as a ratio to the bare HMAC measured in the same group (and the
//! `standardwebhooks` crate's as a multiple of ours). Targets (issue 5): ≤ 1.10x the bare HMAC,
//! and ≥ 5x faster than `standardwebhooks`.
//!
//! With `VERIFY_COUNT=<n>` and `<provider> <bytes> <ours|bare>` it runs that one verification `n`
//! times instead, for `bash bench/instructions.sh verify` to count its instructions.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};
use http::{HeaderMap, Uri};
use tower_webhooks::Verifier;
use tower_webhooks::scheme::{Hash, Scheme, SignedPart};
use tower_webhooks::testing::Signer;

const SIZES: [(usize, &str); 4] = [
    (64, "64B"),
    (1024, "1KiB"),
    (64 * 1024, "64KiB"),
    (1024 * 1024, "1MiB"),
];
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

/// The HMAC presets: a token scheme (GitLab, Okta) computes nothing to compare with an HMAC.
fn presets() -> Vec<Scheme> {
    tower_webhooks::testing::presets()
        .into_iter()
        .filter(|scheme| {
            scheme
                .signature()
                .is_some_and(|s| s.hash_function().is_some())
        })
        .collect()
}

/// A body of exactly `size` bytes: JSON for most schemes, one form field for Twilio's.
fn body(scheme: &Scheme, size: usize) -> Vec<u8> {
    if scheme.provider() == "twilio" {
        let mut body = b"Body=".to_vec();
        body.resize(size.max(6), b'a');
        return body;
    }
    // Linear's timestamp is in the body.
    let head: &[u8] = if scheme.provider() == "linear" {
        br#"{"id":"evt_0123456789","webhookTimestamp":1700000000000,"pad":""#
    } else {
        br#"{"id":"evt_0123456789","type":"bench.event","pad":""#
    };
    let mut body = head.to_vec();
    body.resize(size.saturating_sub(2).max(head.len()), b'a');
    body.extend_from_slice(b"\"}");
    body
}

/// The exact bytes the scheme signs for this request, assembled by hand from the public parts.
fn signed_bytes(scheme: &Scheme, headers: &HeaderMap, uri: &Uri, body: &[u8]) -> Vec<u8> {
    let signature = scheme.signature().expect("signed");
    let header = |name: &http::HeaderName| headers[name].as_bytes().to_vec();
    let mut out = Vec::with_capacity(body.len() + 128);
    for part in signature.signed_parts() {
        match part {
            SignedPart::Literal(bytes) => out.extend_from_slice(bytes),
            // As sent: in its own header (any format), else the pair's unix seconds.
            SignedPart::Timestamp => match scheme.timestamp() {
                Some(tower_webhooks::scheme::TimestampSource::Header(name)) => {
                    out.extend_from_slice(&header(name))
                }
                _ => out.extend_from_slice(NOW.to_string().as_bytes()),
            },
            SignedPart::Id => match scheme.id().parts().first() {
                Some(tower_webhooks::scheme::Source::Header(name)) => {
                    out.extend_from_slice(&header(name))
                }
                _ => unreachable!("a signed id is a header"),
            },
            SignedPart::Body => out.extend_from_slice(body),
            SignedPart::Url => {
                out.extend_from_slice(signature.public_base_url().unwrap_or("").as_bytes());
                out.extend_from_slice(uri.path().as_bytes());
            }
            SignedPart::SortedFormParams => {
                // One field, no escapes: name then value.
                let (name, value) = body.split_at(body.iter().position(|&b| b == b'=').unwrap());
                out.extend_from_slice(name);
                out.extend_from_slice(&value[1..]);
            }
            SignedPart::Method => out.extend_from_slice(b"POST"),
            SignedPart::Header(name) => out.extend_from_slice(&header(name)),
            SignedPart::Json(pointer) => {
                let json: serde_json::Value = serde_json::from_slice(body).unwrap();
                let value = json.pointer(pointer.as_str()).and_then(|v| v.as_str());
                out.extend_from_slice(value.unwrap_or("").as_bytes());
            }
            other => unreachable!("a part this bench does not know: {other:?}"),
        }
    }
    out
}

/// One HMAC over `msg` from a precomputed key state, as a closure.
type BareHmac = Box<dyn Fn(&[u8]) -> usize>;

fn bare_hmac(hash: Hash, key: &[u8]) -> BareHmac {
    match hash {
        Hash::Sha1 => {
            let state = Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
            Box::new(move |msg| {
                let mut mac = state.clone();
                mac.update(msg);
                mac.finalize().into_bytes().len()
            })
        }
        _ => {
            let state = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            Box::new(move |msg| {
                let mut mac = state.clone();
                mac.update(msg);
                mac.finalize().into_bytes().len()
            })
        }
    }
}

/// The secret to configure `scheme` with, in its key format, and the HMAC key it stands for.
fn secret_and_key(scheme: &Scheme) -> (String, Vec<u8>) {
    use base64::Engine;
    use tower_webhooks::scheme::SecretFormat;
    let base64 = base64::engine::general_purpose::STANDARD;
    match scheme.signature().unwrap().key_format() {
        SecretFormat::Base64 { prefix }
            if !prefix.is_empty() && SECRET.starts_with(prefix.as_ref()) =>
        {
            (
                SECRET.to_owned(),
                base64.decode(&SECRET[prefix.len()..]).unwrap(),
            )
        }
        SecretFormat::Base64 { prefix } => (
            format!("{prefix}{}", base64.encode(SECRET)),
            SECRET.as_bytes().to_vec(),
        ),
        SecretFormat::Hex => (hex::encode(SECRET), SECRET.as_bytes().to_vec()),
        _ => (SECRET.to_owned(), SECRET.as_bytes().to_vec()),
    }
}

/// One HMAC preset's delivery of one size, checked, with the bare HMAC over its signed bytes.
struct Case {
    provider: String,
    signer: Signer,
    headers: HeaderMap,
    uri: Uri,
    body: Vec<u8>,
    verifier: Verifier,
    signed: Vec<u8>,
    hmac: BareHmac,
}

impl Case {
    fn new(scheme: &Scheme, size: usize) -> Self {
        let provider = scheme.provider().to_owned();
        let body = body(scheme, size);
        let (secret, key) = secret_and_key(scheme);
        let signer = Signer::new(scheme.clone(), secret.as_str())
            .unwrap()
            .at(NOW);
        // Twilio's body here is a form, and so is the delivery: signed as JSON, the URL would
        // pin the body's SHA-256 and the signed message would not be the bare HMAC's.
        let signer = match provider.as_str() {
            "twilio" => signer.form(),
            _ => signer,
        };
        let request = signer.request("/hook", body.clone());
        let (headers, uri) = (request.headers().clone(), request.uri().clone());
        let verifier = Verifier::new(scheme.clone(), secret.as_str()).unwrap();
        assert!(
            verifier.verify(&headers, &uri, &body, NOW).is_ok(),
            "{provider}"
        );
        let signed = signed_bytes(scheme, &headers, &uri, &body);
        let hash = scheme
            .signature()
            .unwrap()
            .hash_function()
            .expect("an HMAC preset");
        let hmac = bare_hmac(hash, &key);
        Self {
            provider,
            signer,
            headers,
            uri,
            body,
            verifier,
            signed,
            hmac,
        }
    }

    fn ours(&self) -> bool {
        let verified = self.verifier.verify(
            black_box(&self.headers),
            &self.uri,
            black_box(&self.body),
            NOW,
        );
        verified.is_ok()
    }

    fn bare(&self) -> usize {
        (self.hmac)(black_box(&self.signed))
    }
}

/// `VERIFY_COUNT=<n> <verify bench> <provider> <bytes> <ours|bare>`: that one verification (or bare
/// HMAC) `n` times and nothing else, for `bash bench/instructions.sh verify` to count under
/// callgrind. Exit codes: 0 run, 1 a count, preset, size or side it does not know.
fn count(count: usize, args: &[String]) -> std::process::ExitCode {
    let [provider, size, side] = args else {
        eprintln!("usage: VERIFY_COUNT=<n> <verify bench> <provider> <bytes> <ours|bare>");
        return std::process::ExitCode::FAILURE;
    };
    let (Some(scheme), Ok(size)) = (
        presets().into_iter().find(|s| s.provider() == provider),
        size.parse::<usize>(),
    ) else {
        eprintln!("no HMAC preset {provider:?}, or {size:?} is not a size in bytes");
        return std::process::ExitCode::FAILURE;
    };
    let ours = match side.as_str() {
        "ours" => true,
        "bare" => false,
        _ => {
            eprintln!("{side:?} is neither ours nor bare");
            return std::process::ExitCode::FAILURE;
        }
    };
    let case = Case::new(&scheme, size);
    let mut sum = 0;
    for _ in 0..count {
        sum += match ours {
            true => usize::from(case.ours()),
            false => case.bare(),
        };
    }
    black_box(sum);
    std::process::ExitCode::SUCCESS
}

fn bench(c: &mut Criterion) {
    for (size, label) in SIZES {
        let mut group = c.benchmark_group(format!("verify/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        for scheme in presets() {
            let case = Case::new(&scheme, size);
            let provider = case.provider.as_str();
            group.bench_function(BenchmarkId::new("bare-hmac", provider), |b| {
                b.iter(|| case.bare())
            });
            group.bench_function(BenchmarkId::new("tower-webhooks", provider), |b| {
                b.iter(|| case.ours())
            });
            let (signer, body, uri) = (&case.signer, &case.body, &case.uri);

            if provider == "standard-webhooks" {
                // The crate checks against the system clock: sign with the current time.
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                let fresh = signer.clone().at(now).request("/hook", body.clone());
                let theirs = standardwebhooks::Webhook::new(SECRET).unwrap();
                assert!(theirs.verify(body, fresh.headers()).is_ok());
                let ours = Verifier::new(scheme.clone(), SECRET).unwrap();
                group.bench_function(BenchmarkId::new("standardwebhooks-crate", provider), |b| {
                    b.iter(|| theirs.verify(black_box(body), black_box(fresh.headers())))
                });
                group.bench_function(BenchmarkId::new("tower-webhooks-now", provider), |b| {
                    b.iter(|| ours.verify(black_box(fresh.headers()), uri, black_box(body), now))
                });
            }
        }
        #[cfg(feature = "ed25519")]
        ed25519_presets(&mut group, size);
        #[cfg(feature = "ecdsa")]
        ecdsa_presets(&mut group, size);
        #[cfg(feature = "rsa")]
        rsa_presets(&mut group, size);
        group.finish();
    }
}

/// The Ed25519 presets against `ed25519-dalek`'s own strict verification of the same bytes.
#[cfg(feature = "ed25519")]
fn ed25519_presets(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    use base64::Engine as _;
    let seed = [7u8; 32];
    for scheme in tower_webhooks::testing::public_key_presets() {
        let provider = scheme.provider().to_owned();
        if provider == "sendgrid" {
            continue;
        }
        let encoded_seed = match provider.as_str() {
            "discord" => hex::encode(seed),
            _ => base64::engine::general_purpose::STANDARD.encode(seed),
        };
        let body = body(&scheme, size);
        let signer = Signer::new(scheme.clone(), encoded_seed).unwrap().at(NOW);
        let request = signer.request("/hook", body.clone());
        let (headers, uri) = (request.headers().clone(), request.uri().clone());
        let verifier = Verifier::new(scheme.clone(), signer.public_key().unwrap()).unwrap();
        assert!(
            verifier.verify(&headers, &uri, &body, NOW).is_ok(),
            "{provider}"
        );

        let signed = signed_bytes(&scheme, &headers, &uri, &body);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let header = headers[scheme.signature().unwrap().header()]
            .to_str()
            .unwrap();
        let raw = match provider.as_str() {
            "discord" => hex::decode(header).unwrap(),
            _ => base64::engine::general_purpose::STANDARD
                .decode(header)
                .unwrap(),
        };
        let signature = ed25519_dalek::Signature::from_slice(&raw).unwrap();
        assert!(key.verify_strict(&signed, &signature).is_ok());
        if provider == "discord" {
            let public = webhook_verify::Secret::new(signer.public_key().unwrap());
            let peer = |body: &[u8]| {
                webhook_verify::verify(
                    webhook_verify::Provider::Discord,
                    &headers,
                    body,
                    &public,
                    peer_options(),
                )
            };
            assert!(peer(&body).is_ok());
            group.bench_function(BenchmarkId::new("webhook-verify-crate", &provider), |b| {
                b.iter(|| peer(black_box(&body)))
            });
        }
        ours_and_bare(
            group,
            (&provider, size, "bare-ed25519"),
            || verifier.verify(black_box(&headers), &uri, black_box(&body), NOW),
            || key.verify_strict(black_box(&signed), black_box(&signature)),
        );
    }
}

/// SendGrid against ring's own ECDSA P-256 verification of the same bytes.
#[cfg(feature = "ecdsa")]
fn ecdsa_presets(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    use base64::Engine as _;
    // A P-256 private key (PKCS#8), made with Python's cryptography from a fixed scalar.
    const PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOh98LptNWm+ODBstP0pbbH2OnwobLD1OX2BxgpOktcahRANCAATyNrMAWI4eUWiF8hye1zgKw44BeZmgNCKlppYwmyn3StVAowyHCeA6C4+iXjmBuGaHo0KGBYk/Y0qnmlPzjMhQ";
    let scheme = tower_webhooks::provider::sendgrid::scheme();
    let body = body(&scheme, size);
    let signer = Signer::new(scheme.clone(), PKCS8).unwrap().at(NOW);
    let request = signer.request("/hook", body.clone());
    let (headers, uri) = (request.headers().clone(), request.uri().clone());
    let spki = signer.public_key().unwrap();
    let verifier = Verifier::new(scheme.clone(), spki.as_str()).unwrap();
    assert!(verifier.verify(&headers, &uri, &body, NOW).is_ok());

    let signed = signed_bytes(&scheme, &headers, &uri, &body);
    let base64 = base64::engine::general_purpose::STANDARD;
    // The point is the SubjectPublicKeyInfo's last 65 bytes.
    let spki = base64.decode(spki).unwrap();
    let point = spki[spki.len() - 65..].to_vec();
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_ASN1,
        point.clone(),
    );
    let header = headers[scheme.signature().unwrap().header()]
        .to_str()
        .unwrap();
    let der = base64.decode(header).unwrap();
    assert!(key.verify(&signed, &der).is_ok());
    {
        use p256::ecdsa::signature::Verifier as _;
        let theirs = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
        let signature = p256::ecdsa::DerSignature::try_from(der.as_slice()).unwrap();
        assert!(theirs.verify(&signed, &signature).is_ok());
        group.bench_function(BenchmarkId::new("p256-crate", "sendgrid"), |b| {
            b.iter(|| theirs.verify(black_box(&signed), black_box(&signature)))
        });
    }
    let options = peer_options().with_verifying_material(
        webhook_verify::VerifyingKeyMaterial::EcdsaP256PublicKey(spki.clone()),
    );
    let none = webhook_verify::Secret::new("");
    let peer = |body: &[u8]| {
        webhook_verify::verify(
            webhook_verify::Provider::SendGrid,
            &headers,
            body,
            &none,
            options.clone(),
        )
    };
    assert!(peer(&body).is_ok(), "{:?}", peer(&body));
    group.bench_function(BenchmarkId::new("webhook-verify-crate", "sendgrid"), |b| {
        b.iter(|| peer(black_box(&body)))
    });
    ours_and_bare(
        group,
        ("sendgrid", size, "bare-ecdsa"),
        || verifier.verify(black_box(&headers), &uri, black_box(&body), NOW),
        || key.verify(black_box(&signed), black_box(&der)),
    );

    // GitHub secret scanning (DER over the body) and Plaid (ES256 JWT), the same key.
    for scheme in [
        tower_webhooks::provider::github_secret_scanning::scheme(),
        tower_webhooks::provider::plaid::scheme(),
    ] {
        let provider = scheme.provider().to_owned();
        let plaid = provider == "plaid";
        let body = self::body(&scheme, size);
        // Their key format is raw: the PKCS#8 document itself.
        let pkcs8 = base64.decode(PKCS8).unwrap();
        let signer = Signer::new(scheme.clone(), pkcs8).unwrap().at(NOW);
        let request = signer.request("/hook", body.clone());
        let headers = request.headers().clone();
        let public = if plaid {
            // Plaid's keys are JWKs.
            let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            serde_json::json!({"kty": "EC", "crv": "P-256",
                "x": url.encode(&point[1..33]), "y": url.encode(&point[33..])})
            .to_string()
        } else {
            // A raw key format: the key as PEM.
            signer.public_key().unwrap()
        };
        let verifier = Verifier::new(scheme.clone(), public.as_str()).unwrap();
        assert!(
            verifier.verify(&headers, &uri, &body, NOW).is_ok(),
            "{provider}"
        );
        let value = headers[scheme.signature().unwrap().header()]
            .to_str()
            .unwrap()
            .to_owned();
        let (message, raw, algorithm) = if plaid {
            let (input, sig) = value.rsplit_once('.').unwrap();
            let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(sig)
                .unwrap();
            (
                input.as_bytes().to_vec(),
                sig,
                &ring::signature::ECDSA_P256_SHA256_FIXED,
            )
        } else {
            (
                body.clone(),
                base64.decode(&value).unwrap(),
                &ring::signature::ECDSA_P256_SHA256_ASN1,
            )
        };
        let bare = ring::signature::UnparsedPublicKey::new(algorithm, point.clone());
        assert!(bare.verify(&message, &raw).is_ok(), "{provider}");
        ours_and_bare(
            group,
            (&provider, size, "bare-ecdsa"),
            || verifier.verify(black_box(&headers), &uri, black_box(&body), NOW),
            || bare.verify(black_box(&message), black_box(&raw)),
        );
    }
}

/// Amazon SNS and PayPal against ring's own RSA PKCS#1 v1.5 SHA-256 verification of the same
/// bytes, with the vectors' test key and certificate.
#[cfg(feature = "rsa")]
fn rsa_presets(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    size: usize,
) {
    use base64::Engine as _;
    use ring::signature::KeyPair as _;
    use tower_webhooks::provider::{paypal, sns};
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/keys");
    let read = |name: &str| std::fs::read_to_string(format!("{keys}/{name}")).unwrap();
    let base64 = base64::engine::general_purpose::STANDARD;
    let pem = read("rsa-test-key.pem");
    let pkcs8: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let pkcs8 = base64.decode(pkcs8).unwrap();
    let certificate = read("rsa-test-cert.pem");
    let pair = ring::rsa::KeyPair::from_pkcs8(&pkcs8).unwrap();
    let bare = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        pair.public_key().as_ref().to_vec(),
    );

    // SNS: a notification whose `Message` is the body of this size.
    let scheme = sns::scheme();
    let payload = String::from_utf8(body(&scheme, size)).unwrap();
    let message = serde_json::json!({
        "Type": "Notification", "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-west-2:123456789012:MyTopic", "Message": payload,
        "Timestamp": "2023-11-14T22:13:20.000Z", "SignatureVersion": "2",
        "SigningCertURL": "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem",
    });
    let request = Signer::new(scheme.clone(), pkcs8.clone())
        .unwrap()
        .request("/hook", message.to_string());
    let (parts, sns_body) = request.into_parts();
    let sns_body = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(axum::body::to_bytes(sns_body, usize::MAX))
        .unwrap();
    let verifier = Verifier::new(scheme, certificate.as_str()).unwrap();
    let uri = Uri::from_static("/hook");
    assert!(
        verifier
            .verify(&parts.headers, &uri, &sns_body, NOW)
            .is_ok()
    );
    let json: serde_json::Value = serde_json::from_slice(&sns_body).unwrap();
    let canonical: String = ["Message", "MessageId", "Timestamp", "TopicArn", "Type"]
        .iter()
        .map(|field| format!("{field}\n{}\n", json[field].as_str().unwrap()))
        .collect();
    let signature = base64.decode(json["Signature"].as_str().unwrap()).unwrap();
    assert!(bare.verify(canonical.as_bytes(), &signature).is_ok());
    {
        use rsa::pkcs1::DecodeRsaPublicKey as _;
        use rsa::sha2::Digest as _;
        let theirs = rsa::RsaPublicKey::from_pkcs1_der(pair.public_key().as_ref()).unwrap();
        let check = |message: &[u8], signature: &[u8]| {
            let digest = rsa::sha2::Sha256::digest(message);
            theirs.verify(
                rsa::Pkcs1v15Sign::new::<rsa::sha2::Sha256>(),
                &digest,
                signature,
            )
        };
        assert!(check(canonical.as_bytes(), &signature).is_ok());
        group.bench_function(BenchmarkId::new("rsa-crate", "amazon-sns"), |b| {
            b.iter(|| check(black_box(canonical.as_bytes()), black_box(&signature)))
        });
    }
    ours_and_bare(
        group,
        ("amazon-sns", size, "bare-rsa"),
        || verifier.verify(black_box(&parts.headers), &uri, black_box(&sns_body), NOW),
        || bare.verify(black_box(canonical.as_bytes()), black_box(&signature)),
    );

    // PayPal: the body as it is, its CRC-32 signed.
    let scheme = paypal::scheme("3RN13029J36659323");
    let body = body(&scheme, size);
    let signer = Signer::new(scheme.clone(), pkcs8).unwrap().at(NOW);
    let request = signer.request("/hook", body.clone());
    let headers = request.headers().clone();
    let verifier = Verifier::new(scheme, certificate.as_str()).unwrap();
    assert!(verifier.verify(&headers, &uri, &body, NOW).is_ok());
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let crc = {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&body);
        hasher.finalize()
    };
    let signed = format!(
        "{}|{}|3RN13029J36659323|{crc}",
        header("paypal-transmission-id"),
        header("paypal-transmission-time")
    );
    let signature = base64.decode(header("paypal-transmission-sig")).unwrap();
    assert!(bare.verify(signed.as_bytes(), &signature).is_ok());
    let mut with_algo = headers.clone();
    with_algo.insert("paypal-auth-algo", "SHA256withRSA".parse().unwrap());
    // It reads the certificate's URL too, though the certificate is given.
    with_algo.insert(
        "paypal-cert-url",
        "https://api-m.paypal.com/v1/notifications/certs/CERT-1"
            .parse()
            .unwrap(),
    );
    let options = peer_options()
        .with_webhook_id("3RN13029J36659323")
        .with_verifying_material(webhook_verify::VerifyingKeyMaterial::X509Certificate(
            certificate.clone().into_bytes(),
        ));
    let none = webhook_verify::Secret::new("");
    let peer = |body: &[u8]| {
        webhook_verify::verify(
            webhook_verify::Provider::PayPal,
            &with_algo,
            body,
            &none,
            options.clone(),
        )
    };
    assert!(peer(&body).is_ok(), "{:?}", peer(&body));
    group.bench_function(BenchmarkId::new("webhook-verify-crate", "paypal"), |b| {
        b.iter(|| peer(black_box(&body)))
    });
    ours_and_bare(
        group,
        ("paypal", size, "bare-rsa"),
        || verifier.verify(black_box(&headers), &uri, black_box(&body), NOW),
        || bare.verify(black_box(signed.as_bytes()), black_box(&signature)),
    );
}

/// Ours and the bare primitive on one delivery: both in criterion, then paired (at 1 KiB).
#[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
fn ours_and_bare<A, B>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    (provider, size, bare_name): (&str, usize, &str),
    ours: impl Fn() -> A,
    bare: impl Fn() -> B,
) {
    group.bench_function(BenchmarkId::new(bare_name, provider), |b| b.iter(&bare));
    group.bench_function(BenchmarkId::new("tower-webhooks", provider), |b| {
        b.iter(&ours)
    });
    paired(provider, size, ours, bare);
}

/// Ratios measured in alternating rounds at 1 KiB: (provider, median of ours / bare).
static PAIRED: std::sync::Mutex<Vec<(String, f64)>> = std::sync::Mutex::new(Vec::new());

/// Times `ours` and `bare` in 101 alternating rounds of 100 calls and keeps the median of the
/// per-round ratios: drift on a shared machine moves both sides of a round alike, where two
/// criterion runs seconds apart can differ by a fifth. At 1 KiB only, the size of the targets.
#[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
fn paired<A, B>(provider: &str, size: usize, ours: impl Fn() -> A, bare: impl Fn() -> B) {
    if size != 1024 {
        return;
    }
    let time = |f: &dyn Fn()| {
        let start = std::time::Instant::now();
        for _ in 0..100 {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..101)
        .map(|round| {
            // Which side goes first alternates too.
            let (a, b) = if round % 2 == 0 {
                let a = time(&|| drop(black_box(ours())));
                (a, time(&|| drop(black_box(bare()))))
            } else {
                let b = time(&|| drop(black_box(bare())));
                (time(&|| drop(black_box(ours()))), b)
            };
            a / b
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    PAIRED
        .lock()
        .unwrap()
        .push((provider.to_owned(), ratios[ratios.len() / 2]));
}

/// `webhook-verify`'s clock, pinned where ours is.
#[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
struct Pinned;

#[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
impl webhook_verify::Clock for Pinned {
    fn now(&self) -> u64 {
        NOW as u64
    }
}

/// `webhook-verify`'s options with the pinned clock.
#[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
fn peer_options() -> webhook_verify::VerifyOptions {
    webhook_verify::VerifyOptions::default().with_clock(Some(std::sync::Arc::new(Pinned)))
}

/// The median of one benchmark, as criterion saved it.
fn median_ns(group: &str, function: &str, provider: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let path = dir
        .join("criterion")
        .join(group.replace('/', "_"))
        .join(function)
        .join(provider)
        .join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// One row of a ratio table: ours against `bare` at every size; the worst ratio seen.
fn ratio_row(provider: &str, bare: &str, worst: &mut f64) {
    let cells: Vec<String> = SIZES
        .iter()
        .map(|(_, label)| {
            let group = format!("verify/{label}");
            match (
                median_ns(&group, "tower-webhooks", provider),
                median_ns(&group, bare, provider),
            ) {
                (Some(ours), Some(bare)) => {
                    *worst = worst.max(ours / bare);
                    format!("{:.3}x ({:.0} / {:.0} ns)", ours / bare, ours, bare)
                }
                _ => "not run".into(),
            }
        })
        .collect();
    println!("| {provider} | {} |", cells.join(" | "));
}

fn report() {
    println!("\nratio of medians, same group, same run (target: ≤ 1.10x bare HMAC)");
    println!("| scheme | {} |", SIZES.map(|(_, l)| l).join(" | "));
    println!("|---|{}", "---|".repeat(SIZES.len()));
    let mut worst: f64 = 0.0;
    for scheme in presets() {
        ratio_row(scheme.provider(), "bare-hmac", &mut worst);
    }
    println!("worst ratio: {worst:.3}x");
    println!(
        "\npublic-key presets against the bare primitive over the same bytes, ed25519-dalek's \
         verify_strict or ring's ECDSA (target: ≤ 1.10x at 1 KiB; not run without --features \
         ed25519,ecdsa)"
    );
    let mut worst: f64 = 0.0;
    for scheme in tower_webhooks::testing::public_key_presets() {
        let bare = match scheme.provider() {
            "sendgrid" => "bare-ecdsa",
            _ => "bare-ed25519",
        };
        ratio_row(scheme.provider(), bare, &mut worst);
    }
    println!("worst ratio: {worst:.3}x");
    println!(
        "\nRSA presets against ring's RSA PKCS#1 v1.5 SHA-256 over the same bytes (the CRC-32 \
         with crc32fast for PayPal; target: ≤ 1.10x at 1 KiB; not run without --features rsa)"
    );
    let mut worst: f64 = 0.0;
    for provider in ["amazon-sns", "paypal"] {
        ratio_row(provider, "bare-rsa", &mut worst);
    }
    println!("worst ratio: {worst:.3}x");
    println!(
        "\nGitHub secret scanning and Plaid against ring's ECDSA over the same bytes (the JWT's \
         signing input for Plaid; target: ≤ 1.10x at 1 KiB)"
    );
    let mut worst: f64 = 0.0;
    for provider in ["github-secret-scanning", "plaid"] {
        ratio_row(provider, "bare-ecdsa", &mut worst);
    }
    println!("worst ratio: {worst:.3}x");
    println!(
        "\npublic-key presets at 1 KiB, paired: median of 101 alternating rounds of ours / bare \
         (target: ≤ 1.10x)"
    );
    for (provider, ratio) in PAIRED.lock().unwrap().iter() {
        println!("{provider}: {ratio:.3}x");
    }
    println!(
        "\nthe primitives side by side, one delivery's bytes: RustCrypto / ring (above 1: ring is faster)"
    );
    for (function, bare, provider) in [
        ("rsa-crate", "bare-rsa", "amazon-sns"),
        ("p256-crate", "bare-ecdsa", "sendgrid"),
    ] {
        let group = "verify/1KiB";
        if let (Some(theirs), Some(ring)) = (
            median_ns(group, function, provider),
            median_ns(group, bare, provider),
        ) {
            println!(
                "{function} at 1 KiB: {:.2}x ({theirs:.0} ns vs {ring:.0} ns)",
                theirs / ring
            );
        }
    }
    println!(
        "\nwebhook-verify crate / tower-webhooks on the same delivery, where it has the provider \
         (above 1: we are faster)"
    );
    println!("| provider | {} |", SIZES.map(|(_, l)| l).join(" | "));
    println!("|---|{}", "---|".repeat(SIZES.len()));
    for provider in ["discord", "sendgrid", "paypal"] {
        let cells: Vec<String> = SIZES
            .iter()
            .map(|(_, label)| {
                let group = format!("verify/{label}");
                match (
                    median_ns(&group, "webhook-verify-crate", provider),
                    median_ns(&group, "tower-webhooks", provider),
                ) {
                    (Some(theirs), Some(ours)) => {
                        format!("{:.2}x ({theirs:.0} / {ours:.0} ns)", theirs / ours)
                    }
                    _ => "not run".into(),
                }
            })
            .collect();
        println!("| {provider} | {} |", cells.join(" | "));
    }
    println!("\nstandardwebhooks crate / tower-webhooks on the same delivery (target: ≥ 5x)");
    for (_, label) in SIZES {
        let group = format!("verify/{label}");
        if let (Some(theirs), Some(ours)) = (
            median_ns(&group, "standardwebhooks-crate", "standard-webhooks"),
            median_ns(&group, "tower-webhooks-now", "standard-webhooks"),
        ) {
            println!(
                "{label}: {:.2}x ({theirs:.0} ns vs {ours:.0} ns)",
                theirs / ours
            );
        }
    }
}

fn main() -> std::process::ExitCode {
    if let Ok(n) = std::env::var("VERIFY_COUNT") {
        let Ok(n) = n.parse() else {
            eprintln!("VERIFY_COUNT={n:?} is not a count");
            return std::process::ExitCode::FAILURE;
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        return count(n, &args);
    }
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30)
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    report();
    std::process::ExitCode::SUCCESS
}
