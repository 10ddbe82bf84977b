//! Svix: Standard Webhooks under `svix-id`, `svix-timestamp` and `svix-signature`.
//!
//! Same signature, key format (`whsec_<base64>`), tolerance and payload as
//! [`standard_webhooks`](super::standard_webhooks); only the header names differ. Senders on Svix's
//! white-label plans use the `webhook-*` names: pick the Standard Webhooks preset for them.

use crate::scheme::Scheme;

pub use super::standard_webhooks::Event;

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.svix.com/receiving/verifying-payloads/how-manual";

/// The Svix scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::svix::scheme();
/// assert_eq!(scheme.signature().unwrap().header(), "svix-signature");
/// ```
pub fn scheme() -> Scheme {
    super::standard_webhooks::with_headers("svix", "svix-id", "svix-timestamp", "svix-signature")
}
