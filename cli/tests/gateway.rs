//! The `webhooks` binary as a user runs it: a spawned process on real sockets.
//!
//! - `serve` with three routes (two presets and a custom scheme) forwarding to a local upstream
//!   that fails each delivery twice, then takes it: the provider hears 200 at once every time,
//!   the upstream takes each delivery once, its raw body byte for byte; `/metrics` counts match;
//!   SIGHUP with a broken config keeps serving; SIGTERM loses nothing in flight.
//! - A broken config: the file, line and field, exit 3, nothing started.
//! - `sign` and `verify`: a re-serialised body, a wrong secret, a stale timestamp, each named.
//! - No secret in any output.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tower_webhooks::provider::{stripe, ycloud};
use tower_webhooks::scheme::Scheme;
use tower_webhooks::testing::Signer;

/// The library's own helpers for the servers `.ci/with-services` starts.
#[path = "../../tests/common/services.rs"]
mod services;

use services::server;

const BIN: &str = env!("CARGO_BIN_EXE_webhooks");
const YCLOUD_SECRET: &str = "whsec_gateway_ycloud_0123456789";
const STRIPE_SECRET: &str = "whsec_gateway_stripe_0123456789";
const ACME_SECRET: &str = "acme_gateway_secret_0123456789";

fn acme() -> Scheme {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/schemes/acme.toml");
    Scheme::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "webhooks-cli-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the upstream took: per id, the bodies it answered 200 to; and every request's count.
#[derive(Clone, Default)]
struct Upstream {
    taken: Arc<Mutex<HashMap<String, Vec<Bytes>>>>,
    seen: Arc<Mutex<HashMap<String, u32>>>,
}

/// An upstream that refuses each delivery twice (500), then takes it.
async fn upstream() -> (SocketAddr, Upstream) {
    let state = Upstream::default();
    let app = Router::new().route(
        "/{route}",
        post({
            let state = state.clone();
            move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let id = headers
                        .get("x-webhook-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    assert_eq!(headers.get("x-webhook-verified").unwrap(), "signature");
                    let mut seen = state.seen.lock().unwrap();
                    let count = seen.entry(id.clone()).or_insert(0);
                    *count += 1;
                    if *count <= 2 {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    state
                        .taken
                        .lock()
                        .unwrap()
                        .entry(id)
                        .or_default()
                        .push(body);
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, state)
}

fn config(upstream: SocketAddr) -> String {
    let acme = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/schemes/acme.toml");
    format!(
        r#"listen = "127.0.0.1:0"
admin = "127.0.0.1:0"
drain_secs = 20

[[route]]
path = "/webhooks/ycloud"
provider = "ycloud"
secret_env = "GATEWAY_YCLOUD_SECRET"
forward = "http://{upstream}/ycloud"
backoff_secs = [0, 0, 0]

[[route]]
path = "/webhooks/stripe"
provider = "stripe"
secret_env = "GATEWAY_STRIPE_SECRET"
forward = "http://{upstream}/stripe"
ack = "always"
backoff_secs = [0, 0, 0]

[[route]]
path = "/webhooks/acme"
provider = "{acme}"
secret_file = "acme.secret"
forward = "http://{upstream}/acme"
backoff_secs = [0, 0, 0]
"#
    )
}

/// The gateway, spawned; its stdout read on a thread, line by line.
struct Gateway {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    addr: SocketAddr,
    admin: SocketAddr,
    stderr: PathBuf,
}

impl Gateway {
    fn start(config: &Path, dir: &Path) -> Self {
        let stderr = dir.join("stderr.log");
        let mut child = Command::new(BIN)
            .args(["serve", "--config"])
            .arg(config)
            .env("GATEWAY_YCLOUD_SECRET", YCLOUD_SECRET)
            .env("GATEWAY_STRIPE_SECRET", STRIPE_SECRET)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let find = |prefix: &str| -> SocketAddr {
            let start = Instant::now();
            loop {
                if let Some(addr) = lines.lock().unwrap().iter().find_map(|l| {
                    l.strip_prefix(prefix)?
                        .split_whitespace()
                        .next()?
                        .trim_start_matches("http://")
                        .parse()
                        .ok()
                }) {
                    return addr;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "the gateway did not start: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        let admin = find("admin on ");
        let addr = find("gateway on ");
        Self {
            child,
            lines,
            addr,
            admin,
            stderr,
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("sh")
            .args(["-c", &format!("kill -{name} {}", self.child.id())])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait_for_line(&self, text: &str) {
        let start = Instant::now();
        while !self.lines.lock().unwrap().iter().any(|l| l.contains(text)) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no `{text}` in {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn output(&self) -> String {
        let mut all = self.lines.lock().unwrap().join("\n");
        all.push_str(&std::fs::read_to_string(&self.stderr).unwrap_or_default());
        all
    }
}

/// One request over its own connection: the status, and the body as text.
async fn send(
    addr: SocketAddr,
    mut request: http::Request<axum::body::Body>,
) -> (StatusCode, String) {
    use http_body_util::BodyExt;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    request
        .headers_mut()
        .insert(http::header::HOST, addr.to_string().parse().unwrap());
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str) -> http::Request<axum::body::Body> {
    http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap()
}

/// Signed deliveries: (route, id, body, the request).
fn deliveries(
    n: usize,
    tag: &str,
) -> Vec<(
    &'static str,
    String,
    String,
    http::Request<axum::body::Body>,
)> {
    let signers = [
        (
            "/webhooks/ycloud",
            Signer::new(ycloud::scheme(), YCLOUD_SECRET).unwrap(),
        ),
        (
            "/webhooks/stripe",
            Signer::new(stripe::scheme(), STRIPE_SECRET).unwrap(),
        ),
        ("/webhooks/acme", Signer::new(acme(), ACME_SECRET).unwrap()),
    ];
    (0..n)
        .map(|i| {
            let (route, signer) = &signers[i % 3];
            let id = format!("{tag}_{i}");
            // A body with the spacing and key order the provider chose: forwarded as it is.
            let body = match *route {
                "/webhooks/ycloud" => {
                    format!(r#"{{"id": "{id}", "type": "contact.created", "apiVersion":"v2"}}"#)
                }
                "/webhooks/stripe" => {
                    format!(r#"{{"type": "invoice.paid",   "id": "{id}", "object": "event"}}"#)
                }
                _ => format!("{{\n  \"type\": \"thing.made\",\n  \"id\": \"{id}\"\n}}\n"),
            };
            let mut request = signer.request(route, body.clone());
            if *route == "/webhooks/acme" {
                request
                    .headers_mut()
                    .insert("x-acme-delivery", id.parse().unwrap());
            }
            (*route, id, body, request)
        })
        .collect()
}

async fn wait_taken(upstream: &Upstream, n: usize) {
    let start = Instant::now();
    while upstream.taken.lock().unwrap().len() < n {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the upstream took {} of {n}",
            upstream.taken.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn metric(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(prefix)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_answers_at_once_forwards_each_delivery_once_reloads_and_drains() {
    let dir = temp_dir("serve");
    std::fs::write(dir.join("acme.secret"), format!("{ACME_SECRET}\n")).unwrap();
    let (upstream_addr, upstream) = upstream().await;
    let config_path = dir.join("webhooks.toml");
    std::fs::write(&config_path, config(upstream_addr)).unwrap();
    let gateway = Gateway::start(&config_path, &dir);

    assert_eq!(
        send(gateway.addr, get("/healthz")).await,
        (StatusCode::OK, "ok".into())
    );
    assert_eq!(send(gateway.addr, get("/readyz")).await.0, StatusCode::OK);

    let sent = deliveries(30, "evt");
    let mut bodies = HashMap::new();
    for (route, id, body, request) in sent {
        let started = Instant::now();
        let (status, _) = send(gateway.addr, request).await;
        assert_eq!(status, StatusCode::OK, "{route} {id}");
        // Answered at once: the upstream's two refusals come later, from the worker.
        assert!(started.elapsed() < Duration::from_secs(2));
        bodies.insert(id, body);
    }
    // A copy, and a forgery.
    let again = deliveries(1, "evt").pop().unwrap();
    assert_eq!(send(gateway.addr, again.3).await.0, StatusCode::OK);
    let forged = Signer::new(ycloud::scheme(), "whsec_not_the_secret")
        .unwrap()
        .request("/webhooks/ycloud", r#"{"id":"forged","type":"x"}"#);
    assert_eq!(send(gateway.addr, forged).await.0, StatusCode::UNAUTHORIZED);

    wait_taken(&upstream, 30).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for (id, body) in &bodies {
        let taken = upstream
            .taken
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .unwrap_or_default();
        assert_eq!(taken.len(), 1, "{id} taken {} times", taken.len());
        assert_eq!(
            taken[0].as_ref(),
            body.as_bytes(),
            "{id}: the raw body, byte for byte"
        );
        assert_eq!(
            upstream.seen.lock().unwrap()[id],
            3,
            "{id}: refused twice, then taken"
        );
    }

    // A thousand unique deliveries from `webhooks send`, 32 at once.
    let body_file = dir.join("event.json");
    std::fs::write(
        &body_file,
        r#"{"id": "bulk", "type": "contact.created", "apiVersion": "v2"}"#,
    )
    .unwrap();
    let url = format!("http://{}/webhooks/ycloud", gateway.addr);
    let args = [
        "send",
        "--provider",
        "ycloud",
        "--secret-env",
        "GATEWAY_YCLOUD_SECRET",
        "--body",
        body_file.to_str().unwrap(),
        "--repeat",
        "1000",
        "--concurrency",
        "32",
        url.as_str(),
    ]
    .map(str::to_owned);
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, b"", &[("GATEWAY_YCLOUD_SECRET", YCLOUD_SECRET)])
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("1000 deliveries in") && out.contains("200 x1000"),
        "{out}"
    );
    assert!(out.contains("latency p50"), "{out}");
    assert!(!out.contains(YCLOUD_SECRET) && !err.contains(YCLOUD_SECRET));
    wait_taken(&upstream, 1030).await;

    let (_, text) = send(gateway.admin, get("/metrics")).await;
    assert_eq!(
        metric(
            &text,
            r#"webhooks_deliveries_total{provider="ycloud",outcome="parked"}"#
        ),
        1010.0
    );
    assert_eq!(
        metric(
            &text,
            r#"webhooks_deliveries_total{provider="stripe",outcome="parked"}"#
        ),
        10.0
    );
    assert_eq!(
        metric(
            &text,
            r#"webhooks_deliveries_total{provider="acme",outcome="parked"}"#
        ),
        10.0
    );
    assert_eq!(
        metric(
            &text,
            r#"webhooks_deliveries_total{provider="ycloud",outcome="duplicate"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &text,
            r#"webhooks_rejections_total{provider="ycloud",kind="invalid_signature"}"#
        ),
        1.0
    );
    assert_eq!(
        metric(
            &text,
            r#"webhooks_attempts_total{provider="stripe",result="retry"}"#
        ),
        // Under `ack = "always"` the first forward runs in the request (refused, parked), the
        // worker's first attempt is refused too, its second taken.
        10.0
    );
    assert_eq!(
        metric(
            &text,
            r#"webhooks_attempts_total{provider="stripe",result="done"}"#
        ),
        10.0
    );

    // A broken config on SIGHUP: refused, the running one kept.
    std::fs::write(
        &config_path,
        "listen = \"127.0.0.1:0\"\n[[route]]\npath = 7\n",
    )
    .unwrap();
    gateway.signal("HUP");
    gateway.wait_for_line("config reload refused");
    let more = deliveries(3, "after_hup");
    for (_, _, _, request) in more {
        assert_eq!(send(gateway.addr, request).await.0, StatusCode::OK);
    }
    wait_taken(&upstream, 1033).await;
    // A good one: switched to without a dropped request.
    std::fs::write(&config_path, config(upstream_addr)).unwrap();
    gateway.signal("HUP");
    gateway.wait_for_line("config reloaded");

    // SIGTERM with deliveries just answered: each reaches the upstream before the exit.
    let last = deliveries(9, "before_term");
    for (_, _, _, request) in last {
        assert_eq!(send(gateway.addr, request).await.0, StatusCode::OK);
    }
    gateway.signal("TERM");
    let mut gateway = gateway;
    let status = gateway.child.wait().unwrap();
    assert!(status.success(), "exit {status:?}: {}", gateway.output());
    assert_eq!(
        upstream.taken.lock().unwrap().len(),
        1042,
        "nothing in flight lost"
    );

    let output = gateway.output();
    for secret in [YCLOUD_SECRET, STRIPE_SECRET, ACME_SECRET] {
        assert!(
            !output.contains(secret),
            "a secret in the output:\n{output}"
        );
    }
}

#[test]
fn a_broken_config_names_file_line_and_field_and_exits_3() {
    let dir = temp_dir("broken");
    let path = dir.join("webhooks.toml");
    std::fs::write(&path, "listen = \"127.0.0.1:0\"\n\n[[route]]\npath = \"/x\"\nprovider = \"ycloud\"\nsecret_env = \"X\"\nforward = 12\n").unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("webhooks.toml:7:"), "{stderr}");
    assert!(stderr.contains("route[0].forward"), "{stderr}");

    std::fs::write(&path, "[[route]]\npath = \"/x\"\nprovider = \"nope\"\nsecret_env = \"GATEWAY_NO_SUCH_VAR\"\nforward = \"http://127.0.0.1:1/\"\n").unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("route[0].provider: unknown provider `nope`")
    );
}

fn run(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn verify_names_the_cause_of_each_failure() {
    let dir = temp_dir("verify");
    let env = [
        ("STRIPE_SECRET", STRIPE_SECRET),
        ("OTHER_SECRET", "whsec_someone_elses"),
    ];
    // Signed as the provider writes it: spaces after ':' and ','.
    let body =
        r#"{"id": "evt_1", "type": "invoice.paid", "data": {"amount": 100, "items": [1, 2]}}"#;
    let ts = 1_700_000_000i64;
    let (code, headers, _) = run(
        &[
            "sign",
            "--provider",
            "stripe",
            "--secret-env",
            "STRIPE_SECRET",
            "--timestamp",
            &ts.to_string(),
        ],
        body.as_bytes(),
        &env,
    );
    assert_eq!(code, Some(0));
    assert!(
        headers.contains("stripe-signature: t=1700000000,v1="),
        "{headers}"
    );
    let headers_file = dir.join("headers.txt");
    std::fs::write(
        &headers_file,
        format!("POST /webhooks/stripe HTTP/1.1\n{headers}"),
    )
    .unwrap();
    let verify = |body: &str, secret_env: &str, now: i64| {
        let body_file = dir.join("body.json");
        std::fs::write(&body_file, body).unwrap();
        run(
            &[
                "verify",
                "--provider",
                "stripe",
                "--secret-env",
                secret_env,
                "--headers",
                headers_file.to_str().unwrap(),
                "--body",
                body_file.to_str().unwrap(),
                "--now",
                &now.to_string(),
            ],
            b"",
            &env,
        )
    };
    let (code, out, _) = verify(body, "STRIPE_SECRET", ts + 10);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.trim_end().ends_with("verified"), "{out}");

    // A framework parsed the JSON and wrote it again, compactly (as `JSON.stringify` does).
    let compact = r#"{"id":"evt_1","type":"invoice.paid","data":{"amount":100,"items":[1,2]}}"#;
    let (code, out, _) = verify(compact, "STRIPE_SECRET", ts + 10);
    assert_eq!(code, Some(1));
    assert!(out.contains("not verified: body re-serialised"), "{out}");
    assert!(
        out.contains("written with spaces after ':' and ','"),
        "{out}"
    );
    assert!(
        out.contains("signature header stripe-signature: found"),
        "{out}"
    );
    // Written again with its keys sorted: no whitespace brings it back, and the report names
    // the two causes that remain.
    let sorted =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(body).unwrap()).unwrap();
    let (code, out, _) = verify(&sorted, "STRIPE_SECRET", ts + 10);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("not verified: wrong secret, or a body re-serialised"),
        "{out}"
    );

    let (code, out, _) = verify(body, "OTHER_SECRET", ts + 10);
    assert_eq!(code, Some(1));
    assert!(out.contains("not verified: wrong secret"), "{out}");

    let (code, out, _) = verify(body, "STRIPE_SECRET", ts + 3600);
    assert_eq!(code, Some(1));
    assert!(out.contains("not verified: stale timestamp"), "{out}");
    assert!(out.contains("3600 s ago"), "{out}");

    for (_, secret) in env {
        assert!(!out.contains(secret));
    }
}

#[test]
fn help_shows_an_example_per_command_and_no_secret() {
    for command in ["serve", "sign", "verify"] {
        let (code, out, _) = run(&[command, "--help"], b"", &[]);
        assert_eq!(code, Some(0));
        assert!(out.contains("Example:"), "{command}: {out}");
    }
    let (code, _, err) = run(&["sign", "--provider", "stripe"], b"", &[]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = run(
        &[
            "sign",
            "--provider",
            "stripe",
            "--secret-env",
            "GATEWAY_UNSET_VAR",
        ],
        b"",
        &[],
    );
    assert_eq!(code, Some(3));
    assert!(err.contains("GATEWAY_UNSET_VAR is not set"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_publish_to_jetstream_and_a_redis_stream() {
    let (Some(nats_url), Some(redis_url)) = (server("TEST_NATS_URL"), server("TEST_REDIS_URL"))
    else {
        return;
    };
    let dir = temp_dir("publish");
    let tag = dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(['-', '.'], "_");
    let stream = tag.to_uppercase();
    let redis_rest = redis_url.trim_start_matches("redis://");
    let config = format!(
        r#"listen = "127.0.0.1:0"
admin = "127.0.0.1:0"

[[route]]
path = "/webhooks/ycloud"
provider = "ycloud"
secret_env = "GATEWAY_YCLOUD_SECRET"
destination = "{nats_url}"
subject = "{tag}.{{provider}}.{{type}}"
stream = "{stream}"
stream_replicas = 3

[[route]]
path = "/webhooks/stripe"
provider = "stripe"
secret_env = "GATEWAY_STRIPE_SECRET"
destination = "redis-stream://{redis_rest}"
subject = "{tag}:stream:{{provider}}"
"#
    );
    let path = dir.join("webhooks.toml");
    std::fs::write(&path, config).unwrap();
    let gateway = Gateway::start(&path, &dir);
    let sent: Vec<_> = deliveries(12, &tag)
        .into_iter()
        .filter(|(route, ..)| *route != "/webhooks/acme")
        .collect();
    let count = sent.len();
    for (route, id, _, request) in sent {
        assert_eq!(
            send(gateway.addr, request).await.0,
            StatusCode::OK,
            "{route} {id}"
        );
    }
    // A copy of each: a duplicate, added nowhere.
    for (_, _, _, request) in deliveries(12, &tag)
        .into_iter()
        .filter(|(r, ..)| *r != "/webhooks/acme")
    {
        assert_eq!(send(gateway.addr, request).await.0, StatusCode::OK);
    }
    let addresses: Vec<async_nats::ServerAddr> =
        nats_url.split(',').map(|u| u.parse().unwrap()).collect();
    let js = async_nats::jetstream::new(async_nats::connect(addresses).await.unwrap());
    let messages = js
        .get_stream(&stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages;
    assert_eq!(
        messages,
        (count / 2) as u64,
        "each ycloud delivery in the stream once"
    );
    let client = redis::Client::open(redis_url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let len: usize = redis::cmd("XLEN")
        .arg(format!("{tag}:stream:stripe"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(len, count / 2, "each stripe delivery in the stream once");
    gateway.signal("TERM");
    let mut gateway = gateway;
    assert!(
        gateway.child.wait().unwrap().success(),
        "{}",
        gateway.output()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_lists_shows_replays_and_purges_and_a_dry_run_changes_nothing() {
    use tower_webhooks::store::{
        Claim, DeliveryStore, InboxStatus, RedisStore, Schedule, StoredDelivery,
    };
    let Some(url) = server("TEST_REDIS_URL") else {
        return;
    };
    let dir = temp_dir("inbox");
    let prefix = dir.file_name().unwrap().to_string_lossy().into_owned();
    let store = RedisStore::connect(&url)
        .await
        .unwrap()
        .with_prefix(prefix.clone());
    for id in ["evt_a", "evt_b", "evt_c"] {
        let key = format!("ycloud:{id}");
        let Claim::Acquired(token) = store.claim(&key).await.unwrap() else {
            panic!("fresh key")
        };
        let mut delivery = StoredDelivery::new(
            key,
            "ycloud",
            id,
            HeaderMap::new(),
            Bytes::from(format!(r#"{{"id":"{id}"}}"#)),
        );
        delivery.last_error = Some("upstream answered 500".into());
        store.park(token, delivery, Schedule::Dead).await.unwrap();
    }
    let inbox = |args: &[&str]| {
        let mut all = vec!["inbox"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--store", url.as_str(), "--prefix", prefix.as_str()]);
        run(&all, b"", &[])
    };
    let (code, out, err) = inbox(&["list", "--status", "dead"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("ycloud:evt_a  dead") && out.contains("3 dead deliveries"),
        "{out}"
    );

    let (code, out, _) = inbox(&["replay", "--all", "--status", "dead", "--dry-run"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("would replay ycloud:evt_b") && out.contains("nothing changed"),
        "{out}"
    );
    assert_eq!(
        store.inbox_len(InboxStatus::Dead).await.unwrap(),
        3,
        "the dry run changed nothing"
    );
    assert_eq!(store.inbox_len(InboxStatus::Pending).await.unwrap(), 0);

    let (code, out, _) = inbox(&["show", "ycloud:evt_c"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains(r#"{"id":"evt_c"}"#) && out.contains("upstream answered 500"),
        "{out}"
    );

    let (code, out, _) = inbox(&["replay", "ycloud:evt_a"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(store.inbox_len(InboxStatus::Dead).await.unwrap(), 2);
    assert_eq!(store.inbox_len(InboxStatus::Pending).await.unwrap(), 1);
    let (code, out, _) = inbox(&["purge", "--all", "--status", "dead"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("2 deliveries purged"), "{out}");
    assert_eq!(store.inbox_len(InboxStatus::Dead).await.unwrap(), 0);
    let (code, _, _) = inbox(&["purge", "ycloud:evt_nope"]);
    assert_eq!(code, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_prints_a_line_per_delivery_and_forwards() {
    let (upstream_addr, upstream) = upstream().await;
    let mut child = Command::new(BIN)
        .args([
            "listen",
            "--provider",
            "ycloud",
            "--secret-env",
            "GATEWAY_YCLOUD_SECRET",
            "--port",
            "0",
            "--forward",
        ])
        .arg(format!("http://{upstream_addr}/listen"))
        .env("GATEWAY_YCLOUD_SECRET", YCLOUD_SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let stdout = child.stdout.take().unwrap();
    {
        let lines = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
    }
    let wait = |text: &'static str| {
        let lines = Arc::clone(&lines);
        async move {
            let start = Instant::now();
            loop {
                if let Some(line) = lines.lock().unwrap().iter().find(|l| l.contains(text)) {
                    return line.clone();
                }
                assert!(start.elapsed() < Duration::from_secs(20), "no `{text}`");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let line = wait("listening on http://").await;
    let addr: SocketAddr = line["listening on http://".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let signer = Signer::new(ycloud::scheme(), YCLOUD_SECRET).unwrap();
    let body = r#"{"id":"evt_listen","type":"contact.created"}"#;
    // The upstream refuses twice: the provider hears its answer, then its retry is taken.
    for expected in [502, 502, 200] {
        let (status, _) = send(addr, signer.request("/anything", body)).await;
        assert_eq!(status.as_u16(), expected);
    }
    let line = wait("verified, forwarded: 200").await;
    assert!(
        line.contains("ycloud  evt_listen  contact.created"),
        "{line}"
    );
    let forged = Signer::new(ycloud::scheme(), "whsec_wrong")
        .unwrap()
        .request("/", body);
    assert_eq!(send(addr, forged).await.0, StatusCode::UNAUTHORIZED);
    wait("refused 401: webhook signature does not match").await;
    assert_eq!(upstream.taken.lock().unwrap()["evt_listen"].len(), 1);
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_sample_puts_the_event_type_where_the_provider_does() {
    // A receiver that records what arrived: the event type in the body, or in a header.
    // Each request's X-GitHub-Event, and its body.
    type Seen = Vec<(Option<String>, String)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let app = Router::new().route(
        "/{route}",
        post({
            let seen = Arc::clone(&seen);
            move |headers: HeaderMap, body: Bytes| {
                let seen = Arc::clone(&seen);
                async move {
                    let header = headers
                        .get("x-github-event")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    seen.lock()
                        .unwrap()
                        .push((header, String::from_utf8_lossy(&body).into_owned()));
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let env = [("S", "whsec_sample_secret_0123456789")];
    let send_sample = |provider: &'static str, event: &'static str| {
        let url = format!("http://{addr}/{provider}");
        tokio::task::spawn_blocking(move || {
            run(
                &[
                    "send",
                    "--provider",
                    provider,
                    "--secret-env",
                    "S",
                    "--sample",
                    event,
                    &url,
                ],
                b"",
                &env,
            )
        })
    };
    let (code, out, err) = send_sample("stripe", "invoice.paid").await.unwrap();
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = send_sample("github", "pull_request").await.unwrap();
    assert_eq!(code, Some(0), "{out}{err}");
    let seen = seen.lock().unwrap().clone();
    let stripe: serde_json::Value = serde_json::from_str(&seen[0].1).unwrap();
    assert_eq!(stripe["type"], "invoice.paid");
    assert_eq!(seen[1].0.as_deref(), Some("pull_request"));
}
