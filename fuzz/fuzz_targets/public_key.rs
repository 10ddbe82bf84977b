//! The public-key parsers: arbitrary bytes as the certificate a resolver returned (the PEM and
//! DER readers behind `Key::derive`) and as a JWK; as an SNS body checked with a good
//! certificate (the canonical form, the algorithm `SignatureVersion` chooses, RSA signatures of
//! any length); and as a Plaid JWT checked with a good key (segments, header, `alg`, claims).
//! Nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tower_webhooks::provider::{plaid, sns};
use tower_webhooks::Verifier;

/// The SNS vectors' certificate (valid 2020 to 2040).
const CERT: &str = include_str!("../../tests/vectors/keys/rsa-test-cert.pem");
/// The JWK of the Plaid vectors' key `bfbd5111-...` (tests/vectors/plaid.json).
const JWK: &str = r#"{"alg": "ES256", "created_at": 1560466150, "crv": "P-256", "expired_at": null, "kid": "bfbd5111-8e33-4643-8ced-b2e642a72f3c", "kty": "EC", "use": "sig", "x": "1D9NZk8GSYFbKY4UCez-xULcKVr68NHJEJzhvBQJXfQ", "y": "h21_MrYK3QFCS0KNkUOXm63GI74oWE9ApBMBASmgrWM"}"#;

fuzz_target!(|data: &[u8]| {
    // As a certificate, and as a JWK: read, or refused with a typed error.
    let _ = Verifier::new(sns::scheme(), data.to_vec());
    let _ = Verifier::new(plaid::scheme(), data.to_vec());

    static VERIFIERS: OnceLock<(Verifier, Verifier)> = OnceLock::new();
    let (sns, plaid) = VERIFIERS.get_or_init(|| {
        (
            Verifier::new(sns::scheme(), CERT).expect("the test certificate is usable"),
            Verifier::new(plaid::scheme(), JWK).expect("the test JWK is usable"),
        )
    });
    let uri = http::Uri::from_static("/");
    // As an SNS delivery: verified, or refused with a typed rejection.
    let _ = sns.verify(&http::HeaderMap::new(), &uri, data, 1_700_000_000);
    // As a Plaid-Verification header, over a fixed body.
    if let Ok(value) = http::HeaderValue::from_bytes(data) {
        let mut headers = http::HeaderMap::new();
        headers.insert("plaid-verification", value);
        let _ = plaid.verify(&headers, &uri, plaid::SAMPLE.as_bytes(), 1_700_000_000);
    }
});
