//! The bad-input matrix: one row per hostile or broken request, each with the status and the
//! rejection the layer documents, and whether the handler runs (it never does for bad input; the
//! few rows where it does are the accepted edges, such as a body exactly at the limit).

mod common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, header};
use axum::routing::any;
use common::{Calls, NOW, SECRET, body_string};
use futures_util::stream;
use tower::ServiceExt;
use tower_webhooks::provider::{
    meta, slack, standard_webhooks, stripe, wappcloud, ycloud, yeastar,
};
use tower_webhooks::scheme::Scheme;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Ack, Event, FixedClock, Rejection, WebhookLayer};

const LIMIT: usize = 1024;
/// Standard Webhooks keys are base64 after `whsec_`.
const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the answer's body must be.
enum Says {
    /// Exactly this rejection's text.
    Rejection(Rejection),
    /// A malformed-signature rejection, whatever the reason.
    Malformed,
    /// Valid JSON with this value under `challenge`, never raw markup.
    Challenge(&'static str),
    /// Anything (the handler's own answer).
    Anything,
}

struct Row {
    name: &'static str,
    layer: WebhookLayer,
    request: Request<Body>,
    status: u16,
    says: Says,
    handler_runs: bool,
}

fn ycloud() -> WebhookLayer {
    WebhookLayer::ycloud(SECRET)
        .with_clock(FixedClock(NOW))
        .with_body_limit(LIMIT)
        .with_ack(Ack::Passthrough)
}

/// The same with the default 1 MiB limit, for large bodies.
fn ycloud_large() -> WebhookLayer {
    WebhookLayer::ycloud(SECRET)
        .with_clock(FixedClock(NOW))
        .with_ack(Ack::Passthrough)
}

fn signer(scheme: Scheme) -> Signer {
    Signer::new(scheme, SECRET)
        .unwrap()
        .at(NOW)
        .with_id("msg_1")
}

fn signed(body: impl Into<Bytes>) -> Request<Body> {
    signer(ycloud::scheme()).request("/hook", body)
}

/// A valid YCloud body of exactly `len` bytes.
fn body_of_len(len: usize) -> String {
    let head = r#"{"id":"evt_len","type":"t","pad":""#;
    format!("{head}{}\"}}", "a".repeat(len - head.len() - 2))
}

/// A signed request whose signature header value is replaced by `value` (raw bytes).
fn with_signature(value: &[u8]) -> Request<Body> {
    let mut request = signed(r#"{"id":"evt_1","type":"t"}"#);
    request
        .headers_mut()
        .insert("ycloud-signature", HeaderValue::from_bytes(value).unwrap());
    request
}

/// A Standard Webhooks request signed with `SW_SECRET` at `NOW`, id `msg_1`.
fn standard_webhooks_signed() -> Request<Body> {
    Signer::new(standard_webhooks::scheme(), SW_SECRET)
        .unwrap()
        .at(NOW)
        .with_id("msg_1")
        .request("/hook", "{}")
}

fn hex_sig(len: usize) -> String {
    format!("t={NOW},s={}", "a".repeat(len))
}

fn stamped(t: &str) -> Request<Body> {
    with_signature(format!("t={t},s={}", "0".repeat(64)).as_bytes())
}

fn get(query: &str) -> Request<Body> {
    Request::get(format!("/hook?{query}"))
        .body(Body::empty())
        .unwrap()
}

fn method(method: Method) -> Request<Body> {
    let mut request = signed(r#"{"id":"evt_1","type":"t"}"#);
    *request.method_mut() = method;
    request
}

fn rows() -> Vec<Row> {
    use Says::*;
    let row = |name, layer, request, status, says| Row {
        name,
        layer,
        request,
        status,
        says,
        handler_runs: false,
    };
    let long = "a".repeat(100 * 1024);
    let mut rows = vec![
        // Signature headers.
        row(
            "missing signature header",
            ycloud(),
            Request::post("/hook").body(Body::from("{}")).unwrap(),
            401,
            Rejection(tower_webhooks::Rejection::MissingSignature),
        ),
        row(
            "empty signature header",
            ycloud(),
            with_signature(b""),
            401,
            Malformed,
        ),
        row(
            "blank signature header",
            ycloud(),
            with_signature(b"   "),
            401,
            Malformed,
        ),
        row(
            "signature header twice",
            ycloud(),
            {
                let mut r = signed(r#"{"id":"evt_1","type":"t"}"#);
                let v = r.headers()["ycloud-signature"].clone();
                r.headers_mut().append("ycloud-signature", v);
                r
            },
            401,
            Malformed,
        ),
        row(
            "non-ASCII header bytes",
            ycloud(),
            with_signature(format!("t={NOW},s=\u{e9}").as_bytes()),
            401,
            Malformed,
        ),
        row(
            "non-UTF-8 header bytes",
            ycloud(),
            with_signature(&[b't', b'=', 0xff, 0xfe]),
            401,
            Malformed,
        ),
        row(
            "100 KiB signature value",
            ycloud(),
            with_signature(format!("t={NOW},s={long}").as_bytes()),
            401,
            Malformed,
        ),
        row(
            "100 KiB header without a signature",
            ycloud(),
            with_signature(long.as_bytes()),
            401,
            Malformed,
        ),
        row(
            "hex signature of the wrong length",
            ycloud(),
            with_signature(hex_sig(62).as_bytes()),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "odd-length hex",
            ycloud(),
            with_signature(hex_sig(63).as_bytes()),
            401,
            Malformed,
        ),
        row(
            "non-hex characters",
            ycloud(),
            with_signature(format!("t={NOW},s={}", "zz".repeat(32)).as_bytes()),
            401,
            Malformed,
        ),
        row(
            "invalid base64 (Yeastar)",
            WebhookLayer::yeastar(SECRET),
            {
                let mut r = signer(yeastar::scheme()).request("/hook", r#"{"event":"test"}"#);
                r.headers_mut()
                    .insert("x-signature", HeaderValue::from_static("%%%not-base64%%%"));
                r
            },
            401,
            Malformed,
        ),
        row(
            "base64 of the wrong length (Yeastar)",
            WebhookLayer::yeastar(SECRET),
            {
                let mut r = signer(yeastar::scheme()).request("/hook", r#"{"event":"test"}"#);
                r.headers_mut().insert(
                    "x-signature",
                    HeaderValue::from_static("AAAAAAAAAAAAAAAAAAAAAA=="),
                );
                r
            },
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "only a v0 signature (Stripe)",
            WebhookLayer::stripe(SECRET),
            {
                let mut r =
                    signer(stripe::scheme()).request("/hook", r#"{"id":"evt_1","type":"t"}"#);
                r.headers_mut().insert(
                    "stripe-signature",
                    HeaderValue::from_str(&format!("t={NOW},v0={}", "0".repeat(64))).unwrap(),
                );
                r
            },
            401,
            Malformed,
        ),
        row(
            "only unknown versions (Standard Webhooks)",
            WebhookLayer::standard_webhooks(SW_SECRET),
            {
                let mut r = standard_webhooks_signed();
                r.headers_mut().insert(
                    "webhook-signature",
                    HeaderValue::from_static("v2,AAAA v3,BBBB"),
                );
                r
            },
            401,
            Malformed,
        ),
        row(
            "only v1a entries, and the layer has no whpk_ key (Standard Webhooks)",
            WebhookLayer::standard_webhooks(SW_SECRET),
            {
                let mut r = standard_webhooks_signed();
                r.headers_mut().insert(
                    "webhook-signature",
                    HeaderValue::from_static("v1a,AAAA v2,BBBB"),
                );
                r
            },
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "id header missing (Standard Webhooks)",
            WebhookLayer::standard_webhooks(SW_SECRET),
            {
                let mut r = standard_webhooks_signed();
                r.headers_mut().remove("webhook-id");
                r
            },
            401,
            Malformed,
        ),
        // Timestamps.
        row(
            "timestamp overflows i64",
            ycloud(),
            stamped("99999999999999999999"),
            401,
            Malformed,
        ),
        row(
            "negative timestamp",
            ycloud(),
            stamped("-1700000000"),
            401,
            Malformed,
        ),
        row(
            "fractional timestamp",
            ycloud(),
            stamped("1700000000.5"),
            401,
            Malformed,
        ),
        row(
            "timestamp with a plus sign",
            ycloud(),
            stamped("+1700000000"),
            401,
            Malformed,
        ),
        row("empty timestamp", ycloud(), stamped(""), 401, Malformed),
        row(
            "t= given twice",
            ycloud(),
            with_signature(format!("t={NOW},t={NOW},s={}", "0".repeat(64)).as_bytes()),
            401,
            Malformed,
        ),
        row(
            "no timestamp in the header",
            ycloud(),
            with_signature(format!("s={}", "0".repeat(64)).as_bytes()),
            401,
            Malformed,
        ),
        row(
            "authentic but 301 s old",
            ycloud(),
            Signer::new(ycloud::scheme(), SECRET)
                .unwrap()
                .at(NOW - 301)
                .request("/hook", r#"{"id":"evt_1","type":"t"}"#),
            401,
            Rejection(tower_webhooks::Rejection::StaleTimestamp),
        ),
        row(
            "authentic but 301 s ahead",
            ycloud(),
            Signer::new(ycloud::scheme(), SECRET)
                .unwrap()
                .at(NOW + 301)
                .request("/hook", r#"{"id":"evt_1","type":"t"}"#),
            401,
            Rejection(tower_webhooks::Rejection::StaleTimestamp),
        ),
        row(
            "timestamp header missing (Slack)",
            WebhookLayer::slack(SECRET).with_clock(FixedClock(NOW)),
            {
                let mut r = signer(slack::scheme()).request("/hook", "{}");
                r.headers_mut().remove("x-slack-request-timestamp");
                r
            },
            401,
            Malformed,
        ),
        row(
            "timestamp header twice (Slack)",
            WebhookLayer::slack(SECRET).with_clock(FixedClock(NOW)),
            {
                let mut r = signer(slack::scheme()).request("/hook", "{}");
                r.headers_mut()
                    .append("x-slack-request-timestamp", HeaderValue::from_static("1"));
                r
            },
            401,
            Malformed,
        ),
        // Bodies.
        row(
            "empty body, unsigned",
            ycloud(),
            Request::post("/hook").body(Body::empty()).unwrap(),
            401,
            Rejection(tower_webhooks::Rejection::MissingSignature),
        ),
        row(
            "empty body, signed",
            ycloud(),
            signed(""),
            422,
            Rejection(tower_webhooks::Rejection::Unprocessable(
                "body is not valid JSON",
            )),
        ),
        row(
            "body one byte over the limit",
            ycloud(),
            signed(body_of_len(LIMIT + 1)),
            413,
            Rejection(tower_webhooks::Rejection::PayloadTooLarge),
        ),
        row(
            "chunked body over the limit, no Content-Length",
            ycloud(),
            {
                let mut r = signed(body_of_len(LIMIT + 100));
                let chunks: Vec<Result<Bytes, std::io::Error>> =
                    (0..11).map(|_| Ok(Bytes::from(vec![b' '; 100]))).collect();
                *r.body_mut() = Body::from_stream(stream::iter(chunks));
                r
            },
            413,
            Rejection(tower_webhooks::Rejection::PayloadTooLarge),
        ),
        row(
            "Content-Length smaller than the body",
            ycloud(),
            {
                let mut r = signed(r#"{"id":"evt_1","type":"t"}"#);
                r.headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from_static("5"));
                r
            },
            400,
            Rejection(tower_webhooks::Rejection::LengthMismatch),
        ),
        row(
            "Content-Length larger than the body",
            ycloud(),
            {
                let mut r = signed(r#"{"id":"evt_1","type":"t"}"#);
                r.headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from_static("500"));
                r
            },
            400,
            Rejection(tower_webhooks::Rejection::LengthMismatch),
        ),
        row(
            "Content-Length over the limit",
            ycloud(),
            {
                let mut r = signed(r#"{"id":"evt_1","type":"t"}"#);
                r.headers_mut().insert(
                    header::CONTENT_LENGTH,
                    HeaderValue::from_static("1000000000"),
                );
                r
            },
            413,
            Rejection(tower_webhooks::Rejection::PayloadTooLarge),
        ),
        row(
            "invalid JSON, signed",
            ycloud(),
            signed(r#"{"id":"evt_1","#),
            422,
            Rejection(tower_webhooks::Rejection::Unprocessable(
                "body is not valid JSON",
            )),
        ),
        row(
            "JSON nested 10,000 deep, signed (Event<Value> stops at depth 128)",
            ycloud_large(),
            signed(format!(
                r#"{{"id":"evt_deep","type":"t","x":{}{}}}"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            )),
            400,
            Anything,
        ),
        row(
            "id is empty",
            ycloud(),
            signed(r#"{"id":"","type":"t"}"#),
            422,
            Rejection(tower_webhooks::Rejection::Unprocessable(
                "delivery id is missing",
            )),
        ),
        row(
            "id is 10 KiB",
            ycloud_large(),
            signed(format!(
                r#"{{"id":"{}","type":"t"}}"#,
                "i".repeat(10 * 1024)
            )),
            422,
            Rejection(tower_webhooks::Rejection::Unprocessable(
                "delivery id is too long",
            )),
        ),
        row(
            "id is an object",
            ycloud(),
            signed(r#"{"id":{"a":1},"type":"t"}"#),
            422,
            Rejection(tower_webhooks::Rejection::Unprocessable(
                "delivery id is missing",
            )),
        ),
        // Handshakes.
        row(
            "challenge empty",
            WebhookLayer::wappcloud(SECRET),
            get("challenge="),
            400,
            Rejection(tower_webhooks::Rejection::InvalidChallenge(
                "challenge is empty",
            )),
        ),
        row(
            "challenge 10 KiB",
            WebhookLayer::wappcloud(SECRET),
            get(&format!("challenge={}", "c".repeat(10 * 1024))),
            400,
            Rejection(tower_webhooks::Rejection::InvalidChallenge(
                "challenge is too long",
            )),
        ),
        row(
            "challenge repeated",
            WebhookLayer::wappcloud(SECRET),
            get("challenge=a&challenge=b"),
            400,
            Rejection(tower_webhooks::Rejection::InvalidChallenge(
                "challenge parameter repeated",
            )),
        ),
        row(
            "challenge with quotes",
            WebhookLayer::wappcloud(SECRET),
            get("challenge=%22quoted%22"),
            200,
            Challenge("\"quoted\""),
        ),
        row(
            "challenge with <script>",
            WebhookLayer::wappcloud(SECRET),
            get("challenge=%3Cscript%3Ealert(1)%3C/script%3E"),
            200,
            Challenge("<script>alert(1)</script>"),
        ),
        row(
            "challenge with a percent-encoded newline",
            WebhookLayer::wappcloud(SECRET),
            get("challenge=a%0D%0Ab"),
            200,
            Challenge("a\r\nb"),
        ),
        row(
            "Meta verify token wrong",
            WebhookLayer::meta(SECRET, "token"),
            get("hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"),
            403,
            Rejection(tower_webhooks::Rejection::InvalidVerifyToken),
        ),
        row(
            "Meta verify token missing",
            WebhookLayer::meta(SECRET, "token"),
            get("hub.mode=subscribe&hub.challenge=1"),
            403,
            Rejection(tower_webhooks::Rejection::InvalidVerifyToken),
        ),
        // Methods.
        row(
            "PUT",
            ycloud(),
            method(Method::PUT),
            405,
            Rejection(tower_webhooks::Rejection::MethodNotAllowed),
        ),
        row(
            "HEAD (its answer has no body, by HTTP's rules)",
            ycloud(),
            method(Method::HEAD),
            405,
            Anything,
        ),
        row(
            "OPTIONS",
            ycloud(),
            method(Method::OPTIONS),
            405,
            Rejection(tower_webhooks::Rejection::MethodNotAllowed),
        ),
        row(
            "GET without a handshake",
            ycloud(),
            method(Method::GET),
            405,
            Rejection(tower_webhooks::Rejection::MethodNotAllowed),
        ),
        row(
            "DELETE on a handshake preset",
            WebhookLayer::wappcloud(SECRET),
            method(Method::DELETE),
            405,
            Rejection(tower_webhooks::Rejection::MethodNotAllowed),
        ),
    ];
    // The accepted edges, for contrast.
    rows.push(Row {
        handler_runs: true,
        ..row(
            "body exactly at the limit",
            ycloud(),
            signed(body_of_len(LIMIT)),
            200,
            Anything,
        )
    });
    rows.push(Row {
        handler_runs: true,
        ..row(
            "id is a number",
            ycloud(),
            signed(r#"{"id":42,"type":"t"}"#),
            200,
            Anything,
        )
    });
    #[cfg(feature = "ed25519")]
    rows.extend(ed25519_rows());
    #[cfg(feature = "ecdsa")]
    rows.extend(ecdsa_rows());

    let _ = meta::scheme("unused");
    let _ = wappcloud::scheme();
    rows
}

/// A Discord delivery signed with RFC 8032's TEST 1 key, with its signature header replaced.
#[cfg(feature = "ed25519")]
fn discord_with_signature(signature: &str) -> Request<Body> {
    use tower_webhooks::provider::discord;
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    let mut request = Signer::new(discord::scheme(), seed)
        .unwrap()
        .at(NOW)
        .request("/hook", r#"{"id":"1","type":2}"#);
    request.headers_mut().insert(
        "x-signature-ed25519",
        HeaderValue::from_str(signature).unwrap(),
    );
    request
}

#[cfg(feature = "ed25519")]
fn ed25519_rows() -> Vec<Row> {
    use Says::*;
    const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let discord = || WebhookLayer::discord(PUBLIC).with_clock(FixedClock(NOW));
    let row = |name, layer, request, status, says| Row {
        name,
        layer,
        request,
        status,
        says,
        handler_runs: false,
    };
    vec![
        row(
            "Ed25519 signature truncated to 63 bytes",
            discord(),
            discord_with_signature(&"ab".repeat(63)),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "Ed25519 signature of 65 bytes",
            discord(),
            discord_with_signature(&"ab".repeat(65)),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "Ed25519 signature far too long",
            discord(),
            discord_with_signature(&"ab".repeat(200)),
            401,
            Malformed,
        ),
        row(
            "Ed25519 signature not hex",
            discord(),
            discord_with_signature(&"zz".repeat(64)),
            401,
            Malformed,
        ),
        row(
            "Ed25519 all-zero signature",
            discord(),
            discord_with_signature(&"00".repeat(64)),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "Ed25519 small-order key with an identity signature",
            WebhookLayer::discord(format!("01{}", "00".repeat(31))).with_clock(FixedClock(NOW)),
            discord_with_signature(&format!("01{}", "00".repeat(63))),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "Ed25519 key of 31 bytes",
            WebhookLayer::discord(&PUBLIC[..62]).with_clock(FixedClock(NOW)),
            discord_with_signature(&"ab".repeat(64)),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
    ]
}

/// SendGrid's own vector (all its SDKs), with the signature header replaced.
#[cfg(feature = "ecdsa")]
fn ecdsa_rows() -> Vec<Row> {
    use Says::*;
    const KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    let sendgrid = |key: &str| WebhookLayer::sendgrid(key).with_clock(FixedClock(1_600_112_502));
    let with = |signature: &str| {
        let body = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\",\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\",\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\",\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";
        Request::post("/hook")
            .header("x-twilio-email-event-webhook-timestamp", "1600112502")
            .header("x-twilio-email-event-webhook-signature", signature)
            .body(Body::from(body))
            .unwrap()
    };
    let valid = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    let row = |name, layer, request, status, says| Row {
        name,
        layer,
        request,
        status,
        says,
        handler_runs: false,
    };
    let mut rows = vec![
        row(
            "DER signature of 300 bytes",
            sendgrid(KEY),
            with(&"A".repeat(400)),
            401,
            Malformed,
        ),
        row(
            "DER signature not base64",
            sendgrid(KEY),
            with("MEUCIGHQ!!!!"),
            401,
            Malformed,
        ),
        row(
            "DER signature with its length byte wrong",
            sendgrid(KEY),
            with(&valid.replacen("MEUC", "MEYC", 1)),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "ECDSA key on another curve (secp256k1)",
            sendgrid(
                "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEeb5mfvncu6xVoGKVzocLBwKb/NstzijZWfKBWxb4F5hIOtp3JqPEZV2k+/wOEQio/Re0SKaFVBmcR9CP+xDUuA==",
            ),
            with(valid),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
    ];
    // The accepted edge, for contrast: SendGrid's own vector.
    rows.push(Row {
        handler_runs: true,
        ..row(
            "SendGrid's own vector",
            sendgrid(KEY),
            with(valid),
            200,
            Anything,
        )
    });
    rows
}

/// One certificate for whatever URL a delivery names: what a resolver fetched.
#[cfg(any(feature = "rsa", feature = "ecdsa"))]
struct Pinned(Vec<u8>);

#[cfg(any(feature = "rsa", feature = "ecdsa"))]
#[async_trait::async_trait]
impl tower_webhooks::keys::KeyResolver for Pinned {
    async fn resolve(
        &self,
        _: &str,
    ) -> Result<tower_webhooks::Secret, tower_webhooks::keys::ResolveError> {
        Ok(tower_webhooks::Secret::from(self.0.clone()))
    }
}

/// Plaid's JWTs, forged, confused or cut.
#[cfg(feature = "ecdsa")]
fn jwt_rows() -> Vec<Row> {
    use Says::*;
    use base64::Engine as _;
    use tower_webhooks::provider::plaid;
    // The P-256 key of the ECDSA benches (PKCS#8), and its JWK.
    const PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOh98LptNWm+ODBstP0pbbH2OnwobLD1OX2BxgpOktcahRANCAATyNrMAWI4eUWiF8hye1zgKw44BeZmgNCKlppYwmyn3StVAowyHCeA6C4+iXjmBuGaHo0KGBYk/Y0qnmlPzjMhQ";
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signer = Signer::new(
        plaid::scheme(),
        base64::engine::general_purpose::STANDARD
            .decode(PKCS8)
            .unwrap(),
    )
    .unwrap()
    .at(NOW)
    .with_id("k1");
    let pem = signer.public_key().unwrap();
    let spki = common::keys::pem_der(&pem);
    let point = &spki[spki.len() - 64..];
    let jwk = serde_json::json!({"kty": "EC", "crv": "P-256", "kid": "k1",
        "x": url.encode(&point[..32]), "y": url.encode(&point[32..])})
    .to_string();
    let layer = || {
        WebhookLayer::new(plaid::scheme(), "")
            .with_key_resolver(Pinned(jwk.clone().into_bytes()))
            .with_clock(FixedClock(NOW))
    };
    let body = plaid::SAMPLE;
    let token = signer
        .request("/hook", body)
        .headers()
        .get("plaid-verification")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = token.split('.').collect();
    let with = |value: String| {
        Request::post("/hook")
            .header("plaid-verification", value)
            .body(Body::from(body))
            .unwrap()
    };
    let header = |alg: &str| url.encode(format!(r#"{{"alg":"{alg}","kid":"k1","typ":"JWT"}}"#));
    let hs256 = {
        use hmac::Mac;
        let input = format!("{}.{}", header("HS256"), parts[1]);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(pem.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", url.encode(mac.finalize().into_bytes()))
    };
    let row = |name, request, status, says| Row {
        name,
        layer: layer(),
        request,
        status,
        says,
        handler_runs: false,
    };
    let invalid = || Rejection(tower_webhooks::Rejection::InvalidSignature);
    let signature = url.decode(parts[2]).unwrap();
    let mut rows = vec![
        row(
            "JWT with alg none and no signature",
            with(format!("{}.{}.", header("none"), parts[1])),
            401,
            Malformed,
        ),
        row(
            "JWT with alg HS256 keyed with the public key (confusion)",
            with(hs256),
            401,
            Malformed,
        ),
        row(
            "JWT signature cut to 63 bytes",
            with(format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                url.encode(&signature[..63])
            )),
            401,
            invalid(),
        ),
        row(
            "JWT signature of 1 KiB",
            with(format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                url.encode(vec![1u8; 1024])
            )),
            401,
            invalid(),
        ),
        row(
            "JWT of 9 KiB",
            with(format!("{}.{}.{}", parts[0], "A".repeat(9216), parts[2])),
            401,
            Malformed,
        ),
        row(
            "JWT of one segment",
            with(parts[0].to_owned()),
            401,
            Malformed,
        ),
        row(
            "JWT whose header is not JSON",
            with(format!("{}.{}.{}", url.encode("{"), parts[1], parts[2])),
            401,
            Malformed,
        ),
    ];
    rows.push(Row {
        handler_runs: true,
        ..row("Plaid JWT, well signed", with(token.clone()), 200, Anything)
    });
    rows
}

/// Amazon SNS and PayPal with a broken certificate, signature or message.
#[cfg(feature = "rsa")]
async fn rsa_rows() -> Vec<Row> {
    use Says::*;
    use tower_webhooks::provider::{paypal, sns};
    let (key, cert) = common::keys::key_and_certificate();
    let der = common::keys::pem_der(&cert);
    let layer = |scheme: Scheme, certificate: Vec<u8>| {
        WebhookLayer::new(scheme, "")
            .with_key_resolver(Pinned(certificate))
            .with_clock(FixedClock(NOW))
    };
    let sns = |certificate: Vec<u8>| layer(sns::scheme(), certificate);
    let signer = Signer::new(sns::scheme(), key.clone()).unwrap();
    let url = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem";
    let message = common::keys::sns_message("Notification", "m-1", url, "");
    let (parts, body) = signer.request("/hook", message).into_parts();
    let body = axum::body::to_bytes(body, 1 << 16).await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let signed = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json = json.clone();
        edit(&mut json);
        let mut request = Request::post("/hook")
            .body(Body::from(json.to_string()))
            .unwrap();
        *request.headers_mut() = parts.headers.clone();
        request
    };
    // The expired and the P-256 certificates of the SNS vectors, beside the good one.
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("vectors/sns.json")).unwrap();
    let certificate = |suffix: &str| {
        let keys = vectors["keys"].as_object().unwrap();
        let (_, pem) = keys.iter().find(|(url, _)| url.ends_with(suffix)).unwrap();
        pem.as_str().unwrap().as_bytes().to_vec()
    };
    let signature = |bytes: usize| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(vec![7u8; bytes])
    };
    let row = |name, layer, request, status, says| Row {
        name,
        layer,
        request,
        status,
        says,
        handler_runs: false,
    };
    let unusable = || {
        Rejection(tower_webhooks::Rejection::KeyUnavailable(
            tower_webhooks::keys::ResolveError::Unknown,
        ))
    };
    let mut rows = vec![
        row(
            "certificate DER cut short",
            sns(der[..der.len() - 1].to_vec()),
            signed(&|_| {}),
            503,
            unusable(),
        ),
        row(
            "certificate DER with a trailing byte",
            sns([der.clone(), vec![0]].concat()),
            signed(&|_| {}),
            503,
            unusable(),
        ),
        row(
            "certificate PEM that is not base64",
            sns(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec()),
            signed(&|_| {}),
            503,
            unusable(),
        ),
        row(
            "certificate of 20 KiB",
            sns(vec![0x30; 20 * 1024]),
            signed(&|_| {}),
            503,
            unusable(),
        ),
        row(
            "SNS certificate expired in 2010",
            sns(certificate("expd.pem")),
            signed(&|_| {}),
            401,
            Malformed,
        ),
        row(
            "SNS certificate of a P-256 key",
            sns(certificate("ec.pem")),
            signed(&|_| {}),
            503,
            unusable(),
        ),
        row(
            "RSA signature truncated by a byte",
            sns(cert.clone().into_bytes()),
            signed(&|json| {
                use base64::Engine as _;
                let engine = base64::engine::general_purpose::STANDARD;
                let mut raw = engine.decode(json["Signature"].as_str().unwrap()).unwrap();
                raw.pop();
                json["Signature"] = engine.encode(raw).into();
            }),
            401,
            Rejection(tower_webhooks::Rejection::InvalidSignature),
        ),
        row(
            "RSA signature of 4 KiB",
            sns(cert.clone().into_bytes()),
            signed(&|json| json["Signature"] = signature(4096).into()),
            401,
            Malformed,
        ),
        row(
            "RSA signature of zero bytes",
            sns(cert.clone().into_bytes()),
            signed(&|json| json["Signature"] = "".into()),
            401,
            Malformed,
        ),
        row(
            "SNS message missing a canonical field (Type)",
            sns(cert.clone().into_bytes()),
            signed(&|json| {
                json.as_object_mut().unwrap().remove("Type");
            }),
            401,
            Malformed,
        ),
        row(
            "SNS message with an unknown SignatureVersion",
            sns(cert.clone().into_bytes()),
            signed(&|json| json["SignatureVersion"] = "9".into()),
            401,
            Malformed,
        ),
        row(
            "SNS body that is not JSON",
            sns(cert.clone().into_bytes()),
            Request::post("/hook")
                .body(Body::from("Type=Notification"))
                .unwrap(),
            401,
            Rejection(tower_webhooks::Rejection::MissingSignature),
        ),
        row(
            "PayPal with a certificate of a P-256 key",
            layer(paypal::scheme("WH"), certificate("ec.pem")),
            Request::post("/hook")
                .header("paypal-transmission-id", "t-1")
                .header("paypal-transmission-time", "2023-11-14T22:13:20Z")
                .header(
                    "paypal-cert-url",
                    "https://api-m.paypal.com/v1/notifications/certs/CERT-1",
                )
                .header("paypal-transmission-sig", signature(256))
                .body(Body::from(r#"{"id":"WH-1","event_type":"X"}"#))
                .unwrap(),
            503,
            unusable(),
        ),
    ];
    // Accepted edges: `SignatureVersion` is not signed, so a number 2 picks SHA-256 as "2"
    // does and the signature must still hold; and a well-signed notification, for contrast.
    rows.push(Row {
        handler_runs: true,
        ..row(
            "SNS message whose SignatureVersion is the number 2",
            sns(cert.clone().into_bytes()),
            signed(&|json| json["SignatureVersion"] = 2.into()),
            200,
            Anything,
        )
    });
    rows.push(Row {
        handler_runs: true,
        ..row(
            "SNS notification, well signed",
            sns(cert.into_bytes()),
            signed(&|_| {}),
            200,
            Anything,
        )
    });
    rows
}

#[tokio::test]
async fn every_row_answers_as_documented() {
    #[cfg_attr(not(feature = "rsa"), allow(unused_mut))]
    let mut rows = rows();
    #[cfg(feature = "rsa")]
    rows.extend(rsa_rows().await);
    #[cfg(feature = "ecdsa")]
    rows.extend(jwt_rows());
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let mut failures = Vec::new();
    for row in rows {
        let calls = Calls::default();
        let counted = calls.clone();
        let app = Router::new()
            .route(
                "/hook",
                any(move |_event: Event| async move {
                    counted.hit();
                    "handled"
                }),
            )
            .layer(row.layer);
        let response = app.oneshot(row.request).await.unwrap();
        let status = response.status().as_u16();
        let allow = response.headers().get(header::ALLOW).cloned();
        let text = body_string(response).await;
        let said = match &row.says {
            Says::Rejection(rejection) => text == rejection.to_string(),
            Says::Malformed => text.starts_with("webhook signature is malformed"),
            Says::Challenge(value) => {
                !text.contains('<')
                    && serde_json::from_str::<serde_json::Value>(&text)
                        .is_ok_and(|json| json["challenge"] == *value)
            }
            Says::Anything => true,
        };
        let allow_ok = status != 405 || allow.is_some();
        if status != row.status || !said || (calls.get() == 1) != row.handler_runs || !allow_ok {
            failures.push(format!(
                "{}: got {status} {text:?} (handler calls {}), expected {}",
                row.name,
                calls.get(),
                row.status
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A certificate given as the key, not resolved per delivery, is held to its validity too.
#[cfg(feature = "rsa")]
#[tokio::test]
async fn a_configured_certificate_is_held_to_its_validity() {
    use tower_webhooks::provider::sns;
    let (key, cert) = common::keys::key_and_certificate();
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("vectors/sns.json")).unwrap();
    let expired = vectors["keys"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(url, _)| url.ends_with("expd.pem"))
        .map(|(_, pem)| pem.as_str().unwrap().to_owned())
        .unwrap();
    let message = common::keys::sns_message("Notification", "m-1", "https://sns.x/c.pem", "");
    let (parts, body) = Signer::new(sns::scheme(), key)
        .unwrap()
        .request("/hook", message)
        .into_parts();
    let body = axum::body::to_bytes(body, 1 << 16).await.unwrap();
    let valid = tower_webhooks::Verifier::new(sns::scheme(), cert.as_str()).unwrap();
    assert!(valid.verify_parts(&parts, &body, NOW).is_ok());
    let old = tower_webhooks::Verifier::new(sns::scheme(), expired.as_str()).unwrap();
    let refused = old.verify_parts(&parts, &body, NOW).unwrap_err();
    assert!(
        refused.to_string().contains("expired or not yet valid"),
        "{refused}"
    );
}
