//! Answering URL-validation handshakes: the provider's "is this your endpoint?" request.
//!
//! What each handshake looks like is data, [`scheme::Handshake`](crate::scheme::Handshake); this
//! module recognises them and writes the answers.

use std::borrow::Cow;

use axum_core::body::Body;
use axum_core::response::Response;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use subtle::ConstantTimeEq;

use crate::Secret;
use crate::hook_secret::HookSecret;
use crate::rejection::Rejection;
use crate::scheme::Handshake;
use crate::signature::{Key, encode};

/// Longest challenge value echoed back; providers send short random tokens.
pub(crate) const MAX_CHALLENGE_LEN: usize = 1024;

/// Whether this request is an unsigned handshake: right method, and (when the method also
/// delivers events) its parameter present.
pub(crate) fn matches(
    handshake: &Handshake,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    delivers_with_method: bool,
) -> bool {
    if handshake.signed_fields().is_some() || method != handshake.method() {
        return false;
    }
    if !delivers_with_method {
        return true;
    }
    match handshake {
        Handshake::EchoJson { param, .. }
        | Handshake::EchoText { param }
        | Handshake::QueryMac { param, .. } => query_values(uri, param).next().is_some(),
        Handshake::VerifyToken { .. } => query_values(uri, "hub.challenge").next().is_some(),
        Handshake::HeaderEchoJson { header, .. } | Handshake::HookSecret { header } => {
            headers.contains_key(header)
        }
        Handshake::SignedEcho { .. }
        | Handshake::SignedMac { .. }
        | Handshake::SignedEchoText { .. }
        | Handshake::ConfirmUrl { .. }
        | Handshake::SignedReply { .. } => false,
    }
}

/// The answer to an unsigned handshake request; `key` is the first configured secret's.
pub(crate) fn answer(
    handshake: &Handshake,
    uri: &Uri,
    headers: &HeaderMap,
    key: Option<&Key>,
    hook: Option<&HookSecret>,
) -> Result<Response, Rejection> {
    match handshake {
        Handshake::HookSecret { header } => {
            let mut values = headers.get_all(header).iter();
            let (Some(value), None) = (values.next(), values.next()) else {
                return Err(Rejection::InvalidChallenge(
                    "one hook secret header expected",
                ));
            };
            if !hook.is_some_and(|hook| hook.offer(Secret::new(value.as_bytes()))) {
                // Not armed (or already answered): a stranger's secret must not become the key.
                return Err(Rejection::InvalidChallenge(
                    "no hook secret is expected now",
                ));
            }
            let mut response = Response::new(Body::empty());
            response.headers_mut().insert(header.clone(), value.clone());
            Ok(response)
        }
        Handshake::HeaderEchoJson { header, key } => {
            let mut values = headers.get_all(header).iter();
            let value = values
                .next()
                .ok_or(Rejection::InvalidChallenge("challenge header missing"))?;
            if values.next().is_some() {
                return Err(Rejection::InvalidChallenge("challenge header repeated"));
            }
            let value = value
                .to_str()
                .map_err(|_| Rejection::InvalidChallenge("challenge is not visible ASCII"))?;
            check_value(value)?;
            Ok(json_response(&json_object(&[(key, value)])))
        }
        Handshake::EchoJson { param, key } => {
            let value = single_value(uri, param)?;
            Ok(json_response(&json_object(&[(key, &value)])))
        }
        Handshake::EchoText { param } => Ok(text_response(&single_value(uri, param)?)),
        Handshake::VerifyToken { token } => {
            let challenge = single_value(uri, "hub.challenge")?;
            let mode = query_values(uri, "hub.mode").next();
            let given = query_values(uri, "hub.verify_token")
                .next()
                .unwrap_or_default();
            // An unset token matches nothing (the builder refuses one; this is the second lock).
            let token_ok: bool =
                !token.is_empty() && bool::from(given.as_bytes().ct_eq(token.expose()));
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
            let key = key
                .and_then(Key::hmac)
                .ok_or(Rejection::InvalidChallenge("no secret to answer with"))?;
            let encoded = encode(*encoding, &key.mac_bytes(token.as_bytes()));
            Ok(json_response(&json_object(&[(
                name,
                &format!("{prefix}{encoded}"),
            )])))
        }
        Handshake::SignedEcho { .. }
        | Handshake::SignedMac { .. }
        | Handshake::SignedEchoText { .. }
        | Handshake::ConfirmUrl { .. }
        | Handshake::SignedReply { .. } => Err(Rejection::InvalidChallenge(
            "this handshake arrives as a signed event",
        )),
    }
}

/// The answer to a signed handshake whose token is `token`; `key` verified the delivery.
pub(crate) fn answer_signed(
    handshake: &Handshake,
    token: &str,
    key: Option<&Key>,
) -> Result<Response, Rejection> {
    match handshake {
        // A fixed answer echoes nothing: there is no token to check.
        Handshake::SignedReply { answer, .. } if answer.is_empty() => {
            return Ok(Response::new(Body::empty()));
        }
        Handshake::SignedReply { answer, .. } => return Ok(json_response(answer)),
        _ => check_value(token)?,
    }
    match handshake {
        Handshake::SignedEcho { key: name, .. } => {
            Ok(json_response(&json_object(&[(name, token)])))
        }
        // Plain text, never sniffed: the challenge as it was sent.
        Handshake::SignedEchoText { .. } => Ok(text_response(token)),
        Handshake::SignedMac {
            token_key, mac_key, ..
        } => {
            let key = key
                .and_then(Key::hmac)
                .ok_or(Rejection::InvalidChallenge("no secret to answer with"))?;
            let mac = encode(
                crate::scheme::Encoding::Hex,
                &key.mac_bytes(token.as_bytes()),
            );
            Ok(json_response(&json_object(&[
                (token_key, token),
                (mac_key, &mac),
            ])))
        }
        Handshake::EchoJson { .. }
        | Handshake::EchoText { .. }
        | Handshake::HeaderEchoJson { .. }
        | Handshake::VerifyToken { .. }
        | Handshake::QueryMac { .. }
        | Handshake::HookSecret { .. }
        // Answered by the service, which GETs the URL (`confirm`).
        | Handshake::ConfirmUrl { .. }
        | Handshake::SignedReply { .. } => Err(Rejection::InvalidChallenge(
            "this handshake is not a signed event",
        )),
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
        let response = answer(
            &Handshake::echo_json("challenge", "challenge"),
            &uri,
            &HeaderMap::new(),
            None,
            None,
        )?;
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
        let answer = |q: &str| {
            super::answer(
                &hs,
                &format!("/h?{q}").parse().unwrap(),
                &HeaderMap::new(),
                None,
                None,
            )
        };
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
        use crate::Secret;
        use crate::scheme::Signature;
        let echo =
            Handshake::signed_echo(&["type"], "url_verification", &["challenge"], "challenge");
        assert!(answer_signed(&echo, "abc", None).is_ok());
        assert!(matches!(
            answer_signed(&echo, "", None),
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
            answer_signed(&mac, "abc", None),
            Err(Rejection::InvalidChallenge(_))
        ));
        let signature = Signature::new(http::HeaderName::from_static("x"));
        let key = Key::derive(&Secret::from("k"), &signature).unwrap();
        assert_eq!(
            answer_signed(&mac, "abc", Some(&key)).unwrap().status(),
            200
        );
        // Unsigned handshakes never match a signed kind, and the other way round.
        assert!(!matches(
            &echo,
            &Method::POST,
            &"/h".parse().unwrap(),
            &HeaderMap::new(),
            true
        ));
        assert!(answer(&echo, &"/h".parse().unwrap(), &HeaderMap::new(), None, None).is_err());
        assert!(answer_signed(&Handshake::verify_token("t"), "x", None).is_err());
    }

    #[test]
    fn matches_only_its_method_and_parameter() {
        let hs = Handshake::echo_json("challenge", "challenge");
        let with: Uri = "/h?challenge=1".parse().unwrap();
        let without: Uri = "/h".parse().unwrap();
        assert!(matches(&hs, &Method::GET, &with, &HeaderMap::new(), false));
        assert!(matches(
            &hs,
            &Method::GET,
            &without,
            &HeaderMap::new(),
            false
        ));
        assert!(!matches(
            &hs,
            &Method::GET,
            &without,
            &HeaderMap::new(),
            true
        ));
        assert!(!matches(
            &hs,
            &Method::POST,
            &with,
            &HeaderMap::new(),
            false
        ));
    }
}
