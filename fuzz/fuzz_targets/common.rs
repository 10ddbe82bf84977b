//! Shared by the fuzz targets: the presets, one per header format, and a way to run a request.
#![allow(dead_code)]

use tower_webhooks::scheme::Scheme;

pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Every signed preset: together they cover every signature header format and handshake.
pub fn presets() -> Vec<Scheme> {
    tower_webhooks::testing::presets()
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
