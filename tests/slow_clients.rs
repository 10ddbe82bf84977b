//! Slow and hostile clients over a real socket: 2,000 connections that declare a 1 MiB body and
//! trickle it a byte at a time are cut off by the body read timeout (408) without raising the
//! server's memory past the documented bound, and real deliveries sent meanwhile all succeed.
//! The server runs in a child process so that its peak RSS is its own.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower_webhooks::WebhookLayer;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::Signer;

const SECRET: &str = "whsec_slow";
const SLOW: usize = 2_000;
const TIMEOUT: Duration = Duration::from_secs(2);
/// The documented bound: a slow connection costs at most 64 KiB of server memory.
const PER_CONNECTION_KIB: u64 = 64;

#[tokio::test]
#[ignore = "run by slow_clients_are_cut_off_and_memory_stays_bounded in a child process"]
async fn slow_server_child() {
    let app = Router::new().route(
        "/hook",
        post(|| async { "ok" }).layer(WebhookLayer::ycloud(SECRET).with_body_timeout(TIMEOUT)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    common::child::announce(&listener);
    axum::serve(listener, app).await.unwrap();
}

/// How a slow client's attempt ended.
#[derive(Debug, PartialEq)]
enum End {
    /// The server answered with this status.
    Answered(u16),
    /// The server closed or reset the connection (after answering, a write can race the read).
    Closed,
    /// The client stopped by itself: the server never cut it off.
    GaveUp,
}

/// Declares 1 MiB, then sends a byte every 200 ms until the server answers or closes, or 3x the
/// timeout passes (the loop always ends).
async fn slow_client(addr: SocketAddr) -> End {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return End::Closed;
    };
    let signature = format!("t={},s={}", 1_700_000_000, "0".repeat(64));
    let head = format!(
        "POST /hook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         ycloud-signature: {signature}\r\ncontent-length: 1048576\r\n\r\n{{"
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return End::Closed;
    }
    let deadline = Instant::now() + TIMEOUT * 3;
    let mut answer = [0u8; 12];
    while Instant::now() < deadline {
        tokio::select! {
            read = stream.read(&mut answer) => {
                return match read {
                    Ok(12) => std::str::from_utf8(&answer[9..12])
                        .ok()
                        .and_then(|code| code.parse().ok())
                        .map_or(End::Closed, End::Answered),
                    _ => End::Closed,
                };
            }
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if stream.write_all(b" ").await.is_err() {
                    return End::Closed;
                }
            }
        }
    }
    End::GaveUp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_memory_stays_bounded() {
    let (mut child, addr) = common::child::spawn("slow_server_child");
    let idle_kib = common::child::peak_rss_kib(child.id());

    let started = Instant::now();
    let slow: Vec<_> = (0..SLOW).map(|_| tokio::spawn(slow_client(addr))).collect();
    // Real deliveries while the slow ones hold their connections.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();
    let mut delivered = 0;
    for i in 0..50 {
        let body = format!(r#"{{"id":"evt_live_{i}","type":"t"}}"#);
        let (status, _) = common::client::send(addr, signer.request("/hook", body))
            .await
            .unwrap();
        assert_eq!(
            status, 200,
            "a real delivery failed during the slow-client flood"
        );
        delivered += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (mut timed_out, mut closed, mut other) = (0, 0, Vec::new());
    for task in slow {
        match task.await.unwrap() {
            End::Answered(408) => timed_out += 1,
            End::Closed => closed += 1,
            end => other.push(end),
        }
    }
    let elapsed = started.elapsed();
    let peak_kib = common::child::peak_rss_kib(child.id());
    child.kill().unwrap();
    let _ = child.wait();

    let bound_kib = idle_kib + SLOW as u64 * PER_CONNECTION_KIB;
    println!(
        "{SLOW} slow clients cut off within {elapsed:?} ({timed_out} read the 408, {closed} saw \
         the close first); {delivered} real deliveries meanwhile; server peak RSS {} MiB \
         (idle {} MiB), bound {} MiB",
        peak_kib / 1024,
        idle_kib / 1024,
        bound_kib / 1024
    );
    assert_eq!(delivered, 50);
    assert!(other.is_empty(), "not cut off by the server: {other:?}");
    assert!(timed_out > 0, "no slow client saw the 408");
    assert!(
        peak_kib <= bound_kib,
        "peak {peak_kib} KiB > bound {bound_kib} KiB"
    );
}
