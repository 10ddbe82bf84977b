//! One test per preset, through `oneshot`, signed with `testing::Signer`: an authentic delivery
//! reaches the handler as the preset's typed event with its type; the same delivery again does
//! not; a tampered copy is refused. Handshakes are answered without calling the handler.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use common::{Calls, body_string};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower::ServiceExt;
use tower_webhooks::provider::{
    github, intercom, meta, paddle, shopify, slack, standard_webhooks, stripe, svix, twilio, x,
    zoom,
};
use tower_webhooks::scheme::Scheme;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Event, WebhookLayer};

/// What the handler saw: the event id, `Event::event_type`, and the typed payload's own accessor.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A route whose handler extracts `Event<T>` and records what it saw.
fn route<T>(layer: WebhookLayer, typed: fn(&T) -> Option<String>) -> (Router, Calls, Seen)
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let calls = Calls::default();
    let seen: Seen = Arc::default();
    let (c, s) = (calls.clone(), seen.clone());
    let router = Router::new().route(
        "/hook",
        post(move |event: Event<T>| async move {
            c.hit();
            s.lock().unwrap().push((
                event.id().to_owned(),
                event.event_type().map(str::to_owned),
                typed(event.payload()),
            ));
            "ok"
        })
        .layer(layer),
    );
    (router, calls, seen)
}

/// Delivers `body` signed by `signer` twice and a tampered copy once; checks the handler ran once
/// and saw `event_type` from both the layer and the typed payload.
async fn deliver<T>(
    layer: WebhookLayer,
    signer: Signer,
    body: &str,
    event_type: Option<&str>,
    typed: fn(&T) -> Option<String>,
) -> String
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let (app, calls, seen) = route::<T>(layer, typed);
    for _ in 0..2 {
        let response = app
            .clone()
            .oneshot(signer.request("/hook", body.to_owned()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(calls.get(), 1, "the duplicate reached the handler");

    let mut tampered = signer.request("/hook", body.to_owned());
    *tampered.body_mut() = Body::from(format!("{body} "));
    let response = app.clone().oneshot(tampered).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(calls.get(), 1);

    let (id, layer_type, payload_type) = seen.lock().unwrap()[0].clone();
    assert_eq!(layer_type.as_deref(), event_type, "Event::event_type");
    if payload_type.is_some() {
        assert_eq!(
            payload_type.as_deref(),
            event_type,
            "the payload's accessor"
        );
    }
    id
}

fn signer(scheme: Scheme, secret: &str) -> Signer {
    Signer::new(scheme, secret).unwrap()
}

#[tokio::test]
async fn standard_webhooks() {
    let body = r#"{"type":"user.created","timestamp":"2022-11-03T20:26:10Z","data":{"id":"1"}}"#;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let s = signer(standard_webhooks::scheme(), secret).with_id("msg_1");
    let id = deliver(
        WebhookLayer::standard_webhooks(secret),
        s,
        body,
        Some("user.created"),
        |e: &standard_webhooks::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "msg_1");
}

#[tokio::test]
async fn svix() {
    let body = r#"{"type":"invoice.created","data":{}}"#;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let s = signer(svix::scheme(), secret).with_id("msg_2");
    let request = s.request("/hook", body);
    assert!(request.headers().contains_key("svix-signature"));
    let id = deliver(
        WebhookLayer::svix(secret),
        s,
        body,
        Some("invoice.created"),
        |e: &svix::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "msg_2");
}

#[tokio::test]
async fn stripe() {
    let body = r#"{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"livemode":false,"data":{"object":{"id":"in_1"}}}"#;
    let id = deliver(
        WebhookLayer::stripe("whsec_stripe"),
        signer(stripe::scheme(), "whsec_stripe"),
        body,
        Some("invoice.paid"),
        |e: &stripe::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "evt_1");
}

#[tokio::test]
async fn github() {
    let s = signer(github::scheme(), "gh-secret").with_id("72d3162e");
    let mut request = s.request("/hook", r#"{"action":"opened"}"#);
    assert!(request.headers().contains_key("x-github-delivery"));
    // The type is a header GitHub sets beside the signature.
    request
        .headers_mut()
        .insert("x-github-event", "pull_request".parse().unwrap());
    let (app, calls, seen) =
        route::<github::Event>(WebhookLayer::github("gh-secret"), |e| e.action.clone());
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(calls.get(), 1);
    let seen = seen.lock().unwrap()[0].clone();
    assert_eq!(
        seen,
        (
            "72d3162e".to_owned(),
            Some("pull_request".to_owned()),
            Some("opened".to_owned())
        )
    );
    let redelivery = s.request("/hook", r#"{"action":"opened"}"#);
    app.oneshot(redelivery).await.unwrap();
    assert_eq!(calls.get(), 1, "a redelivery keeps X-GitHub-Delivery");
}

#[tokio::test]
async fn slack_events_commands_interactions_and_url_verification() {
    let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let s = signer(slack::scheme(), secret);
    let body = r#"{"type":"event_callback","event_id":"Ev1","team_id":"T1","event":{"type":"app_mention","text":"hi"}}"#;
    let id = deliver(
        WebhookLayer::slack(secret),
        s.clone(),
        body,
        Some("app_mention"),
        |e: &slack::Callback| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "Ev1");

    // A slash command: a form, no id (the body hash), typed as `slack::Command`.
    deliver(
        WebhookLayer::slack(secret),
        s.clone().form(),
        "command=%2Fdeploy&text=now&user_id=U1&trigger_id=t1",
        Some("/deploy"),
        |e: &slack::Command| Some(e.command.clone()),
    )
    .await;

    // An interaction: JSON inside the form's `payload` field.
    let payload = r#"{"type":"block_actions","user":{"id":"U1"}}"#;
    let form = format!(
        "payload={}",
        form_urlencoded::byte_serialize(payload.as_bytes()).collect::<String>()
    );
    deliver(
        WebhookLayer::slack(secret),
        s.clone().form(),
        &form,
        Some("block_actions"),
        |e: &slack::Interaction| Some(e.event_type().to_owned()),
    )
    .await;

    // The signed url_verification is answered by the layer.
    let (app, calls, _) = route::<Value>(WebhookLayer::slack(secret), |_| None);
    let challenge = r#"{"token":"t","challenge":"3eZbrw1aBm2r","type":"url_verification"}"#;
    let response = app
        .clone()
        .oneshot(s.request("/hook", challenge))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body_string(response).await).unwrap(),
        json!({"challenge": "3eZbrw1aBm2r"})
    );
    // Unsigned, it is refused like any delivery.
    let unsigned = Request::post("/hook").body(Body::from(challenge)).unwrap();
    assert_eq!(app.oneshot(unsigned).await.unwrap().status(), 401);
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn meta_events_and_verification() {
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}"#;
    deliver(
        WebhookLayer::meta("app-secret", "verify-me"),
        signer(meta::scheme("verify-me"), "app-secret"),
        body,
        Some("whatsapp_business_account"),
        |e: &meta::Event| Some(e.event_type().to_owned()),
    )
    .await;

    let (app, calls, _) = route::<Value>(WebhookLayer::meta("app-secret", "verify-me"), |_| None);
    let get = |query: &str| {
        Request::get(format!("/hook?{query}"))
            .body(Body::empty())
            .unwrap()
    };
    let ok = app
        .clone()
        .oneshot(get(
            "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444",
        ))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(body_string(ok).await, "1158201444");
    for query in [
        "hub.mode=subscribe&hub.verify_token=app-secret&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=verify-mf&hub.challenge=1",
        "hub.mode=subscribe&hub.challenge=1",
        "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1",
    ] {
        let response = app.clone().oneshot(get(query)).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{query}");
    }
    let no_challenge = app
        .clone()
        .oneshot(get("hub.mode=subscribe&hub.verify_token=verify-me"))
        .await
        .unwrap();
    assert_eq!(no_challenge.status(), StatusCode::BAD_REQUEST);
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn shopify() {
    let s = signer(shopify::scheme(), "shpss_secret").with_id("b54557e4");
    let mut request = s.request("/hook", r#"{"id":820982911946154508}"#);
    request
        .headers_mut()
        .insert("x-shopify-topic", "orders/create".parse().unwrap());
    let (app, calls, seen) = route::<shopify::Event>(WebhookLayer::shopify("shpss_secret"), |e| {
        e.id.map(|id| id.to_string())
    });
    assert_eq!(app.clone().oneshot(request).await.unwrap().status(), 200);
    assert_eq!(calls.get(), 1);
    let seen = seen.lock().unwrap()[0].clone();
    assert_eq!(seen.0, "b54557e4");
    assert_eq!(seen.1.as_deref(), Some("orders/create"));
    assert_eq!(seen.2.as_deref(), Some("820982911946154508"));
    // The old secret still verifies during a rotation when both are configured.
    let rotated = WebhookLayer::shopify("shpss_new").with_secret("shpss_secret");
    let (app, calls, _) = route::<Value>(rotated, |_| None);
    let request = s.request("/hook", r#"{"id":1}"#);
    assert_eq!(app.oneshot(request).await.unwrap().status(), 200);
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn twilio_forms_and_json_bodies() {
    let base = "https://api.example.com";
    let form = "AccountSid=AC1&MessageSid=SM1&MessageStatus=delivered&From=%2B1555&To=%2B1666";
    deliver(
        WebhookLayer::twilio("auth-token", base),
        signer(twilio::scheme(base), "auth-token").form(),
        form,
        Some("delivered"),
        |e: &twilio::Event| e.event_type().map(str::to_owned),
    )
    .await;

    // JSON body: the signer pins it with bodySHA256 in the signed URL.
    let s = signer(twilio::scheme(base), "auth-token");
    let request = s.request("/hook?x=1", r#"{"event":"x"}"#);
    assert!(request.uri().query().unwrap().contains("bodySHA256="));
    let (app, calls, _) = route::<Value>(WebhookLayer::twilio("auth-token", base), |_| None);
    assert_eq!(app.clone().oneshot(request).await.unwrap().status(), 200);
    assert_eq!(calls.get(), 1);

    // Behind another public host, the signature does not match.
    let (app, calls, _) = route::<Value>(
        WebhookLayer::twilio("auth-token", "https://other.example.com"),
        |_| None,
    );
    let request = s.request("/hook", form);
    assert_eq!(app.oneshot(request).await.unwrap().status(), 401);
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn zoom_events_and_url_validation() {
    let body =
        r#"{"event":"meeting.started","event_ts":1700000000000,"payload":{"object":{"id":"1"}}}"#;
    let s = signer(zoom::scheme(), "zoom-secret");
    deliver(
        WebhookLayer::zoom("zoom-secret"),
        s.clone(),
        body,
        Some("meeting.started"),
        |e: &zoom::Event| Some(e.event_type().to_owned()),
    )
    .await;

    // The answer's HMAC uses the secret that verified the request, during a rotation too.
    let rotated = WebhookLayer::zoom("new-secret").with_secret("zoom-secret");
    let (app, calls, _) = route::<Value>(rotated, |_| None);
    let validation = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1,"event":"endpoint.url_validation"}"#;
    let response = app.oneshot(s.request("/hook", validation)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = serde_json::from_str(&body_string(response).await).unwrap();
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"zoom-secret").unwrap();
    mac.update(b"qgg8vlvZRS6UYooatFL8Aw");
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(
        answer,
        json!({"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected})
    );
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn paddle() {
    let body = r#"{"event_id":"evt_1","event_type":"transaction.completed","occurred_at":"2024-01-01T00:00:00Z","notification_id":"ntf_1","data":{}}"#;
    let id = deliver(
        WebhookLayer::paddle("pdl_secret"),
        signer(paddle::scheme(), "pdl_secret"),
        body,
        Some("transaction.completed"),
        |e: &paddle::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "evt_1");
}

#[tokio::test]
async fn intercom() {
    let body = r#"{"type":"notification_event","id":"notif_1","topic":"conversation.user.created","app_id":"a","data":{}}"#;
    let id = deliver(
        WebhookLayer::intercom("ic-secret"),
        signer(intercom::scheme(), "ic-secret"),
        body,
        Some("conversation.user.created"),
        |e: &intercom::Notification| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "notif_1");
}

#[tokio::test]
async fn x_events_and_crc() {
    let body = r#"{"for_user_id":"2244994945","favorite_events":[{"id":"1"}]}"#;
    // X names the kind by a key, which the layer does not look for: only the payload knows it.
    deliver(
        WebhookLayer::x("consumer-secret"),
        signer(x::scheme(), "consumer-secret"),
        body,
        None,
        |_: &x::Event| None,
    )
    .await;
    let event: x::Event = serde_json::from_str(body).unwrap();
    assert_eq!(event.event_type(), Some("favorite_events"));

    // The CRC: the token's HMAC with the consumer secret, base64, behind `sha256=`.
    let (app, calls, _) = route::<Value>(WebhookLayer::x("consumer-secret"), |_| None);
    let response = app
        .oneshot(
            Request::get("/hook?crc_token=a9f5c2d1")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = serde_json::from_str(&body_string(response).await).unwrap();
    use base64::Engine as _;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"consumer-secret").unwrap();
    mac.update(b"a9f5c2d1");
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(
        answer,
        json!({"response_token": format!("sha256={expected}")})
    );
    assert_eq!(calls.get(), 0);
}

/// A private key's seed for the Ed25519 presets' tests (RFC 8032, 7.1, TEST 1).
#[cfg(feature = "ed25519")]
const ED25519_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

#[cfg(feature = "ed25519")]
#[tokio::test]
async fn discord_interactions_and_ping() {
    use tower_webhooks::provider::discord;
    let s = signer(discord::scheme(), &hex::encode(ED25519_SEED));
    let public_key = s.public_key().unwrap();
    assert_eq!(
        public_key,
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    let body = r#"{"id":"787053080478613555","application_id":"1","type":2,"token":"t","version":1,"data":{"name":"ping"}}"#;
    let id = deliver(
        WebhookLayer::discord(public_key.as_str()),
        s.clone(),
        body,
        Some("2"),
        |i: &discord::Interaction| Some(i.event_type()),
    )
    .await;
    assert_eq!(id, "787053080478613555");

    // The PING: answered {"type":1} by the layer, the handler never called; a bad signature on
    // it is 401, which Discord checks before it accepts the URL.
    let ping = r#"{"id":"1","application_id":"1","type":1,"token":"t","version":1}"#;
    let (app, calls, _) = route::<Value>(WebhookLayer::discord(public_key.as_str()), |_| None);
    let response = app.clone().oneshot(s.request("/hook", ping)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(body_string(response).await, r#"{"type":1}"#);
    let mut forged = s.request("/hook", ping);
    let signature = forged.headers()["x-signature-ed25519"].to_str().unwrap();
    let flipped = format!(
        "{}{}",
        if signature.starts_with('0') { '1' } else { '0' },
        &signature[1..]
    );
    forged
        .headers_mut()
        .insert("x-signature-ed25519", flipped.parse().unwrap());
    let response = app.oneshot(forged).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(calls.get(), 0);
}

#[cfg(feature = "ed25519")]
#[tokio::test]
async fn telnyx() {
    use base64::Engine as _;
    use tower_webhooks::provider::telnyx;
    let seed = base64::engine::general_purpose::STANDARD.encode(ED25519_SEED);
    let s = signer(telnyx::scheme(), &seed);
    let body = r#"{"data":{"id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","event_type":"message.received","payload":{"text":"hi"},"record_type":"event"},"meta":{"attempt":1}}"#;
    let id = deliver(
        WebhookLayer::telnyx(s.public_key().unwrap()),
        s,
        body,
        Some("message.received"),
        |e: &telnyx::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
}

/// A P-256 private key (PKCS#8, base64), made with Python's cryptography from a fixed scalar.
#[cfg(feature = "ecdsa")]
const P256_PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOh98LptNWm+ODBstP0pbbH2OnwobLD1OX2BxgpOktcahRANCAATyNrMAWI4eUWiF8hye1zgKw44BeZmgNCKlppYwmyn3StVAowyHCeA6C4+iXjmBuGaHo0KGBYk/Y0qnmlPzjMhQ";

#[cfg(feature = "ecdsa")]
#[tokio::test]
async fn sendgrid_batches() {
    use tower_webhooks::provider::sendgrid;
    let s = signer(sendgrid::scheme(), P256_PKCS8);
    assert_eq!(
        s.public_key().unwrap(),
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8jazAFiOHlFohfIcntc4CsOOAXmZoDQipaaWMJsp90rVQKMMhwngOguPol45gbhmh6NChgWJP2NKp5pT84zIUA=="
    );
    let body = "[{\"email\":\"a@example.com\",\"timestamp\":1600112492,\"event\":\"delivered\",\"sg_event_id\":\"ZGVs\"},{\"email\":\"b@example.com\",\"timestamp\":1600112493,\"event\":\"open\",\"sg_event_id\":\"b3Blbg\"}]\r\n";
    let (app, calls, _) =
        route::<sendgrid::Events>(WebhookLayer::sendgrid(s.public_key().unwrap()), |_| None);
    for _ in 0..2 {
        let response = app.clone().oneshot(s.request("/hook", body)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    // A batch is deduplicated by its bytes: the retry is not handled twice.
    assert_eq!(calls.get(), 1);
    let mut tampered = s.request("/hook", body);
    *tampered.body_mut() = Body::from(body.trim_end());
    assert_eq!(
        app.oneshot(tampered).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let batch: sendgrid::Events = serde_json::from_str(body).unwrap();
    assert_eq!(
        batch
            .iter()
            .map(sendgrid::Event::event_type)
            .collect::<Vec<_>>(),
        ["delivered", "open"]
    );
}

#[tokio::test]
async fn twitch_notifications_and_callback_verification() {
    use tower_webhooks::provider::twitch;
    let body = r#"{"subscription":{"id":"f1c2","status":"enabled","type":"channel.follow","version":"2"},"event":{"user_id":"1234"}}"#;
    let s = signer(twitch::scheme(), "twitch-secret-0123").with_id("msg-1");
    let request = s.request("/hook", body);
    // The Signer writes the scheme's RFC 3339 timestamp.
    let timestamp = request.headers()["twitch-eventsub-message-timestamp"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        timestamp.ends_with('Z') && timestamp.contains('T'),
        "{timestamp}"
    );
    let id = deliver(
        WebhookLayer::twitch("twitch-secret-0123"),
        s.clone(),
        body,
        Some("channel.follow"),
        |n: &twitch::Notification| Some(n.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "msg-1");

    // The verification: the challenge back as text, the handler not called.
    let verify = r#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2","status":"webhook_callback_verification_pending","type":"channel.follow","version":"2"}}"#;
    let (app, calls, _) = route::<Value>(WebhookLayer::twitch("twitch-secret-0123"), |_| None);
    let mut request = s.clone().with_id("msg-2").request("/hook", verify);
    request.headers_mut().insert(
        "twitch-eventsub-message-type",
        "webhook_callback_verification".parse().unwrap(),
    );
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        body_string(response).await,
        "pogchamp-kappa-360noscope-vohiyo"
    );
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn box_with_either_key() {
    use tower_webhooks::provider::box_webhooks;
    let body = r#"{"type":"webhook_event","id":"eb0c4e06","trigger":"FILE.UPLOADED","source":{"id":"1","type":"file"}}"#;
    let id = deliver(
        WebhookLayer::box_webhooks("primary-key", "secondary-key"),
        signer(box_webhooks::scheme(), "primary-key"),
        body,
        Some("FILE.UPLOADED"),
        |e: &box_webhooks::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "eb0c4e06");
    // Signed with the secondary key only, in the secondary header: accepted too.
    let (app, calls, _) = route::<Value>(
        WebhookLayer::box_webhooks("primary-key", "secondary-key"),
        |_| None,
    );
    let mut request = signer(box_webhooks::scheme(), "secondary-key").request("/hook", body);
    let value = request
        .headers_mut()
        .remove("box-signature-primary")
        .unwrap();
    request
        .headers_mut()
        .insert("box-signature-secondary", value);
    assert_eq!(app.oneshot(request).await.unwrap().status(), StatusCode::OK);
    assert_eq!(calls.get(), 1);
}

#[tokio::test]
async fn square() {
    use tower_webhooks::provider::square;
    let body = r#"{"merchant_id":"M1","type":"payment.updated","event_id":"ev-1","data":{"type":"payment","id":"p1"}}"#;
    let id = deliver(
        WebhookLayer::square("square-key", "https://example.com/"),
        signer(square::scheme("https://example.com"), "square-key"),
        body,
        Some("payment.updated"),
        |e: &square::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "ev-1");
    // Signed for another public URL: refused.
    let (app, _, _) = route::<Value>(
        WebhookLayer::square("square-key", "https://example.com"),
        |_| None,
    );
    let other = signer(square::scheme("https://example.org"), "square-key").request("/hook", body);
    assert_eq!(
        app.oneshot(other).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn hubspot_batches() {
    use tower_webhooks::provider::hubspot;
    let body = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123}]"#;
    let s = signer(hubspot::scheme("https://example.com"), "client-secret");
    let request = s.request("/hook", body);
    // Milliseconds, as HubSpot sends them.
    let timestamp = request.headers()["x-hubspot-request-timestamp"]
        .to_str()
        .unwrap();
    assert!(timestamp.len() >= 13, "{timestamp}");
    let (app, calls, _) = route::<hubspot::Events>(
        WebhookLayer::hubspot("client-secret", "https://example.com"),
        |_| None,
    );
    for _ in 0..2 {
        let response = app.clone().oneshot(s.request("/hook", body)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(calls.get(), 1, "a batch is deduplicated by its bytes");
    let mut tampered = s.request("/hook", body);
    *tampered.uri_mut() = "/hook?x=1".parse().unwrap();
    assert_eq!(
        app.oneshot(tampered).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "the URL is signed"
    );
}

#[tokio::test]
async fn linear_with_the_timestamp_in_the_body() {
    use tower_webhooks::FixedClock;
    use tower_webhooks::provider::linear;
    let body =
        r#"{"action":"update","type":"Issue","data":{"id":"i1"},"webhookTimestamp":1700000000123}"#;
    let s = signer(linear::scheme(), "linear-secret").with_id("delivery-1");
    let layer = WebhookLayer::linear("linear-secret").with_clock(FixedClock(1_700_000_030));
    let id = deliver(
        layer.clone(),
        s.clone(),
        body,
        Some("Issue"),
        |e: &linear::Event| Some(e.event_type().to_owned()),
    )
    .await;
    assert_eq!(id, "delivery-1");
    // The same signed body a minute and more later: stale, read from the signed body.
    let (app, calls, _) = route::<Value>(
        WebhookLayer::linear("linear-secret").with_clock(FixedClock(1_700_000_061)),
        |_| None,
    );
    let response = app.oneshot(s.request("/hook", body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_string(response).await,
        tower_webhooks::Rejection::StaleTimestamp.to_string()
    );
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn dropbox_notifications_and_challenge() {
    use tower_webhooks::provider::dropbox;
    let body = r#"{"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}}"#;
    deliver(
        WebhookLayer::dropbox("app-secret"),
        signer(dropbox::scheme(), "app-secret"),
        body,
        None,
        |n: &dropbox::Notification| {
            assert_eq!(n.accounts().len(), 1);
            None
        },
    )
    .await;
    let (app, calls, _) = route::<Value>(WebhookLayer::dropbox("app-secret"), |_| None);
    let response = app
        .oneshot(
            Request::get("/hook?challenge=%3Cb%3Etag%3C%2Fb%3E")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(body_string(response).await, "<b>tag</b>");
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn xero_events_and_intent_to_receive() {
    use tower_webhooks::provider::xero;
    let body = r#"{"events":[{"resourceId":"1","eventType":"CREATE","eventCategory":"INVOICE","tenantId":"t"}],"lastEventSequence":1,"firstEventSequence":1,"entropy":"ABC"}"#;
    let s = signer(xero::scheme(), "webhook-key");
    deliver(
        WebhookLayer::xero("webhook-key"),
        s.clone(),
        body,
        None,
        |e: &xero::Events| {
            assert_eq!(e.events[0].event_type(), "INVOICE.CREATE");
            None
        },
    )
    .await;
    // The intent to receive: a well-signed one is an empty 200 without the handler.
    let itr =
        r#"{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}"#;
    let (app, calls, _) = route::<Value>(WebhookLayer::xero("webhook-key"), |_| None);
    let response = app.clone().oneshot(s.request("/hook", itr)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("content-type").is_none());
    assert_eq!(body_string(response).await, "");
    let forged = signer(xero::scheme(), "other-key").request("/hook", itr);
    assert_eq!(
        app.oneshot(forged).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(calls.get(), 0);
}

#[tokio::test]
async fn gitlab_token() {
    use tower_webhooks::provider::gitlab;
    let body = r#"{"object_kind":"push","event_name":"push","ref":"refs/heads/main"}"#;
    let s = signer(gitlab::scheme(), "gl-token").with_id("5f0e6d3c-uuid");
    let request = s.request("/hook", body);
    assert_eq!(request.headers()["x-gitlab-token"], "gl-token");
    let (app, calls, seen) = route::<gitlab::Event>(WebhookLayer::gitlab("gl-token"), |e| {
        Some(e.object_kind.clone())
    });
    let mut request = s.request("/hook", body);
    request
        .headers_mut()
        .insert("x-gitlab-event", "Push Hook".parse().unwrap());
    assert_eq!(
        app.clone().oneshot(request).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(calls.get(), 1);
    let (id, kind, object_kind) = seen.lock().unwrap()[0].clone();
    assert_eq!(
        (id.as_str(), kind.as_deref(), object_kind.as_deref()),
        ("5f0e6d3c-uuid", Some("Push Hook"), Some("push"))
    );
    // Another token: refused; a token is not a signature, so this is all it checks.
    let forged = signer(gitlab::scheme(), "gl-tokem").request("/hook", body);
    assert_eq!(
        app.oneshot(forged).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn okta_verification_and_events() {
    use tower_webhooks::provider::okta;
    let (app, calls, _) = route::<okta::Delivery>(WebhookLayer::okta("Bearer s3cr3t"), |_| None);
    let response = app
        .clone()
        .oneshot(
            Request::get("/hook")
                .header("x-okta-verification-challenge", "c-123")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_string(response).await, r#"{"verification":"c-123"}"#);
    let body = r#"{"eventType":"com.okta.event_hook","eventId":"e-1","data":{"events":[{"uuid":"u","eventType":"user.session.start"}]}}"#;
    let request = signer(okta::scheme(), "Bearer s3cr3t").request("/hook", body);
    assert_eq!(
        app.clone().oneshot(request).await.unwrap().status(),
        StatusCode::OK
    );
    let unauthorized = Request::post("/hook")
        .header("authorization", "Bearer guess")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(
        app.oneshot(unauthorized).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(calls.get(), 1);
}

/// A secret in the form a scheme's key format expects.
fn secret_for(scheme: &Scheme) -> String {
    use tower_webhooks::scheme::SecretFormat;
    match scheme.signature().map(|s| s.key_format()) {
        Some(SecretFormat::Base64 { prefix }) => format!(
            "{prefix}{}",
            "Y2F0YWxvZ3VlIHRlc3Qga2V5LCAzMiBieXRlcyBsb25nIQ=="
        ),
        _ => "catalogue-test-secret".to_owned(),
    }
}

/// The value of a JSON-pointer event type in a body, as the layer must report it.
fn json_event_type(scheme: &Scheme, body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    scheme.event_type().iter().find_map(|source| match source {
        tower_webhooks::scheme::Source::Json(pointer) => value
            .pointer(pointer.as_str())
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    })
}

/// One row per catalogue preset: its sample, signed, reaches the handler once and fits its typed
/// payload; the duplicate is dropped; a tampered copy and one signed with another secret get
/// 401. Adding a provider to the catalogue adds a row here.
#[tokio::test]
async fn every_catalogue_preset_with_its_sample() {
    let catalogue = tower_webhooks::provider::catalogue();
    assert!(
        catalogue.len() >= 44,
        "{} catalogue presets",
        catalogue.len()
    );
    for preset in catalogue {
        let scheme = (preset.scheme)();
        let name = preset.module;
        let secret = secret_for(&scheme);
        // The samples' own times (Mailgun's is in its body) are 1_700_000_000.
        let layer = WebhookLayer::new(scheme.clone(), &secret)
            .with_clock(tower_webhooks::FixedClock(1_700_000_000));
        let (app, calls, seen) = route::<Value>(layer, |_| None);
        let signer = signer(scheme.clone(), &secret).at(1_700_000_000);
        for attempt in 0..2 {
            let response = app
                .clone()
                .oneshot(signer.request("/hook", preset.sample))
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{name}, attempt {attempt}"
            );
        }
        assert_eq!(calls.get(), 1, "{name}: the duplicate reached the handler");

        let mut tampered = signer.request("/hook", preset.sample);
        *tampered.body_mut() = Body::from(format!("{} ", preset.sample));
        let response = app.clone().oneshot(tampered).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{name}: tampered"
        );
        let other = Signer::new(scheme.clone(), format!("{secret}x"))
            .unwrap_or_else(|_| {
                // A base64 key with a character added is not base64: sign with another valid key.
                Signer::new(scheme.clone(), secret.replace('Y', "Z")).unwrap()
            })
            .at(1_700_000_000);
        let response = app
            .clone()
            .oneshot(other.request("/hook", preset.sample))
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{name}: another secret"
        );
        assert_eq!(calls.get(), 1, "{name}");

        let (_, layer_type, _) = seen.lock().unwrap()[0].clone();
        if let Some(expected) = json_event_type(&scheme, preset.sample) {
            assert_eq!(
                layer_type.as_deref(),
                Some(expected.as_str()),
                "{name}: Event::event_type"
            );
        }
        (preset.parse)(preset.sample.as_bytes()).unwrap_or_else(|err| {
            panic!("{name}: the sample does not fit the typed payload: {err}")
        });
        assert!(
            preset.docs.starts_with("https://"),
            "{name}: {}",
            preset.docs
        );
    }
}

/// Standard Webhooks' asymmetric entries: a `whsk_` private key signs `v1a,`, the layer checks
/// with the `whpk_` public key, alone or beside a `whsec_` secret.
#[cfg(feature = "ed25519")]
#[tokio::test]
async fn standard_webhooks_v1a_entries() {
    let private = "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=";
    let signer = signer(standard_webhooks::scheme(), private);
    let public = signer.public_key().expect("a public key for v1a");
    assert!(public.starts_with("whpk_"), "{public}");
    let request = signer.request("/hook", r#"{"type":"user.created"}"#);
    let value = request.headers()["webhook-signature"].to_str().unwrap();
    assert!(value.starts_with("v1a,"), "{value}");

    let body = r#"{"type":"user.created","id":"u_1"}"#;
    let id = deliver::<Value>(
        WebhookLayer::standard_webhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .with_secret(public.as_str()),
        signer.clone(),
        body,
        Some("user.created"),
        |_| None,
    )
    .await;
    assert!(!id.is_empty());

    // Without the public key, a v1a entry matches nothing.
    let (app, calls, _) = route::<Value>(
        WebhookLayer::standard_webhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        |_| None,
    );
    let response = app.oneshot(signer.request("/hook", body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(calls.get(), 0);
}

/// The first presets, one row each (their handshakes and quirks have their own tests in
/// behaviour.rs): signed, typed, once; the duplicate dropped; a tampered copy 401.
#[tokio::test]
async fn ycloud_wappcloud_yeastar_and_conversation() {
    use tower_webhooks::provider::{conversation, wappcloud, ycloud, yeastar};
    let body = r#"{"id":"evt_1","type":"whatsapp.message.updated","apiVersion":"v2","createTime":"2023-02-22T12:00:00.000Z"}"#;
    deliver::<ycloud::Event>(
        WebhookLayer::ycloud("whsec_ycloud"),
        signer(ycloud::scheme(), "whsec_ycloud"),
        body,
        Some("whatsapp.message.updated"),
        |event| Some(event.event_type().to_owned()),
    )
    .await;

    // WappCloud names the type in a header, which the signer does not send: none here.
    let body = r#"{"event":"incoming_message","data":{"id":"msg_01HZX8","text":"Hi there"}}"#;
    deliver::<wappcloud::Event>(
        WebhookLayer::wappcloud("wapp-secret"),
        signer(wappcloud::scheme(), "wapp-secret"),
        body,
        None,
        |_| None,
    )
    .await;

    let body = r#"{"event":"30011","call_id":"1700000000.42","members":[]}"#;
    deliver::<yeastar::Event>(
        WebhookLayer::yeastar("yeastar-secret"),
        signer(yeastar::scheme(), "yeastar-secret"),
        body,
        Some("30011"),
        |event| Some(event.event_type().to_owned()),
    )
    .await;

    let body = r#"{"conversation_id":"c1","data":{"id":"m1","content":"Hi","content_type":"TEXT","type":"USER_INPUT","channel":"WHATSAPP","status":"RECEIVED","created_by":"u1","updated_by":"u1","created_at":"2024-03-21T10:00:00Z","updated_at":"2024-03-21T10:00:00Z"},"timestamp":"2024-03-21T10:00:00.000Z"}"#;
    deliver::<conversation::Message>(
        WebhookLayer::conversation().with_secret("conversation-secret"),
        signer(conversation::scheme(), "conversation-secret"),
        body,
        Some("USER_INPUT"),
        |_| None,
    )
    .await;
}

/// Asana: the secret arrives in a handshake, taken only while the service expects one; it then
/// signs the deliveries. A stranger's handshake, before or after, changes nothing.
#[tokio::test]
async fn asana_handshake_gives_the_secret() {
    use std::time::Duration;
    use tower_webhooks::HookSecret;
    use tower_webhooks::provider::asana;

    let hook = HookSecret::new();
    let (app, calls, _) = route::<asana::Batch>(WebhookLayer::asana(&hook), |_| None);
    let handshake = |secret: &str| {
        axum::http::Request::post("/hook")
            .header("x-hook-secret", secret)
            .body(Body::empty())
            .unwrap()
    };

    // Not expected: refused, and the stranger's secret signs nothing.
    let response = app.clone().oneshot(handshake("stranger")).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let forged = signer(asana::scheme(), "stranger").request("/hook", asana::SAMPLE);
    assert_eq!(
        app.clone().oneshot(forged).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // Expected: answered with the header echoed, and handed to the waiting code.
    let pending = hook.expect(Duration::from_secs(5));
    let response = app
        .clone()
        .oneshot(handshake("b537207f20cbfa02"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-hook-secret"], "b537207f20cbfa02");
    let secret = pending.await.expect("the handshake's secret");
    assert_eq!(secret.expose(), b"b537207f20cbfa02");
    assert_eq!(calls.get(), 0, "a handshake never reaches the handler");

    // Only once: a second handshake is a stranger's.
    let response = app.clone().oneshot(handshake("stranger-2")).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // The secret now signs deliveries: once, the duplicate dropped, a tampered copy refused.
    deliver::<asana::Batch>(
        WebhookLayer::asana(&hook),
        signer(asana::scheme(), "b537207f20cbfa02"),
        asana::SAMPLE,
        None,
        |_| None,
    )
    .await;
    let forged = signer(asana::scheme(), "stranger-2").request("/hook", asana::SAMPLE);
    assert_eq!(
        app.clone().oneshot(forged).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // After a restart, the kept secret.
    deliver::<asana::Batch>(
        WebhookLayer::asana(&HookSecret::with_secret(secret)),
        signer(asana::scheme(), "b537207f20cbfa02"),
        r#"{"events":[]}"#,
        None,
        |_| None,
    )
    .await;

    // A window that has passed accepts nothing.
    let late = HookSecret::new();
    let (app, _, _) = route::<asana::Batch>(WebhookLayer::asana(&late), |_| None);
    let pending = late.expect(Duration::from_millis(1));
    tokio::time::sleep(Duration::from_millis(20)).await;
    let response = app.oneshot(handshake("too-late")).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(pending.await.is_none());
}
