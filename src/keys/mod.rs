//! Keys named by the request and fetched from the provider: GitHub's secret scanning names its
//! signing key by an identifier, Amazon SNS and PayPal by a certificate URL. A [`KeyResolver`]
//! turns that name into the key; `KeyList` is the provided one for a provider that publishes
//! its keys as a JSON document, fetched by `Fetcher` (feature `fetch`): HTTPS only, allowlisted
//! hosts checked before any connection, no redirects, bounded in size and time, cached, and one
//! fetch for any number of concurrent deliveries.
//!
//! A resolver that cannot reach the provider answers [`ResolveError::Unavailable`]: the layer
//! answers 503 so that the provider retries. A name the provider does not know is
//! [`ResolveError::Unknown`]: 401, as a signature that does not match.

use std::fmt;

use async_trait::async_trait;

use crate::Secret;

#[cfg(feature = "fetch")]
mod certificates;
#[cfg(feature = "fetch")]
mod fetch;
#[cfg(feature = "fetch")]
mod key_list;
#[cfg(feature = "fetch")]
mod plaid_keys;

#[cfg(feature = "fetch")]
pub use self::certificates::Certificates;
#[cfg(feature = "fetch")]
pub use self::fetch::{FetchError, Fetcher};
#[cfg(feature = "fetch")]
pub use self::key_list::KeyList;
#[cfg(feature = "fetch")]
pub use self::plaid_keys::PlaidKeys;

/// Finds the key a delivery names (by the scheme's key header).
///
/// ```
/// use tower_webhooks::keys::{KeyResolver, ResolveError};
/// use tower_webhooks::Secret;
///
/// /// Keys kept in the service's own configuration.
/// struct Fixed(Vec<(String, String)>);
///
/// #[async_trait::async_trait]
/// impl KeyResolver for Fixed {
///     async fn resolve(&self, name: &str) -> Result<Secret, ResolveError> {
///         self.0
///             .iter()
///             .find(|(id, _)| id == name)
///             .map(|(_, key)| Secret::from(key.as_str()))
///             .ok_or(ResolveError::Unknown)
///     }
/// }
/// # let _ = Fixed(vec![]);
/// ```
#[async_trait]
pub trait KeyResolver: Send + Sync + 'static {
    /// The key `name` stands for, in the scheme's key format (for ECDSA: PEM, or base64 DER).
    async fn resolve(&self, name: &str) -> Result<Secret, ResolveError>;
}

/// Why a key could not be found.
///
/// ```
/// use tower_webhooks::keys::ResolveError;
///
/// assert_eq!(ResolveError::Unknown.to_string(), "the provider has no key of that name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveError {
    /// The provider publishes no key of that name: the delivery is refused (401).
    Unknown,
    /// The keys could not be fetched now (refused, unreachable, too slow, too large): the
    /// delivery is refused with 503 so that the provider retries. The reason names no secret.
    Unavailable(String),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Unknown => f.write_str("the provider has no key of that name"),
            ResolveError::Unavailable(why) => {
                write!(f, "the provider's keys are unavailable: {why}")
            }
        }
    }
}

impl std::error::Error for ResolveError {}
