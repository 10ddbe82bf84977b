//! The real servers `.ci/with-services` starts, and names no other test run shares.
#![allow(dead_code, unreachable_pub)]

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
         (.ci/with-services cargo test --all-features)"
    );
    eprintln!("SKIPPED: {var} is not set; run `.ci/with-services cargo test --all-features`");
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
