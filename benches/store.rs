//! The memory store's claim is O(1): claim + complete of a new key costs the same whether the
//! store already holds a thousand ids or a million; and a duplicate's claim likewise.
//!
//!   cargo bench --bench store

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use tower_webhooks::store::{Claim, DeliveryStore, MemoryStore};

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];

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
        group.bench_function(BenchmarkId::new("new-key", size), |b| {
            b.iter(|| {
                next += 1;
                let key = format!("ycloud:evt_{next:020}");
                runtime.block_on(async {
                    if let Claim::Acquired(token) = store.claim(&key).await.unwrap() {
                        store.complete(&key, token).await.unwrap();
                    }
                })
            })
        });
        group.bench_function(BenchmarkId::new("duplicate", size), |b| {
            let key = format!("ycloud:evt_{:020}", size / 2);
            b.iter(|| runtime.block_on(store.claim(black_box(&key))).unwrap())
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
