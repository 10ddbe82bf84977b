//! `Signer`: requests signed the way a provider signs them.

use axum_core::body::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Uri, header};

use crate::Secret;
use crate::clock::{Clock, SystemClock};
use crate::identify::body_hash;
use crate::scheme::{BuildError, Scheme};
use crate::signature::{self, Message, SigningKey};

/// Signs requests the way a provider would.
///
/// ```
/// use tower_webhooks::{provider::ycloud, testing::Signer};
///
/// let signer = Signer::new(ycloud::scheme(), "whsec_test")?.at(1_654_084_800);
/// let request = signer.request("/webhooks/ycloud", r#"{"id":"evt_1","type":"t"}"#);
/// let header = request.headers()["ycloud-signature"].to_str().unwrap();
/// assert!(header.starts_with("t=1654084800,s="));
/// # Ok::<(), tower_webhooks::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    scheme: Scheme,
    /// The shared secret, or the provider's private key.
    key: SigningKey,
    timestamp: Option<i64>,
    id: Option<String>,
    form: bool,
}

impl Signer {
    /// A signer for `scheme` with `secret`: the shared secret of an HMAC scheme, or the private
    /// key of a public-key scheme (an Ed25519 seed, in the scheme's key format: configure the
    /// layer with [`public_key`](Self::public_key)). Fails if the scheme is unsigned or the
    /// secret unusable.
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Result<Self, BuildError> {
        let signature = scheme.signature.as_ref().ok_or(BuildError::NoSignature)?;
        let key = SigningKey::derive(&secret.into(), signature).map_err(BuildError::Secret)?;
        Ok(Self {
            scheme,
            key,
            timestamp: None,
            id: None,
            form: false,
        })
    }

    /// The public key that verifies this signer's signatures, in the scheme's key format, for a
    /// public-key scheme; `None` for an HMAC scheme (the layer takes the same secret).
    pub fn public_key(&self) -> Option<String> {
        let signature = self.scheme.signature.as_ref()?;
        self.key.public_key(signature)
    }

    /// Signs with this timestamp (unix seconds) instead of now, for stale or pinned-clock tests.
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.timestamp = Some(unix_seconds);
        self
    }

    /// Sends this id where the scheme reads the id from a header (default: derived from the body).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sends bodies as `application/x-www-form-urlencoded` instead of JSON (Slack slash commands,
    /// Twilio).
    ///
    /// ```
    /// use tower_webhooks::{provider::slack, testing::Signer};
    ///
    /// let signer = Signer::new(slack::scheme(), "signing-secret")?.form();
    /// let request = signer.request("/slack/commands", "command=%2Fdeploy&text=now");
    /// assert_eq!(request.headers()["content-type"], "application/x-www-form-urlencoded");
    /// # Ok::<(), tower_webhooks::BuildError>(())
    /// ```
    pub fn form(mut self) -> Self {
        self.form = true;
        self
    }

    /// The headers a provider would send for `body` posted to `uri`: the signature, and the
    /// timestamp and id headers where the scheme has them, plus `Content-Type: application/json`
    /// (or the form type, after [`form`](Self::form)).
    pub fn headers(&self, uri: &Uri, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(if self.form {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            }),
        );
        let scheme = &self.scheme;
        let Some(signature) = &scheme.signature else {
            return headers;
        };
        let timestamp = crate::timestamp::format(
            self.timestamp.unwrap_or_else(|| SystemClock.now()),
            scheme.timestamp_format,
        );
        let id = match (&self.id, scheme.id.header()) {
            (Some(id), _) => id.clone(),
            (None, Some(_)) => format!("msg_{}", &body_hash(body)[..24]),
            // The scheme reads no id header: nothing to make up.
            (None, None) => String::new(),
        };
        if let Some(name) = scheme.timestamp_header() {
            insert(&mut headers, name.clone(), &timestamp);
        }
        if let Some(name) = scheme.id.header() {
            insert(&mut headers, name.clone(), &id);
        }
        // A signed header of its own (PayPal's transmission id): made up from the body.
        for part in &signature.signed {
            if let crate::scheme::SignedPart::Header(name) = part
                && !headers.contains_key(name)
            {
                insert(
                    &mut headers,
                    name.clone(),
                    &format!("msg_{}", &body_hash(body)[..24]),
                );
            }
        }
        let method = scheme.methods.first().unwrap_or(&Method::POST);
        let message = Message::new(signature, &timestamp, &id, body, uri)
            .with_method(method)
            .with_headers(&headers);
        let value = signature::sign(signature, &self.key, &message, scheme.timestamp_pair());
        // A signature carried in the body is put there by `request`.
        if signature.in_body.is_none() {
            insert(&mut headers, signature.header.clone(), &value);
        }
        headers
    }

    /// The body with its signature written into the field the scheme reads it from (Mailgun's
    /// `/signature/signature`); a body that is not a JSON object is left as it is.
    fn sign_into_body(&self, uri: &Uri, body: Bytes) -> Bytes {
        let Some(signature) = &self.scheme.signature else {
            return body;
        };
        let Some(pointer) = &signature.in_body else {
            return body;
        };
        let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return body;
        };
        let message = Message::new(signature, "", "", &body, uri);
        let signed = signature::sign(signature, &self.key, &message, None);
        let mut slot = &mut value;
        for segment in pointer.segments() {
            let Some(object) = slot.as_object_mut() else {
                return body;
            };
            slot = object
                .entry(segment.clone())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
        }
        *slot = serde_json::Value::String(signed);
        serde_json::to_vec(&value).map_or(body, Bytes::from)
    }

    /// A signed request with the scheme's first delivery method (POST for every preset).
    ///
    /// On a scheme that pins JSON bodies in the URL (Twilio's `bodySHA256`), a JSON body's hash is
    /// added to the query first, as the provider does.
    pub fn request(&self, uri: &str, body: impl Into<Bytes>) -> Request<Body> {
        let body = body.into();
        let scheme = &self.scheme;
        let pin = scheme
            .signature
            .as_ref()
            .and_then(|s| s.body_hash_param.as_deref())
            .filter(|_| !self.form);
        let uri = match pin {
            Some(param) => {
                let separator = if uri.contains('?') { '&' } else { '?' };
                format!("{uri}{separator}{param}={}", body_hash(&body))
            }
            None => uri.to_owned(),
        };
        let uri: Uri = uri.parse().unwrap_or_else(|_| Uri::from_static("/"));
        let method = scheme.methods.first().cloned().unwrap_or(Method::POST);
        let body = self.sign_into_body(&uri, body);
        let headers = self.headers(&uri, &body);
        let mut request = Request::new(Body::from(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        request
    }
}

fn insert(headers: &mut HeaderMap, name: http::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
