//! `webhooks send`: correctly signed deliveries to a URL, one or many, with their latencies.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, Request, StatusCode, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower_webhooks::testing::Signer;

use crate::error::Error;
use crate::Provider;

/// What to send, and how many.
pub(crate) struct Send {
    pub(crate) url: String,
    pub(crate) body: Option<PathBuf>,
    pub(crate) sample: bool,
    pub(crate) repeat: usize,
    pub(crate) concurrency: usize,
}

pub(crate) fn run(provider: &Provider, send: &Send) -> Result<ExitCode, Error> {
    let scheme = crate::scheme::load(&provider.provider, None)?;
    let secret = crate::secret::of(provider)?;
    let uri: Uri = send
        .url
        .parse()
        .map_err(|err| Error::config(format!("URL {}: {err}", send.url)))?;
    if uri.scheme_str() != Some("http") {
        return Err(Error::config(
            "the URL must be http://... (https is not supported yet)",
        ));
    }
    let body = match (&send.body, send.sample) {
        (Some(path), _) => std::fs::read(path).map_err(|err| Error::read(path, &err))?,
        (None, true) => sample(scheme.provider())?.into_bytes(),
        (None, false) => return Err(Error::config("give --body FILE or --sample")),
    };
    let signer = Arc::new(
        Signer::new(scheme, secret)
            .map_err(|err| Error::config(format!("--provider {}: {err}", provider.provider)))?,
    );
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|err| Error::runtime(format!("cannot start the runtime: {err}")))?;
    runtime.block_on(deliver(
        signer,
        uri,
        body,
        send.repeat.max(1),
        send.concurrency.max(1),
    ))
}

/// The sample body of the preset named `provider`.
fn sample(provider: &str) -> Result<String, Error> {
    let module = provider.replace('-', "_");
    tower_webhooks::provider::catalogue()
        .into_iter()
        .find(|preset| preset.module == module || (preset.scheme)().provider() == provider)
        .map(|preset| preset.sample.to_owned())
        .ok_or_else(|| Error::config(format!("{provider} has no sample body: give --body FILE")))
}

/// Body `n` of many: a JSON object's top-level `id` made unique, so that each is a delivery of
/// its own (a body without one is sent as it is, and deduplicated as the same delivery).
fn numbered(body: &[u8], n: usize, total: usize) -> Bytes {
    if total == 1 {
        return Bytes::copy_from_slice(body);
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut object)) => {
            let id = object
                .get("id")
                .and_then(|id| id.as_str())
                .unwrap_or("evt")
                .to_owned();
            object.insert("id".into(), serde_json::Value::String(format!("{id}_{n}")));
            Bytes::from(serde_json::to_vec(&object).unwrap_or_default())
        }
        _ => Bytes::copy_from_slice(body),
    }
}

async fn deliver(
    signer: Arc<Signer>,
    uri: Uri,
    body: Vec<u8>,
    repeat: usize,
    concurrency: usize,
) -> Result<ExitCode, Error> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build_http();
    let progress = indicatif::ProgressBar::with_draw_target(
        Some(repeat as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if repeat == 1 {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(repeat);
    for n in 0..repeat {
        let permit = Arc::clone(&semaphore)
            .acquire_owned()
            .await
            .map_err(|err| Error::runtime(err.to_string()))?;
        let (client, signer, uri, progress) = (
            client.clone(),
            Arc::clone(&signer),
            uri.clone(),
            progress.clone(),
        );
        let body = numbered(&body, n, repeat);
        tasks.push(tokio::spawn(async move {
            let headers = signer.headers(&uri, &body);
            let mut request = Request::post(uri).body(Full::new(body)).unwrap_or_default();
            request.headers_mut().extend(headers);
            request.headers_mut().remove(header::HOST);
            let sent = Instant::now();
            let status = match client.request(request).await {
                Ok(response) => Some(response.status()),
                Err(_) => None,
            };
            progress.inc(1);
            drop(permit);
            (status, sent.elapsed())
        }));
    }
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut latencies = Vec::with_capacity(repeat);
    let mut failed = 0;
    for task in tasks {
        let (status, took) = task.await.map_err(|err| Error::runtime(err.to_string()))?;
        let label = status.map_or_else(|| "no answer".to_owned(), |s| s.as_u16().to_string());
        *statuses.entry(label).or_default() += 1;
        if !status.is_some_and(|s: StatusCode| s.is_success()) {
            failed += 1;
        }
        latencies.push(took);
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    let summary: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} x{n}")).collect();
    if repeat == 1 {
        println!("{} in {}", summary.join(", "), ms(latencies[0]));
    } else {
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
        println!(
            "{repeat} deliveries in {:.2} s ({:.0}/s): {}",
            elapsed.as_secs_f64(),
            repeat as f64 / elapsed.as_secs_f64(),
            summary.join(", ")
        );
        println!(
            "latency p50 {}, p90 {}, p99 {}, max {}",
            ms(at(0.5)),
            ms(at(0.9)),
            ms(at(0.99)),
            ms(at(1.0))
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}
