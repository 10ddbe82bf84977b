//! Helpers for your own tests (feature `testing`): [`Signer`] signs requests the way a provider
//! does, [`presets`] lists every preset's scheme, [`NoStore`] turns deduplication off, and
//! [`StoreConformance`] runs the contract every [`DeliveryStore`](crate::store::DeliveryStore)
//! must keep against a store of your own.
//!
//! ```
//! use tower::ServiceExt;
//! use tower_webhooks::{provider::ycloud, testing::Signer, WebhookLayer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = axum::Router::new().route(
//!     "/hook",
//!     axum::routing::post(|| async { "ok" }).layer(WebhookLayer::ycloud("whsec_test")),
//! );
//! let signer = Signer::new(ycloud::scheme(), "whsec_test")?;
//! let request = signer.request("/hook", r#"{"id":"evt_1","type":"contact.created"}"#);
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```

mod conformance;
mod no_store;
mod signer;

pub use self::conformance::StoreConformance;
pub use self::no_store::NoStore;
pub use self::signer::Signer;

use crate::Builder;
use crate::scheme::{Algorithm, Scheme, SignedPart};

/// The presets that sign with a private key (Ed25519: Discord, Telnyx; ECDSA P-256: SendGrid),
/// for tests that must cover them too: sign with [`Signer::new`] and a private key in the
/// scheme's key format (an Ed25519 32-byte seed; a P-256 PKCS#8 document), and configure the
/// layer with [`Signer::public_key`].
///
/// ```
/// let presets = tower_webhooks::testing::public_key_presets();
/// assert!(presets.iter().any(|scheme| scheme.provider() == "discord"));
/// ```
pub fn public_key_presets() -> Vec<Scheme> {
    crate::provider::all()
        .into_iter()
        .filter(is_public_key)
        .collect()
}

/// Whether `scheme` signs with a configured secret (the HMAC and token presets).
fn is_shared_secret(scheme: &Scheme) -> bool {
    scheme.signature().is_some_and(|signature| {
        matches!(signature.algorithm(), Algorithm::Hmac(_) | Algorithm::Token)
    })
}

fn is_public_key(scheme: &Scheme) -> bool {
    scheme.signature().is_some_and(|signature| {
        // A key named per delivery needs a resolver, not a configured key: see
        // `provider::github_secret_scanning`.
        signature.key_header().is_none()
            && matches!(
                signature.algorithm(),
                Algorithm::Ed25519 | Algorithm::EcdsaP256Sha256
            )
    })
}

/// Every preset's scheme that signs with a shared secret, with placeholder settings where a preset takes some (Meta's verify
/// token `verify-token`, Twilio's base URL `https://example.com`): for tests, benches and fuzz
/// targets that must cover them all.
///
/// ```
/// let presets = tower_webhooks::testing::presets();
/// assert!(presets.iter().any(|scheme| scheme.provider() == "stripe"));
/// assert!(presets.iter().all(|scheme| scheme.signature().is_some()));
/// ```
pub fn presets() -> Vec<Scheme> {
    crate::provider::all()
        .into_iter()
        .filter(is_shared_secret)
        // Mailgun's signature is a field of a JSON body: it cannot be put on any body.
        .filter(|scheme| scheme.signature().is_some_and(|s| s.body_field().is_none()))
        .map(|scheme| {
            let needs_url = needs_base_url(&scheme);
            let builder = Builder::from(scheme).verify_token("verify-token");
            let builder = if needs_url {
                builder.base_url("https://example.com")
            } else {
                builder
            };
            builder.into_scheme()
        })
        .collect()
}

fn needs_base_url(scheme: &Scheme) -> bool {
    scheme.signature().is_some_and(|signature| {
        signature.public_base_url().is_none() && signature.signed_parts().contains(&SignedPart::Url)
    })
}
