//! Constant-time comparison, dudect-style: the time to refuse a signature that is wrong in its
//! first byte and one wrong in its last byte are two distributions; Welch's t-test over many
//! interleaved samples must find no difference (|t| < 4.5, dudect's threshold). A control with an
//! early-exit comparison shows the same test does find a leak when there is one.

use std::time::Instant;

use http::{HeaderMap, HeaderValue, Uri};
use tower_webhooks::Verifier;
use tower_webhooks::provider::ycloud;
use tower_webhooks::testing::Signer;

const SAMPLES: usize = 20_000;
/// Calls per sample, so that one sample is well above the timer's resolution.
const BATCH: usize = 8;
const THRESHOLD: f64 = 4.5;

/// A tiny xorshift: the class of each sample is random, so drift hits both classes alike.
struct Rng(u64);

impl Rng {
    fn bit(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 & 1 == 1
    }
}

/// Welch's t over two samples, after cropping both above their joint 90th percentile (dudect
/// crops the tail, where interrupts and preemption live).
fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let mut all: Vec<f64> = a.iter().chain(b).copied().collect();
    all.sort_by(|x, y| x.total_cmp(y));
    let cut = all[all.len() * 9 / 10];
    let stats = |xs: &[f64]| {
        let kept: Vec<f64> = xs.iter().copied().filter(|&x| x <= cut).collect();
        let n = kept.len() as f64;
        let mean = kept.iter().sum::<f64>() / n;
        let var = kept.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var, n)
    };
    let (ma, va, na) = stats(a);
    let (mb, vb, nb) = stats(b);
    (ma - mb) / (va / na + vb / nb).sqrt()
}

/// Times `run(class)` for randomly interleaved classes; returns Welch's t between them.
fn t_statistic(mut run: impl FnMut(bool)) -> f64 {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut first, mut last) = (Vec::with_capacity(SAMPLES), Vec::with_capacity(SAMPLES));
    // Warm up caches and branch predictors.
    for i in 0..2_000 {
        run(i % 2 == 0);
    }
    while first.len() < SAMPLES || last.len() < SAMPLES {
        let class = rng.bit();
        let start = Instant::now();
        for _ in 0..BATCH {
            run(class);
        }
        let nanos = start.elapsed().as_nanos() as f64;
        if class {
            first.push(nanos);
        } else {
            last.push(nanos);
        }
    }
    welch_t(&first, &last)
}

fn with_signature(headers: &HeaderMap, value: &str) -> HeaderMap {
    let mut headers = headers.clone();
    headers.insert("ycloud-signature", HeaderValue::from_str(value).unwrap());
    headers
}

#[test]
fn first_and_last_byte_mismatches_take_the_same_time() {
    let body = br#"{"id":"evt_timing","type":"t"}"#;
    let signer = Signer::new(ycloud::scheme(), "whsec_timing")
        .unwrap()
        .at(1_700_000_000);
    let request = signer.request("/hook", &body[..]);
    let value = request.headers()["ycloud-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let (head, mac) = value.split_at(value.len() - 64);
    // Wrong in the first byte, and wrong in the last byte: same length, same encoding.
    let flip = |i: usize| {
        let mut bytes = hex::decode(mac).unwrap();
        bytes[i] ^= 0x01;
        format!("{head}{}", hex::encode(bytes))
    };
    // Where each header map lands in memory shows in the timings: built first-then-last the
    // first-byte class ran faster (t around -4 to -15 on one machine), built last-then-first
    // slower (t +3.4 to +4.8), whatever the byte. So each class has two maps, one built before
    // and one after the other class's, and every sample picks one of its two at random.
    // Many copies of each header map, allocated in turn and picked at random: where a copy sits
    // in memory (its cache lines, its alignment) must average out over both classes, or it
    // shows up as a difference between them (it did, with two copies each, on some builds).
    let copies: Vec<(HeaderMap, HeaderMap)> = (0..64)
        .map(|i| {
            // In turn, and in alternating order: neither class always sits first in memory.
            if i % 2 == 0 {
                let first = with_signature(request.headers(), &flip(0));
                (first, with_signature(request.headers(), &flip(31)))
            } else {
                let last = with_signature(request.headers(), &flip(31));
                (with_signature(request.headers(), &flip(0)), last)
            }
        })
        .collect();
    let verifier = Verifier::new(ycloud::scheme(), "whsec_timing").unwrap();
    let uri = Uri::from_static("/hook");

    let mut pick = Rng(0xD1B5_4A32_D192_ED03);
    let t = t_statistic(|class| {
        let mut index = 0;
        for _ in 0..6 {
            index = (index << 1) | usize::from(pick.bit());
        }
        let (first, last) = &copies[index];
        let headers = if class { first } else { last };
        let refused = verifier.verify(headers, &uri, body, 1_700_000_000).is_err();
        assert!(std::hint::black_box(refused));
    });
    println!("first vs last byte mismatch: t = {t:.2} over {SAMPLES} samples each");
    assert!(t.abs() < THRESHOLD, "timing differs: t = {t:.2}");
}

#[test]
fn the_same_test_catches_an_early_exit_comparison() {
    // The control: `==` on slices stops at the first difference. Over 4 KiB the difference
    // between a first-byte and a last-byte mismatch is large; the statistic must say so.
    let expected = vec![0x5Au8; 4096];
    let mut wrong_first = expected.clone();
    wrong_first[0] ^= 1;
    let mut wrong_last = expected.clone();
    wrong_last[4095] ^= 1;
    let t = t_statistic(|class| {
        let candidate = if class { &wrong_first } else { &wrong_last };
        let equal =
            std::hint::black_box(candidate.as_slice()) == std::hint::black_box(expected.as_slice());
        assert!(!equal);
    });
    println!("early-exit control: t = {t:.2}");
    assert!(
        t.abs() > 10.0,
        "the test did not see a leak it should: t = {t:.2}"
    );
}
