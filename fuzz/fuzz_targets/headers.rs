//! Every header parser: arbitrary values in each preset's signature, timestamp (seconds,
//! milliseconds, RFC 3339) and id headers, through `Verifier::verify`. Nothing may panic, and
//! nothing unsigned may pass.
#![no_main]

use arbitrary::Arbitrary;
use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use libfuzzer_sys::fuzz_target;
use tower_webhooks::scheme::TimestampSource;
use tower_webhooks::Verifier;

#[path = "common.rs"]
mod common;

#[derive(Debug, Arbitrary)]
struct Input {
    preset: u8,
    signature: Vec<Vec<u8>>,
    timestamp: Option<Vec<u8>>,
    id: Option<Vec<u8>>,
    query: String,
    body: Vec<u8>,
    now: i64,
}

fuzz_target!(|input: Input| {
    let presets = common::presets();
    let scheme = presets[input.preset as usize % presets.len()].clone();
    let signature = scheme.signature().expect("signed presets").clone();
    let mut headers = HeaderMap::new();
    let mut put = |name: &HeaderName, value: &[u8]| {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name.clone(), value);
        }
    };
    // Spread over every header the scheme reads signatures from (Box has two).
    let names: Vec<&HeaderName> = signature.headers().collect();
    for (i, value) in input.signature.iter().enumerate() {
        put(names[i % names.len()], value);
    }
    if let (Some(TimestampSource::Header(name)), Some(value)) =
        (scheme.timestamp(), &input.timestamp)
    {
        put(name, value);
    }
    if let (Some(tower_webhooks::scheme::Source::Header(name)), Some(value)) =
        (scheme.id().parts().first(), &input.id)
    {
        put(name, value);
    }
    let uri: Uri = format!("/hook?{}", input.query)
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/hook"));
    let verifier = Verifier::new(scheme.clone(), common::secret(&scheme)).expect("the secret fits every preset");
    // A forged signature over arbitrary input cannot match.
    assert!(verifier
        .verify(&headers, &uri, &input.body, input.now)
        .is_err());
});
