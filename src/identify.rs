//! Finding a delivery's id, type and dedup key, in headers or in the JSON body.
//!
//! The body is scanned once, without building a `serde_json::Value`: only the fields named by
//! JSON pointers are copied out, everything else is skipped (and still validated). The identity
//! scan stops as soon as it has every value it seeks: the rest of the body is the handler's to
//! parse (`Event<T>` does), and is not read twice. A key given twice counts there by its first
//! occurrence; the scans that feed a signature read the whole body, and the last occurrence
//! counts, as for `serde_json::Value`.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use http::{HeaderMap, HeaderName};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};
use smallvec::SmallVec;

use crate::scheme::{Marker, Payload, Pointer, Scheme, Source};

/// Longest dedup key accepted: provider ids are tens of bytes.
pub(crate) const MAX_KEY_LEN: usize = 1024;

/// Who a delivery is: borrowed from its headers and body where no escape had to be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity<'a> {
    /// The provider's id for the event (or the body hash).
    pub(crate) id: Cow<'a, str>,
    /// The dedup key when it is more than the id: the id and its qualifiers, joined by `:`.
    pub(crate) qualified: Option<String>,
    pub(crate) event_type: Option<Cow<'a, str>>,
    /// The token of a signed handshake, when the delivery is one (possibly empty).
    pub(crate) challenge: Option<String>,
    /// The body is a form (on a scheme that accepts forms), as the scan read it.
    pub(crate) form: bool,
}

impl<'a> Identity<'a> {
    /// The dedup key: the id, or the id and its qualifiers joined by `:`.
    pub(crate) fn key(&self) -> &str {
        self.qualified.as_deref().unwrap_or(&self.id)
    }

    /// The identity of a delivery known by its body alone: id and key are the body's SHA-256.
    pub(crate) fn of_body(
        body: &[u8],
        event_type: Option<Cow<'a, str>>,
        challenge: Option<String>,
        form: bool,
    ) -> Self {
        Self {
            id: Cow::Owned(body_hash(body)),
            qualified: None,
            event_type,
            challenge,
            form,
        }
    }
}

/// Why an authentic delivery cannot be identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unidentified {
    NotJson,
    MissingId,
    IdTooLong,
}

impl Unidentified {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Unidentified::NotJson => "body is not valid JSON",
            Unidentified::MissingId => "delivery id is missing",
            Unidentified::IdTooLong => "delivery id is too long",
        }
    }
}

/// The SHA-256 of the body in hex: the key of last resort.
pub(crate) fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Finds the id, key and type of a verified delivery, and whether it is a signed handshake, in
/// one pass over the body. (The layer keeps its scheme's [`Plan`]; this makes one each time.)
#[cfg(test)]
pub(crate) fn identify<'a>(
    scheme: &Scheme,
    headers: &'a HeaderMap,
    body: &'a [u8],
) -> Result<Identity<'a>, Unidentified> {
    Plan::new(scheme).identify(headers, body, None)
}

/// Where a scheme's id, type and signed handshake are, worked out once per layer: which come
/// from headers, and which slot of the one body scan each of the others fills.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    payload: Payload,
    /// The JSON pointers the body scan looks for, by slot.
    pointers: Vec<Vec<String>>,
    /// The id's parts, joined by `:` into the key when there are several.
    id: Vec<At>,
    /// The type's sources, the first non-empty one counting.
    event_type: Vec<At>,
    /// A signed handshake: where its marker is, the marker's value, and where its token is.
    handshake: Option<(At, String, Option<At>)>,
    /// A delivery without its id is known by its body's hash.
    fallback: bool,
}

/// Where one sought value is: a header, or a slot of the body scan.
#[derive(Debug, Clone)]
enum At {
    Header(HeaderName),
    Body(usize),
}

impl Plan {
    pub(crate) fn new(scheme: &Scheme) -> Self {
        let mut pointers: Vec<Vec<String>> = Vec::new();
        let mut pointer = |pointer: &Pointer| {
            pointers.push(pointer.segments().to_vec());
            At::Body(pointers.len() - 1)
        };
        let locate = |source: &Source, pointer: &mut dyn FnMut(&Pointer) -> At| match source {
            Source::Json(p) => pointer(p),
            Source::Header(name) => At::Header(name.clone()),
        };
        let id = scheme
            .id
            .parts()
            .iter()
            .map(|s| locate(s, &mut pointer))
            .collect();
        let event_type = scheme
            .event_type
            .iter()
            .map(|s| locate(s, &mut pointer))
            .collect();
        let handshake = scheme.handshake.as_ref().and_then(|h| h.signed_fields());
        let handshake = handshake.map(|(event, value, token)| {
            let event_at = match event {
                Marker::Json(p) => pointer(p),
                Marker::Header(name) => At::Header(name.clone()),
            };
            (event_at, value.to_owned(), token.map(&mut pointer))
        });
        Self {
            payload: scheme.payload,
            pointers,
            id,
            event_type,
            handshake,
            fallback: scheme.id.fallback(),
        }
    }

    /// The identity of a verified delivery of the plan's scheme; `signed_id` is the id header's
    /// value where the signature read it already (the scheme signs its id).
    pub(crate) fn identify<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &'a [u8],
        signed_id: Option<&'a str>,
    ) -> Result<Identity<'a>, Unidentified> {
        // The pointers as the scans take them; on the stack (no scheme seeks more than a few).
        let mut pointers: SmallVec<[&[String]; 8]> = SmallVec::new();
        pointers.extend(self.pointers.iter().map(Vec::as_slice));
        let format = body_format(self.payload, headers, body);
        let mut found: SmallVec<[Found<'_>; 8]> = SmallVec::from_elem(None, pointers.len());
        match format {
            // The common case without serde; anything else by the scan, from the start.
            Some(Format::Json) if top_level_strings(body, &pointers, &mut found).is_some() => {}
            Some(Format::Json) => {
                found.iter_mut().for_each(|slot| *slot = None);
                scan(body, &pointers, &mut found, Until::Found)
                    .map_err(|_| Unidentified::NotJson)?
            }
            Some(Format::Form) => scan_form(body, &pointers, &mut found),
            None => {}
        }
        // Borrowed from the body or the headers (copied only where the body escaped them).
        let value = |at: &At| -> Option<Cow<'a, str>> {
            match at {
                At::Body(slot) => found[*slot].clone(),
                At::Header(name) => headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(Cow::Borrowed),
            }
        };

        let event_type = self
            .event_type
            .iter()
            .filter_map(value)
            .find(|t| !t.is_empty());
        let challenge = self
            .handshake
            .as_ref()
            .and_then(|(kind_at, kind, token_at)| {
                (value(kind_at).as_deref() == Some(kind.as_str())).then(|| {
                    token_at
                        .as_ref()
                        .and_then(value)
                        .unwrap_or_default()
                        .into_owned()
                })
            });
        let form = format == Some(Format::Form);

        let part = |at: &At| value(at).filter(|v| !v.is_empty());
        let (id, qualified) = match self.id.as_slice() {
            // The header the signature read: the scheme's id header (only ever its first part).
            [At::Header(_)] if let Some(id) = signed_id.filter(|id| !id.is_empty()) => {
                (Cow::Borrowed(id), None)
            }
            // One source, the common case: nothing to join.
            [at] => match part(at) {
                Some(id) => (id, None),
                None => return self.without_id(body, event_type, challenge, form),
            },
            // No id source at all: known by the body.
            [] => return Ok(Identity::of_body(body, event_type, challenge, form)),
            ats => {
                let Some(parts) = ats.iter().map(part).collect::<Option<Vec<_>>>() else {
                    return self.without_id(body, event_type, challenge, form);
                };
                let joined = parts
                    .iter()
                    .map(|p| p.as_ref())
                    .collect::<Vec<_>>()
                    .join(":");
                (parts[0].clone(), Some(joined))
            }
        };
        // Ids are short tokens; a huge one would only bloat the dedup store.
        let identity = Identity {
            id,
            qualified,
            event_type,
            challenge,
            form,
        };
        if identity.key().len() > MAX_KEY_LEN {
            return Err(Unidentified::IdTooLong);
        }
        Ok(identity)
    }

    /// A part of the id is missing: the body's hash on a scheme that falls back, else refused.
    fn without_id<'a>(
        &self,
        body: &[u8],
        event_type: Option<Cow<'a, str>>,
        challenge: Option<String>,
        form: bool,
    ) -> Result<Identity<'a>, Unidentified> {
        match self.fallback {
            true => Ok(Identity::of_body(body, event_type, challenge, form)),
            false => Err(Unidentified::MissingId),
        }
    }
}

/// The scalar at `pointer` in a JSON body, if the body is JSON and has one there (a signed
/// timestamp carried in the body, such as Linear's `webhookTimestamp`).
pub(crate) fn json_field(body: &[u8], pointer: &Pointer) -> Option<String> {
    let mut found = [None];
    scan(body, &[pointer.segments()], &mut found, Until::End).ok()?;
    let [value] = found;
    value.map(Cow::into_owned)
}

/// The scalars at several pointers of a JSON body, in one pass, borrowed from the body where
/// they can be; `None` if the body is not JSON.
pub(crate) fn json_fields<'de>(body: &'de [u8], pointers: &[&[String]]) -> Option<Vec<Found<'de>>> {
    let mut found = vec![None; pointers.len()];
    scan(body, pointers, &mut found, Until::End).ok()?;
    Some(found)
}

/// How the body is read for fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Form,
}

fn body_format(payload: Payload, headers: &HeaderMap, body: &[u8]) -> Option<Format> {
    match payload {
        Payload::Json => Some(Format::Json),
        Payload::Opaque => None,
        Payload::JsonOrForm if is_form(payload, headers, body) => Some(Format::Form),
        Payload::JsonOrForm => Some(Format::Json),
    }
}

/// Whether a body of a [`Payload::JsonOrForm`] scheme is a form: the `Content-Type` says
/// `application/x-www-form-urlencoded`, or, when it names neither a form nor JSON, the body does
/// not start like a JSON object or array.
pub(crate) fn is_form(payload: Payload, headers: &HeaderMap, body: &[u8]) -> bool {
    if payload != Payload::JsonOrForm {
        return false;
    }
    // Compared without case and without a lowercase copy: this runs for every delivery.
    let essence = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().as_bytes());
    let is_json = |essence: &[u8]| {
        essence.eq_ignore_ascii_case(b"application/json")
            || essence
                .len()
                .checked_sub(5)
                .is_some_and(|start| essence[start..].eq_ignore_ascii_case(b"+json"))
    };
    match essence {
        Some(form) if form.eq_ignore_ascii_case(b"application/x-www-form-urlencoded") => true,
        Some(json) if is_json(json) => false,
        _ => !matches!(
            body.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        ),
    }
}

/// Copies out the form fields the pointers name; a pointer that goes deeper reads the field's
/// value as JSON (each such field is scanned once, for all its pointers).
fn scan_form<'de>(body: &'de [u8], pointers: &[&[String]], out: &mut [Found<'de>]) {
    let fields: Vec<(Cow<'de, str>, Cow<'de, str>)> = form_urlencoded::parse(body).collect();
    let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let mut done = vec![false; pointers.len()];
    for i in 0..pointers.len() {
        if done[i] {
            continue;
        }
        let Some(first) = pointers[i].first() else {
            continue;
        };
        let value = field(first);
        // Every pointer into the same field, served together.
        let group: Vec<usize> = (i..pointers.len())
            .filter(|&j| pointers[j].first() == Some(first))
            .collect();
        let nested: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&j| pointers[j].len() > 1)
            .collect();
        for &j in &group {
            done[j] = true;
            if pointers[j].len() == 1 {
                out[j] = value.cloned();
            }
        }
        if let (Some(value), false) = (value, nested.is_empty()) {
            let rests: Vec<&[String]> = nested.iter().map(|&j| &pointers[j][1..]).collect();
            let mut found = vec![None; rests.len()];
            // A field that is not JSON simply has none of the nested values.
            if scan(value.as_bytes(), &rests, &mut found, Until::End).is_ok() {
                for (&j, value) in nested.iter().zip(found) {
                    // Borrowed from the field's decoded text: copied to outlive it.
                    out[j] = value.map(|v| Cow::Owned(v.into_owned()));
                }
            }
        }
    }
}

/// The common case, read without serde: every pointer names a top-level member whose value is
/// a string without escapes, and each is found before anything irregular. `Some` once every
/// slot has its value (borrowed from the body), as the scan [`Until::Found`] would have found
/// them; `None` to leave it to that scan, which reads numbers, escapes, nesting and errors.
/// What follows the last value found is not read.
fn top_level_strings<'de>(
    body: &'de [u8],
    pointers: &[&[String]],
    out: &mut [Found<'de>],
) -> Option<()> {
    if pointers.is_empty() || pointers.len() > 64 || pointers.iter().any(|p| p.len() != 1) {
        return None;
    }
    let mut missing = pointers.len();
    let mut at = member_start(body, skip_ws(body, 0), b'{')?;
    loop {
        // A key, then its value.
        let (key, after_key) = plain_string(body, at)?;
        at = skip_ws(body, after_key);
        if body.get(at) != Some(&b':') {
            return None;
        }
        at = skip_ws(body, at + 1);
        let wanted =
            |out: &[Found<'de>], i: usize| out[i].is_none() && pointers[i][0].as_bytes() == key;
        if (0..pointers.len()).any(|i| wanted(out, i)) {
            let (value, after_value) = plain_string(body, at)?;
            // JSON strings hold no raw control characters; serde would refuse them.
            if value.iter().any(|&b| b < 0x20) {
                return None;
            }
            let value = std::str::from_utf8(value).ok()?;
            for i in 0..pointers.len() {
                if wanted(out, i) {
                    out[i] = Some(Cow::Borrowed(value));
                    missing -= 1;
                }
            }
            if missing == 0 {
                return Some(());
            }
            at = after_value;
        } else {
            at = skip_value(body, at)?;
        }
        at = member_start(body, skip_ws(body, at), b',')?;
    }
}

fn skip_ws(body: &[u8], mut at: usize) -> usize {
    while matches!(body.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// Past `opening` (`{` or `,`), at the next key's quote.
fn member_start(body: &[u8], at: usize, opening: u8) -> Option<usize> {
    (body.get(at) == Some(&opening)).then(|| skip_ws(body, at + 1))
}

/// The string starting at `at` (its quote), when it has no escape; and where it ends.
fn plain_string(body: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if body.get(at) != Some(&b'"') {
        return None;
    }
    let rest = body.get(at + 1..)?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    (rest[end] == b'"').then(|| (&rest[..end], at + 1 + end + 1))
}

/// Past the value starting at `at`: a string (escapes allowed), an object or array (brackets
/// counted outside strings), or a number or literal. Not validated: what is skipped before the
/// last value sought is the handler's parse's to judge, as what follows it is.
fn skip_value(body: &[u8], at: usize) -> Option<usize> {
    match *body.get(at)? {
        b'"' => skip_string(body, at),
        b'{' | b'[' => {
            let (mut at, mut depth) = (at, 0usize);
            loop {
                match *body.get(at)? {
                    b'"' => {
                        at = skip_string(body, at)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(at + 1);
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
        }
        _ => {
            let rest = body.get(at..)?;
            let end = rest
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))?;
            Some(at + end)
        }
    }
}

/// Past the string starting at `at` (its quote), escapes and all.
fn skip_string(body: &[u8], at: usize) -> Option<usize> {
    let mut at = at + 1;
    loop {
        let rest = body.get(at..)?;
        at += memchr::memchr2(b'"', b'\\', rest)?;
        if body[at] == b'"' {
            return Some(at + 1);
        }
        at += 2; // the backslash and the character it escapes
    }
}

/// How far a scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// The whole document, validated; a key given twice counts by its last occurrence.
    End,
    /// Until every pointer has its value (or the document ends, validated); a key given twice
    /// counts by its first occurrence.
    Found,
}

/// Where a scan stands: how many pointers still lack a value, and whether it stopped for that.
struct Progress {
    until: Until,
    missing: Cell<usize>,
    stopped: Cell<bool>,
}

impl Progress {
    /// Whether the scan may stop now, noting that it did.
    fn stop_now(&self) -> bool {
        let stop = self.until == Until::Found && self.missing.get() == 0;
        self.stopped.set(stop);
        stop
    }
}

/// Validates `body` as one JSON document (up to where `until` says) and copies out the scalar
/// at each pointer.
fn scan<'de>(
    body: &'de [u8],
    pointers: &[&[String]],
    out: &mut [Found<'de>],
    until: Until,
) -> serde_json::Result<()> {
    let mask = if pointers.len() >= 64 {
        u64::MAX
    } else {
        (1u64 << pointers.len()) - 1
    };
    let progress = Progress {
        until,
        missing: Cell::new(pointers.len().min(64)),
        stopped: Cell::new(false),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let scanned = Scan {
        pointers,
        depth: 0,
        mask,
        out,
        progress: &progress,
    }
    .deserialize(&mut de);
    match scanned {
        // Stopped on purpose: serde_json only knows how to leave early by an error.
        Err(_) if progress.stopped.get() => Ok(()),
        Err(err) => Err(err),
        Ok(_) => de.end(),
    }
}

/// Bits of the pointers in `mask` whose segment at `depth` satisfies `matches`.
fn select(pointers: &[&[String]], depth: usize, mask: u64, matches: impl Fn(&str) -> bool) -> u64 {
    let mut selected = 0;
    for (i, segments) in pointers.iter().enumerate().take(64) {
        if mask & (1 << i) != 0 && segments.get(depth).is_some_and(|s| matches(s)) {
            selected |= 1 << i;
        }
    }
    selected
}

/// Bits of the pointers in `mask` that end right after `depth`.
fn ending(pointers: &[&[String]], depth: usize, mask: u64) -> u64 {
    let mut selected = 0;
    for (i, segments) in pointers.iter().enumerate().take(64) {
        if mask & (1 << i) != 0 && segments.len() == depth + 1 {
            selected |= 1 << i;
        }
    }
    selected
}

/// What the scan copies out: borrowed from the body when the JSON string has no escapes.
type Found<'de> = Option<Cow<'de, str>>;

struct Scan<'a, 'p, 'de> {
    pointers: &'p [&'p [String]],
    depth: usize,
    mask: u64,
    out: &'a mut [Found<'de>],
    progress: &'a Progress,
}

impl<'de> Scan<'_, '_, 'de> {
    /// Reads the value under a matched key or index.
    fn descend<E, F>(&mut self, matched: u64, next: F) -> Result<(), E>
    where
        F: FnOnce(Descend<'_, '_, 'de>) -> Result<(), E>,
    {
        next(Descend {
            pointers: self.pointers,
            depth: self.depth + 1,
            matched,
            out: self.out,
            progress: self.progress,
        })
    }

    /// After a member or element: `Err` to leave the document once every value is found.
    fn check<E: de::Error>(&self) -> Result<(), E> {
        if self.progress.stop_now() {
            return Err(E::custom("every value sought is found"));
        }
        Ok(())
    }
}

/// The value under a matched key: either a scalar some pointer ends at, or deeper structure.
struct Descend<'a, 'p, 'de> {
    pointers: &'p [&'p [String]],
    depth: usize,
    matched: u64,
    out: &'a mut [Found<'de>],
    progress: &'a Progress,
}

impl<'de> Descend<'_, '_, 'de> {
    fn set(&mut self, slot: usize, value: Cow<'de, str>) {
        if self.out[slot].replace(value).is_none() {
            let missing = &self.progress.missing;
            missing.set(missing.get().saturating_sub(1));
        }
    }
}

impl<'de> DeserializeSeed<'de> for Descend<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(mut self, deserializer: D) -> Result<(), D::Error> {
        let ends = ending(self.pointers, self.depth - 1, self.matched);
        let continues = self.matched & !ends;
        let progress = self.progress;
        let scalar = deserializer.deserialize_any(Scan {
            pointers: self.pointers,
            depth: self.depth,
            mask: continues,
            out: self.out,
            progress,
        })?;
        if let Some(value) = scalar {
            // Scanning until found, a pointer keeps its first value.
            let keep_first = progress.until == Until::Found;
            let slots = self.pointers.len().min(64);
            let takes = |i: usize| ends & (1 << i) != 0 && !(keep_first && self.out[i].is_some());
            let takers: SmallVec<[usize; 8]> = (0..slots).filter(|&i| takes(i)).collect();
            // Usually one pointer ends here: it takes the value itself, others get copies.
            if let Some((&last, others)) = takers.split_last() {
                for &i in others {
                    self.set(i, value.clone());
                }
                self.set(last, value);
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_, '_, 'de> {
    type Value = Found<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Visits any JSON value; returns the value itself when it is a string or number (a pointer may
/// end here), and records matches found inside objects and arrays.
impl<'de> Visitor<'de> for Scan<'_, '_, 'de> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        while let Some(matched) = map.next_key_seed(KeyMatch {
            pointers: self.pointers,
            depth: self.depth,
            mask: self.mask,
        })? {
            if matched == 0 {
                map.next_value::<IgnoredAny>()?;
            } else {
                self.descend(matched, |d| map.next_value_seed(d))?;
                self.check()?;
            }
        }
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut index = 0usize;
        loop {
            let matched = if self.mask == 0 {
                0
            } else {
                let wanted = index.to_string();
                select(self.pointers, self.depth, self.mask, |s| s == wanted)
            };
            let more = if matched == 0 {
                seq.next_element::<IgnoredAny>()?.is_some()
            } else {
                let mut present = false;
                self.descend(matched, |d| {
                    present = seq.next_element_seed(d)?.is_some();
                    Ok(())
                })?;
                self.check()?;
                present
            };
            if !more {
                return Ok(None);
            }
            index += 1;
        }
    }
}

/// Deserializes an object key into the set of pointers it continues, without allocating.
struct KeyMatch<'p> {
    pointers: &'p [&'p [String]],
    depth: usize,
    mask: u64,
}

impl<'de> DeserializeSeed<'de> for KeyMatch<'_> {
    type Value = u64;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyMatch<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<u64, E> {
        if self.mask == 0 {
            return Ok(0);
        }
        Ok(select(self.pointers, self.depth, self.mask, |s| s == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NO_HEADERS: std::sync::LazyLock<HeaderMap> = std::sync::LazyLock::new(HeaderMap::new);

    fn find(body: &str, pointers: &[&str]) -> serde_json::Result<Vec<Option<String>>> {
        find_until(body, pointers, Until::End)
    }

    fn find_until(
        body: &str,
        pointers: &[&str],
        until: Until,
    ) -> serde_json::Result<Vec<Option<String>>> {
        values(pointers, |segments, out| {
            scan(body.as_bytes(), segments, out, until)
        })
    }

    /// `pointers` parsed and read by `read`; the values it found, copied out.
    fn values<'de, E>(
        pointers: &[&str],
        read: impl FnOnce(&[&[String]], &mut [Found<'de>]) -> Result<(), E>,
    ) -> Result<Vec<Option<String>>, E> {
        let parsed: Vec<Pointer> = pointers
            .iter()
            .map(|p| Pointer::parse(p).unwrap())
            .collect();
        let segments: Vec<&[String]> = parsed.iter().map(|p| p.segments()).collect();
        let mut out = vec![None; segments.len()];
        read(&segments, &mut out)?;
        Ok(out.into_iter().map(|v| v.map(Cow::into_owned)).collect())
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn finds_top_level_and_nested_fields_in_one_pass() {
        let body =
            r#"{"id":"evt_1","type":"a.b","data":{"id":"m1","status":"RECEIVED","x":[1,2]}}"#;
        let found = find(
            body,
            &["/id", "/type", "/data/id", "/data/status", "/missing"],
        )
        .unwrap();
        assert_eq!(
            found,
            vec![
                some("evt_1"),
                some("a.b"),
                some("m1"),
                some("RECEIVED"),
                None
            ]
        );
    }

    #[test]
    fn numbers_are_ids_too_and_objects_are_not() {
        let found = find(
            r#"{"id":123,"type":{"a":1},"n":null}"#,
            &["/id", "/type", "/n"],
        )
        .unwrap();
        assert_eq!(found, vec![some("123"), None, None]);
    }

    #[test]
    fn array_indices_and_escaped_keys() {
        let body = r#"{"entry":[{"id":"e0"},{"id":"e1"}],"a/b":"slash","m~n":"tilde"}"#;
        let found = find(body, &["/entry/1/id", "/a~1b", "/m~0n"]).unwrap();
        assert_eq!(found, vec![some("e1"), some("slash"), some("tilde")]);
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let found = find(r#"{"id":"evt_\u0031\n"}"#, &["/id"]).unwrap();
        assert_eq!(found, vec![some("evt_1\n")]);
    }

    #[test]
    fn invalid_json_is_rejected_even_after_the_fields() {
        assert!(find(r#"{"id":"evt_1"} trailing"#, &["/id"]).is_err());
        assert!(find(r#"{"id":"evt_1","x":[1,}"#, &["/id"]).is_err());
        assert!(find("", &["/id"]).is_err());
        assert!(find("not json", &[]).is_err());
    }

    #[test]
    fn the_identity_scan_stops_once_every_value_is_found() {
        let pointers = ["/id", "/type"];
        // What follows the last value sought is not read: the handler's parse validates it.
        let found = find_until(
            r#"{"id":"evt_1","type":"t","pad":"x"} trailing"#,
            &pointers,
            Until::Found,
        );
        assert_eq!(found.unwrap(), vec![some("evt_1"), some("t")]);
        let found = find_until(
            r#"{"data":{"id":"a"},"id":"b","type":"t","x":[1,}"#,
            &["/data/id", "/id"],
            Until::Found,
        );
        assert_eq!(found.unwrap(), vec![some("a"), some("b")]);
        // A key given twice: its first occurrence, where the scan stops; the last otherwise.
        let twice = r#"{"id":"first","id":"second","type":"t"}"#;
        assert_eq!(
            find_until(twice, &pointers, Until::Found).unwrap(),
            vec![some("first"), some("t")]
        );
        assert_eq!(
            find(twice, &pointers).unwrap(),
            vec![some("second"), some("t")]
        );
        // Invalid before every value is found, or a value missing: read to the end, validated.
        assert!(find_until(r#"{"id":"evt_1","#, &pointers, Until::Found).is_err());
        assert!(find_until(r#"{"id":"evt_1"} trailing"#, &pointers, Until::Found).is_err());
        assert_eq!(
            find_until(r#"{"id":"evt_1","x":1}"#, &pointers, Until::Found).unwrap(),
            vec![some("evt_1"), None]
        );
        // Nothing sought: the whole document is still validated.
        assert!(find_until("not json", &[], Until::Found).is_err());
        assert!(find_until("{}", &[], Until::Found).is_ok());
    }

    /// The fast path on its own: `Some` values, or `None`.
    fn fast(body: &str, pointers: &[&str]) -> Option<Vec<Option<String>>> {
        values(pointers, |segments, out| {
            top_level_strings(body.as_bytes(), segments, out).ok_or(())
        })
        .ok()
    }

    #[test]
    fn the_fast_path_reads_plain_top_level_strings_and_leaves_the_rest() {
        let body = r#" { "n" : 1.5e3 , "o":{"id":"inner","a":[1,"]"]}, "s":"a\"}", "id" : "evt_1", "type":"t" , "x":"#;
        assert_eq!(
            fast(body, &["/id", "/type"]),
            Some(vec![some("evt_1"), some("t")])
        );
        assert_eq!(
            fast(body, &["/type", "/type"]),
            Some(vec![some("t"), some("t")])
        );
        // Escapes, numbers, nesting and absence are the serde scan's.
        assert_eq!(fast(r#"{"id":"a\u0062"}"#, &["/id"]), None);
        assert_eq!(fast(r#"{"id":12}"#, &["/id"]), None);
        assert_eq!(fast(r#"{"id":"a"}"#, &["/data/id"]), None);
        assert_eq!(fast(r#"{"id":"a"}"#, &["/id", "/type"]), None);
        assert_eq!(fast(r#"{"id":"a"#, &["/id"]), None);
        assert_eq!(fast("[\"id\"]", &["/id"]), None);
        assert_eq!(fast("{\"id\":\"a\u{1}\"}", &["/id"]), None);
        // A key given twice: its first occurrence, as the scan until found.
        assert_eq!(
            fast(r#"{"id":"a","id":"b"}"#, &["/id"]),
            Some(vec![some("a")])
        );
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            "[a-z0-9_.]{0,12}".prop_map(|s| format!("\"{s}\"")),
            "[a-z]{0,4}".prop_map(|s| format!("\"{s}\\\"\\n\\u0041{s}\"")),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("true".to_owned()),
            Just("null".to_owned()),
            Just("\"]}{[,:\"".to_owned()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(("(id|type|k)", inner), 0..4).prop_map(|members| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(k, v)| format!("\"{k}\":{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Where the fast path answers, it answers as the serde scan until found does.
        #[test]
        fn the_fast_path_agrees_with_the_scan(
            members in proptest::collection::vec(
                (
                    "(id|type|data|k|pad)",
                    proptest::prop_oneof![
                        3 => "[a-z0-9_.]{0,12}".prop_map(|s| format!("\"{s}\"")),
                        2 => json_value(),
                    ],
                    "[ \n]{0,2}",
                ),
                0..6,
            ),
            pointers in proptest::collection::vec("/(id|type|k)", 1..3),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let members: Vec<String> = members
                .into_iter()
                .map(|(k, v, ws)| format!("{ws}\"{k}\"{ws}:{ws}{v}{ws}"))
                .collect();
            let body = format!("{{{}}}", members.join(","));
            let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
            for body in [body.as_str(), &body[..cut.index(body.len() + 1)]] {
                if let Some(values) = fast(body, &pointers) {
                    let scanned = find_until(body, &pointers, Until::Found);
                    proptest::prop_assert_eq!(Some(values), scanned.ok(), "{}", body);
                }
            }
        }

        /// Any bytes: an answer or a refusal, never a panic.
        #[test]
        fn the_fast_path_takes_any_bytes(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let segments: [&[String]; 1] = [&["id".to_owned()]];
            let mut out = vec![None];
            let _ = top_level_strings(&body, &segments, &mut out);
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        // Skipped values are walked iteratively by serde_json; our own recursion is only as deep
        // as the longest pointer.
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(find(&deep, &["/id"]).unwrap(), vec![None]);
        let deep_obj = r#"{"a":"#.repeat(10_000) + "1" + &"}".repeat(10_000);
        assert_eq!(find(&deep_obj, &["/a/a/a"]).unwrap(), vec![None]);
        let unbalanced = "[".repeat(10_000);
        assert!(find(&unbalanced, &["/id"]).is_err());
    }

    #[test]
    fn json_path_matches_parsed_pointer() {
        assert_eq!(
            Source::json_path(&["a/b", "c"]),
            Source::json("/a~1b/c").unwrap()
        );
    }

    #[test]
    fn pointer_parsing() {
        assert!(Pointer::parse("id").is_none());
        assert_eq!(Pointer::parse("").unwrap().segments(), &[] as &[String]);
        assert_eq!(
            Pointer::parse("/a~1b/c").unwrap().segments(),
            vec!["a/b", "c"]
        );
    }

    #[test]
    fn body_hash_is_sha256_hex() {
        assert_eq!(
            body_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn form_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        );
        headers
    }

    #[test]
    fn form_fields_and_json_inside_them() {
        let pointers = [
            Pointer::parse("/command").unwrap(),
            Pointer::parse("/payload/type").unwrap(),
            Pointer::parse("/payload/user/id").unwrap(),
            Pointer::parse("/missing").unwrap(),
        ];
        let segments: Vec<&[String]> = pointers.iter().map(|p| p.segments()).collect();
        let mut out = vec![None; segments.len()];
        let body = b"command=%2Fgo&payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D";
        scan_form(body, &segments, &mut out);
        assert_eq!(
            out.iter()
                .map(|v| v.as_deref().map(str::to_owned))
                .collect::<Vec<_>>(),
            vec![some("/go"), some("block_actions"), some("U1"), None]
        );
        // A field that is not JSON has no nested values.
        let mut out = vec![None; segments.len()];
        scan_form(b"payload=nope", &segments, &mut out);
        assert_eq!(out, vec![None, None, None, None]);
    }

    #[test]
    fn json_or_form_follows_the_content_type_then_the_first_byte() {
        let json_or_form = Payload::JsonOrForm;
        assert!(is_form(json_or_form, &form_headers(), b"{}"));
        assert!(is_form(json_or_form, &HeaderMap::new(), b"a=1"));
        assert!(!is_form(json_or_form, &HeaderMap::new(), b" {\"a\":1}"));
        let mut json = HeaderMap::new();
        json.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        assert!(!is_form(json_or_form, &json, b"a=1"));
        assert!(!is_form(Payload::Json, &form_headers(), b"a=1"));
        // Media types are case-insensitive; parameters and spaces around them do not count.
        let typed = |value: &'static str| {
            let mut headers = HeaderMap::new();
            let value = http::HeaderValue::from_static(value);
            headers.insert(http::header::CONTENT_TYPE, value);
            headers
        };
        let form = typed(" Application/X-WWW-Form-URLEncoded ; charset=UTF-8");
        assert!(is_form(json_or_form, &form, b"{}"));
        assert!(!is_form(json_or_form, &typed("Application/JSON"), b"a=1"));
        assert!(!is_form(
            json_or_form,
            &typed("application/vnd.api+JSON"),
            b"a=1"
        ));
        // Neither: the first byte decides, as without the header.
        assert!(is_form(json_or_form, &typed("text/plain"), b"a=1"));
        assert!(!is_form(json_or_form, &typed("json"), b"[1]"));
        assert!(is_form(json_or_form, &typed("json"), b"a=1"));
    }

    #[test]
    fn a_missing_id_falls_back_to_the_body_hash_only_when_asked() {
        let mut scheme = crate::provider::ycloud::scheme();
        let body = br#"{"type":"t"}"#;
        assert_eq!(
            identify(&scheme, &NO_HEADERS, body),
            Err(Unidentified::MissingId)
        );
        scheme.id = scheme.id.clone().or_body_hash();
        let identity = identify(&scheme, &NO_HEADERS, body).unwrap();
        assert_eq!(identity.key(), body_hash(body));
        assert_eq!(identity.event_type.as_deref(), Some("t"));
    }

    #[test]
    fn signed_handshakes_are_recognised_in_the_same_pass() {
        let scheme = crate::provider::slack::scheme();
        let body = br#"{"type":"url_verification","challenge":"c1"}"#;
        let identity = identify(&scheme, &NO_HEADERS, body).unwrap();
        assert_eq!(identity.challenge.as_deref(), Some("c1"));
        let body = br#"{"type":"event_callback","event_id":"Ev1","challenge":"c1"}"#;
        let identity = identify(&scheme, &NO_HEADERS, body).unwrap();
        assert_eq!(identity.challenge, None);
        assert_eq!(identity.id, "Ev1");
    }

    #[test]
    fn the_id_the_signature_read_is_the_id_header_read_again() {
        let scheme = crate::provider::standard_webhooks::scheme();
        let plan = Plan::new(&scheme);
        let body = br#"{"type":"t"}"#;
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", http::HeaderValue::from_static("msg_1"));
        let read = plan.identify(&headers, body, None).unwrap();
        let passed = plan.identify(&headers, body, Some("msg_1")).unwrap();
        assert_eq!((read.id.as_ref(), read.key()), ("msg_1", "msg_1"));
        assert_eq!((passed.id.as_ref(), passed.key()), ("msg_1", "msg_1"));
        // Taken from the signature, not read again: the header is not looked up.
        let passed = plan.identify(&NO_HEADERS, body, Some("msg_2")).unwrap();
        assert_eq!(passed.id, "msg_2");
        // An empty one is as good as none: the header, then the scheme's fallback, decide.
        assert_eq!(
            plan.identify(&NO_HEADERS, body, Some("")),
            Err(Unidentified::MissingId)
        );
        // A scheme whose id is in the body has no signed id to take.
        let ycloud = crate::provider::ycloud::scheme();
        let identity = Plan::new(&ycloud)
            .identify(&NO_HEADERS, br#"{"id":"evt_1"}"#, None)
            .unwrap();
        assert_eq!(identity.id, "evt_1");
    }
}
