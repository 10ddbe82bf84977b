//! The one way a delivery is written as a message and read back: names, encoding, decoding.
//!
//! Shared by every destination and consumer, so that a message published to NATS and an entry
//! added to Redis carry the same facts under the same names (see the table in
//! [`destination`](crate::destination)).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::store::StoredDelivery;

/// The delivery key, `<provider>:<id>`.
pub const KEY: &str = "Webhook-Key";
/// The provider's name.
pub const PROVIDER: &str = "Webhook-Provider";
/// The event id.
pub const ID: &str = "Webhook-Id";
/// The event type, when known.
pub const TYPE: &str = "Webhook-Type";
/// The verified signature time, unix seconds, when the scheme signs one.
pub const TIMESTAMP: &str = "Webhook-Timestamp";
/// When the layer received the delivery, unix seconds.
pub const RECEIVED_AT: &str = "Webhook-Received-At";
/// The request's method.
pub const METHOD: &str = "Webhook-Method";
/// The request's path and query.
pub const URI: &str = "Webhook-Uri";
/// On a dead-lettered message: how many times the handler ran.
pub const ATTEMPTS: &str = "Webhook-Attempts";
/// On a dead-lettered message: what went wrong the last time.
pub const ERROR: &str = "Webhook-Error";
/// Before the name of each header the layer kept from the request.
pub const HTTP_PREFIX: &str = "Http-";
/// The Redis entry's field that holds the raw body.
pub const BODY_FIELD: &str = "body";

/// The facts of `delivery` as (name, value) pairs, in a fixed order; kept headers whose value is
/// not visible ASCII cannot be carried by every engine and are left out (they identify nothing
/// the facts do not already say).
///
/// ```
/// use bytes::Bytes;
/// use http::HeaderMap;
/// use tower_webhooks::destination::message;
/// use tower_webhooks::store::StoredDelivery;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ycloud-signature", "t=1,s=ab".parse().unwrap());
/// let delivery = StoredDelivery::new("ycloud:evt_1", "ycloud", "evt_1", headers, Bytes::from_static(b"{}"));
/// let fields = message::fields(&delivery);
/// assert!(fields.contains(&("Webhook-Key".to_owned(), "ycloud:evt_1".to_owned())));
/// assert!(fields.contains(&("Http-x-ycloud-signature".to_owned(), "t=1,s=ab".to_owned())));
/// ```
pub fn fields(delivery: &StoredDelivery) -> Vec<(String, String)> {
    let mut fields = Vec::with_capacity(8 + delivery.headers.len());
    let mut push = |name: &str, value: String| fields.push((name.to_owned(), value));
    push(KEY, delivery.key.clone());
    push(PROVIDER, delivery.provider.clone());
    push(ID, delivery.id.clone());
    if let Some(event_type) = &delivery.event_type {
        push(TYPE, event_type.clone());
    }
    if let Some(timestamp) = delivery.timestamp {
        push(TIMESTAMP, timestamp.to_string());
    }
    push(RECEIVED_AT, delivery.received_at.to_string());
    push(METHOD, delivery.method.as_str().to_owned());
    push(URI, delivery.uri.to_string());
    for (name, value) in &delivery.headers {
        if let Ok(value) = value.to_str() {
            fields.push((format!("{HTTP_PREFIX}{name}"), value.to_owned()));
        }
    }
    fields
}

/// Why a message cannot be read back as a delivery.
///
/// ```
/// use tower_webhooks::destination::message::{self, MessageError};
///
/// let err = message::delivery(Vec::<(&str, &[u8])>::new(), bytes::Bytes::new()).unwrap_err();
/// assert_eq!(err, MessageError::Missing("Webhook-Key"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// A fact every message carries is missing.
    Missing(&'static str),
    /// A fact is there but cannot be read.
    Invalid(&'static str),
}

impl std::fmt::Display for MessageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageError::Missing(name) => write!(f, "the message has no {name}"),
            MessageError::Invalid(name) => write!(f, "the message's {name} cannot be read"),
        }
    }
}

impl std::error::Error for MessageError {}

/// The delivery a message carries, from its (name, value) pairs (names compared without case)
/// and its body; a pair this module does not name is ignored.
///
/// ```
/// use tower_webhooks::destination::message;
/// use tower_webhooks::store::StoredDelivery;
///
/// let delivery = StoredDelivery::new("ycloud:evt_1", "ycloud", "evt_1", Default::default(), "{}".into());
/// let fields = message::fields(&delivery);
/// let pairs = fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
/// let back = message::delivery(pairs, delivery.body.clone())?;
/// assert_eq!((back.key, back.id), (delivery.key, delivery.id));
/// # Ok::<(), message::MessageError>(())
/// ```
pub fn delivery<'a, N, V>(
    pairs: impl IntoIterator<Item = (N, V)>,
    body: Bytes,
) -> Result<StoredDelivery, MessageError>
where
    N: AsRef<str> + 'a,
    V: AsRef<[u8]> + 'a,
{
    let mut key = None;
    let mut provider = None;
    let mut id = None;
    let mut event_type = None;
    let mut timestamp = None;
    let mut received_at = None;
    let mut method = None;
    let mut uri = None;
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        let (name, value) = (name.as_ref(), value.as_ref());
        let text = || std::str::from_utf8(value).map(str::to_owned);
        let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
        if is(KEY) {
            key = Some(text().map_err(|_| MessageError::Invalid(KEY))?);
        } else if is(PROVIDER) {
            provider = Some(text().map_err(|_| MessageError::Invalid(PROVIDER))?);
        } else if is(ID) {
            id = Some(text().map_err(|_| MessageError::Invalid(ID))?);
        } else if is(TYPE) {
            event_type = Some(text().map_err(|_| MessageError::Invalid(TYPE))?);
        } else if is(TIMESTAMP) {
            timestamp = Some(number(value).ok_or(MessageError::Invalid(TIMESTAMP))?);
        } else if is(RECEIVED_AT) {
            received_at = Some(number(value).ok_or(MessageError::Invalid(RECEIVED_AT))?);
        } else if is(METHOD) {
            method =
                Some(http::Method::from_bytes(value).map_err(|_| MessageError::Invalid(METHOD))?);
        } else if is(URI) {
            uri = Some(http::Uri::try_from(value).map_err(|_| MessageError::Invalid(URI))?);
        } else if let Some(header) = http_header(name) {
            let header =
                HeaderName::from_bytes(header).map_err(|_| MessageError::Invalid(HTTP_PREFIX))?;
            let value =
                HeaderValue::from_bytes(value).map_err(|_| MessageError::Invalid(HTTP_PREFIX))?;
            headers.append(header, value);
        }
    }
    let key = key.ok_or(MessageError::Missing(KEY))?;
    let provider = provider.ok_or(MessageError::Missing(PROVIDER))?;
    let id = id.ok_or(MessageError::Missing(ID))?;
    let mut delivery = StoredDelivery::new(key, provider, id, headers, body);
    delivery.event_type = event_type;
    delivery.timestamp = timestamp;
    if let Some(received_at) = received_at {
        delivery.received_at = received_at;
    }
    delivery.method = method.ok_or(MessageError::Missing(METHOD))?;
    delivery.uri = uri.ok_or(MessageError::Missing(URI))?;
    Ok(delivery)
}

/// The header name after `Http-` (any case), compared as bytes: a name from the wire may hold
/// anything.
fn http_header(name: &str) -> Option<&[u8]> {
    let name = name.as_bytes();
    let prefix = name.get(..HTTP_PREFIX.len())?;
    let rest = &name[HTTP_PREFIX.len()..];
    (prefix.eq_ignore_ascii_case(HTTP_PREFIX.as_bytes()) && !rest.is_empty()).then_some(rest)
}

fn number(value: &[u8]) -> Option<i64> {
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredDelivery {
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", "msg_1".parse().unwrap());
        headers.append("x-list", "a".parse().unwrap());
        headers.append("x-list", "b".parse().unwrap());
        let mut delivery = StoredDelivery::new(
            "standard-webhooks:msg_1",
            "standard-webhooks",
            "msg_1",
            headers,
            Bytes::from_static(b"{\"type\":\"a.b\"}\n"),
        );
        delivery.event_type = Some("a.b".into());
        delivery.timestamp = Some(1_700_000_000);
        delivery.received_at = 1_700_000_001;
        delivery.uri = "/webhooks/sw?x=1".parse().unwrap();
        delivery
    }

    #[test]
    fn a_delivery_reads_back_as_written() {
        let delivery = sample();
        let fields = fields(&delivery);
        let back = super::delivery(
            fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
            delivery.body.clone(),
        )
        .unwrap();
        assert_eq!(back.key, delivery.key);
        assert_eq!(back.provider, delivery.provider);
        assert_eq!(back.id, delivery.id);
        assert_eq!(back.event_type, delivery.event_type);
        assert_eq!(back.timestamp, delivery.timestamp);
        assert_eq!(back.received_at, delivery.received_at);
        assert_eq!(back.method, delivery.method);
        assert_eq!(back.uri, delivery.uri);
        assert_eq!(back.headers, delivery.headers);
        assert_eq!(back.body, delivery.body);
    }

    #[test]
    fn a_webhook_header_of_the_provider_does_not_collide_with_the_facts() {
        // Standard Webhooks sends `webhook-id` itself: it travels as `Http-webhook-id`.
        let fields = fields(&sample());
        let ids: Vec<_> = fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(ID))
            .collect();
        assert_eq!(ids.len(), 1);
        assert!(fields.iter().any(|(n, _)| n == "Http-webhook-id"));
    }

    #[test]
    fn unreadable_facts_are_refused() {
        let body = Bytes::new();
        let base = [
            (KEY, &b"k"[..]),
            (PROVIDER, b"p"),
            (ID, b"i"),
            (METHOD, b"POST"),
        ];
        let missing_uri = super::delivery(base, body.clone()).unwrap_err();
        assert_eq!(missing_uri, MessageError::Missing(URI));
        let mut bad = base.to_vec();
        bad.push((URI, b"/"));
        bad.push((TIMESTAMP, b"soon"));
        assert_eq!(
            super::delivery(bad, body.clone()).unwrap_err(),
            MessageError::Invalid(TIMESTAMP)
        );
        let mut bad_header = base.to_vec();
        bad_header.push((URI, b"/"));
        bad_header.push(("Http-bad name", b"v"));
        assert_eq!(
            super::delivery(bad_header, body).unwrap_err(),
            MessageError::Invalid(HTTP_PREFIX)
        );
    }
}
