//! The real servers `.ci/with-services` starts, and names no other test run shares.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

/// The URL of a test server from `var`, or `None` (said loudly) outside CI; in CI (`CI` or
/// `TOWER_WEBHOOKS_REQUIRE_SERVICES` set) a missing server fails the test.
pub fn server(var: &str) -> Option<String> {
    if let Ok(url) = std::env::var(var) {
        return Some(url);
    }
    let required = std::env::var_os("CI").is_some()
        || std::env::var_os("TOWER_WEBHOOKS_REQUIRE_SERVICES").is_some();
    assert!(
        !required,
        "{var} is not set: in CI the store tests run against real servers \
         (.ci/with-services cargo test --workspace --all-features)"
    );
    eprintln!(
        "SKIPPED: {var} is not set; run `.ci/with-services cargo test --workspace --all-features`"
    );
    None
}

/// `name` made unique to this process and moment (key prefixes, ids, directories).
pub fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}_{}_{nanos}", std::process::id())
}

/// A Redis of the test's own, so that stopping it disturbs no other test.
pub struct OwnRedis {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    pub fn start(port: u16, dir: &std::path::Path) -> Self {
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = std::process::Command::new(binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server runs");
        let redis = Self {
            port,
            child: Some(child),
        };
        // Ready when it accepts connections.
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A node of the NATS cluster `.ci/with-services` starts, to stop and start again.
pub struct NatsNode {
    conf: std::path::PathBuf,
    pid: std::path::PathBuf,
}

impl NatsNode {
    /// Node `n` (1 to 3) of `$TEST_NATS_NODES`.
    pub fn of_cluster(n: u8) -> Self {
        let dir = std::path::PathBuf::from(
            std::env::var("TEST_NATS_NODES").expect("TEST_NATS_NODES names the cluster's folder"),
        );
        Self {
            conf: dir.join(format!("n{n}.conf")),
            pid: dir.join(format!("n{n}.pid")),
        }
    }

    /// Kills the node at once (SIGKILL: no goodbye to its peers).
    pub fn kill(&self) {
        let pid = std::fs::read_to_string(&self.pid).expect("the node wrote its pid file");
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -9 {}", pid.trim())])
            .status()
            .unwrap();
        assert!(status.success(), "kill -9 {pid}");
        let _ = std::fs::remove_file(&self.pid);
    }

    /// Starts the node again with its own configuration and store, and waits until it reports
    /// itself healthy (back in the cluster, its streams caught up).
    pub fn start(&self) {
        let binary = std::env::var("NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        // The node outlives this test, as its cluster does: `.ci/with-services` stops it by its
        // pid file.
        #[allow(clippy::zombie_processes)]
        std::process::Command::new(binary)
            .arg("-c")
            .arg(&self.conf)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server runs");
        let conf = std::fs::read_to_string(&self.conf).unwrap();
        let http = conf
            .lines()
            .find_map(|line| line.strip_prefix("http: "))
            .expect("the node has a monitoring port")
            .trim()
            .to_owned();
        for _ in 0..300 {
            if healthy(&http) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the NATS node at {http} did not come back healthy");
    }
}

/// Whether the NATS monitoring endpoint at `addr` says `/healthz` is ok.
fn healthy(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.contains("\"status\":\"ok\"")
}
