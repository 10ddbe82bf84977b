//! The in-memory store's footprint: a million remembered ids within the documented bytes per id.
//! Alone in its test binary, so that no other test's allocations count.

use tower_webhooks::store::{Claim, DeliveryStore, MemoryStore};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The documented figure (README, BENCHMARKS.md): at most this many bytes per remembered id.
const BYTES_PER_ID: u64 = 128;

#[tokio::test(flavor = "current_thread")]
async fn the_memory_store_holds_a_million_ids_within_the_documented_figure() {
    const IDS: usize = 1_000_000;
    // The limit is kept per shard (16 of them): 5% headroom absorbs their uneven fill.
    let store = MemoryStore::new()
        .with_max_entries(IDS + IDS / 20)
        .with_max_bytes(usize::MAX);
    let before = rss_kib();
    for i in 0..IDS {
        // Keys as the layer writes them: provider, then a provider id of typical length.
        let key = format!("ycloud:evt_{i:020}");
        let Claim::Acquired(token) = store.claim(&key).await.unwrap() else {
            panic!("{key} was new")
        };
        store.complete(&key, token).await.unwrap();
    }
    let grown = (rss_kib() - before) * 1024;
    assert_eq!(store.len(), IDS);
    assert_eq!(
        store
            .claim("ycloud:evt_00000000000000000007")
            .await
            .unwrap(),
        Claim::Done
    );
    println!(
        "{IDS} ids (31-byte keys): RSS grew {} MiB, {} bytes per id",
        grown / (1024 * 1024),
        grown / IDS as u64
    );
    assert!(
        grown / IDS as u64 <= BYTES_PER_ID,
        "{} bytes per id",
        grown / IDS as u64
    );
    // The memory budget (`with_max_bytes`) counts at least what the keys really take.
    let counted = store.counted_bytes() as u64;
    println!(
        "counted against the budget: {} bytes per id",
        counted / IDS as u64
    );
    assert!(
        grown <= counted,
        "RSS grew {grown} bytes, the budget counted {counted}"
    );
}
