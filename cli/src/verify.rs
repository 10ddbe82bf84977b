//! `webhooks verify`: why a delivery verifies or not, step by step, the way a person debugs it.
//!
//! It reports what the scheme reads (the signature header, the timestamp), what it signs, which
//! secret format it assumes, the clock skew, and then the most likely cause of a failure, found
//! by trying the alternatives: the delivery verifies at its own time (stale), a re-serialised
//! form of the body verifies (the body was parsed and written again), or neither (wrong secret).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::Digest;
use tower_webhooks::scheme::Scheme;
use tower_webhooks::{Rejection, Verifier};

use crate::Provider;
use crate::error::Error;

pub(crate) fn run(
    provider: &Provider,
    headers: &Path,
    body: &Path,
    url: &str,
    now: Option<i64>,
) -> Result<ExitCode, Error> {
    let scheme = crate::scheme::load(&provider.provider, None)?;
    let secret = crate::secret::of(provider)?;
    let headers_text = std::fs::read_to_string(headers).map_err(|e| Error::read(headers, &e))?;
    let headers = parse_headers(&headers_text, headers)?;
    let body = std::fs::read(body).map_err(|e| Error::read(body, &e))?;
    let uri: http::Uri = url
        .parse()
        .map_err(|err| Error::config(format!("--url {url}: {err}")))?;
    let now = now.unwrap_or_else(crate::now);
    let verifier = Verifier::new(scheme.clone(), secret).map_err(|err| {
        Error::config(format!(
            "the secret cannot be used with {}: {err}",
            scheme.provider()
        ))
    })?;

    let mut report = Report::default();
    describe(&mut report, &scheme, &headers, &body);
    let verdict = verifier.verify(&headers, &uri, &body, now);
    match verdict {
        Ok(timestamp) => {
            if let Some(ts) = timestamp {
                report.step(format!(
                    "timestamp {ts}: {} s from now, within the tolerance of {} s",
                    now - ts,
                    scheme.tolerance().as_secs()
                ));
            }
            report.step("signature: matches".to_owned());
            report.print();
            println!("verified");
            return Ok(ExitCode::SUCCESS);
        }
        Err(rejection) => {
            report.step(format!("signature: refused ({rejection})"));
            let cause = cause(&verifier, &rejection, &headers, &uri, &body, now);
            report.print();
            println!("not verified: {cause}");
        }
    }
    Ok(ExitCode::from(1))
}

/// What was read and assumed, before any verdict.
fn describe(report: &mut Report, scheme: &Scheme, headers: &HeaderMap, body: &[u8]) {
    report.step(format!("provider: {}", scheme.provider()));
    match scheme.signature() {
        Some(signature) => {
            let name = signature.header();
            match headers.get(name) {
                Some(value) => report.step(format!(
                    "signature header {name}: found ({} characters)",
                    value.len()
                )),
                None => report.step(format!("signature header {name}: missing")),
            }
            // The scheme as its document writes it: the signed template and the secret's format.
            let document: serde_json::Value =
                serde_json::from_str(&scheme.to_json()).unwrap_or_default();
            let secret = match document.pointer("/signature/secret") {
                None | Some(serde_json::Value::Null) => {
                    "the secret's bytes as given (raw)".to_owned()
                }
                Some(format) => format.to_string(),
            };
            report.step(format!("secret format assumed: {secret}"));
            let signed = document
                .pointer("/signature/signed")
                .and_then(|t| t.as_str())
                .unwrap_or("{body}");
            report.step(format!("signed: {signed}"));
        }
        None => report.step("this provider signs nothing".to_owned()),
    }
    let digest = hex::encode(sha2::Sha256::digest(body));
    report.step(format!("body: {} bytes, SHA-256 {digest}", body.len()));
}

/// The most likely cause of a refusal, found by trying the alternatives.
fn cause(
    verifier: &Verifier,
    rejection: &Rejection,
    headers: &HeaderMap,
    uri: &http::Uri,
    body: &[u8],
    now: i64,
) -> String {
    match rejection {
        Rejection::MissingSignature => {
            return "the signature header is missing: the request did not come from the provider, or a proxy dropped the header".to_owned()
        }
        Rejection::MalformedSignature(why) => {
            return format!("the signature header cannot be read ({why}): it was cut or altered on the way")
        }
        _ => {}
    }
    // Signed correctly, only at another time?
    let patient = verifier
        .clone()
        .with_tolerance(Duration::from_secs(100 * 365 * 24 * 3600));
    if let Ok(Some(signed_at)) = patient.verify(headers, uri, body, now) {
        let skew = now - signed_at;
        return format!(
            "stale timestamp: the signature is authentic but was made {skew} s {} (tolerance {} s): a replay, a retry stored and sent late, or a clock that is off",
            if skew >= 0 { "ago" } else { "in the future" },
            verifier.scheme().tolerance().as_secs()
        );
    }
    // Signed correctly, over other bytes of the same JSON?
    if let Some(form) = reserialised(body)
        .into_iter()
        .find(|(_, candidate)| patient.verify(headers, uri, candidate, now).is_ok())
    {
        return format!(
            "body re-serialised: the provider signed the same JSON written {} (whitespace, key order or a final newline differs): verify the raw bytes as received, before any parsing",
            form.0
        );
    }
    if serde_json::from_slice::<serde_json::Value>(body).is_ok() && !is_as_sent(body) {
        return "wrong secret, or a body re-serialised in a way not tried here (the body is JSON written compactly, as a framework writes it): check the secret, then verify the raw bytes".to_owned();
    }
    "wrong secret: the signature does not match this secret over the body as given (check that the secret is this endpoint's, and its format)".to_owned()
}

/// Whether the body looks as a provider sends it (with some whitespace) rather than compacted.
fn is_as_sent(body: &[u8]) -> bool {
    body.iter().any(|b| b.is_ascii_whitespace())
}

/// The body written again the ways it is commonly written: compact, with spaces after `:` and
/// `,` (Python's `json.dumps`), pretty with two and four spaces; each with and without a final
/// newline. Only whitespace between tokens changes: keys keep their order, strings their bytes.
fn reserialised(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut forms = Vec::new();
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        let compact = compact(body);
        forms.push(("compactly", compact.clone()));
        forms.push(("with spaces after ':' and ','", spaced(&compact)));
        forms.push(("pretty, two spaces", pretty(&compact, 2)));
        forms.push(("pretty, four spaces", pretty(&compact, 4)));
    } else {
        forms.push(("as given", body.to_vec()));
    }
    let with_newlines: Vec<_> = forms
        .iter()
        .flat_map(|(name, bytes)| {
            let mut with = bytes.clone();
            with.push(b'\n');
            let without = bytes.strip_suffix(b"\n").map(<[u8]>::to_vec);
            [Some((*name, with)), without.map(|w| (*name, w))]
        })
        .flatten()
        .collect();
    forms.extend(with_newlines);
    forms.retain(|(_, bytes)| bytes != body);
    forms
}

/// Calls `each` with every byte and whether it is inside a string.
fn tokens(json: &[u8], mut each: impl FnMut(u8, bool)) {
    let (mut in_string, mut escaped) = (false, false);
    for &byte in json {
        let inside = in_string;
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        }
        each(byte, inside || in_string);
    }
}

/// JSON without whitespace between tokens.
fn compact(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    tokens(json, |byte, string| {
        if string || !byte.is_ascii_whitespace() {
            out.push(byte);
        }
    });
    out
}

/// Compact JSON with a space after each `:` and `,`.
fn spaced(compact: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(compact.len() * 2);
    tokens(compact, |byte, string| {
        out.push(byte);
        if !string && (byte == b':' || byte == b',') {
            out.push(b' ');
        }
    });
    out
}

/// Compact JSON indented by `width` spaces per level, as `JSON.stringify(v, null, width)` and
/// `json.dumps(v, indent=width)` write it.
fn pretty(compact: &[u8], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    // Right after `{` or `[`: the next value opens a line, a closing bracket does not.
    let mut opened = false;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * width));
    };
    tokens(compact, |byte, string| {
        if string {
            if opened {
                newline(&mut out, depth);
                opened = false;
            }
            out.push(byte);
            return;
        }
        match byte {
            b'{' | b'[' => {
                if opened {
                    newline(&mut out, depth);
                }
                out.push(byte);
                depth += 1;
                opened = true;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if !opened {
                    newline(&mut out, depth);
                }
                out.push(byte);
                opened = false;
            }
            b',' => {
                out.push(byte);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => {
                if opened {
                    newline(&mut out, depth);
                    opened = false;
                }
                out.push(byte);
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::{compact, pretty, spaced};

    #[test]
    fn whitespace_changes_and_nothing_else() {
        let body = br#"{ "b": [1, {"x": "a, b: c"}], "a": {}, "e": [] }"#;
        let tight = compact(body);
        assert_eq!(tight, br#"{"b":[1,{"x":"a, b: c"}],"a":{},"e":[]}"#);
        assert_eq!(
            spaced(&tight),
            br#"{"b": [1, {"x": "a, b: c"}], "a": {}, "e": []}"#
        );
        let expected = "{\n  \"b\": [\n    1,\n    {\n      \"x\": \"a, b: c\"\n    }\n  ],\n  \"a\": {},\n  \"e\": []\n}";
        assert_eq!(String::from_utf8(pretty(&tight, 2)).unwrap(), expected);
        assert_eq!(compact(br#"{"s":"q\"  x"}"#), br#"{"s":"q\"  x"}"#);
    }
}

/// `Name: value` lines; a request line (`POST /x HTTP/1.1`) and blank lines are skipped.
fn parse_headers(text: &str, path: &Path) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || (number == 0 && line.contains(" HTTP/")) {
            continue;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| {
            Error::config(format!(
                "{}:{}: expected `Name: value`",
                path.display(),
                number + 1
            ))
        })?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            Error::config(format!(
                "{}:{}: `{}` is not a header name",
                path.display(),
                number + 1,
                name.trim()
            ))
        })?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            Error::config(format!(
                "{}:{}: the value of {name} is not a header value",
                path.display(),
                number + 1
            ))
        })?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// The steps, printed in order.
#[derive(Default)]
struct Report(Vec<String>);

impl Report {
    fn step(&mut self, line: String) {
        self.0.push(line);
    }

    fn print(&self) {
        for (i, line) in self.0.iter().enumerate() {
            println!("{:>2}. {line}", i + 1);
        }
    }
}
