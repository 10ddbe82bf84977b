//! The signature part of a scheme: header, format, encoding, hash, signed message, key format.

use std::borrow::Cow;

use http::HeaderName;

/// How a provider signs: an HMAC with a secret you share, or a signature with its private key
/// that you check with its public key.
///
/// ```
/// use tower_webhooks::scheme::{Algorithm, Hash, Signature};
///
/// // Discord: Ed25519, checked with the application's public key.
/// let discord = Signature::new(http::HeaderName::from_static("x-signature-ed25519")).ed25519();
/// assert_eq!(discord.algorithm(), Algorithm::Ed25519);
/// assert_eq!(Signature::new(http::HeaderName::from_static("x")).algorithm(), Algorithm::Hmac(Hash::Sha256));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Algorithm {
    /// An HMAC over the signed message with the shared secret, compared in constant time.
    Hmac(Hash),
    /// Ed25519 (RFC 8032) with the provider's public key, verified strictly: non-canonical
    /// signatures and small-order keys are refused. Needs the `ed25519` feature to verify.
    Ed25519,
    /// No signature: the header carries the shared secret itself (after the prefix), compared in
    /// constant time (GitLab's `X-Gitlab-Token`, Okta's authorization header). Weaker than a
    /// signature: the body is not covered, and the secret travels with every request (over TLS).
    Token,
    /// ECDSA over P-256 with SHA-256, the signature in ASN.1 DER, the public key as a
    /// SubjectPublicKeyInfo (DER, in the secret format; PEM accepted too). Other curves and
    /// encodings are refused. Needs the `ecdsa` feature to verify.
    EcdsaP256Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 to 8192 bits, given as an X.509
    /// certificate (PEM or DER, its validity checked at each delivery) or a SubjectPublicKeyInfo
    /// (Amazon SNS `SignatureVersion` 2, PayPal). Needs the `rsa` feature to verify.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-1, keys of 2048 to 8192 bits: only because Amazon SNS still
    /// signs with it (`SignatureVersion` 1, its default). Needs the `rsa` feature to verify.
    RsaPkcs1Sha1,
    /// ECDSA over P-256 with SHA-256 as JWS writes it (`ES256`: the signature is `r || s`, 64
    /// bytes), the key a JWK (`kty` `EC`, `crv` `P-256`), a SubjectPublicKeyInfo or PEM (Plaid).
    /// Needs the `ecdsa` feature to verify.
    Es256,
}

impl Algorithm {
    /// Whether it is one of the RSA algorithms, whose keys are certificates.
    pub fn is_rsa(self) -> bool {
        matches!(self, Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPkcs1Sha1)
    }
}

/// The hash function under the HMAC.
///
/// ```
/// use tower_webhooks::scheme::Hash;
///
/// assert_eq!(Hash::Sha256.output_len(), 32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hash {
    /// HMAC-SHA1 (Twilio, Intercom; legacy elsewhere).
    Sha1,
    /// HMAC-SHA256, what nearly every provider uses.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Hash {
    /// The length of the MAC in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
            Hash::Sha512 => 64,
        }
    }
}

/// How the MAC bytes are written in the header.
///
/// ```
/// use tower_webhooks::scheme::{Encoding, Signature};
///
/// // Yeastar: the whole header value is base64.
/// let yeastar = Signature::new(http::HeaderName::from_static("x-signature")).encoding(Encoding::Base64);
/// # let _ = yeastar;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// Hexadecimal; upper or lower case is accepted, lower case is produced.
    Hex,
    /// Standard base64 alphabet with padding.
    Base64,
    /// The URL-safe base64 alphabet (`-` and `_`), padding optional on input and left out on
    /// output, as in JWTs.
    Base64Url,
}

impl Encoding {
    /// How the encoding is named in tables and scheme documents.
    ///
    /// ```
    /// assert_eq!(tower_webhooks::scheme::Encoding::Base64Url.name(), "base64url");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
        }
    }
}

/// How the configured secret becomes the HMAC key.
///
/// ```
/// use tower_webhooks::scheme::{SecretFormat, Signature};
///
/// // Standard Webhooks: `whsec_<base64 key>`.
/// let signature = Signature::new(http::HeaderName::from_static("webhook-signature"))
///     .secret_format(SecretFormat::Base64 { prefix: "whsec_".into() });
/// # let _ = signature;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretFormat {
    /// The secret's bytes are the key, as given (YCloud, Stripe, GitHub, ...).
    Raw,
    /// The key is the base64 decoding of the secret after an optional prefix
    /// (Standard Webhooks: `whsec_<base64>`; Telnyx's public key, no prefix).
    Base64 {
        /// A prefix to strip first, such as `whsec_`.
        prefix: Cow<'static, str>,
    },
    /// The key is the hex decoding of the secret (Discord's application public key).
    Hex,
}

/// Where the signatures (and perhaps the timestamp) sit inside the signature header value.
///
/// Set through [`Signature::prefix`], [`Signature::prefixed_list`] and [`Signature::pairs`]:
///
/// ```
/// use tower_webhooks::scheme::{Signature, SignatureFormat};
///
/// let stripe = Signature::new(http::HeaderName::from_static("stripe-signature")).pairs(',', "v1");
/// assert!(matches!(stripe.format(), SignatureFormat::Pairs { separator: ',', .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureFormat {
    /// The value is `<prefix><signature>` (GitHub `sha256=`, Slack `v0=`, Yeastar no prefix).
    /// With a `separator`, the value is a list of such entries, any one of which may match;
    /// entries with another prefix are ignored (Standard Webhooks `v1,<sig> v1a,<sig>`).
    Prefixed {
        /// What precedes the signature, possibly empty.
        prefix: Cow<'static, str>,
        /// Separator of a list of entries, if the header may carry several.
        separator: Option<char>,
    },
    /// The value is a list of `key=value` pairs (YCloud `t=..,s=..`, Stripe `t=..,v1=..,v1=..`,
    /// Paddle `ts=..;h1=..`). Every pair named `signature_key` is a candidate; white space around
    /// pairs is ignored, unknown keys too.
    Pairs {
        /// Separator between pairs.
        separator: char,
        /// The key whose values are signatures.
        signature_key: Cow<'static, str>,
    },
    /// The value is a compact JWS (a signed JWT, Plaid's `Plaid-Verification`): its protected
    /// header must name the scheme's algorithm (`alg`; `none`, `HS256` and any other are refused)
    /// and may name the key (`kid`); what is signed is its first two segments; the claim
    /// `body_hash_claim` is the hex SHA-256 of the raw body (compared in constant time), and
    /// `issued_at_claim` the unix seconds it was made, checked against the tolerance.
    Jwt {
        /// The claim holding the body's hex SHA-256 (`request_body_sha256`).
        body_hash_claim: Cow<'static, str>,
        /// The claim holding when the token was issued (`iat`).
        issued_at_claim: Cow<'static, str>,
    },
}

/// Where the signed timestamp comes from.
///
/// ```
/// use tower_webhooks::scheme::TimestampSource;
///
/// let ycloud = TimestampSource::Pair("t".into());
/// let slack = TimestampSource::Header(http::HeaderName::from_static("x-slack-request-timestamp"));
/// # let _ = (ycloud, slack);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampSource {
    /// A key of the [`SignatureFormat::Pairs`] header (YCloud `t`, Stripe `t`, Paddle `ts`).
    Pair(Cow<'static, str>),
    /// A header of its own (Slack `X-Slack-Request-Timestamp`, Standard Webhooks `webhook-timestamp`).
    Header(HeaderName),
    /// A field of the JSON body (Linear's `webhookTimestamp`), read once the signature over the
    /// body has matched; it cannot be part of the signed message itself.
    Json(super::Pointer),
}

/// How the signed timestamp is written.
///
/// ```
/// use tower_webhooks::scheme::TimestampFormat;
///
/// // HubSpot sends milliseconds; Twitch and Box an RFC 3339 date-time.
/// let formats = [TimestampFormat::UnixMillis, TimestampFormat::Rfc3339];
/// assert_eq!(TimestampFormat::default(), TimestampFormat::UnixSeconds);
/// # let _ = formats;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TimestampFormat {
    /// Unix seconds, plain digits (most providers).
    #[default]
    UnixSeconds,
    /// Unix milliseconds, plain digits (HubSpot, Linear); checked to the second.
    UnixMillis,
    /// An RFC 3339 date-time, `2023-11-14T22:13:20.123Z` or with an offset (Twitch, Box);
    /// checked to the second.
    Rfc3339,
}

/// One piece of the message the provider signs; the pieces are fed to the HMAC in order.
///
/// ```
/// use tower_webhooks::scheme::SignedPart;
///
/// // Standard Webhooks: `<id>.<timestamp>.<body>`.
/// let parts = [
///     SignedPart::Id,
///     SignedPart::literal("."),
///     SignedPart::Timestamp,
///     SignedPart::literal("."),
///     SignedPart::Body,
/// ];
/// # let _ = parts;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedPart {
    /// Fixed bytes, such as `.` or `v0:`.
    Literal(Cow<'static, [u8]>),
    /// The timestamp exactly as it was sent.
    Timestamp,
    /// The delivery id exactly as it was sent (the id source must be a header).
    Id,
    /// The raw request body.
    Body,
    /// The public URL of the request: the configured base URL, then the request's path and query
    /// (Twilio). Requires [`Signature::base_url`].
    Url,
    /// The request's method, such as `POST` (HubSpot v2 and v3).
    Method,
    /// The form parameters of an `application/x-www-form-urlencoded` body, sorted by name, each
    /// written as name then value (Twilio).
    SortedFormParams,
    /// A field of the JSON body, as text (a string's value without its quotes): what Mailgun
    /// signs (`/signature/timestamp`, `/signature/token`), with the signature in the body too.
    Json(super::Pointer),
    /// A request header's value, as sent (PayPal's `PAYPAL-TRANSMISSION-ID`).
    Header(HeaderName),
    /// The body's CRC-32 (IEEE), in decimal (PayPal signs it instead of the body).
    BodyCrc32,
    /// Fields of the JSON body's top-level object, in this order, each present one written as
    /// its name, a newline, its value and a newline: Amazon SNS's canonical form. A required
    /// field that is missing makes the delivery malformed; an optional one is left out.
    Fields(Vec<Field>),
}

/// One field of a [`SignedPart::Fields`] list.
///
/// ```
/// use tower_webhooks::scheme::{Field, SignedPart};
///
/// let sns = SignedPart::Fields(vec![Field::required("Message"), Field::optional("Subject")]);
/// # let _ = sns;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub(crate) name: Cow<'static, str>,
    pub(crate) optional: bool,
    /// `/<name>`, made once.
    pub(crate) pointer: super::Pointer,
}

impl Field {
    /// A field every delivery has.
    pub fn required(name: impl Into<Cow<'static, str>>) -> Self {
        let name = name.into();
        Self {
            pointer: super::Pointer::from_keys(&[name.as_ref()]),
            name,
            optional: false,
        }
    }

    /// A field some deliveries have (SNS's `Subject`), left out of the message when absent.
    pub fn optional(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            optional: true,
            ..Self::required(name)
        }
    }

    /// The field's name, a key of the body's top-level object.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a delivery may lack it.
    pub fn is_optional(&self) -> bool {
        self.optional
    }
}

impl SignedPart {
    /// A literal piece from a static string.
    pub const fn literal(text: &'static str) -> Self {
        SignedPart::Literal(Cow::Borrowed(text.as_bytes()))
    }
}

/// Everything about the signature: header, format, encoding, hash, signed message, key format.
///
/// ```
/// use tower_webhooks::scheme::{Hash, Signature};
///
/// // Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`.
/// let intercom = Signature::new(http::HeaderName::from_static("x-hub-signature"))
///     .prefix("sha1=")
///     .hash(Hash::Sha1);
/// assert_eq!(intercom.hash_function(), Some(Hash::Sha1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub(crate) header: HeaderName,
    pub(crate) format: SignatureFormat,
    pub(crate) encoding: Encoding,
    pub(crate) algorithm: Algorithm,
    pub(crate) signed: Vec<SignedPart>,
    pub(crate) secret_format: SecretFormat,
    pub(crate) base_url: Option<String>,
    pub(crate) body_hash_param: Option<std::borrow::Cow<'static, str>>,
    /// More headers carrying signatures of the same message, any of which may match (Box's
    /// `BOX-SIGNATURE-SECONDARY`, with the second key).
    pub(crate) more_headers: Vec<HeaderName>,
    pub(crate) public_entries: Option<PublicKeyEntries>,
    pub(crate) in_body: Option<super::Pointer>,
    /// Where each delivery names its key, when the key is resolved per delivery.
    pub(crate) key_name: Option<KeyName>,
    /// A body field that chooses the algorithm (SNS's `SignatureVersion`).
    pub(crate) algorithm_by: Option<AlgorithmBy>,
}

/// Where a delivery names the key it was signed with, when keys are resolved per delivery by
/// the layer's [`KeyResolver`](crate::keys::KeyResolver).
///
/// ```
/// use tower_webhooks::scheme::{KeyName, Signature};
///
/// let plaid = Signature::new(http::HeaderName::from_static("plaid-verification"))
///     .jwt("request_body_sha256", "iat")
///     .key_named_by_jwt_kid();
/// assert_eq!(plaid.key_source(), Some(&KeyName::JwtKid));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyName {
    /// A header (GitHub secret scanning's `Github-Public-Key-Identifier`, PayPal's
    /// `PAYPAL-CERT-URL`).
    Header(HeaderName),
    /// A field of the JSON body (SNS's `SigningCertURL`).
    Json(super::Pointer),
    /// The `kid` of the JWT's protected header (Plaid).
    JwtKid,
}

/// The algorithm chosen per delivery by a field of the JSON body: Amazon SNS's
/// `SignatureVersion`, `1` for RSA with SHA-1 and `2` for SHA-256. A value not listed makes the
/// delivery malformed. Every choice must use the same kind of key as the signature's algorithm.
///
/// ```
/// use tower_webhooks::scheme::{Algorithm, AlgorithmBy, Pointer};
///
/// let sns = AlgorithmBy::new(Pointer::from_keys(&["SignatureVersion"]))
///     .choice("1", Algorithm::RsaPkcs1Sha1)
///     .choice("2", Algorithm::RsaPkcs1Sha256);
/// assert_eq!(sns.choices().count(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmBy {
    pub(crate) field: super::Pointer,
    pub(crate) choices: Vec<(Cow<'static, str>, Algorithm)>,
}

impl AlgorithmBy {
    /// Chosen by the body field at `field`, with no choice yet.
    pub fn new(field: super::Pointer) -> Self {
        Self {
            field,
            choices: Vec::new(),
        }
    }

    /// The field's value `value` means `algorithm`.
    pub fn choice(mut self, value: impl Into<Cow<'static, str>>, algorithm: Algorithm) -> Self {
        self.choices.push((value.into(), algorithm));
        self
    }

    /// The body field that chooses.
    pub fn field(&self) -> &super::Pointer {
        &self.field
    }

    /// Each value and the algorithm it chooses.
    pub fn choices(&self) -> impl Iterator<Item = (&str, Algorithm)> {
        self.choices
            .iter()
            .map(|(value, algorithm)| (value.as_ref(), *algorithm))
    }

    /// The algorithm `value` chooses, if it is one of the choices.
    pub(crate) fn get(&self, value: &str) -> Option<Algorithm> {
        self.choices
            .iter()
            .find(|(known, _)| known == value)
            .map(|(_, algorithm)| *algorithm)
    }
}

/// Entries of a second kind in a signature list, signed with a private key and checked with a
/// public key that is given as a secret with a prefix of its own: Standard Webhooks' `v1a,`
/// entries (base64 Ed25519) beside its `v1,` HMAC ones, checked with `whpk_<base64 key>`. A
/// layer given an HMAC secret and a public key accepts a header if any one entry matches.
///
/// ```
/// use tower_webhooks::scheme::{PublicKeyEntries, Signature};
///
/// let signature = Signature::new(http::HeaderName::from_static("webhook-signature"))
///     .prefixed_list("v1,", ' ')
///     .or_public_key_entries(PublicKeyEntries::ed25519("v1a,", "whpk_", "whsk_"));
/// assert_eq!(signature.public_key_entries().unwrap().prefix(), "v1a,");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublicKeyEntries {
    pub(crate) prefix: Cow<'static, str>,
    pub(crate) key_prefix: Cow<'static, str>,
    pub(crate) signing_key_prefix: Cow<'static, str>,
    pub(crate) algorithm: Algorithm,
}

impl PublicKeyEntries {
    /// Ed25519 entries (base64 signatures): their prefix in the list, the prefix that marks a
    /// secret as a public key (base64 after it), and the one that marks a private key (a 32-byte
    /// seed, or seed and public key, in base64) for `testing::Signer`.
    pub fn ed25519(
        prefix: impl Into<Cow<'static, str>>,
        key_prefix: impl Into<Cow<'static, str>>,
        signing_key_prefix: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            prefix: prefix.into(),
            key_prefix: key_prefix.into(),
            signing_key_prefix: signing_key_prefix.into(),
            algorithm: Algorithm::Ed25519,
        }
    }

    /// The prefix of these entries in the list (`v1a,`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The prefix that marks a secret as one of these public keys (`whpk_`).
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// The prefix that marks a private key, for signing in tests (`whsk_`).
    pub fn signing_key_prefix(&self) -> &str {
        &self.signing_key_prefix
    }

    /// The algorithm of these entries.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

impl Signature {
    /// A signature in `header`: by default the whole value, lower-case hex HMAC-SHA256 of the body
    /// with the raw secret. Adjust with the other methods.
    ///
    /// ```
    /// use tower_webhooks::scheme::{Encoding, Signature, SignedPart};
    ///
    /// // Slack: `X-Slack-Signature: v0=<hex HMAC of "v0:<timestamp>:<body>">`
    /// let slack = Signature::new(http::HeaderName::from_static("x-slack-signature"))
    ///     .prefix("v0=")
    ///     .signs([
    ///         SignedPart::literal("v0:"),
    ///         SignedPart::Timestamp,
    ///         SignedPart::literal(":"),
    ///         SignedPart::Body,
    ///     ]);
    /// # let _ = slack;
    /// ```
    pub fn new(header: HeaderName) -> Self {
        Self {
            header,
            format: SignatureFormat::Prefixed {
                prefix: Cow::Borrowed(""),
                separator: None,
            },
            encoding: Encoding::Hex,
            algorithm: Algorithm::Hmac(Hash::Sha256),
            signed: vec![SignedPart::Body],
            secret_format: SecretFormat::Raw,
            base_url: None,
            body_hash_param: None,
            more_headers: Vec::new(),
            public_entries: None,
            in_body: None,
            key_name: None,
            algorithm_by: None,
        }
    }

    /// The key is named by this header on each delivery (GitHub secret scanning's
    /// `Github-Public-Key-Identifier`) and found by the layer's
    /// [`KeyResolver`](crate::keys::KeyResolver) instead of being configured as a secret.
    ///
    /// ```
    /// use http::HeaderName;
    /// use tower_webhooks::scheme::Signature;
    ///
    /// let signature = Signature::new(HeaderName::from_static("github-public-key-signature"))
    ///     .ecdsa_p256()
    ///     .key_named_by(HeaderName::from_static("github-public-key-identifier"));
    /// assert_eq!(signature.key_header().unwrap(), "github-public-key-identifier");
    /// ```
    pub fn key_named_by(mut self, header: HeaderName) -> Self {
        self.key_name = Some(KeyName::Header(header));
        self
    }

    /// The key is named by the `kid` of the JWT the signature is (Plaid), and found by the
    /// layer's [`KeyResolver`](crate::keys::KeyResolver).
    pub fn key_named_by_jwt_kid(mut self) -> Self {
        self.key_name = Some(KeyName::JwtKid);
        self
    }

    /// The value is a compact JWS signed with ES256 whose claims bind the body and the time
    /// (see [`SignatureFormat::Jwt`]): Plaid's `jwt("request_body_sha256", "iat")`.
    ///
    /// ```
    /// use tower_webhooks::scheme::{Algorithm, Signature};
    ///
    /// let plaid = Signature::new(http::HeaderName::from_static("plaid-verification"))
    ///     .jwt("request_body_sha256", "iat");
    /// assert_eq!(plaid.algorithm(), Algorithm::Es256);
    /// ```
    pub fn jwt(
        mut self,
        body_hash_claim: impl Into<Cow<'static, str>>,
        issued_at_claim: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.format = SignatureFormat::Jwt {
            body_hash_claim: body_hash_claim.into(),
            issued_at_claim: issued_at_claim.into(),
        };
        self.algorithm = Algorithm::Es256;
        self.encoding = Encoding::Base64Url;
        self.signed.clear();
        self
    }

    /// The key is named by a field of the JSON body (Amazon SNS's `SigningCertURL`), and found
    /// by the layer's [`KeyResolver`](crate::keys::KeyResolver).
    ///
    /// ```
    /// use tower_webhooks::scheme::{KeyName, Pointer, Signature};
    ///
    /// let signature = Signature::new(http::HeaderName::from_static("x-amz-sns-signature"))
    ///     .rsa_pkcs1_sha256()
    ///     .key_named_in_body(Pointer::from_keys(&["SigningCertURL"]));
    /// assert!(matches!(signature.key_source(), Some(KeyName::Json(_))));
    /// ```
    pub fn key_named_in_body(mut self, pointer: super::Pointer) -> Self {
        self.key_name = Some(KeyName::Json(pointer));
        self
    }

    /// The header that names the key of each delivery, if a header does.
    pub fn key_header(&self) -> Option<&HeaderName> {
        match &self.key_name {
            Some(KeyName::Header(name)) => Some(name),
            _ => None,
        }
    }

    /// Where each delivery names its key, if the key is resolved per delivery.
    pub fn key_source(&self) -> Option<&KeyName> {
        self.key_name.as_ref()
    }

    /// The algorithm is chosen per delivery by a body field (Amazon SNS's `SignatureVersion`);
    /// [`algorithm`](Self::algorithm) is the one a signer uses.
    pub fn algorithm_by(mut self, choice: AlgorithmBy) -> Self {
        self.algorithm_by = Some(choice);
        self
    }

    /// The body field that chooses the algorithm, if one does.
    pub fn algorithm_choice(&self) -> Option<&AlgorithmBy> {
        self.algorithm_by.as_ref()
    }

    /// Reads the signature from a field of the JSON body instead of the header (Mailgun's
    /// `/signature/signature`). The body then cannot be signed (it carries the signature):
    /// sign fields of it with [`SignedPart::Json`]. The fields are read by the same scanner that
    /// finds the id, without parsing the body into values, and the signature still gates
    /// everything else.
    ///
    /// ```
    /// use tower_webhooks::scheme::{Pointer, Signature, SignedPart};
    ///
    /// let mailgun = Signature::new(http::HeaderName::from_static("x-mailgun-signature"))
    ///     .in_body(Pointer::from_keys(&["signature", "signature"]))
    ///     .signs([
    ///         SignedPart::Json(Pointer::from_keys(&["signature", "timestamp"])),
    ///         SignedPart::Json(Pointer::from_keys(&["signature", "token"])),
    ///     ]);
    /// assert_eq!(mailgun.body_field().unwrap().as_str(), "/signature/signature");
    /// ```
    pub fn in_body(mut self, pointer: super::Pointer) -> Self {
        self.in_body = Some(pointer);
        self
    }

    /// The body field the signature is read from, when it is not in a header.
    pub fn body_field(&self) -> Option<&super::Pointer> {
        self.in_body.as_ref()
    }

    /// Accepts entries of a second, public-key kind in the list too (Standard Webhooks `v1a,`).
    pub fn or_public_key_entries(mut self, entries: PublicKeyEntries) -> Self {
        self.public_entries = Some(entries);
        self
    }

    /// The public-key entries the list may carry, if any.
    pub fn public_key_entries(&self) -> Option<&PublicKeyEntries> {
        self.public_entries.as_ref()
    }

    /// The value is `<prefix><signature>`.
    pub fn prefix(mut self, prefix: impl Into<Cow<'static, str>>) -> Self {
        self.format = SignatureFormat::Prefixed {
            prefix: prefix.into(),
            separator: None,
        };
        self
    }

    /// The value is a `separator`-separated list of `<prefix><signature>` entries.
    pub fn prefixed_list(mut self, prefix: impl Into<Cow<'static, str>>, separator: char) -> Self {
        self.format = SignatureFormat::Prefixed {
            prefix: prefix.into(),
            separator: Some(separator),
        };
        self
    }

    /// The value is a list of `key=value` pairs; the signatures are the values of `signature_key`.
    pub fn pairs(mut self, separator: char, signature_key: impl Into<Cow<'static, str>>) -> Self {
        self.format = SignatureFormat::Pairs {
            separator,
            signature_key: signature_key.into(),
        };
        self
    }

    /// How the MAC is encoded.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// An HMAC with this hash (SHA-256 unless set).
    pub fn hash(mut self, hash: Hash) -> Self {
        self.algorithm = Algorithm::Hmac(hash);
        self
    }

    /// Signed with Ed25519: the "secret" is the provider's public key, in the
    /// [`secret_format`](Self::secret_format) it is published in (hex, base64).
    pub fn ed25519(mut self) -> Self {
        self.algorithm = Algorithm::Ed25519;
        self
    }

    /// Not signed: the header carries the shared secret itself, after the prefix (GitLab,
    /// Okta), compared in constant time.
    ///
    /// ```
    /// use tower_webhooks::scheme::{Algorithm, Signature};
    ///
    /// let gitlab = Signature::new(http::HeaderName::from_static("x-gitlab-token")).token();
    /// assert_eq!(gitlab.algorithm(), Algorithm::Token);
    /// ```
    pub fn token(mut self) -> Self {
        self.algorithm = Algorithm::Token;
        self.signed.clear();
        self
    }

    /// Signed with ECDSA P-256 / SHA-256 (DER signatures): the "secret" is the provider's public
    /// key, a SubjectPublicKeyInfo in the [`secret_format`](Self::secret_format) (SendGrid:
    /// base64), or PEM.
    pub fn ecdsa_p256(mut self) -> Self {
        self.algorithm = Algorithm::EcdsaP256Sha256;
        self
    }

    /// Signed with RSASSA-PKCS1-v1_5 and SHA-256: the "secret" is the provider's certificate
    /// (PEM, or DER in the [`secret_format`](Self::secret_format)) or public key.
    pub fn rsa_pkcs1_sha256(mut self) -> Self {
        self.algorithm = Algorithm::RsaPkcs1Sha256;
        self
    }

    /// Signed with RSASSA-PKCS1-v1_5 and SHA-1 (Amazon SNS's `SignatureVersion` 1 only).
    pub fn rsa_pkcs1_sha1(mut self) -> Self {
        self.algorithm = Algorithm::RsaPkcs1Sha1;
        self
    }

    /// The signed message, piece by piece.
    pub fn signs(mut self, parts: impl IntoIterator<Item = SignedPart>) -> Self {
        self.signed = parts.into_iter().collect();
        self
    }

    /// How the secret becomes the key.
    pub fn secret_format(mut self, format: SecretFormat) -> Self {
        self.secret_format = format;
        self
    }

    /// The public base URL (scheme and authority, such as `https://example.com`) for
    /// [`SignedPart::Url`]: behind a proxy the request itself does not know it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        while url.ends_with('/') {
            url.pop();
        }
        self.base_url = Some(url);
        self
    }

    /// Twilio's JSON mode: when the URL's query carries `param`, the body is not among the
    /// [`SignedPart::SortedFormParams`]; instead the signed URL pins the body through
    /// `param=<hex SHA-256 of the body>`, which must match the body (checked in constant time).
    ///
    /// ```
    /// use tower_webhooks::scheme::Signature;
    ///
    /// let twilio = Signature::new(http::HeaderName::from_static("x-twilio-signature"))
    ///     .body_hash_param("bodySHA256");
    /// assert_eq!(twilio.body_hash_param_name(), Some("bodySHA256"));
    /// ```
    pub fn body_hash_param(mut self, param: impl Into<Cow<'static, str>>) -> Self {
        self.body_hash_param = Some(param.into());
        self
    }

    /// Another header with a signature of the same message in the same format, made with
    /// another of the secrets; any signature in any of the headers may match (Box signs with a
    /// primary and a secondary key, in two headers, so that keys can rotate).
    ///
    /// ```
    /// use http::HeaderName;
    /// use tower_webhooks::scheme::Signature;
    ///
    /// let boxed = Signature::new(HeaderName::from_static("box-signature-primary"))
    ///     .or_header(HeaderName::from_static("box-signature-secondary"));
    /// assert_eq!(boxed.headers().count(), 2);
    /// ```
    pub fn or_header(mut self, header: HeaderName) -> Self {
        self.more_headers.push(header);
        self
    }

    /// Every header that carries signatures: [`header`](Self::header) first.
    pub fn headers(&self) -> impl Iterator<Item = &HeaderName> {
        std::iter::once(&self.header).chain(&self.more_headers)
    }

    /// The query parameter that pins the body's SHA-256, if any.
    pub fn body_hash_param_name(&self) -> Option<&str> {
        self.body_hash_param.as_deref()
    }

    /// The pieces of the signed message, in order.
    pub fn signed_parts(&self) -> &[SignedPart] {
        &self.signed
    }

    /// How the MAC is encoded in the header.
    pub fn mac_encoding(&self) -> Encoding {
        self.encoding
    }

    /// How the secret becomes the key.
    pub fn key_format(&self) -> &SecretFormat {
        &self.secret_format
    }

    /// The hash under the HMAC; `None` for a public-key algorithm.
    pub fn hash_function(&self) -> Option<Hash> {
        match self.algorithm {
            Algorithm::Hmac(hash) => Some(hash),
            Algorithm::Ed25519
            | Algorithm::EcdsaP256Sha256
            | Algorithm::RsaPkcs1Sha256
            | Algorithm::RsaPkcs1Sha1
            | Algorithm::Es256
            | Algorithm::Token => None,
        }
    }

    /// How the signature is made.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public base URL, for schemes that sign the URL.
    pub fn public_base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The header that carries the signature.
    pub fn header(&self) -> &HeaderName {
        &self.header
    }

    /// Where the signature sits in the header value.
    pub fn format(&self) -> &SignatureFormat {
        &self.format
    }
}
