//! Every case of every vector file runs through the layer with `oneshot`: the official and seed
//! vectors in `tests/vectors/official/` (copied from the team's reference vectors; the README there
//! gives the format and each file's source) and the ones computed independently in
//! `tests/vectors/` (by `make_vectors.py`, sources cited in each file), each with its provider's
//! preset.
//!
//! The official GitHub, Slack, Standard Webhooks and Twilio vectors also run against layers made
//! with `WebhookLayer::builder()` alone, which proves the builder general.

mod common;

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::routing::any;
use common::body_string;
use http::HeaderName;
use serde_json::Value;
use tower::ServiceExt;
use tower_webhooks::scheme::Handshake;
use tower_webhooks::scheme::{
    Encoding, Hash, Payload, SecretFormat, Signature, SignedPart, TimestampSource,
};
use tower_webhooks::scheme::{IdSource, Scheme, Source};
use tower_webhooks::{Builder, FixedClock, Rejection, Verified, WebhookLayer, provider};

fn official_vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/official")
}

fn own_vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// One file per catalogue preset, written by `make_catalogue_vectors.py`.
fn catalogue_vectors() -> PathBuf {
    own_vectors().join("catalogue")
}

/// The preset layer for a vector file's provider.
fn preset_for(provider: &str, secret: &str, file: &Value) -> WebhookLayer {
    match provider {
        "ycloud" => WebhookLayer::ycloud(secret),
        "wappcloud" => WebhookLayer::wappcloud(secret),
        "yeastar" => WebhookLayer::yeastar(secret),
        "github" => WebhookLayer::github(secret),
        "slack" => WebhookLayer::slack(secret),
        "standard-webhooks" => WebhookLayer::standard_webhooks(secret),
        "svix" => WebhookLayer::svix(secret),
        "stripe" => WebhookLayer::stripe(secret),
        "paddle" => WebhookLayer::paddle(secret),
        "shopify" => WebhookLayer::shopify(secret),
        "zoom" => WebhookLayer::zoom(secret),
        "intercom" => WebhookLayer::intercom(secret),
        "x" => WebhookLayer::x(secret),
        "meta" => WebhookLayer::meta(secret, file["verify_token"].as_str().unwrap()),
        "twilio" => WebhookLayer::twilio(secret, "https://mycompany.com"),
        "twitch" => WebhookLayer::twitch(secret),
        "box" => WebhookLayer::box_webhooks(secret, file["secondary_key"].as_str().unwrap()),
        "square" => WebhookLayer::square(secret, file["base_url"].as_str().unwrap()),
        "hubspot" => WebhookLayer::hubspot(secret, file["base_url"].as_str().unwrap()),
        "linear" => WebhookLayer::linear(secret),
        "dropbox" => WebhookLayer::dropbox(secret),
        "xero" => WebhookLayer::xero(secret),
        "gitlab" => WebhookLayer::gitlab(secret),
        "okta" => WebhookLayer::okta(secret),
        #[cfg(feature = "ed25519")]
        "discord" => WebhookLayer::discord(secret),
        #[cfg(feature = "ed25519")]
        "telnyx" => WebhookLayer::telnyx(secret),
        #[cfg(feature = "ecdsa")]
        "sendgrid" => WebhookLayer::sendgrid(secret),
        // Confirmations reach the handler here: confirming them is tests/key_fetch.rs's.
        #[cfg(all(feature = "rsa", feature = "fetch"))]
        "amazon-sns" => WebhookLayer::sns().sns_subscriptions_to_handler(),
        #[cfg(all(feature = "rsa", feature = "fetch"))]
        "paypal" => WebhookLayer::paypal(file["webhook_id"].as_str().unwrap()),
        #[cfg(all(feature = "ecdsa", feature = "fetch"))]
        "plaid" => WebhookLayer::plaid("client-id", "client-secret"),
        // Every one-secret preset: found by its name, as the gateway finds it.
        other => WebhookLayer::new(
            provider::by_name(other).unwrap_or_else(|| {
                panic!("vector file for an unknown provider {other:?}: no preset has that name")
            }),
            secret,
        ),
    }
}

fn header(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

/// A layer made with the builder alone for the providers whose official vectors are shared.
fn builder_for(provider: &str, secret: &str) -> WebhookLayer {
    let builder = WebhookLayer::builder()
        .provider(provider.to_owned())
        .secret(secret);
    match provider {
        "github" => builder
            .signature(Signature::new(header("x-hub-signature-256")).prefix("sha256="))
            .payload(Payload::Opaque)
            .build()
            .unwrap(),
        "slack" => builder
            .signature(
                Signature::new(header("x-slack-signature"))
                    .prefix("v0=")
                    .signs([
                        SignedPart::literal("v0:"),
                        SignedPart::Timestamp,
                        SignedPart::literal(":"),
                        SignedPart::Body,
                    ]),
            )
            .timestamp(TimestampSource::Header(header("x-slack-request-timestamp")))
            .payload(Payload::Opaque)
            .build()
            .unwrap(),
        "standard-webhooks" => builder
            .signature(
                Signature::new(header("webhook-signature"))
                    .prefixed_list("v1,", ' ')
                    .encoding(Encoding::Base64)
                    .secret_format(SecretFormat::Base64 {
                        prefix: "whsec_".into(),
                    })
                    .signs([
                        SignedPart::Id,
                        SignedPart::literal("."),
                        SignedPart::Timestamp,
                        SignedPart::literal("."),
                        SignedPart::Body,
                    ]),
            )
            .timestamp(TimestampSource::Header(header("webhook-timestamp")))
            .id(Source::header(header("webhook-id")))
            .build()
            .unwrap(),
        "twilio" => builder
            .signature(
                Signature::new(header("x-twilio-signature"))
                    .encoding(Encoding::Base64)
                    .hash(Hash::Sha1)
                    .signs([SignedPart::Url, SignedPart::SortedFormParams])
                    .base_url("https://mycompany.com"),
            )
            .payload(Payload::Opaque)
            .build()
            .unwrap(),
        other => panic!("no builder-made layer for {other:?}"),
    }
}

/// The handler answers, on any path, with what the layer established.
fn app(layer: WebhookLayer) -> Router {
    Router::new()
        .fallback(any(|verified: Verified| async move {
            serde_json::json!({"id": verified.id(), "type": verified.event_type()}).to_string()
        }))
        .layer(layer)
}

fn request_for(case: &Value) -> Request<Body> {
    let method = case["method"].as_str().unwrap_or("POST");
    let mut uri = case["path"].as_str().unwrap_or("/hook").to_owned();
    if let Some(query) = case["query"].as_str() {
        uri = format!("{uri}?{query}");
    }
    let mut content_type = case["content_type"].as_str().map(str::to_owned);
    let body = if let Some(url) = case["url"].as_str() {
        // Twilio: the public URL's path and query, and a form (or a JSON) body.
        let parsed: http::Uri = url.parse().unwrap();
        uri = parsed.path_and_query().unwrap().to_string();
        if let Some(body) = case["body"].as_str() {
            content_type = Some("application/json".into());
            body.to_owned()
        } else {
            content_type = Some("application/x-www-form-urlencoded".into());
            let mut form = form_urlencoded::Serializer::new(String::new());
            for pair in case["form"].as_array().unwrap() {
                form.append_pair(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            }
            form.finish()
        }
    } else {
        case["body"].as_str().unwrap_or("").to_owned()
    };
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri)
        .body(Body::from(body))
        .unwrap();
    if let Some(content_type) = content_type {
        request
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, content_type.parse().unwrap());
    }
    if let Some(headers) = case["headers"].as_object() {
        for (name, value) in headers {
            request.headers_mut().insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.as_str().unwrap().parse().unwrap(),
            );
        }
    }
    if let Some(name) = case["repeat_header"].as_str() {
        // The same header sent twice: the second copy of the signature.
        let value = case["headers"][name].as_str().unwrap();
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    request
}

/// A provider's published keys by identifier (GitHub secret scanning's list).
struct PublishedKeys(std::collections::HashMap<String, String>);

#[async_trait::async_trait]
impl tower_webhooks::keys::KeyResolver for PublishedKeys {
    async fn resolve(
        &self,
        name: &str,
    ) -> Result<tower_webhooks::Secret, tower_webhooks::keys::ResolveError> {
        self.0
            .get(name)
            .map(|key| tower_webhooks::Secret::from(key.as_str()))
            .ok_or(tower_webhooks::keys::ResolveError::Unknown)
    }
}

/// How the layer under test is made.
#[derive(Clone, Copy, PartialEq)]
enum Made {
    /// The preset's constructor.
    Preset,
    /// The builder alone, from the parts.
    Builder,
    /// The preset's scheme written out as a document and read back (through JSON, and through
    /// TOML too when the feature is on): what a config file would give.
    Document,
}

/// The preset's layer rebuilt from its scheme's text.
fn document_for(provider: &str, secret: &str, file: &Value) -> WebhookLayer {
    let preset = preset_for(provider, secret, file);
    let text = preset.scheme().to_json();
    let mut scheme =
        Scheme::from_json(&text).unwrap_or_else(|err| panic!("{provider}: {err}\n{text}"));
    #[cfg(feature = "toml")]
    {
        let text = scheme.to_toml();
        scheme = Scheme::from_toml(&text).unwrap_or_else(|err| panic!("{provider}: {err}\n{text}"));
    }
    if let Some(token) = file["verify_token"].as_str() {
        scheme = Builder::from(scheme).verify_token(token).scheme().unwrap();
    }
    // As the preset constructors do: an unusable key (a case may give one) fails closed.
    let mut layer = WebhookLayer::new(scheme, secret);
    if let Some(secondary) = file["secondary_key"].as_str() {
        layer = layer.with_secret(secondary);
    }
    layer
}

async fn run_case(provider: &str, file: &Value, case: &Value, made: Made) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("?");
    let secret = case["secret"]
        .as_str()
        .unwrap_or_else(|| file["secret"].as_str().unwrap());
    let expect = case["expect"].as_str().unwrap();
    let mut layer = match made {
        Made::Preset => preset_for(provider, secret, file),
        Made::Builder => builder_for(provider, secret),
        Made::Document => document_for(provider, secret, file),
    };
    if let Some(keys) = file["keys"].as_object() {
        // The provider's published key list, as a resolver would fetch it.
        let keys = keys
            .iter()
            .map(|(id, key)| (id.clone(), key.as_str().unwrap().to_owned()))
            .collect();
        layer = layer.with_key_resolver(PublishedKeys(keys));
    }
    for more in case["more_secrets"].as_array().into_iter().flatten() {
        layer = layer.with_secret(more.as_str().unwrap());
    }
    if let Some(now) = case["now"].as_i64() {
        layer = layer.with_clock(FixedClock(now));
    }

    if expect == "body_hash_matches" {
        // Twilio's JSON-body mode signs the URL carrying `bodySHA256`: the key of a body-hash
        // scheme must be that same SHA-256.
        let hashed = WebhookLayer::builder()
            .unsigned()
            .id(IdSource::body_hash())
            .payload(Payload::Opaque)
            .build()
            .unwrap();
        let response = app(hashed).oneshot(request_for(case)).await.unwrap();
        let seen: Value = serde_json::from_str(&body_string(response).await).unwrap();
        return check(name, seen["id"] == case["body_sha256"], &seen);
    }

    let response = app(layer).oneshot(request_for(case)).await.unwrap();
    let status = response.status();
    let text = body_string(response).await;
    let ok = match expect {
        "valid" => {
            let seen: Value =
                serde_json::from_str(&text).map_err(|_| format!("{name}: {status} {text}"))?;
            for field in ["event_id", "event_type"] {
                let key = if field == "event_id" { "id" } else { "type" };
                if !case[field].is_null() && seen[key] != case[field] {
                    return Err(format!("{name}: {field} {} != {}", seen[key], case[field]));
                }
            }
            status == StatusCode::OK
        }
        "challenge" => {
            let seen: Value = serde_json::from_str(&text).map_err(|_| format!("{name}: {text}"))?;
            status == StatusCode::OK && seen == case["response_json"]
        }
        "challenge_text" => status == StatusCode::OK && text == case["response_text"],
        "forbidden" => status == 403 && text == Rejection::InvalidVerifyToken.to_string(),
        "invalid_signature" => status == 401 && text == Rejection::InvalidSignature.to_string(),
        "missing_signature" => status == 401 && text == Rejection::MissingSignature.to_string(),
        "stale_timestamp" => status == 401 && text == Rejection::StaleTimestamp.to_string(),
        // A published example whose body is not the provider's JSON (an SDK test signing
        // `hello world`): the signature passed, whatever the body then gets.
        "verified" => status != 401 && status != 403,
        "key_unavailable" => status == 503,
        "malformed_signature" => {
            status == 401 && text.starts_with("webhook signature is malformed")
        }
        other => return Err(format!("{name}: unknown expectation {other:?}")),
    };
    check(name, ok, &format!("{expect}, got {status} {text}"))
}

fn check(name: &str, ok: bool, detail: &dyn std::fmt::Debug) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{name}: {detail:?}"))
    }
}

/// The providers whose presets need a cargo feature this build may lack.
const NEEDS_FEATURE: [(&str, &str, bool); 3] = [
    ("discord", "ed25519", cfg!(feature = "ed25519")),
    ("telnyx", "ed25519", cfg!(feature = "ed25519")),
    ("sendgrid", "ecdsa", cfg!(feature = "ecdsa")),
];

fn vector_files(dir: &std::path::Path) -> Vec<(PathBuf, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("the provider vectors must be at {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let file: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            (path, file)
        })
        .filter(|(path, file)| {
            let provider = file["provider"].as_str().unwrap_or("");
            let by_file = file["needs_feature"].as_str().map(|features| {
                let on = features.split(',').all(|feature| match feature {
                    "ed25519" => cfg!(feature = "ed25519"),
                    "ecdsa" => cfg!(feature = "ecdsa"),
                    "rsa" => cfg!(feature = "rsa"),
                    "fetch" => cfg!(feature = "fetch"),
                    other => panic!("{}: unknown feature {other}", path.display()),
                });
                (provider, features, on)
            });
            match by_file.or_else(|| {
                NEEDS_FEATURE
                    .iter()
                    .find(|(p, _, _)| *p == provider)
                    .copied()
            }) {
                Some((_, feature, false)) => {
                    // Said out loud: CI runs --all-features, where these run.
                    println!(
                        "NOT RUN: {} needs the features `{feature}` (cargo test --all-features)",
                        path.display()
                    );
                    false
                }
                _ => true,
            }
        })
        .collect()
}

/// Runs every case of `files`; returns how many ran, or the failures.
async fn run_files(files: &[(PathBuf, Value)], made: Made) -> usize {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (_, file) in files {
        let provider = file["provider"].as_str().unwrap();
        for case in file["cases"].as_array().unwrap() {
            ran += 1;
            if let Err(failure) = run_case(provider, file, case, made).await {
                failures.push(format!("{provider}: {failure}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran
}

#[tokio::test]
async fn every_vector_passes_with_the_presets() {
    let mut files = vector_files(&official_vectors());
    assert!(
        files.len() >= 7,
        "expected the official and seed vector files"
    );
    files.extend(vector_files(&own_vectors()));
    files.extend(vector_files(&catalogue_vectors()));
    let ran = run_files(&files, Made::Preset).await;
    let providers: std::collections::BTreeSet<&str> = files
        .iter()
        .map(|(_, f)| f["provider"].as_str().unwrap())
        .collect();
    assert!(
        providers.len() >= 15,
        "providers with vectors: {providers:?}"
    );
    assert!(ran >= 70, "only {ran} cases ran");
    println!(
        "{ran} vector cases passed across {} files, {} providers",
        files.len(),
        providers.len()
    );
}

#[tokio::test]
async fn every_vector_passes_with_schemes_read_from_their_documents() {
    let mut files = vector_files(&official_vectors());
    files.extend(vector_files(&own_vectors()));
    files.extend(vector_files(&catalogue_vectors()));
    let ran = run_files(&files, Made::Document).await;
    assert!(ran >= 70, "only {ran} cases ran");
    println!("{ran} vector cases passed with schemes read back from their documents");
}

#[tokio::test]
async fn the_builder_alone_passes_the_official_vectors() {
    let files: Vec<_> = vector_files(&official_vectors())
        .into_iter()
        .filter(|(_, f)| {
            ["github", "slack", "standard-webhooks", "twilio"]
                .contains(&f["provider"].as_str().unwrap())
        })
        .collect();
    assert_eq!(files.len(), 4);
    let ran = run_files(&files, Made::Builder).await;
    println!("{ran} official vector cases passed with builder-made layers");
}

#[tokio::test]
async fn wappcloud_vector_challenge_is_byte_exact() {
    let response = app(WebhookLayer::wappcloud("wapp-secret-3b8f"))
        .oneshot(
            Request::get("/hook?challenge=abc123")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(body_string(response).await, r#"{"challenge":"abc123"}"#);
    // The handshake is the preset's data, not code of its own.
    assert!(matches!(
        tower_webhooks::provider::wappcloud::scheme(),
        s if format!("{s:?}").contains(&format!("{:?}", Handshake::echo_json("challenge", "challenge")))
    ));
}
