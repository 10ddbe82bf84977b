//! Dropbox (API v2 webhooks).
//!
//! `X-Dropbox-Signature: <hex HMAC-SHA256(app secret, body)>`. When the webhook URI is added,
//! Dropbox sends `GET ?challenge=<v>`: the layer answers `<v>` as `text/plain` with `nosniff`, as
//! Dropbox asks, within its 10 s. A notification only says that something changed for some
//! accounts (`{"list_folder":{"accounts":[...]}}`): the dedup key is the body's hash. No
//! timestamp is signed. Dropbox retries a failed notification for about 10 minutes.

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Handshake, IdSource, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://www.dropbox.com/developers/reference/webhooks";

/// The Dropbox scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::dropbox::scheme();
/// assert!(scheme.handshake().is_some());
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("dropbox")
        .signature(Signature::new(HeaderName::from_static(
            "x-dropbox-signature",
        )))
        .id(IdSource::body_hash())
        .handshake(Handshake::echo_text("challenge"))
        .into_scheme()
}

/// A Dropbox notification.
///
/// ```
/// use tower_webhooks::provider::dropbox;
///
/// let note: dropbox::Notification = serde_json::from_str(
///     r#"{"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]},"delta":{"users":[4245623]}}"#,
/// )?;
/// assert_eq!(note.accounts(), ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notification {
    /// The accounts whose files changed.
    #[serde(default)]
    pub list_folder: Option<ListFolder>,
    /// Every other field (the legacy `delta`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Notification {
    /// The accounts whose files changed (none in a legacy-only notification).
    pub fn accounts(&self) -> &[String] {
        self.list_folder.as_ref().map_or(&[], |l| &l.accounts)
    }
}

/// The `list_folder` of a Dropbox notification.
///
/// ```
/// use tower_webhooks::provider::dropbox;
///
/// let list: dropbox::ListFolder = serde_json::from_str(r#"{"accounts":["dbid:1"]}"#)?;
/// assert_eq!(list.accounts.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListFolder {
    /// Account ids (`dbid:...`).
    pub accounts: Vec<String>,
}
