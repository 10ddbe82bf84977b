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

use crate::scheme::Scheme;

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
    use crate::provider::*;
    vec![discord::scheme(), telnyx::scheme(), sendgrid::scheme()]
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
    use crate::provider::*;
    vec![
        ycloud::scheme(),
        wappcloud::scheme(),
        yeastar::scheme(),
        conversation::scheme(),
        standard_webhooks::scheme(),
        svix::scheme(),
        stripe::scheme(),
        github::scheme(),
        slack::scheme(),
        meta::scheme("verify-token"),
        shopify::scheme(),
        twilio::scheme("https://example.com"),
        zoom::scheme(),
        paddle::scheme(),
        intercom::scheme(),
        x::scheme(),
        twitch::scheme(),
        linear::scheme(),
        dropbox::scheme(),
        gitlab::scheme(),
        okta::scheme(),
        xero::scheme(),
        hubspot::scheme("https://example.com"),
        square::scheme("https://example.com"),
        box_webhooks::scheme(),
    ]
}
