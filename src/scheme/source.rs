//! Where the values of a delivery come from: headers, JSON pointers, and the dedup key made of them.

use std::fmt;

use http::HeaderName;

/// Where one value of a delivery comes from.
///
/// ```
/// use tower_webhooks::scheme::Source;
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
        Source::Json(Pointer::from_keys(keys))
    }

    /// A header source.
    pub fn header(name: HeaderName) -> Self {
        Source::Header(name)
    }
}

/// A parsed JSON pointer.
///
/// ```
/// use tower_webhooks::scheme::Pointer;
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

    /// The pointer to the value at these keys, such as `["data", "id"]` for `/data/id`.
    ///
    /// ```
    /// use tower_webhooks::scheme::Pointer;
    ///
    /// assert_eq!(Pointer::from_keys(&["a/b", "c"]).as_str(), "/a~1b/c");
    /// ```
    pub fn from_keys(keys: &[&str]) -> Self {
        let text = keys
            .iter()
            .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
            .collect();
        Self {
            text,
            segments: keys.iter().map(|k| (*k).to_owned()).collect(),
        }
    }

    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The keys (or array indices) it walks, in order.
    pub(crate) fn segments(&self) -> &[String] {
        &self.segments
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
/// use tower_webhooks::scheme::{IdSource, Source};
///
/// let by_event_id = IdSource::from(Source::json("/id").unwrap());
/// let per_status = IdSource::from(Source::json("/data/id").unwrap())
///     .and(Source::json("/data/status").unwrap());
/// let by_body = IdSource::body_hash();
/// // Slack: the Events API's `event_id`; slash commands have none, so their body hash.
/// let slack = IdSource::from(Source::json("/event_id").unwrap()).or_body_hash();
/// # let _ = (by_event_id, per_status, by_body, slack);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdSource {
    parts: Vec<Source>,
    fallback: bool,
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

    /// When a source is absent, falls back to the body hash instead of refusing the delivery as
    /// unidentifiable: for providers whose id only some deliveries carry.
    pub fn or_body_hash(mut self) -> Self {
        self.fallback = true;
        self
    }

    /// The sources, the id first.
    pub fn parts(&self) -> &[Source] {
        &self.parts
    }

    /// Whether a missing source falls back to the body hash.
    pub fn falls_back_to_body_hash(&self) -> bool {
        self.fallback || self.parts.is_empty()
    }

    /// Whether a missing source falls back to the body hash, for a scheme that has sources.
    pub(crate) fn fallback(&self) -> bool {
        self.fallback
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
            fallback: false,
        }
    }
}
