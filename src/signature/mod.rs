//! Checking signatures: keys derived once, headers parsed, MACs compared in constant time over
//! several secrets, the timestamp checked last. [`Verifier`] is the one object that does it, for
//! the layer and for code that is not a tower service.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::{HeaderMap, HeaderName, Uri};
use smallvec::SmallVec;
use subtle::ConstantTimeEq;

use crate::rejection::Rejection;
use crate::scheme::{Encoding, Scheme, Signature, SignatureFormat, SignedPart, TimestampFormat};
use crate::timestamp;

use self::body_fields::BodyFields;

mod body_fields;
#[cfg(feature = "rsa")]
mod certificate;
#[cfg(feature = "ecdsa")]
mod ecdsa;
#[cfg(feature = "ed25519")]
mod ed25519;
mod encoding;
mod form;
mod hmac;
mod jwt;
mod key;
mod list;
#[cfg(feature = "rsa")]
mod rsa;
mod verifier;

pub(crate) use self::encoding::encode;
pub(crate) use self::key::Key;
#[cfg(any(test, feature = "testing"))]
pub(crate) use self::key::SigningKey;
pub use self::verifier::Verifier;

/// Longest encoded signature we bother decoding: base64 of a 64-byte MAC is 88 characters.
const MAX_ENCODED_LEN: usize = 256;
/// Longest encoded RSA signature: base64 of an 8192-bit one is 1,368 characters.
const MAX_ENCODED_RSA_LEN: usize = 1400;

/// Why a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The signature header is absent.
    Missing,
    /// The header (or a header the signed message needs) cannot be read; the reason is short and
    /// never contains request data.
    Malformed(&'static str),
    /// Well formed, but no signature matches any secret.
    Mismatch,
    /// Authentic, but the timestamp is outside the tolerance.
    Stale,
}

/// The pieces of a request that a signed message is made of.
pub(crate) struct Message<'a> {
    pub(crate) parts: &'a [SignedPart],
    pub(crate) timestamp: &'a str,
    pub(crate) id: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) base_url: &'a str,
    pub(crate) uri: &'a Uri,
    /// The request's method (POST unless set).
    pub(crate) method: &'a str,
    /// Twilio's JSON mode: the URL pins the body's hash, so the body is not form parameters.
    pub(crate) body_pinned: bool,
    /// The request's headers, for the parts that sign one (PayPal).
    pub(crate) headers: Option<&'a HeaderMap>,
    /// The algorithm, when a body field chose it (SNS); the signature's otherwise.
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    pub(crate) algorithm: crate::scheme::Algorithm,
    /// The body fields the parts sign, when `verify` has scanned them already.
    fields: Option<&'a BodyFields<'a>>,
}

impl<'a> Message<'a> {
    /// The message `signature` signs for a request with these pieces.
    pub(crate) fn new(
        signature: &'a Signature,
        timestamp: &'a str,
        id: &'a str,
        body: &'a [u8],
        uri: &'a Uri,
    ) -> Self {
        Self {
            parts: &signature.signed,
            timestamp,
            id,
            body,
            base_url: signature.base_url.as_deref().unwrap_or(""),
            uri,
            method: "POST",
            body_pinned: body_hash_param(signature, uri).is_some(),
            headers: None,
            algorithm: signature.algorithm,
            fields: None,
        }
    }

    /// The message of a request with these headers.
    pub(crate) fn with_headers(mut self, headers: &'a HeaderMap) -> Self {
        self.headers = Some(headers);
        self
    }

    /// The message of a request with this method.
    pub(crate) fn with_method(mut self, method: &'a http::Method) -> Self {
        self.method = method.as_str();
        self
    }

    /// The signed message in one buffer, for the algorithms that need it whole.
    #[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
    fn to_vec(&self) -> Vec<u8> {
        // Room for the body and what surrounds it, so that the copy does not grow in steps.
        let mut bytes = Vec::with_capacity(self.body.len() + 256);
        self.feed(|part| bytes.extend_from_slice(part));
        bytes
    }

    /// Feeds the signed message to `update` piece by piece, without concatenating.
    fn feed(&self, mut update: impl FnMut(&[u8])) {
        // The signed body fields, scanned once by `verify` (or here, for a signer).
        let mut scanned = self.fields.map(BodyFields::parts);
        for part in self.parts {
            match part {
                SignedPart::Literal(bytes) => update(bytes),
                SignedPart::Timestamp => update(self.timestamp.as_bytes()),
                SignedPart::Id => update(self.id.as_bytes()),
                SignedPart::Body => update(self.body),
                SignedPart::Method => update(self.method.as_bytes()),
                SignedPart::Url => {
                    update(self.base_url.as_bytes());
                    let path = self.uri.path_and_query().map_or("/", |pq| pq.as_str());
                    update(path.as_bytes());
                }
                SignedPart::Json(pointer) => {
                    // Present: `verify` checked it before comparing.
                    let value = match &mut scanned {
                        Some(values) => values.next().flatten().map(Cow::Borrowed),
                        None => crate::identify::json_field(self.body, pointer).map(Cow::Owned),
                    };
                    if let Some(value) = value {
                        update(value.as_bytes());
                    }
                }
                SignedPart::Header(name) => {
                    // Present once: `verify` checked it before comparing.
                    if let Some(value) = self.headers.and_then(|headers| headers.get(name)) {
                        update(value.as_bytes());
                    }
                }
                SignedPart::BodyCrc32 => update(crc32fast::hash(self.body).to_string().as_bytes()),
                SignedPart::Fields(fields) => {
                    let mut line = |name: &str, value: &str| {
                        update(name.as_bytes());
                        update(b"\n");
                        update(value.as_bytes());
                        update(b"\n");
                    };
                    match &mut scanned {
                        Some(values) => {
                            for (field, value) in fields.iter().zip(values.by_ref()) {
                                if let Some(value) = value {
                                    line(&field.name, value);
                                }
                            }
                        }
                        None => {
                            for (field, value) in fields.iter().zip(body_fields(self.body, fields))
                            {
                                if let Some(value) = value {
                                    line(&field.name, &value);
                                }
                            }
                        }
                    }
                }
                SignedPart::SortedFormParams if self.body_pinned => {}
                SignedPart::SortedFormParams => {
                    form::sorted_params(self.body, |name, value| {
                        update(name.as_bytes());
                        update(value.as_bytes());
                    });
                }
            }
        }
    }
}

/// What a request presents for verification, besides the signature settings.
pub(crate) struct Presented<'a> {
    pub(crate) method: &'a http::Method,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) uri: &'a Uri,
    pub(crate) body: &'a [u8],
    /// The raw timestamp, when the scheme has one in a header of its own.
    pub(crate) timestamp_header: Option<&'a HeaderName>,
    /// The pair key of the timestamp, when it sits in the signature header.
    pub(crate) timestamp_pair: Option<&'a str>,
    /// Where the timestamp is in the JSON body, when it is there.
    pub(crate) timestamp_pointer: Option<&'a crate::scheme::Pointer>,
    /// How the timestamp is written.
    pub(crate) timestamp_format: TimestampFormat,
    /// The delivery id header, when the id is part of the signed message.
    pub(crate) id_header: Option<&'a HeaderName>,
}

/// The value of the scheme's body-hash query parameter, when the URL carries it.
fn body_hash_param<'a>(signature: &Signature, uri: &'a Uri) -> Option<std::borrow::Cow<'a, str>> {
    let name = signature.body_hash_param.as_deref()?;
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// The values of the top-level `fields` of a JSON body, in order (`None` where absent, and for
/// every field if the body is not JSON).
fn body_fields<'a>(body: &'a [u8], fields: &[crate::scheme::Field]) -> Vec<Option<Cow<'a, str>>> {
    let pointers: Vec<&[String]> = fields
        .iter()
        .map(|field| field.pointer.segments())
        .collect();
    crate::identify::json_fields(body, &pointers).unwrap_or_else(|| vec![None; fields.len()])
}

/// Checks that what the signed parts read from the request is there, once: the headers they
/// sign, and the body fields they need.
fn check_parts(
    signature: &Signature,
    request: &Presented<'_>,
    fields: Option<&BodyFields>,
) -> Result<(), SignatureError> {
    let missing = || SignatureError::Malformed("a signed field is missing from the body");
    let mut scanned = fields.map(BodyFields::parts);
    for part in &signature.signed {
        match part {
            SignedPart::Json(_) => {
                let value = scanned.as_mut().and_then(Iterator::next).flatten();
                if value.is_none() {
                    return Err(missing());
                }
            }
            SignedPart::Fields(list) => {
                for field in list {
                    let value = scanned.as_mut().and_then(Iterator::next).flatten();
                    if value.is_none() && !field.optional {
                        return Err(missing());
                    }
                }
            }
            SignedPart::Header(name) => {
                single_header(request.headers, name)?
                    .ok_or(SignatureError::Malformed("a signed header is missing"))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// What a successful verification established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verification<'a> {
    /// The signed timestamp, if the scheme has one.
    pub(crate) timestamp: Option<i64>,
    /// The index of the key that matched.
    pub(crate) key: usize,
    /// The id header's value, where the scheme signs it: read once, here, and passed on to the
    /// identity (the scheme's id header is the one it signs).
    pub(crate) id: Option<&'a str>,
}

/// Checks the signature of a request against every key.
///
/// The order is fixed: parse (malformed), then compare in constant time (mismatch), and only for
/// an authentic request the tolerance (stale), so a forger learns nothing about our clock.
pub(crate) fn verify<'a>(
    signature: &Signature,
    keys: &[Key],
    request: &Presented<'a>,
    now: i64,
    tolerance_secs: u64,
) -> Result<Verification<'a>, SignatureError> {
    if signature.algorithm == crate::scheme::Algorithm::Token {
        return verify_token(signature, keys, request);
    }
    if let SignatureFormat::Jwt { .. } = signature.format {
        return jwt::verify(signature, keys, request, now, tolerance_secs);
    }
    let mut signatures = Signatures::new(signature.algorithm);
    // Only a scheme with public-key entries pays for their room.
    let mut entries = signature
        .public_entries
        .as_ref()
        .map(|entries| Signatures::new(entries.algorithm));
    let mut parsed = Parsed { timestamp: None };
    let mut present = false;
    // Every body field the check reads, in one pass (none for most schemes).
    let fields = BodyFields::needed(signature, request.timestamp_pointer)
        .then(|| BodyFields::scan(signature, request.timestamp_pointer, request.body));
    if signature.in_body.is_some() {
        // In the body (Mailgun, SNS): the field is the signature, after the format's prefix.
        let value = fields
            .as_ref()
            .and_then(BodyFields::signature)
            .ok_or(SignatureError::Missing)?;
        parse(signature, value, None, &mut signatures, None)?;
        present = true;
    }
    for name in signature.headers().filter(|_| signature.in_body.is_none()) {
        let Some(value) = single_header(request.headers, name)? else {
            continue;
        };
        present = true;
        let more = parse(
            signature,
            value,
            request.timestamp_pair,
            &mut signatures,
            entries.as_mut(),
        )?;
        if let Some(timestamp) = more.timestamp {
            // A pairs header carries the timestamp: two headers may not give two.
            if parsed.timestamp.replace(timestamp).is_some() {
                return Err(SignatureError::Malformed("timestamp given twice"));
            }
        }
    }
    if !present {
        return Err(SignatureError::Missing);
    }
    check_parts(signature, request, fields.as_ref())?;
    let algorithm = match &signature.algorithm_by {
        None => signature.algorithm,
        Some(choice) => fields
            .as_ref()
            .and_then(BodyFields::version)
            .and_then(|value| choice.get(value))
            .ok_or(SignatureError::Malformed(
                "the signature version is not supported",
            ))?,
    };

    let timestamp_raw = match (request.timestamp_header, parsed.timestamp) {
        (_, Some(raw)) => Some(raw),
        (Some(name), None) => Some(
            single_header(request.headers, name)?
                .ok_or(SignatureError::Malformed("timestamp header missing"))?,
        ),
        (None, None) => None,
    };
    let malformed = || {
        SignatureError::Malformed(match request.timestamp_format {
            TimestampFormat::UnixSeconds => "timestamp is not unix seconds",
            TimestampFormat::UnixMillis => "timestamp is not unix milliseconds",
            TimestampFormat::Rfc3339 => "timestamp is not an RFC 3339 date-time",
        })
    };
    let mut timestamp = timestamp_raw
        .map(|raw| timestamp::parse(raw, request.timestamp_format).ok_or_else(malformed))
        .transpose()?;
    let id = match request.id_header {
        Some(name) => Some(
            single_header(request.headers, name)?
                .ok_or(SignatureError::Malformed("id header missing"))?,
        ),
        None => None,
    };

    let message = Message::new(
        signature,
        timestamp_raw.unwrap_or(""),
        id.unwrap_or(""),
        request.body,
        request.uri,
    )
    .with_method(request.method)
    .with_headers(request.headers);
    let message = Message {
        algorithm,
        fields: fields.as_ref(),
        ..message
    };
    let matched = keys
        .iter()
        .position(|key| key.accepts(&message, &signatures, entries.as_ref()));
    let Some(key) = matched else {
        return Err(SignatureError::Mismatch);
    };
    if request.timestamp_pointer.is_some() {
        // In the body: read only now that the signature over the body has matched.
        let raw = fields
            .as_ref()
            .and_then(BodyFields::timestamp)
            .ok_or(SignatureError::Malformed("timestamp missing from the body"))?;
        timestamp = Some(timestamp::parse(raw, request.timestamp_format).ok_or_else(malformed)?);
    }
    if let Some(pinned) = body_hash_param(signature, request.uri) {
        // The signature covers the URL, and the URL pins the body.
        let digest = <sha2::Sha256 as sha2::Digest>::digest(request.body);
        let given = hex::decode(pinned.as_bytes()).unwrap_or_default();
        if !bool::from(digest.as_slice().ct_eq(&given)) {
            return Err(SignatureError::Mismatch);
        }
    }

    if let Some(ts) = timestamp {
        let skew = (i128::from(now) - i128::from(ts)).unsigned_abs();
        if skew > u128::from(tolerance_secs) {
            return Err(SignatureError::Stale);
        }
    }
    Ok(Verification { timestamp, key, id })
}

/// The scheme's check of a request: which headers the scheme reads, then [`verify`], with its
/// errors as rejections. What [`Verifier`] runs for the layer and for its own callers.
pub(crate) fn check<'a>(
    scheme: &'a Scheme,
    keys: &[Key],
    (method, headers, uri, body): (&'a http::Method, &'a HeaderMap, &'a Uri, &'a [u8]),
    now: i64,
    tolerance_secs: u64,
) -> Result<Verification<'a>, Rejection> {
    let Some(signature) = &scheme.signature else {
        return Err(Rejection::InvalidSignature);
    };
    let presented = Presented {
        method,
        headers,
        uri,
        body,
        timestamp_header: scheme.timestamp_header(),
        timestamp_pair: scheme.timestamp_pair(),
        timestamp_pointer: scheme.timestamp_pointer(),
        timestamp_format: scheme.timestamp_format,
        id_header: scheme
            .id
            .header()
            .filter(|_| signature.signed.contains(&SignedPart::Id)),
    };
    let verification = verify(signature, keys, &presented, now, tolerance_secs)?;
    // A key from a certificate is good only within its validity, however it was given
    // (configured, or resolved per delivery); checked once the signature matched, so that a
    // forger learns nothing from it.
    if keys
        .get(verification.key)
        .and_then(Key::validity)
        .is_some_and(|(from, until)| now < from || now > until)
    {
        return Err(Rejection::MalformedSignature(
            "the signing certificate is expired or not yet valid",
        ));
    }
    Ok(verification)
}

impl From<SignatureError> for Rejection {
    fn from(err: SignatureError) -> Self {
        match err {
            SignatureError::Missing => Rejection::MissingSignature,
            SignatureError::Malformed(why) => Rejection::MalformedSignature(why),
            SignatureError::Mismatch => Rejection::InvalidSignature,
            SignatureError::Stale => Rejection::StaleTimestamp,
        }
    }
}

/// A token scheme: the header's value, after the prefix, is one of the secrets.
fn verify_token<'a>(
    signature: &Signature,
    keys: &[Key],
    request: &Presented<'a>,
) -> Result<Verification<'a>, SignatureError> {
    let value =
        single_header(request.headers, &signature.header)?.ok_or(SignatureError::Missing)?;
    let prefix = match &signature.format {
        SignatureFormat::Prefixed { prefix, .. } => prefix.as_ref(),
        SignatureFormat::Pairs { .. } | SignatureFormat::Jwt { .. } => "",
    };
    let token = strip(value.trim_ascii(), prefix)
        .ok_or(SignatureError::Malformed("signature prefix missing"))?;
    if token.is_empty() {
        return Err(SignatureError::Malformed("token is empty"));
    }
    let key = keys
        .iter()
        .position(|key| key.token_matches(token.as_bytes()))
        .ok_or(SignatureError::Mismatch)?;
    Ok(Verification {
        timestamp: None,
        key,
        id: None,
    })
}

/// One header value as a string; a repeated header is ambiguous and refused.
fn single_header<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'a str>, SignatureError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(SignatureError::Malformed("header repeated"));
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| SignatureError::Malformed("header is not visible ASCII"))
}

/// Most signatures kept from one header: rotation lists carry two or three.
const MAX_SIGNATURES: usize = 8;
const TOO_MANY: SignatureError = SignatureError::Malformed("too many signatures");
/// Room for one decoded candidate: a 64-byte MAC, plus the slack base64's size estimate wants.
const CANDIDATE_LEN: usize = 72;

/// One decoded signature.
#[derive(Clone, Copy)]
struct Candidate {
    bytes: [u8; CANDIDATE_LEN],
    /// The decoded length; `None` for a validly encoded value too long to be any MAC.
    len: Option<usize>,
}

/// The decoded signatures of a header, on the stack for up to two (a rotation list rarely has
/// more): verifying allocates nothing, and sets up only the candidates it decodes.
pub(super) struct Signatures {
    short: SmallVec<[Candidate; 2]>,
    count: usize,
    /// RSA signatures, too long for the slots: kept on the heap, for RSA schemes only.
    long: Option<Vec<Vec<u8>>>,
}

impl Signatures {
    fn new(algorithm: crate::scheme::Algorithm) -> Self {
        Self {
            short: SmallVec::new(),
            count: 0,
            long: algorithm.is_rsa().then(Vec::new),
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Decodes one signature. Undecodable input is malformed; a decodable one of the wrong
    /// length simply will not match. An empty signature never passes.
    fn push(&mut self, encoding: Encoding, encoded: &str) -> Result<(), SignatureError> {
        if encoded.is_empty() {
            return Err(SignatureError::Malformed("signature is empty"));
        }
        let max = if self.long.is_some() {
            MAX_ENCODED_RSA_LEN
        } else {
            MAX_ENCODED_LEN
        };
        if encoded.len() > max {
            return Err(SignatureError::Malformed("signature is too long"));
        }
        if self.count == MAX_SIGNATURES {
            return Err(TOO_MANY);
        }
        if let Some(long) = &mut self.long {
            let decoded = match encoding {
                Encoding::Hex => hex::decode(encoded).ok(),
                Encoding::Base64 => BASE64.decode(encoded).ok(),
                Encoding::Base64Url => encoding::BASE64_URL.decode(encoded).ok(),
            }
            .ok_or(SignatureError::Malformed(
                "signature is not validly encoded",
            ))?;
            long.push(decoded);
            self.count += 1;
            return Ok(());
        }
        let mut candidate = Candidate {
            bytes: [0; CANDIDATE_LEN],
            len: None,
        };
        let slot = &mut candidate.bytes;
        let len = match encoding {
            Encoding::Hex => {
                let len = encoded.len() / 2;
                let not_hex = SignatureError::Malformed("signature is not hex");
                if !encoded.len().is_multiple_of(2) {
                    return Err(not_hex);
                }
                if len <= CANDIDATE_LEN {
                    encoding::decode_hex(encoded.as_bytes(), &mut slot[..len]).ok_or(not_hex)?;
                    Some(len)
                } else {
                    hex::decode(encoded).map_err(|_| not_hex)?;
                    None
                }
            }
            // A MAC's few dozen characters, on the hot path: decoded without the engine.
            Encoding::Base64 if encoded.len() / 4 * 3 <= CANDIDATE_LEN => Some(
                encoding::decode_standard_base64(encoded.as_bytes(), slot)
                    .ok_or(SignatureError::Malformed("signature is not base64"))?,
            ),
            Encoding::Base64 => decode_base64(&BASE64, encoded, slot, "signature is not base64")?,
            Encoding::Base64Url => decode_base64(
                &encoding::BASE64_URL,
                encoded,
                slot,
                "signature is not base64url",
            )?,
        };
        candidate.len = len;
        self.short.push(candidate);
        self.count += 1;
        Ok(())
    }

    /// The decoded signatures that could be any signature (not too long to be one).
    #[cfg(any(feature = "ed25519", feature = "ecdsa", feature = "rsa"))]
    fn candidates(&self) -> impl Iterator<Item = &[u8]> {
        let long = self.long.iter().flatten().map(Vec::as_slice);
        self.short
            .iter()
            .filter_map(|candidate| candidate.len.map(|len| &candidate.bytes[..len]))
            .chain(long)
    }

    /// Whether any candidate equals `mac`, in constant time for equal lengths (a length
    /// mismatch is public anyway).
    fn matches(&self, mac: &[u8]) -> bool {
        let mut equal = subtle::Choice::from(0);
        for candidate in &self.short {
            if candidate.len == Some(mac.len()) {
                equal |= ct_eq_words(&candidate.bytes[..mac.len()], mac);
            }
        }
        bool::from(equal)
    }
}

/// Constant-time equality of equal-length slices, eight bytes per `subtle` comparison: the same
/// guarantee as `subtle`'s byte-wise slice comparison, with an eighth of its optimisation barriers.
fn ct_eq_words(a: &[u8], b: &[u8]) -> subtle::Choice {
    debug_assert_eq!(a.len(), b.len());
    let mut equal = subtle::Choice::from(1);
    let (a_words, a_tail) = a.split_at(a.len() - a.len() % 8);
    let (b_words, b_tail) = b.split_at(a_words.len());
    for (x, y) in a_words.chunks_exact(8).zip(b_words.chunks_exact(8)) {
        let word = |c: &[u8]| u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        equal &= word(x).ct_eq(&word(y));
    }
    equal & a_tail.ct_eq(b_tail)
}

/// `value` without `prefix`; an empty prefix skips the comparison call, which profiles showed
/// costing a fifth of a 64-byte verification.
fn strip<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        Some(value)
    } else {
        value.strip_prefix(prefix)
    }
}

/// Equality of the short keys of a pairs header (`t`, `v1`, `ts`), inline: a call to the C
/// library's comparison costs more than the comparison itself.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// What the header says besides the signatures.
struct Parsed<'a> {
    timestamp: Option<&'a str>,
}

fn parse<'a>(
    signature: &Signature,
    value: &'a str,
    timestamp_pair: Option<&str>,
    signatures: &mut Signatures,
    mut entries: Option<&mut Signatures>,
) -> Result<Parsed<'a>, SignatureError> {
    let mut parsed = Parsed { timestamp: None };
    match &signature.format {
        SignatureFormat::Prefixed {
            prefix,
            separator: None,
        } => {
            let encoded = strip(value.trim_ascii(), prefix)
                .ok_or(SignatureError::Malformed("signature prefix missing"))?;
            signatures.push(signature.encoding, encoded)?;
        }
        SignatureFormat::Prefixed {
            prefix,
            separator: Some(separator),
        } => {
            let mut seen = false;
            let public = signature.public_entries.as_ref().map(|e| e.prefix.as_ref());
            // ASCII white space around entries, as headers carry it (their values are ASCII):
            // Unicode's white space takes a slower search, on every delivery.
            for entry in list::split(value, *separator).map(str::trim_ascii) {
                // Public-key entries (`v1a,`) go to their own list when the scheme reads them.
                let public = public.and_then(|public| strip(entry, public));
                let (into, encoding, encoded) = match (public, entries.as_deref_mut()) {
                    (Some(encoded), Some(public_list)) => (public_list, Encoding::Base64, encoded),
                    _ => match strip(entry, prefix) {
                        Some(encoded) => (&mut *signatures, signature.encoding, encoded),
                        // Other versions (`v2,`) are not ours to check.
                        None => continue,
                    },
                };
                seen = true;
                // An entry we cannot read is skipped: another one may match.
                if let Err(err) = into.push(encoding, encoded)
                    && err == TOO_MANY
                {
                    return Err(err);
                }
            }
            if !seen {
                return Err(SignatureError::Malformed(
                    "no signature with the expected version",
                ));
            }
            if signatures.is_empty() && entries.is_none_or(|list| list.is_empty()) {
                return Err(SignatureError::Malformed(
                    "signature is not validly encoded",
                ));
            }
        }
        SignatureFormat::Pairs {
            separator,
            signature_key,
        } => {
            for pair in list::split(value, *separator) {
                let Some((key, val)) = list::split_once(pair, '=') else {
                    continue;
                };
                let (key, val) = (key.trim_ascii(), val.trim_ascii());
                if same(key, signature_key) {
                    signatures.push(signature.encoding, val)?;
                } else if timestamp_pair.is_some_and(|t| same(key, t))
                    && parsed.timestamp.replace(val).is_some()
                {
                    return Err(SignatureError::Malformed("timestamp given twice"));
                }
            }
            if signatures.is_empty() {
                return Err(SignatureError::Malformed("no signature in the header"));
            }
            if timestamp_pair.is_some() && parsed.timestamp.is_none() {
                return Err(SignatureError::Malformed("no timestamp in the header"));
            }
        }
        // Read by `jwt::verify`, which `verify` hands a JWT scheme to first.
        SignatureFormat::Jwt { .. } => {
            return Err(SignatureError::Malformed("a JWT is not a list"));
        }
    }
    Ok(parsed)
}

/// Computes the signature header value for a message (used by [`crate::testing`]).
#[cfg(any(test, feature = "testing"))]
pub(crate) fn sign(
    signature: &Signature,
    key: &SigningKey,
    message: &Message<'_>,
    timestamp_pair: Option<&str>,
) -> String {
    if let SignatureFormat::Jwt { .. } = signature.format {
        let kid = if message.id.is_empty() {
            "key-1"
        } else {
            message.id
        };
        return jwt::sign(signature, key, kid, message.timestamp, message.body);
    }
    let raw = key.sign(message);
    if let (Some(entries), true) = (&signature.public_entries, key.is_entry()) {
        return format!("{}{}", entries.prefix, encode(Encoding::Base64, &raw));
    }
    let encoded = match signature.algorithm {
        // A token is sent as it is.
        crate::scheme::Algorithm::Token => String::from_utf8_lossy(&raw).into_owned(),
        _ => encode(signature.encoding, &raw),
    };
    match &signature.format {
        SignatureFormat::Prefixed { prefix, .. } => format!("{prefix}{encoded}"),
        SignatureFormat::Pairs {
            separator,
            signature_key,
        } => match timestamp_pair {
            Some(ts_key) => format!(
                "{ts_key}={}{separator}{signature_key}={encoded}",
                message.timestamp
            ),
            None => format!("{signature_key}={encoded}"),
        },
        SignatureFormat::Jwt { .. } => encoded,
    }
}

/// Decodes base64 into `slot` when it fits; a longer value is still checked to be base64 (so
/// that it is malformed, not a mismatch, when it is not), and gives no candidate.
fn decode_base64(
    engine: &impl base64::Engine,
    encoded: &str,
    slot: &mut [u8],
    not_base64: &'static str,
) -> Result<Option<usize>, SignatureError> {
    match engine.decode_slice(encoded, slot) {
        Ok(len) => Ok(Some(len)),
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => {
            engine
                .decode(encoded)
                .map_err(|_| SignatureError::Malformed(not_base64))?;
            Ok(None)
        }
        Err(_) => Err(SignatureError::Malformed(not_base64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::scheme::SecretFormat;
    use crate::secret::SecretError;
    use http::HeaderValue;

    fn ycloud() -> Signature {
        crate::provider::ycloud::scheme().signature.unwrap()
    }

    fn request<'a>(headers: &'a HeaderMap, uri: &'a Uri, body: &'a [u8]) -> Presented<'a> {
        Presented {
            method: &http::Method::POST,
            headers,
            uri,
            body,
            timestamp_header: None,
            timestamp_pair: Some("t"),
            timestamp_pointer: None,
            timestamp_format: TimestampFormat::UnixSeconds,
            id_header: None,
        }
    }

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("ycloud-signature", HeaderValue::from_str(value).unwrap());
        map
    }

    fn signed(sig: &Signature, key: &Key, ts: &str, body: &[u8]) -> String {
        let key = &SigningKey::Hmac(key.hmac().unwrap().clone());
        let uri = Uri::from_static("/");
        let message = Message::new(sig, ts, "", body, &uri);
        sign(sig, key, &message, Some("t"))
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let sig = ycloud();
        let key = Key::derive(&Secret::from("s3cret"), &sig).unwrap();
        let value = signed(&sig, &key, "1000", b"{}");
        let uri = Uri::from_static("/");
        let h = headers(&value);
        assert_eq!(
            verify(&sig, &[key], &request(&h, &uri, b"{}"), 1000, 300),
            Ok(Verification {
                timestamp: Some(1000),
                key: 0,
                id: None,
            })
        );
    }

    #[test]
    fn any_of_several_secrets_matches() {
        let sig = ycloud();
        let old = Key::derive(&Secret::from("old"), &sig).unwrap();
        let new = Key::derive(&Secret::from("new"), &sig).unwrap();
        let value = signed(&sig, &old, "1000", b"{}");
        let uri = Uri::from_static("/");
        let h = headers(&value);
        assert_eq!(
            verify(
                &sig,
                &[new.clone(), old],
                &request(&h, &uri, b"{}"),
                1000,
                300
            )
            .map(|v| v.key),
            Ok(1),
            "the second secret matched"
        );
        assert_eq!(
            verify(&sig, &[new], &request(&h, &uri, b"{}"), 1000, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn empty_and_short_signatures_never_pass() {
        let sig = ycloud();
        let key = Key::derive(&Secret::from("k"), &sig).unwrap();
        let uri = Uri::from_static("/");
        for value in [
            "t=1000,s=",
            "t=1000,s=00",
            "t=1000,s=0",
            "t=1000",
            "s=,t=1000",
        ] {
            let h = headers(value);
            assert!(
                verify(
                    &sig,
                    std::slice::from_ref(&key),
                    &request(&h, &uri, b"{}"),
                    1000,
                    300
                )
                .is_err(),
                "{value}"
            );
        }
    }

    #[test]
    fn repeated_timestamp_is_malformed() {
        let sig = ycloud();
        let key = Key::derive(&Secret::from("k"), &sig).unwrap();
        let good = signed(&sig, &key, "1000", b"{}");
        let h = headers(&format!("{good},t=1000"));
        let uri = Uri::from_static("/");
        assert_eq!(
            verify(&sig, &[key], &request(&h, &uri, b"{}"), 1000, 300),
            Err(SignatureError::Malformed("timestamp given twice"))
        );
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let sig = ycloud();
        let key = Key::derive(&Secret::from("k"), &sig).unwrap();
        let uri = Uri::from_static("/");
        let value = signed(&sig, &key, "9223372036854775807", b"{}");
        let h = headers(&value);
        assert_eq!(
            verify(
                &sig,
                &[key],
                &request(&h, &uri, b"{}"),
                i64::MIN,
                u64::MAX / 2
            ),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn base64_secret_is_decoded_after_prefix() {
        let sig = ycloud().secret_format(SecretFormat::Base64 {
            prefix: "whsec_".into(),
        });
        assert!(Key::derive(&Secret::from("whsec_aGVsbG8="), &sig).is_ok());
        assert_eq!(
            Key::derive(&Secret::from("whsec_***"), &sig).err(),
            Some(SecretError::NotBase64)
        );
        assert_eq!(
            Key::derive(&Secret::from(""), &ycloud()).err(),
            Some(SecretError::Empty)
        );
    }

    #[test]
    fn key_debug_is_redacted() {
        let key = Key::derive(&Secret::from("hunter2"), &ycloud()).unwrap();
        assert_eq!(format!("{key:?}"), "Key([redacted])");
    }

    #[test]
    fn word_comparison_is_equality() {
        let a: Vec<u8> = (0..64).collect();
        for len in [0, 1, 7, 8, 9, 20, 32, 64] {
            assert!(bool::from(ct_eq_words(&a[..len], &a[..len])));
            for flip in 0..len {
                let mut b = a[..len].to_vec();
                b[flip] ^= 1;
                assert!(!bool::from(ct_eq_words(&a[..len], &b)), "{len} {flip}");
            }
        }
    }
}
