//! Shared by the fuzz targets: the presets, one per header format, and a way to run a request.
#![allow(dead_code)]

use tower_webhooks::scheme::Scheme;

pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A secret every preset takes: `SECRET`, or its base64 alone for a key that is bare base64
/// (Microsoft Teams).
pub fn secret(scheme: &Scheme) -> &'static str {
    use tower_webhooks::scheme::SecretFormat;
    match scheme.signature().map(|signature| signature.key_format()) {
        Some(SecretFormat::Base64 { prefix }) if prefix.is_empty() => &SECRET[6..],
        _ => SECRET,
    }
}

/// Every signed preset: together they cover every signature header format and handshake.
pub fn presets() -> Vec<Scheme> {
    let mut presets = tower_webhooks::testing::presets();
    // Its signature sits in the body, where the fuzzer's bytes go: the body scanner's input.
    presets.extend(tower_webhooks::provider::by_name("mailgun"));
    presets
}

/// A single-threaded runtime, built once per process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}
