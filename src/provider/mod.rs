//! Provider presets: each one a [`Scheme`](crate::scheme::Scheme) made of shared parts, plus
//! typed payloads with an event-type accessor.
//!
//! The table is generated from the presets themselves (a unit test compares it with this page and
//! the README). `<sig>` is the encoded MAC, `<t>` the timestamp as sent.
//!
//! <!-- providers:start -->
//! | preset | signature header | signed message | MAC | timestamp, tolerance | handshake | dedup key | event type |
//! |---|---|---|---|---|---|---|---|
//! | `WebhookLayer::ycloud(secret)` | `ycloud-signature: t=<t>,s=<sig>[,s=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | JSON `/id` | JSON `/type` |
//! | `WebhookLayer::wappcloud(secret)` | `x-wappcloud-signature: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | `GET ?challenge=<v>` → `{"challenge":"<v>"}` | body SHA-256 | `x-wappcloud-event` |
//! | `WebhookLayer::yeastar(secret)` | `x-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | body SHA-256 | JSON `/event` |
//! | `WebhookLayer::conversation()` | `x-signature: sha256=<sig>` (once a secret is set) | `<body>` | hex HMAC-SHA256 | none | none | JSON `/data/id` + JSON `/data/status` | JSON `/data/type` |
//! | `WebhookLayer::standard_webhooks(secret)` | `webhook-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_` | `webhook-timestamp`, 300 s | none | `webhook-id` | JSON `/type` |
//! | `WebhookLayer::svix(secret)` | `svix-signature: v1,<sig>[ v1,<sig>…]` | `<id>.<t>.<body>` | base64 HMAC-SHA256, key = base64 after `whsec_` | `svix-timestamp`, 300 s | none | `svix-id` | JSON `/type` |
//! | `WebhookLayer::stripe(secret)` | `stripe-signature: t=<t>,v1=<sig>[,v1=<sig>…]` | `<t>.<body>` | hex HMAC-SHA256 | pair `t`, 300 s | none | JSON `/id` | JSON `/type` |
//! | `WebhookLayer::github(secret)` | `x-hub-signature-256: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | none | `x-github-delivery`, else body SHA-256 | `x-github-event` |
//! | `WebhookLayer::slack(signing_secret)` | `x-slack-signature: v0=<sig>` | `v0:<t>:<body>` | hex HMAC-SHA256 | `x-slack-request-timestamp`, 300 s | signed POST with `/type = "url_verification"` → `{"challenge": /challenge}` | JSON or form `/event_id`, else body SHA-256 | JSON or form `/event/type`, else JSON or form `/type`, else JSON or form `/payload/type`, else JSON or form `/command` |
//! | `WebhookLayer::meta(app_secret, verify_token)` | `x-hub-signature-256: sha256=<sig>` | `<body>` | hex HMAC-SHA256 | none | `GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=<v>` → `<v>` if the token matches, else 403 | body SHA-256 | JSON `/object` |
//! | `WebhookLayer::shopify(secret)` | `x-shopify-hmac-sha256: <sig>` | `<body>` | base64 HMAC-SHA256 | none | none | `x-shopify-webhook-id` | `x-shopify-topic` |
//! | `WebhookLayer::twilio(auth_token, public_base_url)` | `x-twilio-signature: <sig>` | `<public url><sorted form params>`; JSON bodies: `<public url>?bodySHA256=<hex SHA-256 of body>` | base64 HMAC-SHA1 | none | none | `i-twilio-idempotency-token`, else body SHA-256 | JSON or form `/MessageStatus`, else JSON or form `/CallStatus` |
//! | `WebhookLayer::zoom(secret_token)` | `x-zm-signature: v0=<sig>` | `v0:<t>:<body>` | hex HMAC-SHA256 | `x-zm-request-timestamp`, 300 s | signed POST with `/event = "endpoint.url_validation"` → `{"plainToken": /payload/plainToken, "encryptedToken": hex HMAC(/payload/plainToken)}` | body SHA-256 | JSON `/event` |
//! | `WebhookLayer::paddle(secret)` | `paddle-signature: ts=<t>;h1=<sig>[;h1=<sig>…]` | `<t>:<body>` | hex HMAC-SHA256 | pair `ts`, 5 s | none | JSON `/event_id` | JSON `/event_type` |
//! | `WebhookLayer::intercom(client_secret)` | `x-hub-signature: sha1=<sig>` | `<body>` | hex HMAC-SHA1 | none | none | JSON `/id` | JSON `/topic` |
//! | `WebhookLayer::x(consumer_secret)` | `x-twitter-webhooks-signature: sha256=<sig>` | `<body>` | base64 HMAC-SHA256 | none | `GET ?crc_token=<v>` → `{"response_token":"sha256=<base64 HMAC(<v>)>"}` | body SHA-256 | none |
//! | `WebhookLayer::twitch(secret)` | `twitch-eventsub-message-signature: sha256=<sig>` | `<id><t><body>` | hex HMAC-SHA256 | `twitch-eventsub-message-timestamp` (RFC 3339), 600 s | signed POST with `twitch-eventsub-message-type = "webhook_callback_verification"` → `/challenge` as text | `twitch-eventsub-message-id` | JSON `/subscription/type` |
//! | `WebhookLayer::linear(signing_secret)` | `linear-signature: <sig>` | `<body>` | hex HMAC-SHA256 | JSON `/webhookTimestamp` (ms), 60 s | none | `linear-delivery`, else body SHA-256 | JSON `/type` |
//! | `WebhookLayer::dropbox(app_secret)` | `x-dropbox-signature: <sig>` | `<body>` | hex HMAC-SHA256 | none | `GET ?challenge=<v>` → `<v>` as text | body SHA-256 | none |
//! | `WebhookLayer::gitlab(secret_token)` | `x-gitlab-token: <secret>` | nothing (the body is not covered) | none: the secret itself, compared in constant time | none | none | `x-gitlab-event-uuid`, else body SHA-256 | `x-gitlab-event` |
//! | `WebhookLayer::okta(authorization)` | `authorization: <secret>` | nothing (the body is not covered) | none: the secret itself, compared in constant time | none | `GET with x-okta-verification-challenge: <v>` → `{"verification":"<v>"}` | JSON `/eventId`, else body SHA-256 | JSON `/eventType` |
//! | `WebhookLayer::xero(webhook_key)` | `x-xero-signature: <sig>` | `<body>` | base64 HMAC-SHA256 | none | signed POST with `/firstEventSequence = 0` → empty 200 | body SHA-256 | none |
//! | `WebhookLayer::hubspot(client_secret, public_base_url)` | `x-hubspot-signature-v3: <sig>` | `<method><public url><body><t>` | base64 HMAC-SHA256 | `x-hubspot-request-timestamp` (ms), 300 s | none | body SHA-256 | none |
//! | `WebhookLayer::square(signature_key, public_base_url)` | `x-square-hmacsha256-signature: <sig>` | `<public url><body>` | base64 HMAC-SHA256 | none | none | JSON `/event_id`, else body SHA-256 | JSON `/type` |
//! | `WebhookLayer::box_webhooks(primary_key, secondary_key)` | `box-signature-primary: <sig>` or `box-signature-secondary: <sig>` | `<body><t>` | base64 HMAC-SHA256 | `box-delivery-timestamp` (RFC 3339), 600 s | none | JSON `/id`, else body SHA-256 | JSON `/trigger` |
//! | `WebhookLayer::discord(public_key)` | `x-signature-ed25519: <sig>` | `<t><body>` | hex Ed25519, public key in hex | `x-signature-timestamp`, 300 s | signed POST with `/type = 1` → `{"type":1}` | JSON `/id` | JSON `/type` |
//! | `WebhookLayer::telnyx(public_key)` | `telnyx-signature-ed25519: <sig>` | `<t>\|<body>` | base64 Ed25519, public key in base64 | `telnyx-timestamp`, 300 s | none | JSON `/data/id` | JSON `/data/event_type` |
//! | `WebhookLayer::sendgrid(public_key)` | `x-twilio-email-event-webhook-signature: <sig>` | `<t><body>` | base64 DER ECDSA P-256 SHA-256, public key in base64 | `x-twilio-email-event-webhook-timestamp`, 86400 s | none | body SHA-256 | none |
//! <!-- providers:end -->

pub mod box_webhooks;
pub mod conversation;
pub mod discord;
pub mod dropbox;
pub mod github;
pub mod gitlab;
pub mod hubspot;
pub mod intercom;
pub mod linear;
pub mod meta;
pub mod okta;
pub mod paddle;
pub mod sendgrid;
pub mod shopify;
pub mod slack;
pub mod square;
pub mod standard_webhooks;
pub mod stripe;
pub mod svix;
pub mod telnyx;
pub mod twilio;
pub mod twitch;
pub mod wappcloud;
pub mod x;
pub mod xero;
pub mod ycloud;
pub mod yeastar;
pub mod zoom;

#[cfg(test)]
mod table;

use std::time::Duration;

use http::HeaderName;

use crate::scheme::{Signature, SignedPart, Source, TimestampSource};
use crate::Builder;

/// `<header>: t=<t>,<key>=<hex HMAC of "<t>.<body>">`, 300 s, JSON `id` and `type`: Stripe's
/// format, which YCloud follows with `s` for `v1`.
fn stripe_style(provider: &'static str, header: &'static str, key: &'static str) -> Builder {
    Builder::new()
        .provider(provider)
        .signature(
            Signature::new(HeaderName::from_static(header))
                .pairs(',', key)
                .signs(timestamp_then_body(".")),
        )
        .timestamp(TimestampSource::Pair("t".into()))
        .tolerance(Duration::from_secs(300))
        .id(Source::json_path(&["id"]))
        .event_type(Source::json_path(&["type"]))
}

/// `<t><separator><body>`: what YCloud and Stripe (`.`) and Paddle (`:`) sign.
fn timestamp_then_body(separator: &'static str) -> [SignedPart; 3] {
    [
        SignedPart::Timestamp,
        SignedPart::literal(separator),
        SignedPart::Body,
    ]
}

/// `<header>: v0=<hex HMAC of "v0:<t>:<body>">`: Slack's format, which Zoom adopted.
fn v0_signature(header: &'static str) -> Signature {
    Signature::new(HeaderName::from_static(header))
        .prefix("v0=")
        .signs([
            SignedPart::literal("v0:"),
            SignedPart::Timestamp,
            SignedPart::literal(":"),
            SignedPart::Body,
        ])
}

#[cfg(test)]
mod tests {
    use crate::scheme::validate;

    #[test]
    fn every_preset_is_consistent() {
        for (constructor, scheme) in super::table::catalogue() {
            let unsigned = constructor.contains("conversation");
            assert_eq!(validate(&scheme, unsigned), Ok(()), "{constructor}");
        }
        assert_eq!(validate(&super::conversation::scheme(), false), Ok(()));
    }
}
