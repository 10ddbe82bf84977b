//! A server in a child process (this same test binary, running one ignored test), so that its
//! memory can be measured apart from the client's.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

/// Starts the ignored test `name` in a child process; it must print `PORT <n>` when listening.
pub fn spawn(name: &str) -> (Child, SocketAddr) {
    spawn_with(name, &[])
}

/// [`spawn`], with extra environment variables for the child.
pub fn spawn_with(name: &str, env: &[(&str, &str)]) -> (Child, SocketAddr) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--nocapture"])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("the child printed its port").unwrap();
        if let Some(port) = line.strip_prefix("PORT ") {
            break port.parse().unwrap();
        }
    };
    (child, ([127, 0, 0, 1], port).into())
}

/// Announces the listener's port to the parent.
pub fn announce(listener: &tokio::net::TcpListener) {
    println!("PORT {}", listener.local_addr().unwrap().port());
}

/// A process's peak resident set, in KiB.
pub fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}
