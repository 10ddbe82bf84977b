//! The memory store's claim is O(1): claim + complete of a new key costs the same whether the
//! store already holds a thousand ids or a million; and a duplicate's claim likewise. A new key's
//! claim alone (`new-key-claim`, the store kept at its size) against a duplicate's (`duplicate`):
//! issue 16's ≤ 1.3x.
//!
//!   cargo bench --bench store

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use tower_webhooks::store::{Claim, DeliveryStore, MemoryStore};

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];
/// New keys claimed between two readings of the clock in `new-key-claim`.
const BATCH: usize = 256;

fn filled(size: usize, runtime: &tokio::runtime::Runtime) -> MemoryStore {
    // Room for the prefill and everything the bench adds.
    let store = MemoryStore::new()
        .with_max_entries(size * 2 + 10_000_000)
        .with_max_bytes(usize::MAX);
    runtime.block_on(async {
        for i in 0..size {
            let key = format!("ycloud:evt_{i:020}");
            if let Claim::Acquired(token) = store.claim(&key).await.unwrap() {
                store.complete(&key, token).await.unwrap();
            }
        }
    });
    store
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("memory-store");
    for size in SIZES {
        let store = filled(size, &runtime);
        let mut next = size;
        // Keys made before the clock starts: what is timed is the store, not `format!`.
        let mut fresh = |iters: u64| -> Vec<String> {
            (0..iters)
                .map(|_| {
                    next += 1;
                    format!("ycloud:evt_{next:020}")
                })
                .collect()
        };
        group.bench_function(BenchmarkId::new("new-key-claim", size), |b| {
            // Claimed a batch at a time and released untimed, so the store holds `size` keys
            // (and at most a batch more) throughout, as the duplicates' bench does: otherwise
            // the millions of keys claimed while measuring grow the "1,000" store past 1,000.
            let mut claims = Vec::with_capacity(BATCH);
            b.iter_custom(|iters| {
                let keys = fresh(iters);
                runtime.block_on(async {
                    let mut timed = Duration::ZERO;
                    for batch in keys.chunks(BATCH) {
                        let started = Instant::now();
                        for key in batch {
                            claims.push(store.claim(key).await.unwrap());
                        }
                        timed += started.elapsed();
                        for (key, claim) in batch.iter().zip(claims.drain(..)) {
                            let Claim::Acquired(token) = claim else {
                                panic!("a new key was not acquired: {claim:?}");
                            };
                            store.release(key, token).await.unwrap();
                        }
                    }
                    timed
                })
            })
        });
        group.bench_function(BenchmarkId::new("new-key", size), |b| {
            b.iter_custom(|iters| {
                let keys = fresh(iters);
                runtime.block_on(async {
                    let started = Instant::now();
                    for key in &keys {
                        if let Claim::Acquired(token) = store.claim(key).await.unwrap() {
                            store.complete(key, token).await.unwrap();
                        }
                    }
                    started.elapsed()
                })
            })
        });
        group.bench_function(BenchmarkId::new("duplicate", size), |b| {
            // Held keys spread over the table, as a provider's retries are: a duplicate's claim
            // is not timed on one key kept hot in the cache.
            let held: Vec<String> = (0..size.min(100_000))
                .map(|i| format!("ycloud:evt_{:020}", (i * 7919) % size))
                .collect();
            let mut at = 0;
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let started = Instant::now();
                    for _ in 0..iters {
                        at = (at + 1) % held.len();
                        black_box(store.claim(&held[at]).await.unwrap());
                    }
                    started.elapsed()
                })
            })
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
