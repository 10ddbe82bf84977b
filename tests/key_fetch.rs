//! Keys from the network, against a real HTTPS server on loopback with a CA made at test time
//! (rcgen): what is allowed is fetched once and cached, and a host off the allowlist, plain HTTP,
//! a redirect elsewhere, a 10 MiB document, a slow server and an untrusted certificate are all
//! refused, the first three without a connection reaching any server (counted). Then GitHub
//! secret scanning through the layer: a key from the list verifies, an unknown one is a 401, and
//! a list that cannot be fetched is a 503. Nothing leaves loopback.
//!
//! Amazon SNS too: its certificate fetched from the URL a delivery names, once for many
//! deliveries, a URL off the allowlist refused without a connection, and a subscription
//! confirmed by the layer GETting its URL.
#![cfg(feature = "fetch")]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
#[cfg(feature = "ecdsa")]
use rcgen::KeyPair;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tower::ServiceExt;
use tower_webhooks::WebhookLayer;
use tower_webhooks::keys::{FetchError, Fetcher, KeyList, KeyResolver, ResolveError};
#[cfg(feature = "ecdsa")]
use tower_webhooks::provider::github_secret_scanning;
use tower_webhooks::testing::Signer;

/// A CA, and a server certificate for `localhost` it signed.
struct Pki {
    ca_der: Vec<u8>,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    Pki {
        ca_der: ca.der().to_vec(),
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    }
}

/// A TLS server on loopback that counts connections and answers by path.
struct Server {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

async fn serve(pki: &Pki, keys: String) -> Server {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![pki.cert_der.clone().into()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key_der.clone().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let keys = Bytes::from(keys);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let keys = keys.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let keys = keys.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(answer(request.uri().path(), keys).await)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Server { addr, connections }
}

async fn answer(path: &str, keys: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    match path {
        "/keys" => *response.body_mut() = Full::new(keys),
        "/confirm" => {
            *response.body_mut() = Full::new(Bytes::from("<ConfirmSubscriptionResponse/>"))
        }
        "/big" => *response.body_mut() = Full::new(Bytes::from(vec![b' '; 10 * 1024 * 1024])),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            *response.body_mut() = Full::new(keys);
        }
        "/redirect" => {
            *response.status_mut() = StatusCode::FOUND;
            response
                .headers_mut()
                .insert("location", "https://localhost:1/keys".parse().unwrap());
        }
        _ => *response.status_mut() = StatusCode::NOT_FOUND,
    }
    response
}

fn fetcher(pki: &Pki) -> Fetcher {
    Fetcher::new(["localhost"])
        .with_root_certificate(&pki.ca_der)
        .unwrap()
        .with_timeout(Duration::from_secs(1))
}

/// GitHub's list format with one key.
fn key_list(id: &str, pem: &str) -> String {
    serde_json::json!({"public_keys": [{"key_identifier": id, "key": pem, "is_current": true}]})
        .to_string()
}

#[tokio::test]
async fn a_list_is_fetched_once_for_many_deliveries() {
    let pki = pki();
    let server = serve(&pki, key_list("k1", "PEM-ONE")).await;
    let url = format!("https://localhost:{}/keys", server.addr.port());
    let list = Arc::new(KeyList::new(&url, fetcher(&pki)));

    let resolves: Vec<_> = (0..20)
        .map(|_| {
            let list = list.clone();
            tokio::spawn(async move { list.resolve("k1").await })
        })
        .collect();
    for resolve in resolves {
        assert_eq!(resolve.await.unwrap().unwrap().expose(), b"PEM-ONE");
    }
    assert_eq!(list.resolve("k1").await.unwrap().expose(), b"PEM-ONE");
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "one fetch for 21 resolves"
    );

    // A name the list lacks: one early fetch at most per refresh interval, then a plain no.
    assert_eq!(list.resolve("nope").await, Err(ResolveError::Unknown));
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "fetched less than 60 s ago"
    );
    let eager = KeyList::new(&url, fetcher(&pki)).with_refresh(Duration::ZERO);
    assert!(eager.resolve("k1").await.is_ok());
    assert_eq!(eager.resolve("nope").await, Err(ResolveError::Unknown));
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        3,
        "a rotation refetches"
    );
}

#[tokio::test]
async fn refused_before_any_connection() {
    let pki = pki();
    let server = serve(&pki, key_list("k1", "PEM")).await;
    let port = server.addr.port();
    let fetcher = fetcher(&pki);

    // The server is on 127.0.0.1, but only `localhost` is allowed.
    assert_eq!(
        fetcher.get(&format!("https://127.0.0.1:{port}/keys")).await,
        Err(FetchError::HostNotAllowed("127.0.0.1".into()))
    );
    assert_eq!(
        fetcher.get(&format!("http://localhost:{port}/keys")).await,
        Err(FetchError::NotHttps)
    );
    assert_eq!(
        fetcher
            .get(&format!("https://localhost.evil.example:{port}/keys"))
            .await,
        Err(FetchError::HostNotAllowed("localhost.evil.example".into()))
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn redirects_large_slow_and_untrusted_are_refused() {
    let pki = pki();
    let server = serve(&pki, key_list("k1", "PEM")).await;
    let elsewhere = serve(&pki, key_list("k1", "OTHER")).await;
    let port = server.addr.port();
    let fetcher = fetcher(&pki);

    assert_eq!(
        fetcher
            .get(&format!("https://localhost:{port}/redirect"))
            .await,
        Err(FetchError::Redirect)
    );
    assert_eq!(
        elsewhere.connections.load(Ordering::SeqCst),
        0,
        "not followed"
    );

    assert_eq!(
        fetcher.get(&format!("https://localhost:{port}/big")).await,
        Err(FetchError::TooLarge)
    );

    let started = Instant::now();
    assert_eq!(
        fetcher.get(&format!("https://localhost:{port}/slow")).await,
        Err(FetchError::Timeout)
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // The web's roots do not include the test's CA.
    let untrusted = Fetcher::new(["localhost"]).with_timeout(Duration::from_secs(1));
    assert!(matches!(
        untrusted
            .get(&format!("https://localhost:{port}/keys"))
            .await,
        Err(FetchError::Tls(_))
    ));
    assert_eq!(
        fetcher
            .get(&format!("https://localhost:{port}/missing"))
            .await,
        Err(FetchError::Status(404))
    );
}

#[cfg(feature = "ecdsa")]
#[tokio::test]
async fn github_secret_scanning_through_the_layer() {
    let pki = pki();
    let signing = KeyPair::generate().unwrap();
    let server = serve(&pki, key_list("current-key", &signing.public_key_pem())).await;
    let url = format!("https://localhost:{}/keys", server.addr.port());
    let layer =
        WebhookLayer::github_secret_scanning().with_key_resolver(KeyList::new(&url, fetcher(&pki)));
    let app = Router::new().route("/alerts", post(|| async { "revoked" }).layer(layer));

    let signer = Signer::new(github_secret_scanning::scheme(), signing.serialize_der()).unwrap();
    let body = r#"[{"source":"commit","token":"acme_0123","type":"acme_token","url":"https://github.com/o/r"}]"#;
    let deliver = |id: &str, body: String| {
        let mut request = signer.request("/alerts", body);
        request
            .headers_mut()
            .insert("github-public-key-identifier", id.parse().unwrap());
        app.clone().oneshot(request)
    };
    assert_eq!(
        deliver("current-key", body.into()).await.unwrap().status(),
        StatusCode::OK
    );
    let tampered = body.replace("acme_0123", "acme_0124");
    let mut request = signer.request("/alerts", body);
    request.headers_mut().insert(
        "github-public-key-identifier",
        "current-key".parse().unwrap(),
    );
    *request.body_mut() = Body::from(tampered);
    assert_eq!(
        app.clone().oneshot(request).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        deliver("unknown-key", body.into()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "the list was fetched once"
    );

    // The list cannot be fetched (nothing listens there): 503, so that GitHub retries.
    let down = WebhookLayer::github_secret_scanning()
        .with_key_resolver(KeyList::new("https://localhost:1/keys", fetcher(&pki)));
    let app = Router::new().route("/alerts", post(|| async { "revoked" }).layer(down));
    let mut request = signer.request("/alerts", body);
    request.headers_mut().insert(
        "github-public-key-identifier",
        "current-key".parse().unwrap(),
    );
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[cfg(feature = "rsa")]
#[tokio::test]
async fn sns_through_the_layer() {
    use tower_webhooks::keys::Certificates;
    use tower_webhooks::provider::sns;

    let pki = pki();
    let (key, cert) = common::keys::key_and_certificate();
    let server = serve(&pki, cert).await;
    let port = server.addr.port();
    let cert_url = format!("https://localhost:{port}/keys");
    let handled = Arc::new(AtomicUsize::new(0));
    let layer = |confirmer: Fetcher| {
        WebhookLayer::sns()
            .with_key_resolver(Certificates::new(fetcher(&pki)))
            .with_subscription_confirmer(confirmer)
            .with_clock(tower_webhooks::FixedClock(1_700_000_000))
    };
    let app = |layer: WebhookLayer| {
        let handled = handled.clone();
        Router::new().route(
            "/sns",
            post(move || async move {
                handled.fetch_add(1, Ordering::SeqCst);
                "ok"
            })
            .layer(layer),
        )
    };
    let signer = Signer::new(sns::scheme(), key).unwrap();
    let app = app(layer(fetcher(&pki)));

    // Twenty notifications at once: one fetch of the certificate, twenty handled.
    let deliveries: Vec<_> = (0..20)
        .map(|i| {
            let body = common::keys::sns_message("Notification", &format!("m-{i}"), &cert_url, "");
            app.clone().oneshot(signer.request("/sns", body))
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(handled.load(Ordering::SeqCst), 20);
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "one fetch for twenty deliveries"
    );

    // A certificate URL off the allowlist (the same server, by IP): 401, no connection.
    let elsewhere = format!("https://127.0.0.1:{port}/keys");
    let body = common::keys::sns_message("Notification", "m-x", &elsewhere, "");
    let response = app
        .clone()
        .oneshot(signer.request("/sns", body))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);

    // A confirmation: the layer GETs the SubscribeURL, and the handler never sees it.
    let confirm = format!("https://localhost:{port}/confirm");
    let body = common::keys::sns_message("SubscriptionConfirmation", "c-1", &cert_url, &confirm);
    let response = app
        .clone()
        .oneshot(signer.request("/sns", body))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(handled.load(Ordering::SeqCst), 20);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2, "confirmed");

    // A SubscribeURL off the allowlist: 503, no connection; tampered: 401, no visit either.
    let body = common::keys::sns_message(
        "SubscriptionConfirmation",
        "c-2",
        &cert_url,
        &format!("https://127.0.0.1:{port}/confirm"),
    );
    let response = app
        .clone()
        .oneshot(signer.request("/sns", body))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let mut request = signer.request(
        "/sns",
        common::keys::sns_message("SubscriptionConfirmation", "c-3", &cert_url, &confirm),
    );
    let forged = common::keys::sns_message("SubscriptionConfirmation", "c-3", &cert_url, &confirm)
        .replace("/confirm", "/confirm?evil");
    let signed: serde_json::Value = serde_json::from_slice(
        &axum::body::to_bytes(std::mem::take(request.body_mut()), 1 << 16)
            .await
            .unwrap(),
    )
    .unwrap();
    let mut forged: serde_json::Value = serde_json::from_str(&forged).unwrap();
    forged["Signature"] = signed["Signature"].clone();
    *request.body_mut() = Body::from(forged.to_string());
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);

    // Given to the handler instead, when so configured.
    let to_handler = app_to_handler(layer(fetcher(&pki)).sns_subscriptions_to_handler());
    let body = common::keys::sns_message("SubscriptionConfirmation", "c-4", &cert_url, &confirm);
    let response = to_handler
        .oneshot(signer.request("/sns", body))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        3,
        "its certificate, no visit"
    );

    // The certificate cannot be fetched (nothing listens there): 503, so that SNS retries.
    let body = common::keys::sns_message("Notification", "m-y", "https://localhost:1/keys", "");
    let response = app.oneshot(signer.request("/sns", body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[cfg(feature = "rsa")]
fn app_to_handler(layer: WebhookLayer) -> Router {
    Router::new().route("/sns", post(|| async { "handled" }).layer(layer))
}

#[cfg(feature = "ecdsa")]
#[tokio::test]
async fn plaid_through_the_layer() {
    use base64::Engine as _;
    use tower_webhooks::keys::PlaidKeys;
    use tower_webhooks::provider::plaid;

    // A P-256 key (PKCS#8), made with Python's cryptography from a fixed scalar, and its JWK.
    const PKCS8: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOh98LptNWm+ODBstP0pbbH2OnwobLD1OX2BxgpOktcahRANCAATyNrMAWI4eUWiF8hye1zgKw44BeZmgNCKlppYwmyn3StVAowyHCeA6C4+iXjmBuGaHo0KGBYk/Y0qnmlPzjMhQ";
    let base64 = base64::engine::general_purpose::STANDARD;
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signer = Signer::new(plaid::scheme(), base64.decode(PKCS8).unwrap())
        .unwrap()
        .at(1_700_000_000)
        .with_id("k1");
    let spki = common::keys::pem_der(&signer.public_key().unwrap());
    let point = &spki[spki.len() - 64..];
    let jwk = serde_json::json!({"key": {
        "alg": "ES256", "crv": "P-256", "kid": "k1", "kty": "EC", "use": "sig",
        "created_at": 1560466150, "expired_at": null,
        "x": url_safe.encode(&point[..32]), "y": url_safe.encode(&point[32..]),
    }});

    let pki = pki();
    let server = serve(&pki, jwk.to_string()).await;
    let url = format!("https://localhost:{}/keys", server.addr.port());
    let layer = WebhookLayer::plaid("client-id", "client-secret")
        .with_key_resolver(PlaidKeys::new(
            &url,
            fetcher(&pki),
            "client-id",
            "client-secret",
        ))
        .with_clock(tower_webhooks::FixedClock(1_700_000_000));
    let app = Router::new().route("/plaid", post(|| async { "ok" }).layer(layer));

    let body = plaid::SAMPLE;
    let deliveries: Vec<_> = (0..10)
        .map(|_| app.clone().oneshot(signer.request("/plaid", body)))
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "one key fetch"
    );

    // Another body under the same token: the claim pins the body.
    let mut request = signer.request("/plaid", body);
    *request.body_mut() = Body::from(body.replace("TRANSACTIONS", "AUTH"));
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Plaid answers with another kid than asked: not that key (401).
    let other = signer.clone().with_id("k2");
    let response = app
        .clone()
        .oneshot(other.request("/plaid", body))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);

    // Plaid cannot be reached: 503, so that Plaid retries.
    let down = WebhookLayer::plaid("client-id", "client-secret").with_key_resolver(PlaidKeys::new(
        "https://localhost:1/keys",
        fetcher(&pki),
        "id",
        "secret",
    ));
    let app = Router::new().route("/plaid", post(|| async { "ok" }).layer(down));
    let response = app.oneshot(signer.request("/plaid", body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}
