//! The default store's dedup window against YCloud's retry schedule (seed 000: retries after
//! 10 s, 30 s, 5 min, 30 min, 1 h, 2 h, 2 h), in simulated time: the layer and its default
//! `MemoryStore` follow an injected clock, so three hours of deliveries run in seconds.
//!
//! At 25 deliveries/s for 3 hours, every fifth delivery retried on the whole schedule (the others'
//! retries only repeat keys already held, so they would add time, not memory), the handler runs
//! once per delivery: the default budget (64 MiB) holds the 270,000 keys. At 100 deliveries/s it
//! cannot: the store evicts, says so at most once a simulated minute naming the window, and
//! `MemoryStore::window()` reports it.

mod common;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use common::{Captured, SECRET};
use tower::ServiceExt;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::Signer;
use tower_webhooks::{Clock, Verified, WebhookLayer};

/// Simulated time, in unix milliseconds.
#[derive(Clone)]
struct SimClock(Arc<AtomicI64>);

impl Clock for SimClock {
    fn now(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// When YCloud sends a delivery again after its first attempt, in seconds (seed 000's schedule,
/// cumulative): the first attempt, then 7 retries.
const SCHEDULE: [i64; 8] = [0, 10, 40, 340, 2_140, 5_740, 12_940, 20_140];
const START_MS: i64 = 1_700_000_000_000;

struct Run {
    deliveries: i64,
    requests: u64,
    /// Handler runs beyond the first for one delivery.
    second_runs: u64,
    /// The layer's store's dedup window right after the last new delivery, and at the end.
    window_after_arrivals: Duration,
    window: Duration,
    /// How long the run took in simulated time.
    simulated: Duration,
}

/// `rate` new deliveries a second for `seconds`, each sent again on the whole schedule (only
/// every `retry_every`-th delivery's retries, to bound the run), through the default layer.
async fn drive(rate: i64, seconds: i64, retry_every: i64) -> Run {
    let clock = SimClock(Arc::new(AtomicI64::new(START_MS)));
    let layer = WebhookLayer::ycloud(SECRET).with_clock(clock.clone());
    let seen = Arc::new(Mutex::new((HashSet::<String>::new(), 0u64)));
    let handler_seen = Arc::clone(&seen);
    let app = Router::new().route(
        "/hook",
        post(move |verified: Verified| {
            let seen = Arc::clone(&handler_seen);
            async move {
                let mut seen = seen.lock().unwrap();
                if !seen.0.insert(verified.id().to_owned()) {
                    seen.1 += 1;
                }
            }
        })
        .layer(layer.clone()),
    );
    let signer = Signer::new(ycloud::scheme(), SECRET).unwrap();

    let period_ms = 1000 / rate;
    let deliveries = rate * seconds;
    // Every (time, attempt, delivery) in time order: a merge of one stream per attempt.
    let step = |attempt: usize| if attempt == 0 { 1 } else { retry_every };
    let at = |attempt: usize, i: i64| START_MS + i * period_ms + SCHEDULE[attempt] * 1000;
    let mut queue: BinaryHeap<Reverse<(i64, usize, i64)>> = (0..SCHEDULE.len())
        .map(|k| Reverse((at(k, 0), k, 0)))
        .collect();
    let mut requests = 0u64;
    let mut window_after_arrivals = None;
    while let Some(Reverse((time, attempt, i))) = queue.pop() {
        if i + step(attempt) < deliveries {
            let next = i + step(attempt);
            queue.push(Reverse((at(attempt, next), attempt, next)));
        }
        clock.0.store(time, Ordering::Relaxed);
        let id = format!("evt_{i:020}"); // "ycloud:evt_..." is a 31-byte key
        let body =
            format!(r#"{{"id":"{id}","type":"whatsapp.message.updated","apiVersion":"v2"}}"#);
        let request = signer.clone().at(time / 1000).request("/hook", body);
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200, "{id}, attempt {attempt}");
        requests += 1;
        if attempt == 0 && i == deliveries - 1 {
            window_after_arrivals = layer.store().dedup_window();
        }
    }
    let (handled, second_runs) = {
        let seen = seen.lock().unwrap();
        (seen.0.len() as i64, seen.1)
    };
    assert_eq!(handled, deliveries, "every delivery reached the handler");
    Run {
        deliveries,
        requests,
        second_runs,
        window_after_arrivals: window_after_arrivals.unwrap(),
        window: layer.store().dedup_window().unwrap(),
        simulated: Duration::from_millis((clock.now_millis() - START_MS) as u64),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_default_store_holds_ycloud_retries_at_25_per_second_for_3_hours() {
    let started = std::time::Instant::now();
    // Every delivery once, and every fifth on the whole schedule: a retry adds no key, so the
    // store holds as much as if every delivery were retried, in 30% of the requests.
    const RETRY_EVERY: i64 = 5;
    let run = drive(25, 3 * 3600, RETRY_EVERY).await;
    println!(
        "25/s for 3 h: {} deliveries, {} requests, {} second runs, window {} s, in {:.1} s",
        run.deliveries,
        run.requests,
        run.second_runs,
        run.window.as_secs(),
        started.elapsed().as_secs_f64()
    );
    let retried = (run.deliveries as u64).div_ceil(RETRY_EVERY as u64);
    assert_eq!(
        run.requests,
        run.deliveries as u64 + retried * (SCHEDULE.len() as u64 - 1)
    );
    assert_eq!(run.second_runs, 0, "a retry was processed a second time");
    // Nothing had to be evicted: the window is the whole retention.
    assert_eq!(run.window, Duration::from_secs(24 * 3600));
}

#[tokio::test(flavor = "current_thread")]
async fn at_100_per_second_the_store_says_what_its_window_is() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let started = std::time::Instant::now();
    // Every delivery once, and every 25th on the whole schedule: enough to see which retries
    // fall outside the window, in a bounded run.
    let run = drive(100, 3 * 3600, 25).await;
    let logs = captured.text();
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("memory delivery store over its budget"))
        .collect();
    println!(
        "100/s for 3 h: {} deliveries, {} requests, {} second runs, window {} s after the \
         arrivals ({} s at the end), {} warnings, in {:.1} s; the last: {}",
        run.deliveries,
        run.requests,
        run.second_runs,
        run.window_after_arrivals.as_secs(),
        run.window.as_secs(),
        warnings.len(),
        started.elapsed().as_secs_f64(),
        warnings.last().unwrap_or(&"none")
    );
    // 64 MiB hold about 524,000 keys (128 bytes each, whatever their length): at 100/s, 87
    // minutes of arrivals, less the room the retries of evicted deliveries take again.
    let window = run.window_after_arrivals.as_secs();
    assert!((4_500..5_300).contains(&window), "window {window} s");
    // At most one warning a simulated minute, for as long as keys are evicted (arrivals, then
    // the retries of evicted deliveries, which are new keys again).
    let minutes = run.simulated.as_secs() / 60;
    assert!(
        (60..=minutes as usize + 1).contains(&warnings.len()),
        "{} warnings in {minutes} simulated minutes",
        warnings.len()
    );
    // Each names the window, the retention, and what to do; those during the arrivals name
    // the window the store reports (it moves by the second, so within a minute of it).
    let named: Vec<u64> = warnings
        .iter()
        .filter_map(|w| {
            let rest = w.split("the dedup window is now ").nth(1)?;
            rest.split(' ').next()?.parse().ok()
        })
        .collect();
    assert_eq!(named.len(), warnings.len(), "{}", warnings.join("\n"));
    assert!(
        named.iter().any(|w| w.abs_diff(window) <= 60),
        "no warning named a window near {window} s: {named:?}"
    );
    for warning in &warnings {
        assert!(
            warning.contains("against a retention of 86400 s")
                && warning.contains("with_max_bytes")
                && warning.contains("shared store"),
            "{warning}"
        );
    }
    // The retries after 1 h 35 min and later fall outside the window: processed again, as the
    // warning says they are.
    assert!(run.second_runs > 0);
}
