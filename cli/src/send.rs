//! `webhooks send`: correctly signed deliveries to a URL, one or many, with their latencies.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderName, Request, StatusCode, Uri, header};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower_webhooks::scheme::{Scheme, Source};
use tower_webhooks::testing::Signer;

use crate::Provider;
use crate::error::Error;

/// What to send, and how many.
pub(crate) struct Send {
    pub(crate) url: String,
    pub(crate) body: Option<PathBuf>,
    /// The preset's sample body; with an event type, that type in it (or in its type header).
    pub(crate) sample: Option<String>,
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
    let (body, type_header) = match (&send.body, &send.sample) {
        (Some(path), _) => (
            std::fs::read(path).map_err(|err| Error::read(path, &err))?,
            None,
        ),
        (None, Some(event)) => sample(&scheme, event)?,
        (None, None) => return Err(Error::config("give --body FILE or --sample [EVENT]")),
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
        type_header,
        send.repeat.max(1),
        send.concurrency.max(1),
    ))
}

/// A header that carries the event type, and its value.
type TypeHeader = (HeaderName, String);

/// The sample body of the scheme's preset; for `event` (unless `default`), with that event type
/// where the scheme reads the type: a field of the body, or a header to send.
fn sample(scheme: &Scheme, event: &str) -> Result<(Vec<u8>, Option<TypeHeader>), Error> {
    let provider = scheme.provider();
    let module = provider.replace('-', "_");
    let body = tower_webhooks::provider::catalogue()
        .into_iter()
        .find(|preset| preset.module == module || (preset.scheme)().provider() == provider)
        .map(|preset| preset.sample.to_owned())
        .map_or_else(|| minimal(scheme), Ok)?;
    if event == "default" {
        return Ok((body.into_bytes(), None));
    }
    match scheme.event_type().first() {
        Some(Source::Header(name)) => {
            Ok((body.into_bytes(), Some((name.clone(), event.to_owned()))))
        }
        Some(Source::Json(pointer)) => {
            let mut value: serde_json::Value = serde_json::from_str(&body)
                .map_err(|err| Error::config(format!("{provider}'s sample is not JSON: {err}")))?;
            let slot = value.pointer_mut(pointer.as_str()).ok_or_else(|| {
                Error::config(format!("{provider}'s sample has no {pointer} to set"))
            })?;
            *slot = serde_json::Value::String(event.to_owned());
            Ok((serde_json::to_vec(&value).unwrap_or_default(), None))
        }
        _ => Err(Error::config(format!(
            "{provider} sends no event type in a field or header: use --sample default"
        ))),
    }
}

/// For a preset without a published sample: a JSON object with an id and a type where the
/// scheme reads them (`{"id": "evt_sample", "type": "sample"}` for most; `{"sample": true}`
/// where both come from headers).
fn minimal(scheme: &Scheme) -> Result<String, Error> {
    let document: serde_json::Value = serde_json::from_str(&scheme.to_json()).unwrap_or_default();
    let mut body = serde_json::json!({});
    let pointers = [
        (document.pointer("/id/from/0/json"), "evt_sample"),
        (document.pointer("/event_type/0/json"), "sample"),
    ];
    for (pointer, value) in pointers {
        if let Some(pointer) = pointer.and_then(|p| p.as_str()) {
            set(&mut body, pointer, value);
        }
    }
    if body.as_object().is_some_and(serde_json::Map::is_empty) {
        // The scheme reads its id and type from headers (GitHub): any JSON will do.
        body = serde_json::json!({ "sample": true });
    }
    Ok(body.to_string())
}

/// Sets the JSON `pointer` in `value` to `text`, making the objects on the way.
fn set(value: &mut serde_json::Value, pointer: &str, text: &str) {
    let mut at = value;
    for key in pointer.split('/').skip(1) {
        let key = key.replace("~1", "/").replace("~0", "~");
        if !at.is_object() {
            *at = serde_json::json!({});
        }
        let Some(object) = at.as_object_mut() else {
            return;
        };
        at = object.entry(key).or_insert(serde_json::Value::Null);
    }
    *at = serde_json::Value::String(text.to_owned());
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
    type_header: Option<TypeHeader>,
    repeat: usize,
    concurrency: usize,
) -> Result<ExitCode, Error> {
    let type_header = type_header
        .map(|(name, value)| {
            http::HeaderValue::from_str(&value)
                .map(|value| (name, value))
                .map_err(|_| Error::config(format!("--sample {value}: not a header value")))
        })
        .transpose()?;
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
        let type_header = type_header.clone();
        let body = numbered(&body, n, repeat);
        tasks.push(tokio::spawn(async move {
            let headers = signer.headers(&uri, &body);
            let mut request = Request::post(uri).body(Full::new(body)).unwrap_or_default();
            request.headers_mut().extend(headers);
            request.headers_mut().remove(header::HOST);
            if let Some((name, value)) = type_header {
                request.headers_mut().insert(name, value);
            }
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
