//! GitHub secret scanning (the partner program's alerts).
//!
//! `Github-Public-Key-Signature: <base64 DER ECDSA P-256 SHA-256 of the raw body>`, made with
//! the key `Github-Public-Key-Identifier` names, one of those GitHub publishes at
//! `https://api.github.com/meta/public_keys/secret_scanning` (PEM). The key is not configured:
//! the layer's [`KeyResolver`](crate::keys::KeyResolver) finds it per delivery;
//! `keys::KeyList::github_secret_scanning` fetches that
//! list from `api.github.com` only, keeps it an hour and fetches it again early when GitHub
//! names a key it lacks (feature `fetch`). A key GitHub does not publish is a 401; a list that
//! cannot be fetched, a 503, so that GitHub retries. The body is a JSON array of the secrets
//! found (`token`, `type`, `url`, `source`); no timestamp is signed, and the dedup key is the
//! body's SHA-256.
//!
//! Documentation: <https://docs.github.com/en/code-security/secret-scanning/secret-scanning-partnership-program/secret-scanning-partner-program>

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Encoding, IdSource, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://docs.github.com/en/code-security/secret-scanning/secret-scanning-partnership-program/secret-scanning-partner-program";

/// The GitHub secret scanning scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::github_secret_scanning::scheme();
/// let signature = scheme.signature().unwrap();
/// assert_eq!(signature.key_header().unwrap(), "github-public-key-identifier");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("github-secret-scanning")
        .signature(
            Signature::new(HeaderName::from_static("github-public-key-signature"))
                .ecdsa_p256()
                .encoding(Encoding::Base64)
                .key_named_by(HeaderName::from_static("github-public-key-identifier")),
        )
        .id(IdSource::body_hash())
        .into_scheme()
}

/// One secret GitHub found: a delivery is a JSON array of them.
///
/// ```
/// use tower_webhooks::provider::github_secret_scanning::Match;
///
/// let found: Vec<Match> = serde_json::from_str(
///     r#"[{"source":"commit","token":"some_token","type":"some_type","url":"https://example.com/base-repo-url/"}]"#,
/// )?;
/// assert_eq!(found[0].token, "some_token");
/// assert_eq!(found[0].source.as_deref(), Some("commit"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Match {
    /// The secret that was found.
    pub token: String,
    /// Which of your secret formats it matched.
    #[serde(rename = "type")]
    pub token_type: String,
    /// Where it was found (may be empty).
    #[serde(default)]
    pub url: String,
    /// What kind of place it was found in (`commit`, `issue_comment`, ...; absent in older
    /// alerts).
    #[serde(default)]
    pub source: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
