//! A scheme as a document: the JSON or TOML text a scheme is written to and read from, so that a
//! provider the catalogue lacks can be described in a file and loaded at run time.
//!
//! The text mirrors the parts (`signature`, `timestamp`, `id`, `event_type`, `handshake`) with
//! names in kebab case, and the signed message as a template (`"{timestamp}.{body}"`). Secrets
//! never appear in it: they are given to the builder, from the environment or a file. Reading a
//! document checks every value where it stands (a header name, a JSON pointer, a template) and
//! then the whole, as [`Builder`](crate::Builder) does, and an error names the field.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::{HeaderName, Method};
use serde::{Deserialize, Serialize};

use super::{
    Algorithm, AlgorithmBy, BuildError, Encoding, Field, Handshake, Hash, IdSource, KeyName,
    Payload, Pointer, PublicKeyEntries, Scheme, SecretFormat, Signature, SignatureFormat,
    SignedPart, Source, TimestampFormat, TimestampSource, validate_document,
};
use crate::Secret;

impl Scheme {
    /// Reads a scheme from JSON.
    ///
    /// ```
    /// use tower_webhooks::scheme::Scheme;
    ///
    /// let scheme = Scheme::from_json(r#"{
    ///     "provider": "acme",
    ///     "signature": { "header": "x-acme-signature", "algorithm": "hmac-sha256",
    ///                    "format": { "kind": "prefixed", "prefix": "sha256=" } },
    ///     "id": { "from": [{ "header": "x-acme-delivery" }] },
    ///     "event_type": [{ "json": "/type" }]
    /// }"#)?;
    /// assert_eq!(scheme.provider(), "acme");
    ///
    /// let err = Scheme::from_json(r#"{ "provider": "acme", "signature": { "header": "x y" } }"#)
    ///     .unwrap_err();
    /// assert_eq!(err.field(), Some("signature.header"));
    /// # Ok::<(), tower_webhooks::scheme::DocumentError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Self, DocumentError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let document: Document =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
                let location = Location {
                    line: err.inner().line(),
                    column: err.inner().column(),
                };
                DocumentError::invalid(err.path(), Some(location), err.inner())
            })?;
        deserializer
            .end()
            .map_err(|err| DocumentError::invalid_at_root(&err))?;
        document.into_scheme()
    }

    /// Writes the scheme as pretty-printed JSON, which [`Scheme::from_json`] reads back.
    ///
    /// ```
    /// let text = tower_webhooks::provider::stripe::scheme().to_json();
    /// assert!(text.contains(r#""signed": "{timestamp}.{body}""#));
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&Document::from(self))
            .unwrap_or_else(|err| unreachable!("a scheme document always writes as JSON: {err}"))
    }

    /// Reads a scheme from TOML.
    ///
    /// ```
    /// use tower_webhooks::{scheme::Scheme, testing::Signer, Builder};
    ///
    /// let scheme = Scheme::from_toml(r#"
    ///     provider = "acme"
    ///     event_type = [{ json = "/type" }]
    ///
    ///     [signature]
    ///     header = "x-acme-signature"
    ///     algorithm = "hmac-sha256"
    ///     encoding = "base64"
    ///     signed = "{timestamp}.{body}"
    ///
    ///     [timestamp]
    ///     header = "x-acme-timestamp"
    ///     tolerance_secs = 300
    /// "#)?;
    /// let layer = Builder::from(scheme).secret("s3cret").build()?;
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Self, DocumentError> {
        let deserializer = toml::Deserializer::parse(text)
            .map_err(|err| DocumentError::invalid_toml(text, "", &err))?;
        let document: Document = serde_path_to_error::deserialize(deserializer).map_err(|err| {
            DocumentError::invalid_toml(text, &err.path().to_string(), err.inner())
        })?;
        document.into_scheme()
    }

    /// Writes the scheme as TOML, which [`Scheme::from_toml`] reads back.
    ///
    /// ```
    /// let text = tower_webhooks::provider::github::scheme().to_toml();
    /// assert!(text.contains(r#"header = "x-hub-signature-256""#));
    /// ```
    #[cfg(feature = "toml")]
    pub fn to_toml(&self) -> String {
        toml::to_string(&Document::from(self))
            .unwrap_or_else(|err| unreachable!("a scheme document always writes as TOML: {err}"))
    }
}

impl Serialize for Scheme {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Document::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Scheme {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Document::deserialize(deserializer)?
            .into_scheme()
            .map_err(serde::de::Error::custom)
    }
}

/// Where in the text a value is, counting from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
}

/// Why a scheme document could not be read.
///
/// ```
/// use tower_webhooks::scheme::{DocumentError, Scheme};
///
/// let err = Scheme::from_json(r#"{ "provider": "acme",
///     "signature": { "header": "x-sig", "algorithm": "hmac-sha256", "signed": "{timestamp}.{body}" } }"#)
///     .unwrap_err();
/// assert!(matches!(err, DocumentError::Scheme(_)));
/// assert_eq!(err.field(), Some("signature.signed"));
/// assert!(err.to_string().contains("no timestamp source"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentError {
    /// The text is not JSON or TOML, or a value is of the wrong type or not valid where it is.
    Invalid {
        /// The field, as a path (`signature.header`, `event_type[0]`); empty for the whole text.
        field: String,
        /// Where in the text, when the format tells.
        location: Option<Location>,
        /// What is wrong with it.
        message: String,
    },
    /// Every value is valid but they do not fit together (the checks of
    /// [`Builder::build`](crate::Builder::build)).
    Scheme(BuildError),
}

impl DocumentError {
    /// The field at fault, as a path, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            DocumentError::Invalid { field, .. } if !field.is_empty() => Some(field),
            DocumentError::Invalid { .. } => None,
            DocumentError::Scheme(BuildError::Inconsistent { field, .. }) => Some(field),
            DocumentError::Scheme(BuildError::NoMethod) => Some("methods"),
            DocumentError::Scheme(_) => None,
        }
    }

    /// Where in the text the error is, when the format tells.
    pub fn location(&self) -> Option<Location> {
        match self {
            DocumentError::Invalid { location, .. } => *location,
            DocumentError::Scheme(_) => None,
        }
    }

    fn invalid(
        path: &serde_path_to_error::Path,
        location: Option<Location>,
        err: &impl fmt::Display,
    ) -> Self {
        let field = path.to_string();
        DocumentError::Invalid {
            field: if field == "." { String::new() } else { field },
            location,
            message: err.to_string(),
        }
    }

    fn invalid_at_root(err: &serde_json::Error) -> Self {
        DocumentError::Invalid {
            field: String::new(),
            location: Some(Location {
                line: err.line(),
                column: err.column(),
            }),
            message: err.to_string(),
        }
    }

    #[cfg(feature = "toml")]
    fn invalid_toml(text: &str, field: &str, err: &toml::de::Error) -> Self {
        let location = err.span().map(|span| {
            let before = &text[..span.start.min(text.len())];
            Location {
                line: before.matches('\n').count() + 1,
                column: before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1,
            }
        });
        DocumentError::Invalid {
            field: if field == "." {
                String::new()
            } else {
                field.to_owned()
            },
            location,
            message: err.message().to_owned(),
        }
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Invalid {
                field,
                location,
                message,
            } => {
                if !field.is_empty() {
                    write!(f, "`{field}`")?;
                }
                if let Some(Location { line, column }) = location {
                    let space = if field.is_empty() { "" } else { " " };
                    write!(f, "{space}(line {line}, column {column})")?;
                }
                if !field.is_empty() || location.is_some() {
                    f.write_str(": ")?;
                }
                f.write_str(message)
            }
            DocumentError::Scheme(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for DocumentError {}

/// The text of a scheme. Values first, then tables, so that TOML writes it as it reads best.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    provider: String,
    #[serde(default, skip_serializing_if = "is_default")]
    payload: PayloadText,
    #[serde(default = "post", skip_serializing_if = "is_post")]
    methods: Vec<MethodText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    event_type: Vec<SourceText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature: Option<SignatureText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp: Option<TimestampText>,
    #[serde(default, skip_serializing_if = "is_default")]
    id: IdText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    handshake: Option<HandshakeText>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn post() -> Vec<MethodText> {
    vec![MethodText(Method::POST)]
}

fn is_post(methods: &Vec<MethodText>) -> bool {
    *methods == post()
}

impl Document {
    fn into_scheme(self) -> Result<Scheme, DocumentError> {
        let (timestamp, timestamp_format, tolerance) = match self.timestamp {
            Some(text) => {
                let source = match (text.pair, text.header, text.json) {
                    (Some(key), None, None) => TimestampSource::Pair(key.into()),
                    (None, Some(name), None) => TimestampSource::Header(name.0),
                    (None, None, Some(pointer)) => TimestampSource::Json(pointer.0),
                    _ => {
                        return Err(DocumentError::Invalid {
                            field: "timestamp".into(),
                            location: None,
                            message: "give exactly one of `pair`, `header` or `json`".into(),
                        });
                    }
                };
                let tolerance = text
                    .tolerance_secs
                    .map_or(super::DEFAULT_TOLERANCE, Duration::from_secs);
                (Some(source), text.format.into(), tolerance)
            }
            None => (None, TimestampFormat::default(), super::DEFAULT_TOLERANCE),
        };
        let scheme = Scheme {
            provider: Cow::Owned(self.provider),
            signature: self.signature.map(SignatureText::into_signature),
            timestamp,
            timestamp_format,
            tolerance,
            id: self.id.into(),
            event_type: self.event_type.into_iter().map(Source::from).collect(),
            payload: self.payload.into(),
            handshake: self.handshake.map(Handshake::from),
            methods: self.methods.into_iter().map(|method| method.0).collect(),
        };
        // Whether deliveries must be signed, and the URL a scheme signs, are the deployment's:
        // the builder checks them.
        validate_document(&scheme).map_err(DocumentError::Scheme)?;
        Ok(scheme)
    }
}

impl From<&Scheme> for Document {
    fn from(scheme: &Scheme) -> Self {
        Document {
            provider: scheme.provider.to_string(),
            payload: scheme.payload.into(),
            methods: scheme.methods.iter().cloned().map(MethodText).collect(),
            event_type: scheme.event_type.iter().map(SourceText::from).collect(),
            signature: scheme.signature.as_ref().map(SignatureText::from),
            timestamp: scheme.timestamp.as_ref().map(|source| {
                let mut text = TimestampText {
                    pair: None,
                    header: None,
                    json: None,
                    format: scheme.timestamp_format.into(),
                    tolerance_secs: Some(scheme.tolerance.as_secs()),
                };
                match source {
                    TimestampSource::Pair(key) => text.pair = Some(key.to_string()),
                    TimestampSource::Header(name) => text.header = Some(HeaderText(name.clone())),
                    TimestampSource::Json(pointer) => {
                        text.json = Some(PointerText(pointer.clone()))
                    }
                }
                text
            }),
            id: (&scheme.id).into(),
            handshake: scheme.handshake.as_ref().map(HandshakeText::from),
        }
    }
}

#[derive(Serialize, Deserialize, Default, PartialEq, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum PayloadText {
    #[default]
    Json,
    Opaque,
    JsonOrForm,
}

impl From<PayloadText> for Payload {
    fn from(text: PayloadText) -> Self {
        match text {
            PayloadText::Json => Payload::Json,
            PayloadText::Opaque => Payload::Opaque,
            PayloadText::JsonOrForm => Payload::JsonOrForm,
        }
    }
}

impl From<Payload> for PayloadText {
    fn from(payload: Payload) -> Self {
        match payload {
            Payload::Json => PayloadText::Json,
            Payload::Opaque => PayloadText::Opaque,
            Payload::JsonOrForm => PayloadText::JsonOrForm,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureText {
    header: HeaderText,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    or_headers: Vec<HeaderText>,
    algorithm: AlgorithmText,
    #[serde(default = "hex", skip_serializing_if = "is_hex")]
    encoding: EncodingText,
    #[serde(default, skip_serializing_if = "is_default")]
    format: FormatText,
    #[serde(default = "body_only")]
    signed: Template,
    #[serde(default, skip_serializing_if = "is_default")]
    secret: SecretText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_hash_param: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key_entries: Option<EntriesText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_body: Option<PointerText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_named_by: Option<HeaderText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_named_in_body: Option<PointerText>,
    #[serde(default, skip_serializing_if = "is_false")]
    key_named_by_jwt_kid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    algorithm_by: Option<AlgorithmByText>,
}

/// The body field that chooses the algorithm, and what each of its values means (SNS).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlgorithmByText {
    field: PointerText,
    choices: std::collections::BTreeMap<String, AlgorithmText>,
}

/// Public-key entries beside the HMAC ones (Standard Webhooks `v1a,`).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesText {
    prefix: String,
    algorithm: AlgorithmText,
    key_prefix: String,
    signing_key_prefix: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn hex() -> EncodingText {
    EncodingText::Hex
}

fn is_hex(encoding: &EncodingText) -> bool {
    *encoding == EncodingText::Hex
}

fn body_only() -> Template {
    Template(vec![SignedPart::Body])
}

impl SignatureText {
    fn into_signature(self) -> Signature {
        let mut signature = Signature::new(self.header.0);
        signature.more_headers = self.or_headers.into_iter().map(|h| h.0).collect();
        signature.algorithm = self.algorithm.into();
        signature.encoding = self.encoding.into();
        signature.format = self.format.into();
        signature.signed = self.signed.0;
        signature.secret_format = self.secret.into();
        if let Some(url) = self.base_url {
            signature = signature.base_url(url);
        }
        signature.body_hash_param = self.body_hash_param.map(Cow::Owned);
        signature.in_body = self.in_body.map(|pointer| pointer.0);
        signature.key_name = match (
            self.key_named_by,
            self.key_named_in_body,
            self.key_named_by_jwt_kid,
        ) {
            (Some(header), _, _) => Some(KeyName::Header(header.0)),
            (None, Some(pointer), _) => Some(KeyName::Json(pointer.0)),
            (None, None, true) => Some(KeyName::JwtKid),
            (None, None, false) => None,
        };
        signature.algorithm_by = self.algorithm_by.map(|by| AlgorithmBy {
            field: by.field.0,
            choices: by
                .choices
                .into_iter()
                .map(|(value, algorithm)| (Cow::Owned(value), algorithm.into()))
                .collect(),
        });
        signature.public_entries = self.public_key_entries.map(|e| PublicKeyEntries {
            prefix: e.prefix.into(),
            key_prefix: e.key_prefix.into(),
            signing_key_prefix: e.signing_key_prefix.into(),
            algorithm: e.algorithm.into(),
        });
        signature
    }
}

impl From<&Signature> for SignatureText {
    fn from(signature: &Signature) -> Self {
        SignatureText {
            header: HeaderText(signature.header.clone()),
            or_headers: signature
                .more_headers
                .iter()
                .cloned()
                .map(HeaderText)
                .collect(),
            algorithm: signature.algorithm.into(),
            encoding: signature.encoding.into(),
            format: signature.format.clone().into(),
            signed: Template(signature.signed.clone()),
            secret: signature.secret_format.clone().into(),
            base_url: signature.base_url.clone(),
            body_hash_param: signature.body_hash_param.as_ref().map(|p| p.to_string()),
            in_body: signature.in_body.clone().map(PointerText),
            key_named_by: signature.key_header().cloned().map(HeaderText),
            key_named_in_body: match &signature.key_name {
                Some(KeyName::Json(pointer)) => Some(PointerText(pointer.clone())),
                _ => None,
            },
            key_named_by_jwt_kid: signature.key_name == Some(KeyName::JwtKid),
            algorithm_by: signature.algorithm_by.as_ref().map(|by| AlgorithmByText {
                field: PointerText(by.field.clone()),
                choices: by
                    .choices
                    .iter()
                    .map(|(value, algorithm)| (value.to_string(), (*algorithm).into()))
                    .collect(),
            }),
            public_key_entries: signature.public_entries.as_ref().map(|e| EntriesText {
                prefix: e.prefix.to_string(),
                algorithm: e.algorithm.into(),
                key_prefix: e.key_prefix.to_string(),
                signing_key_prefix: e.signing_key_prefix.to_string(),
            }),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum AlgorithmText {
    HmacSha1,
    HmacSha256,
    HmacSha512,
    Ed25519,
    EcdsaP256Sha256,
    RsaPkcs1Sha256,
    RsaPkcs1Sha1,
    Es256,
    Token,
}

impl From<AlgorithmText> for Algorithm {
    fn from(text: AlgorithmText) -> Self {
        match text {
            AlgorithmText::HmacSha1 => Algorithm::Hmac(Hash::Sha1),
            AlgorithmText::HmacSha256 => Algorithm::Hmac(Hash::Sha256),
            AlgorithmText::HmacSha512 => Algorithm::Hmac(Hash::Sha512),
            AlgorithmText::Ed25519 => Algorithm::Ed25519,
            AlgorithmText::EcdsaP256Sha256 => Algorithm::EcdsaP256Sha256,
            AlgorithmText::RsaPkcs1Sha256 => Algorithm::RsaPkcs1Sha256,
            AlgorithmText::RsaPkcs1Sha1 => Algorithm::RsaPkcs1Sha1,
            AlgorithmText::Es256 => Algorithm::Es256,
            AlgorithmText::Token => Algorithm::Token,
        }
    }
}

impl From<Algorithm> for AlgorithmText {
    fn from(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Hmac(Hash::Sha1) => AlgorithmText::HmacSha1,
            Algorithm::Hmac(Hash::Sha256) => AlgorithmText::HmacSha256,
            Algorithm::Hmac(Hash::Sha512) => AlgorithmText::HmacSha512,
            Algorithm::Ed25519 => AlgorithmText::Ed25519,
            Algorithm::EcdsaP256Sha256 => AlgorithmText::EcdsaP256Sha256,
            Algorithm::RsaPkcs1Sha256 => AlgorithmText::RsaPkcs1Sha256,
            Algorithm::RsaPkcs1Sha1 => AlgorithmText::RsaPkcs1Sha1,
            Algorithm::Es256 => AlgorithmText::Es256,
            Algorithm::Token => AlgorithmText::Token,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum EncodingText {
    Hex,
    Base64,
    Base64url,
}

impl From<EncodingText> for Encoding {
    fn from(text: EncodingText) -> Self {
        match text {
            EncodingText::Hex => Encoding::Hex,
            EncodingText::Base64 => Encoding::Base64,
            EncodingText::Base64url => Encoding::Base64Url,
        }
    }
}

impl From<Encoding> for EncodingText {
    fn from(encoding: Encoding) -> Self {
        match encoding {
            Encoding::Hex => EncodingText::Hex,
            Encoding::Base64 => EncodingText::Base64,
            Encoding::Base64Url => EncodingText::Base64url,
        }
    }
}

#[derive(Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", deny_unknown_fields, rename_all = "kebab-case")]
enum FormatText {
    Prefixed {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prefix: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        separator: Option<char>,
    },
    Pairs {
        separator: char,
        signature_key: String,
    },
    Jwt {
        body_hash_claim: String,
        issued_at_claim: String,
    },
}

impl Default for FormatText {
    fn default() -> Self {
        FormatText::Prefixed {
            prefix: String::new(),
            separator: None,
        }
    }
}

impl From<FormatText> for SignatureFormat {
    fn from(text: FormatText) -> Self {
        match text {
            FormatText::Prefixed { prefix, separator } => SignatureFormat::Prefixed {
                prefix: prefix.into(),
                separator,
            },
            FormatText::Pairs {
                separator,
                signature_key,
            } => SignatureFormat::Pairs {
                separator,
                signature_key: signature_key.into(),
            },
            FormatText::Jwt {
                body_hash_claim,
                issued_at_claim,
            } => SignatureFormat::Jwt {
                body_hash_claim: body_hash_claim.into(),
                issued_at_claim: issued_at_claim.into(),
            },
        }
    }
}

impl From<SignatureFormat> for FormatText {
    fn from(format: SignatureFormat) -> Self {
        match format {
            SignatureFormat::Prefixed { prefix, separator } => FormatText::Prefixed {
                prefix: prefix.into_owned(),
                separator,
            },
            SignatureFormat::Pairs {
                separator,
                signature_key,
            } => FormatText::Pairs {
                separator,
                signature_key: signature_key.into_owned(),
            },
            SignatureFormat::Jwt {
                body_hash_claim,
                issued_at_claim,
            } => FormatText::Jwt {
                body_hash_claim: body_hash_claim.into_owned(),
                issued_at_claim: issued_at_claim.into_owned(),
            },
        }
    }
}

#[derive(Serialize, Deserialize, PartialEq, Default)]
#[serde(tag = "kind", deny_unknown_fields, rename_all = "kebab-case")]
enum SecretText {
    #[default]
    Raw,
    Base64 {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prefix: String,
    },
    Hex,
}

impl From<SecretText> for SecretFormat {
    fn from(text: SecretText) -> Self {
        match text {
            SecretText::Raw => SecretFormat::Raw,
            SecretText::Base64 { prefix } => SecretFormat::Base64 {
                prefix: prefix.into(),
            },
            SecretText::Hex => SecretFormat::Hex,
        }
    }
}

impl From<SecretFormat> for SecretText {
    fn from(format: SecretFormat) -> Self {
        match format {
            SecretFormat::Raw => SecretText::Raw,
            SecretFormat::Base64 { prefix } => SecretText::Base64 {
                prefix: prefix.into_owned(),
            },
            SecretFormat::Hex => SecretText::Hex,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimestampText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pair: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    header: Option<HeaderText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    json: Option<PointerText>,
    #[serde(default)]
    format: TimestampFormatText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tolerance_secs: Option<u64>,
}

#[derive(Serialize, Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum TimestampFormatText {
    #[default]
    UnixSeconds,
    UnixMillis,
    Rfc3339,
}

impl From<TimestampFormatText> for TimestampFormat {
    fn from(text: TimestampFormatText) -> Self {
        match text {
            TimestampFormatText::UnixSeconds => TimestampFormat::UnixSeconds,
            TimestampFormatText::UnixMillis => TimestampFormat::UnixMillis,
            TimestampFormatText::Rfc3339 => TimestampFormat::Rfc3339,
        }
    }
}

impl From<TimestampFormat> for TimestampFormatText {
    fn from(format: TimestampFormat) -> Self {
        match format {
            TimestampFormat::UnixSeconds => TimestampFormatText::UnixSeconds,
            TimestampFormat::UnixMillis => TimestampFormatText::UnixMillis,
            TimestampFormat::Rfc3339 => TimestampFormatText::Rfc3339,
        }
    }
}

/// `{ header = "x-id" }` or `{ json = "/id" }`.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum SourceText {
    Header(HeaderText),
    Json(PointerText),
}

impl From<SourceText> for Source {
    fn from(text: SourceText) -> Self {
        match text {
            SourceText::Header(name) => Source::Header(name.0),
            SourceText::Json(pointer) => Source::Json(pointer.0),
        }
    }
}

impl From<&Source> for SourceText {
    fn from(source: &Source) -> Self {
        match source {
            Source::Header(name) => SourceText::Header(HeaderText(name.clone())),
            Source::Json(pointer) => SourceText::Json(PointerText(pointer.clone())),
        }
    }
}

/// The dedup key: the values of `from` together, or the body's SHA-256 when `from` is empty or
/// `or_body_hash` is set and a value is missing.
#[derive(Serialize, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
struct IdText {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    from: Vec<SourceText>,
    #[serde(default, skip_serializing_if = "is_default")]
    or_body_hash: bool,
}

impl From<IdText> for IdSource {
    fn from(text: IdText) -> Self {
        let mut id = text
            .from
            .into_iter()
            .fold(IdSource::body_hash(), |id, part| id.and(part.into()));
        if text.or_body_hash {
            id = id.or_body_hash();
        }
        id
    }
}

impl From<&IdSource> for IdText {
    fn from(id: &IdSource) -> Self {
        IdText {
            from: id.parts().iter().map(SourceText::from).collect(),
            or_body_hash: id.fallback(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", deny_unknown_fields, rename_all = "kebab-case")]
enum HandshakeText {
    EchoJson {
        param: String,
        key: String,
    },
    EchoText {
        param: String,
    },
    HeaderEchoJson {
        header: HeaderText,
        key: String,
    },
    /// The token is a secret: it is given to the builder, never written here.
    VerifyToken,
    QueryMac {
        param: String,
        key: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prefix: String,
        encoding: EncodingText,
    },
    SignedEcho {
        event: PointerText,
        value: String,
        challenge: PointerText,
        key: String,
    },
    SignedMac {
        event: PointerText,
        value: String,
        token: PointerText,
        token_key: String,
        mac_key: String,
    },
    SignedEchoText {
        event: SourceText,
        value: String,
        challenge: PointerText,
    },
    SignedReply {
        event: PointerText,
        value: String,
        answer: String,
    },
    /// The secret arrives in the header; it is taken by a `HookSecret`, never written here.
    HookSecret {
        header: HeaderText,
    },
    ConfirmUrl {
        event: SourceText,
        value: String,
        url: PointerText,
    },
}

impl From<HandshakeText> for Handshake {
    fn from(text: HandshakeText) -> Self {
        match text {
            HandshakeText::EchoJson { param, key } => Handshake::echo_json(param, key),
            HandshakeText::EchoText { param } => Handshake::echo_text(param),
            HandshakeText::HeaderEchoJson { header, key } => {
                Handshake::header_echo_json(header.0, key)
            }
            HandshakeText::VerifyToken => Handshake::VerifyToken {
                token: Secret::new(Vec::new()),
            },
            HandshakeText::QueryMac {
                param,
                key,
                prefix,
                encoding,
            } => Handshake::query_mac(param, key, prefix, encoding.into()),
            HandshakeText::SignedEcho {
                event,
                value,
                challenge,
                key,
            } => Handshake::SignedEcho {
                event: event.0,
                value: value.into(),
                challenge: challenge.0,
                key: key.into(),
            },
            HandshakeText::SignedMac {
                event,
                value,
                token,
                token_key,
                mac_key,
            } => Handshake::SignedMac {
                event: event.0,
                value: value.into(),
                token: token.0,
                token_key: token_key.into(),
                mac_key: mac_key.into(),
            },
            HandshakeText::SignedEchoText {
                event,
                value,
                challenge,
            } => Handshake::SignedEchoText {
                event: event.into(),
                value: value.into(),
                challenge: challenge.0,
            },
            HandshakeText::SignedReply {
                event,
                value,
                answer,
            } => Handshake::SignedReply {
                event: event.0,
                value: value.into(),
                answer: answer.into(),
            },
            HandshakeText::HookSecret { header } => Handshake::HookSecret { header: header.0 },
            HandshakeText::ConfirmUrl { event, value, url } => Handshake::ConfirmUrl {
                event: event.into(),
                value: value.into(),
                url: url.0,
            },
        }
    }
}

impl From<&Handshake> for HandshakeText {
    fn from(handshake: &Handshake) -> Self {
        let text = |value: &Cow<'static, str>| value.to_string();
        let pointer = |pointer: &Pointer| PointerText(pointer.clone());
        match handshake {
            Handshake::EchoJson { param, key } => HandshakeText::EchoJson {
                param: text(param),
                key: text(key),
            },
            Handshake::EchoText { param } => HandshakeText::EchoText { param: text(param) },
            Handshake::HeaderEchoJson { header, key } => HandshakeText::HeaderEchoJson {
                header: HeaderText(header.clone()),
                key: text(key),
            },
            Handshake::VerifyToken { .. } => HandshakeText::VerifyToken,
            Handshake::QueryMac {
                param,
                key,
                prefix,
                encoding,
            } => HandshakeText::QueryMac {
                param: text(param),
                key: text(key),
                prefix: text(prefix),
                encoding: (*encoding).into(),
            },
            Handshake::SignedEcho {
                event,
                value,
                challenge,
                key,
            } => HandshakeText::SignedEcho {
                event: pointer(event),
                value: text(value),
                challenge: pointer(challenge),
                key: text(key),
            },
            Handshake::SignedMac {
                event,
                value,
                token,
                token_key,
                mac_key,
            } => HandshakeText::SignedMac {
                event: pointer(event),
                value: text(value),
                token: pointer(token),
                token_key: text(token_key),
                mac_key: text(mac_key),
            },
            Handshake::SignedEchoText {
                event,
                value,
                challenge,
            } => HandshakeText::SignedEchoText {
                event: event.into(),
                value: text(value),
                challenge: pointer(challenge),
            },
            Handshake::SignedReply {
                event,
                value,
                answer,
            } => HandshakeText::SignedReply {
                event: pointer(event),
                value: text(value),
                answer: text(answer),
            },
            Handshake::HookSecret { header } => HandshakeText::HookSecret {
                header: HeaderText(header.clone()),
            },
            Handshake::ConfirmUrl { event, value, url } => HandshakeText::ConfirmUrl {
                event: event.into(),
                value: text(value),
                url: pointer(url),
            },
        }
    }
}

/// A header name, checked where it is read.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(try_from = "String", into = "String")]
struct HeaderText(HeaderName);

impl TryFrom<String> for HeaderText {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        HeaderName::try_from(text.as_str())
            .map(HeaderText)
            .map_err(|_| format!("`{text}` is not a valid header name"))
    }
}

impl From<HeaderText> for String {
    fn from(text: HeaderText) -> Self {
        text.0.as_str().to_owned()
    }
}

/// A JSON pointer (RFC 6901), checked where it is read.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(try_from = "String", into = "String")]
struct PointerText(Pointer);

impl TryFrom<String> for PointerText {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Pointer::parse(&text)
            .map(PointerText)
            .ok_or_else(|| format!("`{text}` is not a JSON pointer (it starts with `/`)"))
    }
}

impl From<PointerText> for String {
    fn from(text: PointerText) -> Self {
        text.0.as_str().to_owned()
    }
}

/// A method name, checked where it is read.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(try_from = "String", into = "String")]
struct MethodText(Method);

impl TryFrom<String> for MethodText {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Method::from_bytes(text.as_bytes())
            .map(MethodText)
            .map_err(|_| format!("`{text}` is not an HTTP method"))
    }
}

impl From<MethodText> for String {
    fn from(text: MethodText) -> Self {
        text.0.as_str().to_owned()
    }
}

/// The signed message as a template: literal text with `{timestamp}`, `{id}`, `{body}`, `{url}`,
/// `{method}`, `{form}` (the sorted form parameters), `{crc32}` (the body's CRC-32 in
/// decimal), `{json:/pointer}` (a body field), `{header:name}` (a header's value) and
/// `{fields:A,B?,C}` (top-level body fields as SNS writes them, `?` marking an optional one) in
/// it; `{{` and `}}` are braces.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(try_from = "String", into = "String")]
struct Template(Vec<SignedPart>);

const PLACEHOLDERS: [(&str, SignedPart); 7] = [
    ("crc32", SignedPart::BodyCrc32),
    ("timestamp", SignedPart::Timestamp),
    ("id", SignedPart::Id),
    ("body", SignedPart::Body),
    ("url", SignedPart::Url),
    ("method", SignedPart::Method),
    ("form", SignedPart::SortedFormParams),
];

impl TryFrom<String> for Template {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(['{', '}']) {
            literal.push_str(&rest[..at]);
            let brace = &rest[at..at + 1];
            rest = &rest[at + 1..];
            if let Some(after) = rest.strip_prefix(brace) {
                literal.push_str(brace);
                rest = after;
                continue;
            }
            if brace == "}" {
                return Err("a lone `}` (write `}}` for a brace)".into());
            }
            let Some(end) = rest.find('}') else {
                return Err("a `{` is not closed (write `{{` for a brace)".into());
            };
            let name = &rest[..end];
            if let Some(part) = argument_part(name)? {
                if !literal.is_empty() {
                    parts.push(SignedPart::Literal(
                        std::mem::take(&mut literal).into_bytes().into(),
                    ));
                }
                parts.push(part);
                rest = &rest[end + 1..];
                continue;
            }
            let Some((_, part)) = PLACEHOLDERS.iter().find(|(known, _)| *known == name) else {
                let known: Vec<String> = PLACEHOLDERS
                    .iter()
                    .map(|(n, _)| format!("{{{n}}}"))
                    .collect();
                return Err(format!(
                    "unknown part `{{{name}}}` (the parts are {}, {{json:/pointer}}, \
                     {{header:name}} and {{fields:A,B?}})",
                    known.join(", ")
                ));
            };
            if !literal.is_empty() {
                parts.push(SignedPart::Literal(
                    std::mem::take(&mut literal).into_bytes().into(),
                ));
            }
            parts.push(part.clone());
            rest = &rest[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(SignedPart::Literal(literal.into_bytes().into()));
        }
        Ok(Template(parts))
    }
}

/// A part with an argument: `json:/pointer`, `header:name`, `fields:A,B?`; `None` for a name
/// without one.
fn argument_part(name: &str) -> Result<Option<SignedPart>, String> {
    let Some((kind, argument)) = name.split_once(':') else {
        return Ok(None);
    };
    let part = match kind {
        "json" => SignedPart::Json(
            Pointer::parse(argument)
                .ok_or_else(|| format!("`{{{name}}}`: `{argument}` is not a JSON pointer"))?,
        ),
        "header" => SignedPart::Header(
            HeaderName::try_from(argument)
                .map_err(|_| format!("`{{{name}}}`: `{argument}` is not a header name"))?,
        ),
        "fields" => {
            let fields: Vec<Field> = argument
                .split(',')
                .map(|field| match field.strip_suffix('?') {
                    Some(name) => Field::optional(name.to_owned()),
                    None => Field::required(field.to_owned()),
                })
                .collect();
            if fields.iter().any(|field| field.name.is_empty()) {
                return Err(format!("`{{{name}}}`: a field has no name"));
            }
            SignedPart::Fields(fields)
        }
        _ => return Ok(None),
    };
    Ok(Some(part))
}

impl From<Template> for String {
    fn from(template: Template) -> Self {
        let mut text = String::new();
        for part in &template.0 {
            match part {
                SignedPart::Literal(bytes) => {
                    // Literals come from presets and documents, both text; a byte that is not
                    // would not survive a text file, and is written as the replacement character.
                    let literal = String::from_utf8_lossy(bytes);
                    text.push_str(&literal.replace('{', "{{").replace('}', "}}"));
                }
                SignedPart::Json(pointer) => {
                    text.push_str("{json:");
                    text.push_str(pointer.as_str());
                    text.push('}');
                }
                SignedPart::Header(name) => {
                    text.push_str("{header:");
                    text.push_str(name.as_str());
                    text.push('}');
                }
                SignedPart::Fields(fields) => {
                    let names: Vec<String> = fields
                        .iter()
                        .map(|f| format!("{}{}", f.name, if f.optional { "?" } else { "" }))
                        .collect();
                    text.push_str("{fields:");
                    text.push_str(&names.join(","));
                    text.push('}');
                }
                other => {
                    let name = PLACEHOLDERS
                        .iter()
                        .find(|(_, part)| part == other)
                        .map_or("body", |(name, _)| name);
                    text.push('{');
                    text.push_str(name);
                    text.push('}');
                }
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Result<Vec<SignedPart>, String> {
        Template::try_from(text.to_owned()).map(|t| t.0)
    }

    #[test]
    fn templates_read_parts_literals_and_braces() {
        assert_eq!(
            template("v0:{timestamp}:{body}").unwrap(),
            vec![
                SignedPart::literal("v0:"),
                SignedPart::Timestamp,
                SignedPart::literal(":"),
                SignedPart::Body,
            ]
        );
        assert_eq!(
            template("{{{id}}}").unwrap(),
            vec![
                SignedPart::literal("{"),
                SignedPart::Id,
                SignedPart::literal("}"),
            ]
        );
        assert_eq!(template("").unwrap(), vec![]);
        assert!(
            template("{bdy}")
                .unwrap_err()
                .contains("unknown part `{bdy}`")
        );
        assert!(template("{body").unwrap_err().contains("not closed"));
        assert!(template("a}b").unwrap_err().contains("lone"));
        for text in [
            "{method}{url}{body}{timestamp}",
            "{{x}}.{form}",
            "a|{id}|b",
            "{json:/signature/timestamp}{json:/signature/token}",
        ] {
            let parts = template(text).unwrap();
            assert_eq!(String::from(Template(parts)), text);
        }
    }

    #[test]
    fn errors_name_the_field_and_the_line() {
        let err = Scheme::from_json("{\n \"provider\": \"a\",\n \"methods\": [\"P OST\"]\n}")
            .unwrap_err();
        assert_eq!(err.field(), Some("methods[0]"));
        assert_eq!(err.location().map(|l| l.line), Some(3));
        assert!(err.to_string().contains("not an HTTP method"), "{err}");

        let err = Scheme::from_json(r#"{"provider":"a","signatur":{}}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `signatur`"),
            "{err}"
        );

        let err = Scheme::from_json(r#"{"provider":"a","timestamp":{"header":"x-t","pair":"t"}}"#)
            .unwrap_err();
        assert_eq!(err.field(), Some("timestamp"));

        let err =
            Scheme::from_json(r#"{"provider":"a","event_type":[{"json":"type"}]}"#).unwrap_err();
        assert_eq!(err.field(), Some("event_type[0].json"));
        assert!(err.to_string().contains("not a JSON pointer"), "{err}");

        let err = Scheme::from_json(r#"{"provider":"a","methods":[]}"#).unwrap_err();
        assert_eq!(err, DocumentError::Scheme(BuildError::NoMethod));
        assert_eq!(err.field(), Some("methods"));

        assert!(Scheme::from_json(r#"{"provider":"a"} x"#).is_err());
    }

    #[cfg(feature = "toml")]
    #[test]
    fn toml_errors_name_the_field_and_the_line() {
        let err = Scheme::from_toml(
            "provider = \"a\"\n\n[signature]\nheader = \"x-sig\"\nalgorithm = \"hmac-md5\"\n",
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("signature.algorithm"));
        assert_eq!(err.location().map(|l| l.line), Some(5));
        assert!(err.to_string().contains("hmac-md5"), "{err}");

        let err = Scheme::from_toml("provider = \"a\"\n[signature\n").unwrap_err();
        assert_eq!(err.location().map(|l| l.line), Some(2), "{err}");
    }
}
