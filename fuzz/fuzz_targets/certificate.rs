//! Certificates and SNS messages: arbitrary bytes as the certificate a resolver returned (the
//! PEM and DER readers behind `Key::derive`), and as an SNS body checked with a good
//! certificate (the canonical form, the algorithm `SignatureVersion` chooses, RSA signatures of
//! any length and encoding). Nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tower_webhooks::provider::sns;
use tower_webhooks::Verifier;

/// The SNS vectors' certificate (valid 2020 to 2040).
const CERT: &str = include_str!("../../tests/vectors/keys/rsa-test-cert.pem");

fuzz_target!(|data: &[u8]| {
    // As a certificate: read, or refused with a typed error.
    let _ = Verifier::new(sns::scheme(), data.to_vec());
    // As an SNS delivery: verified, or refused with a typed rejection.
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| {
        Verifier::new(sns::scheme(), CERT).expect("the test certificate is usable")
    });
    let headers = http::HeaderMap::new();
    let uri = http::Uri::from_static("/");
    let _ = verifier.verify(&headers, &uri, data, 1_700_000_000);
});
