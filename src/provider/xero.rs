//! Xero.
//!
//! `x-xero-signature: <base64 HMAC-SHA256(webhook key, body)>`, the key used as its text. Xero
//! checks the URL with an "intent to receive": a series of POSTs, some signed well, some not,
//! with no events and `firstEventSequence` 0; the layer answers the good ones with an empty 200
//! (no handler call) and the others 401, within Xero's 5 s. A delivery is a batch of events with
//! random `entropy`: the dedup key is the body's hash. Xero signs no timestamp and retries for
//! 24 hours. (Xero also asks for no body on any answer: a 401's short reason is one; change it
//! with `with_status` if Xero objects.)

use http::HeaderName;
use serde::{Deserialize, Serialize};

use crate::Builder;
use crate::scheme::{Encoding, Handshake, IdSource, Scheme, Signature};

/// Where the provider documents how it signs deliveries.
pub const DOCS: &str = "https://developer.xero.com/documentation/webhooks/configuring-your-server";

/// The Xero scheme.
///
/// ```
/// let scheme = tower_webhooks::provider::xero::scheme();
/// assert_eq!(scheme.provider(), "xero");
/// ```
pub fn scheme() -> Scheme {
    Builder::new()
        .provider("xero")
        .signature(
            Signature::new(HeaderName::from_static("x-xero-signature")).encoding(Encoding::Base64),
        )
        .id(IdSource::body_hash())
        .handshake(Handshake::signed_reply(&["firstEventSequence"], "0", ""))
        .into_scheme()
}

/// A Xero delivery: a batch of events.
///
/// ```
/// use tower_webhooks::provider::xero;
///
/// let batch: xero::Events = serde_json::from_str(
///     r#"{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Contacts/717f2bfc",
///         "resourceId":"717f2bfc","eventDateUtc":"2017-06-21T01:15:39.902","eventType":"UPDATE",
///         "eventCategory":"CONTACT","tenantId":"c2cc9b6e","tenantType":"ORGANISATION"}],
///         "lastEventSequence":1,"firstEventSequence":1,"entropy":"S0m3r4Nd0mt3xt"}"#,
/// )?;
/// assert_eq!(batch.events[0].event_type(), "CONTACT.UPDATE");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Events {
    /// The events (none in an intent to receive).
    pub events: Vec<Event>,
    /// The first event's sequence number.
    #[serde(default)]
    pub first_event_sequence: i64,
    /// The last event's sequence number.
    #[serde(default)]
    pub last_event_sequence: i64,
    /// Random text, so that no two bodies are alike.
    #[serde(default)]
    pub entropy: Option<String>,
}

/// One Xero event.
///
/// ```
/// use tower_webhooks::provider::xero;
///
/// let event: xero::Event = serde_json::from_str(
///     r#"{"resourceId":"1","eventType":"CREATE","eventCategory":"INVOICE","tenantId":"t"}"#,
/// )?;
/// assert_eq!(event.event_type(), "INVOICE.CREATE");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// The resource's id.
    pub resource_id: String,
    /// `CREATE` or `UPDATE`.
    pub event_type: String,
    /// `CONTACT`, `INVOICE`, `SUBSCRIPTION`, `CREDITNOTE`, ...
    pub event_category: String,
    /// The organisation (or application) it is about.
    pub tenant_id: String,
    /// Every other field (`resourceUrl`, `eventDateUtc`, `tenantType`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    /// Category and type, such as `INVOICE.CREATE`.
    pub fn event_type(&self) -> String {
        format!("{}.{}", self.event_category, self.event_type)
    }
}
