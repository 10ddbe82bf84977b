//! URL-validation handshakes: answering the provider's "is this your endpoint?" request.

use std::borrow::Cow;

use axum_core::body::Body;
use axum_core::response::Response;
use http::{header, HeaderValue, Method, StatusCode, Uri};

use subtle::ConstantTimeEq;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::error::Rejection;
use crate::identify::Pointer;
use crate::scheme::Encoding;
use crate::signature::Key;
use crate::Secret;

/// Longest challenge value echoed back; providers send short random tokens.
pub(crate) const MAX_CHALLENGE_LEN: usize = 1024;

/// A handshake a provider performs before (or besides) delivering events.
///
/// Two happen before verification, on a `GET` that carries no signature: [`EchoJson`]
/// (Wappcloud) and [`VerifyToken`] (Meta). Two are signed `POST` events answered after the
/// signature passed, instead of calling the handler: [`SignedEcho`] (Slack) and [`SignedMac`]
/// (Zoom).
///
/// [`EchoJson`]: Handshake::EchoJson
/// [`VerifyToken`]: Handshake::VerifyToken
/// [`SignedEcho`]: Handshake::SignedEcho
/// [`SignedMac`]: Handshake::SignedMac
///
/// ```
/// use tower_webhooks::challenge::Handshake;
///
/// // Wappcloud: `GET ?challenge=abc123` answered with `{"challenge":"abc123"}`.
/// let wappcloud = Handshake::echo_json("challenge", "challenge");
/// // Meta: `GET ?hub.mode=subscribe&hub.verify_token=<yours>&hub.challenge=<n>` answered `<n>`.
/// let meta = Handshake::verify_token("my-verify-token");
/// // Slack: the signed `{"type":"url_verification","challenge":".."}` answered with the challenge.
/// let slack = Handshake::signed_echo(&["type"], "url_verification", &["challenge"], "challenge");
/// # let _ = (wappcloud, meta, slack);
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
    /// `GET ?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<value>` is answered
    /// `200 text/plain` with `<value>` when the token matches (compared in constant time), `403`
    /// otherwise. The token is one you choose in the provider's console, not the app secret.
    VerifyToken {
        /// The verify token.
        token: Secret,
    },
    /// `GET ?<param>=<value>` is answered `200 application/json` with
    /// `{"<key>": "<prefix><MAC of value>"}`, the MAC made with the first configured secret and
    /// encoded as the scheme's signatures are (X's CRC: `response_token: sha256=<base64>`).
    QueryMac {
        /// The query parameter that carries the token.
        param: Cow<'static, str>,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
        /// What precedes the encoded MAC, such as `sha256=`.
        prefix: Cow<'static, str>,
        /// How the MAC is encoded.
        encoding: Encoding,
    },
    /// A signed delivery whose JSON `event` field equals `value` is answered `200
    /// application/json` with `{"<key>": <the string at challenge>}` instead of reaching the
    /// handler.
    SignedEcho {
        /// Where the event type is.
        event: Pointer,
        /// The type that marks the handshake.
        value: Cow<'static, str>,
        /// Where the challenge is.
        challenge: Pointer,
        /// The JSON key of the answer.
        key: Cow<'static, str>,
    },
    /// A signed delivery whose JSON `event` field equals `value` is answered `200
    /// application/json` with `{"<token_key>": t, "<mac_key>": <hex HMAC(secret, t)>}`, where `t`
    /// is the string at `token`, and the HMAC uses the secret that verified the delivery.
    SignedMac {
        /// Where the event type is.
        event: Pointer,
        /// The type that marks the handshake.
        value: Cow<'static, str>,
        /// Where the token is.
        token: Pointer,
        /// The JSON key echoing the token.
        token_key: Cow<'static, str>,
        /// The JSON key of the MAC.
        mac_key: Cow<'static, str>,
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

    /// A `GET ?<param>=` token answered with its MAC as `{"<key>": "<prefix><MAC>"}` (X's CRC).
    pub fn query_mac(
        param: impl Into<Cow<'static, str>>,
        key: impl Into<Cow<'static, str>>,
        prefix: impl Into<Cow<'static, str>>,
        encoding: Encoding,
    ) -> Self {
        Handshake::QueryMac {
            param: param.into(),
            key: key.into(),
            prefix: prefix.into(),
            encoding,
        }
    }

    /// Meta's `hub.challenge` verification with `token` as the verify token.
    pub fn verify_token(token: impl Into<Secret>) -> Self {
        Handshake::VerifyToken {
            token: token.into(),
        }
    }

    /// A signed event of type `value` (at the JSON path `event`) answered with the string at
    /// `challenge`, as `{"<key>": challenge}`.
    pub fn signed_echo(
        event: &[&str],
        value: impl Into<Cow<'static, str>>,
        challenge: &[&str],
        key: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::SignedEcho {
            event: Pointer::from_keys(event),
            value: value.into(),
            challenge: Pointer::from_keys(challenge),
            key: key.into(),
        }
    }

    /// A signed event of type `value` (at the JSON path `event`) answered with the token at
    /// `token` and its hex HMAC, as `{"<token_key>": t, "<mac_key>": mac}`.
    pub fn signed_mac(
        event: &[&str],
        value: impl Into<Cow<'static, str>>,
        token: &[&str],
        token_key: impl Into<Cow<'static, str>>,
        mac_key: impl Into<Cow<'static, str>>,
    ) -> Self {
        Handshake::SignedMac {
            event: Pointer::from_keys(event),
            value: value.into(),
            token: Pointer::from_keys(token),
            token_key: token_key.into(),
            mac_key: mac_key.into(),
        }
    }

    /// The method the handshake arrives with.
    pub(crate) fn method(&self) -> &Method {
        match self {
            Handshake::EchoJson { .. }
            | Handshake::VerifyToken { .. }
            | Handshake::QueryMac { .. } => &Method::GET,
            Handshake::SignedEcho { .. } | Handshake::SignedMac { .. } => &Method::POST,
        }
    }

    /// For a signed handshake: where its type and its token are, and the type that marks it.
    pub(crate) fn signed_fields(&self) -> Option<(&Pointer, &str, &Pointer)> {
        match self {
            Handshake::SignedEcho {
                event,
                value,
                challenge,
                ..
            } => Some((event, value, challenge)),
            Handshake::SignedMac {
                event,
                value,
                token,
                ..
            } => Some((event, value, token)),
            Handshake::EchoJson { .. }
            | Handshake::VerifyToken { .. }
            | Handshake::QueryMac { .. } => None,
        }
    }

    /// Whether this request is an unsigned handshake: right method, and (when the method also
    /// delivers events) its parameter present.
    pub(crate) fn matches(&self, method: &Method, uri: &Uri, delivers_with_method: bool) -> bool {
        if self.signed_fields().is_some() || method != self.method() {
            return false;
        }
        if !delivers_with_method {
            return true;
        }
        match self {
            Handshake::EchoJson { param, .. } | Handshake::QueryMac { param, .. } => {
                query_values(uri, param).next().is_some()
            }
            Handshake::VerifyToken { .. } => query_values(uri, "hub.challenge").next().is_some(),
            Handshake::SignedEcho { .. } | Handshake::SignedMac { .. } => false,
        }
    }

    /// The answer to an unsigned handshake request; `key` is the first configured secret's.
    pub(crate) fn answer(&self, uri: &Uri, key: Option<&Key>) -> Result<Response, Rejection> {
        match self {
            Handshake::EchoJson { param, key } => {
                let value = single_value(uri, param)?;
                Ok(json_response(&json_object(&[(key, &value)])))
            }
            Handshake::VerifyToken { token } => {
                let challenge = single_value(uri, "hub.challenge")?;
                let mode = query_values(uri, "hub.mode").next();
                let given = query_values(uri, "hub.verify_token")
                    .next()
                    .unwrap_or_default();
                let token_ok: bool = given.as_bytes().ct_eq(token.expose()).into();
                if mode.as_deref() != Some("subscribe") || !token_ok {
                    return Err(Rejection::InvalidVerifyToken);
                }
                Ok(text_response(&challenge))
            }
            Handshake::QueryMac {
                param,
                key: name,
                prefix,
                encoding,
            } => {
                let token = single_value(uri, param)?;
                let key = key.ok_or(Rejection::InvalidChallenge("no secret to answer with"))?;
                let mac = key.mac_bytes(token.as_bytes());
                let encoded = match encoding {
                    Encoding::Hex => hex::encode(mac),
                    Encoding::Base64 => BASE64.encode(mac),
                };
                Ok(json_response(&json_object(&[(
                    name,
                    &format!("{prefix}{encoded}"),
                )])))
            }
            Handshake::SignedEcho { .. } | Handshake::SignedMac { .. } => Err(
                Rejection::InvalidChallenge("this handshake arrives as a signed event"),
            ),
        }
    }

    /// The answer to a signed handshake whose token is `token`; `key` verified the delivery.
    pub(crate) fn answer_signed(
        &self,
        token: &str,
        key: Option<&Key>,
    ) -> Result<Response, Rejection> {
        check_value(token)?;
        match self {
            Handshake::SignedEcho { key: name, .. } => {
                Ok(json_response(&json_object(&[(name, token)])))
            }
            Handshake::SignedMac {
                token_key, mac_key, ..
            } => {
                let key = key.ok_or(Rejection::InvalidChallenge("no secret to answer with"))?;
                let mac = hex::encode(key.mac_bytes(token.as_bytes()));
                Ok(json_response(&json_object(&[
                    (token_key, token),
                    (mac_key, &mac),
                ])))
            }
            Handshake::EchoJson { .. }
            | Handshake::VerifyToken { .. }
            | Handshake::QueryMac { .. } => Err(Rejection::InvalidChallenge(
                "this handshake is not a signed event",
            )),
        }
    }
}

/// The one value of `param`: present once, not empty, not too long.
fn single_value<'a>(uri: &'a Uri, param: &'a str) -> Result<Cow<'a, str>, Rejection> {
    let mut values = query_values(uri, param);
    let value = values
        .next()
        .ok_or(Rejection::InvalidChallenge("challenge parameter missing"))?;
    if values.next().is_some() {
        return Err(Rejection::InvalidChallenge("challenge parameter repeated"));
    }
    check_value(&value)?;
    Ok(value)
}

fn check_value(value: &str) -> Result<(), Rejection> {
    if value.is_empty() {
        return Err(Rejection::InvalidChallenge("challenge is empty"));
    }
    if value.len() > MAX_CHALLENGE_LEN {
        return Err(Rejection::InvalidChallenge("challenge is too long"));
    }
    Ok(())
}

fn query_values<'a>(uri: &'a Uri, param: &'a str) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(move |(name, _)| name == param)
        .map(|(_, value)| value)
}

/// `{"<key>":"<value>",...}`, with `<`, `>` and `&` escaped as `\u003c`-style sequences: still
/// the same JSON strings to a parser, but never markup should anything render it as HTML.
fn json_object(fields: &[(&str, &str)]) -> String {
    let mut object = serde_json::Map::with_capacity(fields.len());
    for (key, value) in fields {
        object.insert((*key).to_owned(), serde_json::Value::from(*value));
    }
    let json = serde_json::Value::Object(object).to_string();
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn json_response(json: &str) -> Response {
    response(json, "application/json")
}

/// Plain text, never sniffed as HTML: Meta wants the bare challenge back.
fn text_response(text: &str) -> Response {
    response(text, "text/plain; charset=utf-8")
}

fn response(body: &str, content_type: &'static str) -> Response {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
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
        let response = Handshake::echo_json("challenge", "challenge").answer(&uri, None)?;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        Ok(json_object(&[(
            "challenge",
            &form_urlencoded::parse(query.as_bytes()).next().unwrap().1,
        )]))
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
    fn verify_token_answers_plain_text_only_for_the_right_token() {
        let hs = Handshake::verify_token("tok");
        let answer = |q: &str| hs.answer(&format!("/h?{q}").parse().unwrap(), None);
        let ok = answer("hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42").unwrap();
        assert_eq!(
            ok.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(ok.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        for q in [
            "hub.mode=subscribe&hub.verify_token=to&hub.challenge=42",
            "hub.mode=subscribe&hub.verify_token=tokk&hub.challenge=42",
            "hub.mode=subscribe&hub.challenge=42",
            "hub.verify_token=tok&hub.challenge=42",
        ] {
            assert!(
                matches!(answer(q), Err(Rejection::InvalidVerifyToken)),
                "{q}"
            );
        }
        assert!(matches!(
            answer("hub.mode=subscribe&hub.verify_token=tok"),
            Err(Rejection::InvalidChallenge(_))
        ));
    }

    #[test]
    fn signed_answers_echo_and_mac() {
        use crate::scheme::Signature;
        let echo =
            Handshake::signed_echo(&["type"], "url_verification", &["challenge"], "challenge");
        assert!(echo.answer_signed("abc", None).is_ok());
        assert!(matches!(
            echo.answer_signed("", None),
            Err(Rejection::InvalidChallenge(_))
        ));
        let mac = Handshake::signed_mac(
            &["event"],
            "v",
            &["payload", "t"],
            "plainToken",
            "encryptedToken",
        );
        assert!(matches!(
            mac.answer_signed("abc", None),
            Err(Rejection::InvalidChallenge(_))
        ));
        let signature = Signature::new(http::HeaderName::from_static("x"));
        let key = Key::derive(&Secret::from("k"), &signature).unwrap();
        assert_eq!(mac.answer_signed("abc", Some(&key)).unwrap().status(), 200);
        // Unsigned handshakes never match a signed kind, and the other way round.
        assert!(!echo.matches(&Method::POST, &"/h".parse().unwrap(), true));
        assert!(echo.answer(&"/h".parse().unwrap(), None).is_err());
        assert!(Handshake::verify_token("t")
            .answer_signed("x", None)
            .is_err());
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
