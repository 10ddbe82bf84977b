//! Ours against the peer crates and a hand-written handler, in process: every route of
//! `bench/peers/routes.rs` takes the same pre-signed unique deliveries (1 KiB JSON bodies) through
//! `oneshot` on one tokio thread; each verifies, deduplicates and parses into the same struct.
//!
//!   cargo bench --bench peers                     # ROUNDS=5 COUNT=200000
//!   cargo bench --bench peers -- ours hand-written # only these routes (the first is the baseline)
//!
//! To profile only the measured loops: `perf record -D -1 --control fifo:ctl,ack` with
//! `PERF_CTL=ctl PERF_ACK=ack` in the bench's environment (it enables perf around each round).
//!
//! Every route is checked first (2xx, a duplicate handled once, a forged signature refused) and
//! the bench refuses to report if any check fails, if a measured delivery is answered non-2xx,
//! or if a route's handler did not take every delivery exactly once. Rounds are interleaved (one
//! round of every route, then the next), each on a fresh app, and the table gives the median
//! ns/delivery with ratios to the hand-written route of the same scheme and to ours.

#[path = "../bench/peers/routes.rs"]
mod routes;

use std::sync::atomic::Ordering;
use std::time::Instant;

use routes::{Family, ROUTES};
use tower::ServiceExt;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rounds = env("ROUNDS", 5);
    let count = env("COUNT", 200_000);
    let size = env("BODY_SIZE", 1024);
    let asked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let Some(unknown) = asked
        .iter()
        .find(|a| !ROUTES.iter().any(|(name, _)| name == a))
    {
        let names: Vec<&str> = ROUTES.iter().map(|(name, _)| *name).collect();
        eprintln!("no route {unknown}: the routes are {}", names.join(", "));
        std::process::exit(1);
    }
    let chosen: Vec<(&str, Family)> = ROUTES
        .iter()
        .copied()
        .filter(|(name, _)| asked.is_empty() || asked.iter().any(|a| a == name))
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    for (name, family) in &chosen {
        if let Err(failed) = runtime.block_on(routes::check(name, *family)) {
            eprintln!("refusing to report: {failed}");
            std::process::exit(1);
        }
    }
    eprintln!("every route checked: 2xx, a duplicate handled once, a forgery refused");

    // The same unique deliveries for every route of a scheme; each round's app is fresh, so
    // every delivery is new to it.
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let deliveries = |family| -> Vec<routes::Delivery> {
        (0..count)
            .map(|i| routes::sign(family, &format!("evt_{i:012}"), size, timestamp))
            .collect()
    };
    let standard = deliveries(Family::StandardWebhooks);
    let ycloud = deliveries(Family::YCloud);

    let perf = Perf::from_env();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); chosen.len()];
    for round in 0..rounds {
        for (i, (name, family)) in chosen.iter().enumerate() {
            let set = match family {
                Family::StandardWebhooks => &standard,
                Family::YCloud => &ycloud,
            };
            let route = routes::route(name);
            let requests: Vec<_> = set.iter().map(routes::Delivery::request).collect();
            let app = route.app.clone();
            perf.switch("enable");
            let (elapsed, refused) = runtime.block_on(async move {
                let mut refused = 0usize;
                let started = Instant::now();
                for request in requests {
                    let response = app.clone().oneshot(request).await.unwrap();
                    refused += usize::from(!response.status().is_success());
                }
                (started.elapsed(), refused)
            });
            perf.switch("disable");
            if refused > 0 {
                eprintln!(
                    "refusing to report: {name} answered {refused} of {count} deliveries non-2xx"
                );
                std::process::exit(1);
            }
            let handled = route.handled.load(Ordering::Relaxed) as usize;
            if *name != "bare" && handled != count {
                eprintln!(
                    "refusing to report: {name} handled {handled} of {count} unique deliveries"
                );
                std::process::exit(1);
            }
            let ns = elapsed.as_nanos() as f64 / count as f64;
            eprintln!("round {} {name}: {ns:.0} ns/delivery", round + 1);
            samples[i].push(ns);
        }
    }

    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let medians: Vec<f64> = samples.iter().map(|s| median(s)).collect();
    let of = |wanted: &str| {
        chosen
            .iter()
            .position(|(name, _)| *name == wanted)
            .map(|i| medians[i])
    };
    println!(
        "\n| route | in process ns/delivery | vs hand-written (same scheme) | vs ours (same scheme) |"
    );
    println!("|---|---|---|---|");
    for (i, (name, family)) in chosen.iter().enumerate() {
        let (hand, ours) = match family {
            Family::StandardWebhooks => (of("hand-written"), of("ours")),
            Family::YCloud => (of("hand-written-ycloud"), of("ours-ycloud")),
        };
        let ratio =
            |base: Option<f64>| base.map_or("-".into(), |b| format!("{:.2}x", medians[i] / b));
        println!(
            "| {name} | {:.0} | {} | {} |",
            medians[i],
            ratio(hand),
            ratio(ours)
        );
    }
    println!(
        "(median of {rounds} interleaved rounds × {count} unique deliveries, {size}-byte bodies, one tokio thread)"
    );
}

/// perf's control FIFOs (`perf record --control fifo:ctl,ack`), when the environment names them.
struct Perf(Option<(std::fs::File, std::io::BufReader<std::fs::File>)>);

impl Perf {
    fn from_env() -> Self {
        let (Ok(ctl), Ok(ack)) = (std::env::var("PERF_CTL"), std::env::var("PERF_ACK")) else {
            return Self(None);
        };
        let open = |path: &str, write: bool| {
            std::fs::OpenOptions::new()
                .read(!write)
                .write(write)
                .open(path)
                .unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        Self(Some((
            open(&ctl, true),
            std::io::BufReader::new(open(&ack, false)),
        )))
    }

    /// Sends `enable` or `disable` and waits for perf's acknowledgement.
    fn switch(&self, command: &str) {
        use std::io::{BufRead, Write};
        if let Some((ctl, ack)) = &self.0 {
            let (mut ctl, mut ack) = (ctl, ack.get_ref());
            writeln!(ctl, "{command}").expect("perf control FIFO");
            let mut line = String::new();
            std::io::BufReader::new(&mut ack)
                .read_line(&mut line)
                .expect("perf ack FIFO");
        }
    }
}
