//! The providers table of the README and of [`crate::provider`], generated from the presets.

use crate::scheme::Handshake;
use crate::scheme::Source;
use crate::scheme::{
    Algorithm, Hash, KeyName, Payload, Scheme, SecretFormat, SignatureFormat, SignedPart,
    TimestampFormat, TimestampSource,
};

/// Every preset, with the constructor that makes its layer.
pub(super) fn catalogue() -> Vec<(&'static str, Scheme, &'static str)> {
    use super::*;
    let mut rows: Vec<(&'static str, Scheme, &'static str)> = vec![
        (
            "WebhookLayer::ycloud(secret)",
            ycloud::scheme(),
            ycloud::DOCS,
        ),
        (
            "WebhookLayer::wappcloud(secret)",
            wappcloud::scheme(),
            wappcloud::DOCS,
        ),
        (
            "WebhookLayer::yeastar(secret)",
            yeastar::scheme(),
            yeastar::DOCS,
        ),
        (
            "WebhookLayer::conversation()",
            conversation::scheme(),
            conversation::DOCS,
        ),
        (
            "WebhookLayer::standard_webhooks(secret)",
            standard_webhooks::scheme(),
            standard_webhooks::DOCS,
        ),
        ("WebhookLayer::svix(secret)", svix::scheme(), svix::DOCS),
        (
            "WebhookLayer::stripe(secret)",
            stripe::scheme(),
            stripe::DOCS,
        ),
        (
            "WebhookLayer::github(secret)",
            github::scheme(),
            github::DOCS,
        ),
        (
            "WebhookLayer::slack(signing_secret)",
            slack::scheme(),
            slack::DOCS,
        ),
        (
            "WebhookLayer::meta(app_secret, verify_token)",
            meta::scheme("verify_token"),
            meta::DOCS,
        ),
        (
            "WebhookLayer::shopify(secret)",
            shopify::scheme(),
            shopify::DOCS,
        ),
        (
            "WebhookLayer::twilio(auth_token, public_base_url)",
            twilio::scheme("https://example.com"),
            twilio::DOCS,
        ),
        (
            "WebhookLayer::zoom(secret_token)",
            zoom::scheme(),
            zoom::DOCS,
        ),
        (
            "WebhookLayer::paddle(secret)",
            paddle::scheme(),
            paddle::DOCS,
        ),
        (
            "WebhookLayer::intercom(client_secret)",
            intercom::scheme(),
            intercom::DOCS,
        ),
        ("WebhookLayer::x(consumer_secret)", x::scheme(), x::DOCS),
        (
            "WebhookLayer::twitch(secret)",
            twitch::scheme(),
            twitch::DOCS,
        ),
        (
            "WebhookLayer::linear(signing_secret)",
            linear::scheme(),
            linear::DOCS,
        ),
        (
            "WebhookLayer::dropbox(app_secret)",
            dropbox::scheme(),
            dropbox::DOCS,
        ),
        (
            "WebhookLayer::gitlab(secret_token)",
            gitlab::scheme(),
            gitlab::DOCS,
        ),
        (
            "WebhookLayer::okta(authorization)",
            okta::scheme(),
            okta::DOCS,
        ),
        (
            "WebhookLayer::xero(webhook_key)",
            xero::scheme(),
            xero::DOCS,
        ),
        (
            "WebhookLayer::hubspot(client_secret, public_base_url)",
            hubspot::scheme("https://example.com"),
            hubspot::DOCS,
        ),
        (
            "WebhookLayer::square(signature_key, public_base_url)",
            square::scheme("https://example.com"),
            square::DOCS,
        ),
        (
            "WebhookLayer::box_webhooks(primary_key, secondary_key)",
            box_webhooks::scheme(),
            box_webhooks::DOCS,
        ),
        (
            "WebhookLayer::discord(public_key)",
            discord::scheme(),
            discord::DOCS,
        ),
        (
            "WebhookLayer::telnyx(public_key)",
            telnyx::scheme(),
            telnyx::DOCS,
        ),
        (
            "WebhookLayer::sendgrid(public_key)",
            sendgrid::scheme(),
            sendgrid::DOCS,
        ),
        (
            "WebhookLayer::asana(&hook_secret)",
            asana::scheme(),
            asana::DOCS,
        ),
        (
            "WebhookLayer::github_secret_scanning()",
            github_secret_scanning::scheme(),
            github_secret_scanning::DOCS,
        ),
        ("WebhookLayer::sns()", sns::scheme(), sns::DOCS),
        (
            "WebhookLayer::paypal(webhook_id)",
            paypal::scheme("<webhook_id>"),
            paypal::DOCS,
        ),
        (
            "WebhookLayer::plaid(client_id, secret)",
            plaid::scheme(),
            plaid::DOCS,
        ),
    ];
    macro_rules! generated {
        ($($name:ident),* $(,)?) => {
            $(rows.push((
                concat!("WebhookLayer::", stringify!($name), "(secret)"),
                $name::scheme(),
                $name::DOCS,
            ));)*
        };
    }
    super::one_secret_presets!(generated);
    rows
}

/// The markdown table, one row per preset.
pub(super) fn markdown() -> String {
    let rows = catalogue();
    let mut table = format!(
        "{} presets, each checked against its vector file.\n\n| preset | signature header | signed message | MAC | timestamp, tolerance | handshake | dedup key | event type | docs |\n|---|---|---|---|---|---|---|---|---|\n",
        rows.len()
    );
    for (constructor, scheme, docs) in rows {
        let cells = [
            code(constructor),
            header(&scheme),
            signed(&scheme),
            mac(&scheme),
            timestamp(&scheme),
            handshake(&scheme),
            dedup(&scheme),
            event_type(&scheme),
            format!("[docs]({docs})"),
        ];
        table.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    table
}

/// Code in a table cell: a `|` would end the cell, even inside backticks, unless escaped.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|"))
}

fn header(scheme: &Scheme) -> String {
    let Some(signature) = scheme.signature() else {
        return "none".into();
    };
    if let Some(pointer) = signature.body_field() {
        return format!("none: JSON {} in the body", code(pointer.as_str()));
    }
    let sig = if signature.algorithm() == Algorithm::Token {
        "<secret>"
    } else {
        "<sig>"
    };
    let value = match signature.format() {
        SignatureFormat::Prefixed {
            prefix,
            separator: None,
        } => format!("{prefix}{sig}"),
        SignatureFormat::Prefixed {
            prefix,
            separator: Some(sep),
        } => format!("{prefix}{sig}[{sep}{prefix}{sig}…]"),
        SignatureFormat::Jwt { .. } => "<JWT>".into(),
        SignatureFormat::Pairs {
            separator,
            signature_key,
        } => {
            let ts = match scheme.timestamp() {
                Some(TimestampSource::Pair(key)) => format!("{key}=<t>{separator}"),
                _ => String::new(),
            };
            format!("{ts}{signature_key}={sig}[{separator}{signature_key}={sig}…]")
        }
    };
    let optional = if scheme.provider() == "conversation" {
        " (once a secret is set)"
    } else {
        ""
    };
    let headers: Vec<String> = signature
        .headers()
        .map(|name| code(&format!("{name}: {value}")))
        .collect();
    format!("{}{optional}", headers.join(" or "))
}

fn signed(scheme: &Scheme) -> String {
    let Some(signature) = scheme.signature() else {
        return "none".into();
    };
    if signature.algorithm() == Algorithm::Token {
        return "nothing (the body is not covered)".into();
    }
    if let SignatureFormat::Jwt {
        body_hash_claim, ..
    } = signature.format()
    {
        return format!(
            "{}, whose claim {} is the hex SHA-256 of {}",
            code("<JWT header>.<JWT claims>"),
            code(body_hash_claim),
            code("<body>")
        );
    }
    let mut message = String::new();
    for part in &signature.signed {
        match part {
            SignedPart::Literal(bytes) => message.push_str(&String::from_utf8_lossy(bytes)),
            SignedPart::Timestamp => message.push_str("<t>"),
            SignedPart::Id => message.push_str("<id>"),
            SignedPart::Body => message.push_str("<body>"),
            SignedPart::Url => message.push_str("<public url>"),
            SignedPart::SortedFormParams => message.push_str("<sorted form params>"),
            SignedPart::Method => message.push_str("<method>"),
            SignedPart::Json(pointer) => message.push_str(&format!("<JSON {pointer}>")),
            SignedPart::Header(name) => message.push_str(&format!("<{name}>")),
            SignedPart::BodyCrc32 => message.push_str("<CRC-32 of body>"),
            SignedPart::Fields(fields) => {
                // An optional field in brackets: written only when present.
                for field in fields {
                    let line = format!("{0}\\n<JSON /{0}>\\n", field.name());
                    if field.is_optional() {
                        message.push_str(&format!("[{line}]"));
                    } else {
                        message.push_str(&line);
                    }
                }
            }
        }
    }
    let mut text = code(&message);
    if let Some(param) = signature.body_hash_param_name() {
        text.push_str(&format!(
            "; JSON bodies: {}",
            code(&format!("<public url>?{param}=<hex SHA-256 of body>"))
        ));
    }
    text
}

fn mac(scheme: &Scheme) -> String {
    let Some(signature) = scheme.signature() else {
        return "none".into();
    };
    if signature.algorithm() == Algorithm::Token {
        return "none: the secret itself, compared in constant time".into();
    }
    let encoding = signature.encoding.name();
    let (algorithm, public): (String, bool) = match signature.algorithm() {
        Algorithm::Hmac(Hash::Sha1) => ("HMAC-SHA1".into(), false),
        Algorithm::Hmac(Hash::Sha256) => ("HMAC-SHA256".into(), false),
        Algorithm::Hmac(Hash::Sha512) => ("HMAC-SHA512".into(), false),
        Algorithm::Ed25519 => ("Ed25519".into(), true),
        Algorithm::EcdsaP256Sha256 => ("DER ECDSA P-256 SHA-256".into(), true),
        Algorithm::Es256 => ("JWS ES256 (P-256, `r‖s`)".into(), true),
        Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPkcs1Sha1 => match signature.algorithm_choice() {
            Some(choice) => (
                format!(
                    "RSA PKCS#1 v1.5 ({} by JSON {})",
                    choice
                        .choices()
                        .map(|(value, algorithm)| format!(
                            "{}: {}",
                            code(value),
                            match algorithm {
                                Algorithm::RsaPkcs1Sha1 => "SHA-1",
                                _ => "SHA-256",
                            }
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    code(choice.field().as_str())
                ),
                true,
            ),
            None if signature.algorithm() == Algorithm::RsaPkcs1Sha1 => {
                ("RSA PKCS#1 v1.5 SHA-1".into(), true)
            }
            None => ("RSA PKCS#1 v1.5 SHA-256".into(), true),
        },
        Algorithm::Token => ("token".into(), false),
    };
    let key = match (&signature.secret_format, public) {
        (SecretFormat::Raw, _) => String::new(),
        (SecretFormat::Base64 { prefix }, true) if prefix.is_empty() => {
            ", public key in base64".into()
        }
        (SecretFormat::Base64 { prefix }, true) => {
            format!(", public key = base64 after `{prefix}`")
        }
        (SecretFormat::Base64 { prefix }, false) => format!(", key = base64 after `{prefix}`"),
        (SecretFormat::Hex, true) => ", public key in hex".into(),
        (SecretFormat::Hex, false) => ", key in hex".into(),
    };
    let entries = match signature.public_key_entries() {
        Some(entries) => format!(
            "; {} entries: base64 {:?}, public key = base64 after {}",
            code(entries.prefix()),
            entries.algorithm(),
            code(entries.key_prefix())
        ),
        None => String::new(),
    };
    let key = match (signature.key_source(), signature.algorithm().is_rsa()) {
        (Some(KeyName::JwtKid), _) => {
            ", key named by the JWT's `kid`, asked of the provider".into()
        }
        (Some(KeyName::Header(header)), false) => format!(
            ", key named by {} from the provider's list",
            code(header.as_str())
        ),
        (Some(KeyName::Header(header)), true) => format!(
            ", certificate fetched from the URL in {} (provider's hosts only)",
            code(header.as_str())
        ),
        (Some(KeyName::Json(pointer)), _) => format!(
            ", certificate fetched from the URL in JSON {} (provider's hosts only)",
            code(pointer.as_str())
        ),
        (None, _) => key,
    };
    format!("{encoding} {algorithm}{key}{entries}")
}

fn timestamp(scheme: &Scheme) -> String {
    let tolerance = scheme.tolerance().as_secs();
    let unit = match scheme.timestamp_format() {
        TimestampFormat::UnixSeconds => "",
        TimestampFormat::UnixMillis => " (ms)",
        TimestampFormat::Rfc3339 => " (RFC 3339)",
    };
    if let Some(SignatureFormat::Jwt {
        issued_at_claim, ..
    }) = scheme.signature().map(|s| s.format())
    {
        return format!("JWT claim {}, {tolerance} s", code(issued_at_claim));
    }
    match scheme.timestamp() {
        None => "none".into(),
        Some(TimestampSource::Pair(key)) => format!("pair `{key}`{unit}, {tolerance} s"),
        Some(TimestampSource::Header(name)) => format!("`{name}`{unit}, {tolerance} s"),
        Some(TimestampSource::Json(pointer)) => {
            format!("JSON {}{unit}, {tolerance} s", code(pointer.as_str()))
        }
    }
}

fn handshake(scheme: &Scheme) -> String {
    match scheme.handshake() {
        None => "none".into(),
        Some(Handshake::EchoJson { param, key }) => format!(
            "{} → {}",
            code(&format!("GET ?{param}=<v>")),
            code(&format!("{{\"{key}\":\"<v>\"}}"))
        ),
        Some(Handshake::HeaderEchoJson { header, key }) => format!(
            "{} → {}",
            code(&format!("GET with {header}: <v>")),
            code(&format!("{{\"{key}\":\"<v>\"}}"))
        ),
        Some(Handshake::EchoText { param }) => format!(
            "{} → {} as text",
            code(&format!("GET ?{param}=<v>")),
            code("<v>")
        ),
        Some(Handshake::QueryMac {
            param,
            key,
            prefix,
            encoding,
        }) => format!(
            "{} → {}",
            code(&format!("GET ?{param}=<v>")),
            code(&format!(
                "{{\"{key}\":\"{prefix}<{} HMAC(<v>)>\"}}",
                encoding.name()
            ))
        ),
        Some(Handshake::VerifyToken { .. }) => format!(
            "{} → {} if the token matches, else 403",
            code("GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=<v>"),
            code("<v>")
        ),
        Some(Handshake::SignedEcho {
            event,
            value,
            challenge,
            key,
        }) => format!(
            "signed POST with {} → {}",
            code(&format!("{event} = \"{value}\"")),
            code(&format!("{{\"{key}\": {challenge}}}"))
        ),
        Some(Handshake::SignedMac {
            event,
            value,
            token,
            token_key,
            mac_key,
        }) => format!(
            "signed POST with {} → {}",
            code(&format!("{event} = \"{value}\"")),
            code(&format!(
                "{{\"{token_key}\": {token}, \"{mac_key}\": hex HMAC({token})}}"
            ))
        ),
        Some(Handshake::SignedEchoText {
            event,
            value,
            challenge,
        }) => format!(
            "signed POST with {} → {} as text",
            code(&format!("{} = \"{value}\"", marker(event))),
            code(challenge.as_str())
        ),
        Some(Handshake::SignedReply {
            event,
            value,
            answer,
        }) if answer.is_empty() => format!(
            "signed POST with {} → empty 200",
            code(&format!("{event} = {value}"))
        ),
        Some(Handshake::SignedReply {
            event,
            value,
            answer,
        }) => format!(
            "signed POST with {} → {}",
            code(&format!("{event} = {value}")),
            code(answer)
        ),
        Some(Handshake::ConfirmUrl { event, value, url }) => format!(
            "signed POST with {} → the layer GETs {} (provider's hosts only), 200 once confirmed",
            code(&format!("{} = \"{value}\"", marker(event))),
            code(url.as_str())
        ),
        Some(Handshake::HookSecret { header }) => format!(
            "POST with {} → 200 echoing it, and `<s>` signs what follows (taken only while expected)",
            code(&format!("{header}: <s>"))
        ),
    }
}

/// A handshake's marker: a header, or a JSON field.
fn marker(source: &Source) -> String {
    match source {
        Source::Json(pointer) => pointer.as_str().to_owned(),
        Source::Header(name) => name.as_str().to_owned(),
    }
}

fn source(scheme: &Scheme, source: &Source) -> String {
    let body = match scheme.payload() {
        Payload::JsonOrForm => "JSON or form",
        _ => "JSON",
    };
    match source {
        Source::Json(pointer) => format!("{body} {}", code(pointer.as_str())),
        Source::Header(name) => code(name.as_str()),
    }
}

fn dedup(scheme: &Scheme) -> String {
    let id = scheme.id();
    if id.parts().is_empty() {
        return "body SHA-256".into();
    }
    let parts: Vec<String> = id.parts().iter().map(|s| source(scheme, s)).collect();
    let mut text = parts.join(" + ");
    if id.falls_back_to_body_hash() {
        text.push_str(", else body SHA-256");
    }
    text
}

fn event_type(scheme: &Scheme) -> String {
    if scheme.event_type().is_empty() {
        return "none".into();
    }
    let sources: Vec<String> = scheme
        .event_type()
        .iter()
        .map(|s| source(scheme, s))
        .collect();
    sources.join(", else ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn between<'a>(text: &'a str, what: &str) -> &'a str {
        let start = text
            .find("<!-- providers:start -->")
            .unwrap_or_else(|| panic!("{what}: no providers:start marker"));
        let end = text
            .find("<!-- providers:end -->")
            .unwrap_or_else(|| panic!("{what}: no providers:end marker"));
        &text[start + "<!-- providers:start -->".len()..end]
    }

    #[test]
    fn readme_table_matches_the_presets() {
        let expected = markdown();
        let readme = include_str!("../../README.md");
        assert_eq!(
            between(readme, "README.md").trim(),
            expected.trim(),
            "README.md's providers table is out of date; it should read:\n{expected}"
        );
    }

    #[test]
    fn module_docs_table_matches_the_presets() {
        let expected: String = markdown()
            .lines()
            .map(|l| format!("{}\n", format!("//! {l}").trim_end()))
            .collect();
        let docs = include_str!("mod.rs");
        let found = between(docs, "src/provider/mod.rs");
        let found = found
            .trim_start_matches('\n')
            .trim_end_matches("//! ")
            .trim_end_matches("//!");
        assert_eq!(
            found, expected,
            "src/provider/mod.rs's table is out of date; it should read:\n{expected}"
        );
    }
}
