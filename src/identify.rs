//! Finding a delivery's id, type and dedup key, in headers or in the JSON body.
//!
//! The body is scanned once, without building a `serde_json::Value`: only the fields named by
//! JSON pointers are copied out, everything else is skipped (and still validated).

use std::fmt;

use http::{HeaderMap, HeaderName};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};

use crate::scheme::{Payload, Scheme};

/// Where one value of a delivery comes from.
///
/// ```
/// use tower_webhooks::identify::Source;
///
/// let id = Source::json("/data/id").unwrap();
/// let kind = Source::header(http::HeaderName::from_static("x-wappcloud-event"));
/// # let _ = (id, kind);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A JSON pointer (RFC 6901) into the body, such as `/id` or `/data/id`.
    Json(Pointer),
    /// A request header.
    Header(HeaderName),
}

impl Source {
    /// A JSON pointer source; `None` unless `pointer` is empty or starts with `/`.
    pub fn json(pointer: &str) -> Option<Self> {
        Pointer::parse(pointer).map(Source::Json)
    }

    /// A JSON source from the keys of its path, such as `["data", "id"]`; cannot fail.
    pub fn json_path(keys: &[&str]) -> Self {
        let text = keys
            .iter()
            .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
            .collect();
        Source::Json(Pointer {
            text,
            segments: keys.iter().map(|k| (*k).to_owned()).collect(),
        })
    }

    /// A header source.
    pub fn header(name: HeaderName) -> Self {
        Source::Header(name)
    }
}

/// A parsed JSON pointer.
///
/// ```
/// use tower_webhooks::identify::Pointer;
///
/// assert_eq!(Pointer::parse("/data/id").unwrap().as_str(), "/data/id");
/// assert!(Pointer::parse("data").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    segments: Vec<String>,
}

impl Pointer {
    /// Parses `/a/b~1c` into segments `a`, `b/c`; `None` when it does not start with `/`.
    pub fn parse(text: &str) -> Option<Self> {
        if text.is_empty() {
            return Some(Self {
                text: String::new(),
                segments: Vec::new(),
            });
        }
        let rest = text.strip_prefix('/')?;
        let segments = rest
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        Some(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How the dedup key of a delivery is made.
///
/// The first source is the event id; further sources qualify it, so that, for example, each status
/// change of one message is its own delivery (`<data.id>:<data.status>`). With no source at all,
/// the key is the SHA-256 of the raw body: an exact redelivery is dropped, any other body is new.
///
/// ```
/// use tower_webhooks::identify::{IdSource, Source};
///
/// let by_event_id = IdSource::from(Source::json("/id").unwrap());
/// let per_status = IdSource::from(Source::json("/data/id").unwrap())
///     .and(Source::json("/data/status").unwrap());
/// let by_body = IdSource::body_hash();
/// # let _ = (by_event_id, per_status, by_body);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdSource {
    parts: Vec<Source>,
}

impl IdSource {
    /// The SHA-256 of the raw body, in hex.
    pub fn body_hash() -> Self {
        Self::default()
    }

    /// Adds a qualifier to the key.
    pub fn and(mut self, source: Source) -> Self {
        self.parts.push(source);
        self
    }

    /// The header the id comes from, if the id is a header (needed to sign the id).
    pub(crate) fn header(&self) -> Option<&HeaderName> {
        match self.parts.first() {
            Some(Source::Header(name)) => Some(name),
            _ => None,
        }
    }
}

impl From<Source> for IdSource {
    fn from(source: Source) -> Self {
        Self {
            parts: vec![source],
        }
    }
}

/// Who a delivery is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The provider's id for the event (or the body hash).
    pub(crate) id: String,
    /// The dedup key: the id and its qualifiers, joined by `:`.
    pub(crate) key: String,
    pub(crate) event_type: Option<String>,
}

/// Why an authentic delivery cannot be identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unidentified {
    NotJson,
    MissingId,
}

impl Unidentified {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Unidentified::NotJson => "body is not valid JSON",
            Unidentified::MissingId => "delivery id is missing",
        }
    }
}

/// The SHA-256 of the body in hex: the key of last resort.
pub(crate) fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Finds the id, key and type of a verified delivery.
pub(crate) fn identify(
    scheme: &Scheme,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Identity, Unidentified> {
    let sources = scheme.id.parts.iter().chain(scheme.event_type.iter());
    let pointers: Vec<&[String]> = sources
        .clone()
        .filter_map(|s| match s {
            Source::Json(p) => Some(p.segments.as_slice()),
            Source::Header(_) => None,
        })
        .collect();
    let mut found = vec![None; pointers.len()];
    if scheme.payload == Payload::Json {
        scan(body, &pointers, &mut found).map_err(|_| Unidentified::NotJson)?;
    }

    let mut json_values = found.into_iter();
    let mut values = sources.map(|s| match s {
        Source::Json(_) => json_values.next().flatten(),
        Source::Header(name) => headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    });
    let mut id_values = Vec::with_capacity(scheme.id.parts.len());
    for _ in &scheme.id.parts {
        match values.next().flatten() {
            Some(v) if !v.is_empty() => id_values.push(v),
            _ => return Err(Unidentified::MissingId),
        }
    }
    let event_type = if scheme.event_type.is_some() {
        values.next().flatten().filter(|t| !t.is_empty())
    } else {
        None
    };

    let (id, key) = match id_values.len() {
        0 => {
            let hash = body_hash(body);
            (hash.clone(), hash)
        }
        1 => {
            let id = id_values.pop().unwrap_or_default();
            (id.clone(), id)
        }
        _ => (id_values[0].clone(), id_values.join(":")),
    };
    Ok(Identity {
        id,
        key,
        event_type,
    })
}

/// Validates `body` as one JSON document and copies out the scalar at each pointer.
fn scan(body: &[u8], pointers: &[&[String]], out: &mut [Option<String>]) -> serde_json::Result<()> {
    let mask = if pointers.len() >= 64 {
        u64::MAX
    } else {
        (1u64 << pointers.len()) - 1
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    Scan {
        pointers,
        depth: 0,
        mask,
        out,
    }
    .deserialize(&mut de)?;
    de.end()
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

struct Scan<'a, 'p> {
    pointers: &'p [&'p [String]],
    depth: usize,
    mask: u64,
    out: &'a mut [Option<String>],
}

impl Scan<'_, '_> {
    /// Reads the value under a matched key or index.
    fn descend<E, F>(&mut self, matched: u64, next: F) -> Result<(), E>
    where
        F: FnOnce(Descend<'_, '_>) -> Result<(), E>,
    {
        next(Descend {
            pointers: self.pointers,
            depth: self.depth + 1,
            matched,
            out: self.out,
        })
    }
}

/// The value under a matched key: either a scalar some pointer ends at, or deeper structure.
struct Descend<'a, 'p> {
    pointers: &'p [&'p [String]],
    depth: usize,
    matched: u64,
    out: &'a mut [Option<String>],
}

impl<'de> DeserializeSeed<'de> for Descend<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let ends = ending(self.pointers, self.depth - 1, self.matched);
        let continues = self.matched & !ends;
        let scalar = deserializer.deserialize_any(Scan {
            pointers: self.pointers,
            depth: self.depth,
            mask: continues,
            out: self.out,
        })?;
        if let Some(value) = scalar {
            for i in 0..self.pointers.len().min(64) {
                if ends & (1 << i) != 0 {
                    self.out[i] = Some(value.clone());
                }
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_, '_> {
    type Value = Option<String>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Visits any JSON value; returns the value itself when it is a string or number (a pointer may
/// end here), and records matches found inside objects and arrays.
impl<'de> Visitor<'de> for Scan<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
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

    fn find(body: &str, pointers: &[&str]) -> serde_json::Result<Vec<Option<String>>> {
        let parsed: Vec<Pointer> = pointers
            .iter()
            .map(|p| Pointer::parse(p).unwrap())
            .collect();
        let segments: Vec<&[String]> = parsed.iter().map(|p| p.segments.as_slice()).collect();
        let mut out = vec![None; segments.len()];
        scan(body.as_bytes(), &segments, &mut out)?;
        Ok(out)
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
        assert_eq!(Pointer::parse("").unwrap().segments, Vec::<String>::new());
        assert_eq!(
            Pointer::parse("/a~1b/c").unwrap().segments,
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
}
