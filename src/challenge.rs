//! URL-validation handshakes: answering the provider's "is this your endpoint?" request.

use std::borrow::Cow;

use axum_core::body::Body;
use axum_core::response::Response;
use http::{header, HeaderValue, Method, StatusCode, Uri};

use crate::error::Rejection;

/// Longest challenge value echoed back; providers send short random tokens.
pub(crate) const MAX_CHALLENGE_LEN: usize = 1024;

/// A handshake a provider performs before (or besides) delivering events.
///
/// ```
/// use tower_webhooks::challenge::Handshake;
///
/// // Wappcloud: `GET ?challenge=abc123` answered with `{"challenge":"abc123"}`.
/// let wappcloud = Handshake::echo_json("challenge", "challenge");
/// # let _ = wappcloud;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handshake {
    /// `GET ?<param>=<value>` is answered `200 application/json` with `{"<key>":"<value>"}`;
    /// the handler is not called.
    EchoJson {
        /// The query parameter that carries the challenge.
        param: Cow<'static, str>,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
    },
}

impl Handshake {
    /// A `GET ?<param>=` echo answered as JSON `{"<key>": value}`.
    pub fn echo_json(
        param: impl Into<Cow<'static, str>>,
        key: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::EchoJson {
            param: param.into(),
            key: key.into(),
        }
    }

    /// The method the handshake arrives with.
    pub(crate) fn method(&self) -> &Method {
        match self {
            Handshake::EchoJson { .. } => &Method::GET,
        }
    }

    /// Whether this request is the handshake: right method, and (when the method also delivers
    /// events) the parameter present.
    pub(crate) fn matches(&self, method: &Method, uri: &Uri, delivers_with_method: bool) -> bool {
        if method != self.method() {
            return false;
        }
        if !delivers_with_method {
            return true;
        }
        match self {
            Handshake::EchoJson { param, .. } => query_values(uri, param).next().is_some(),
        }
    }

    /// The answer to a handshake request.
    pub(crate) fn answer(&self, uri: &Uri) -> Result<Response, Rejection> {
        match self {
            Handshake::EchoJson { param, key } => {
                let mut values = query_values(uri, param);
                let value = values
                    .next()
                    .ok_or(Rejection::InvalidChallenge("challenge parameter missing"))?;
                if values.next().is_some() {
                    return Err(Rejection::InvalidChallenge("challenge parameter repeated"));
                }
                if value.is_empty() {
                    return Err(Rejection::InvalidChallenge("challenge is empty"));
                }
                if value.len() > MAX_CHALLENGE_LEN {
                    return Err(Rejection::InvalidChallenge("challenge is too long"));
                }
                Ok(json_response(&echo_json(key, &value)))
            }
        }
    }
}

fn query_values<'a>(uri: &'a Uri, param: &'a str) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(move |(name, _)| name == param)
        .map(|(_, value)| value)
}

/// `{"<key>":"<value>"}`, with `<`, `>` and `&` escaped as `\u003c`-style sequences: still the
/// same JSON string to a parser, but never markup should anything render it as HTML.
fn echo_json(key: &str, value: &str) -> String {
    let mut object = serde_json::Map::with_capacity(1);
    object.insert(key.to_owned(), serde_json::Value::from(value));
    let json = serde_json::Value::Object(object).to_string();
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn json_response(json: &str) -> Response {
    let mut response = Response::new(Body::from(json.to_owned()));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(query: &str) -> Result<String, Rejection> {
        let uri: Uri = format!("/hook?{query}").parse().unwrap();
        let response = Handshake::echo_json("challenge", "challenge").answer(&uri)?;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        Ok(echo_json(
            "challenge",
            &form_urlencoded::parse(query.as_bytes()).next().unwrap().1,
        ))
    }

    #[test]
    fn echoes_exactly() {
        assert_eq!(
            echo("challenge=abc123").unwrap(),
            r#"{"challenge":"abc123"}"#
        );
    }

    #[test]
    fn escapes_quotes_markup_and_newlines() {
        let json = echo("challenge=%22%3Cscript%3Ealert(1)%3C/script%3E%0A%26").unwrap();
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('\n'));
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["challenge"], "\"<script>alert(1)</script>\n&");
    }

    #[test]
    fn refuses_empty_missing_repeated_and_long() {
        assert!(matches!(
            echo("challenge="),
            Err(Rejection::InvalidChallenge(_))
        ));
        assert!(matches!(
            echo("other=1"),
            Err(Rejection::InvalidChallenge(_))
        ));
        assert!(matches!(
            echo("challenge=a&challenge=b"),
            Err(Rejection::InvalidChallenge(_))
        ));
        let long = format!("challenge={}", "a".repeat(MAX_CHALLENGE_LEN + 1));
        assert!(matches!(echo(&long), Err(Rejection::InvalidChallenge(_))));
        let max = format!("challenge={}", "a".repeat(MAX_CHALLENGE_LEN));
        assert!(echo(&max).is_ok());
    }

    #[test]
    fn matches_only_its_method_and_parameter() {
        let hs = Handshake::echo_json("challenge", "challenge");
        let with: Uri = "/h?challenge=1".parse().unwrap();
        let without: Uri = "/h".parse().unwrap();
        assert!(hs.matches(&Method::GET, &with, false));
        assert!(hs.matches(&Method::GET, &without, false));
        assert!(!hs.matches(&Method::GET, &without, true));
        assert!(!hs.matches(&Method::POST, &with, false));
    }
}
