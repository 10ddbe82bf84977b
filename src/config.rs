//! What a layer checks deliveries against: immutable settings, and the runtime state its
//! services and workers share, kept apart.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum_core::response::Response;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use smallvec::SmallVec;
use tokio::sync::Notify;

use crate::clock::{Clock, ClockDebug, SharedClock, SystemClock};
use crate::destination::Destination;
use crate::event::{Facts, Verified};
use crate::hook_secret::HookSecret;
use crate::identify::{self, Identity};
use crate::rejection::{Rejection, Statuses};
use crate::scheme::{Scheme, Source};
use crate::signature::Verifier;
use crate::store::{DeliveryKey, DeliveryStore, MemoryStore};
use crate::{Ack, Backoff};

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// The default time to receive a body: 10 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a delivery is checked against. Set by the layer's `with_*` methods before use,
/// then shared read-only by every clone of the layer, its services and its workers.
#[derive(Clone)]
pub(crate) struct Config {
    /// The scheme, its keys and the tolerance: the one verification object.
    pub(crate) verifier: Verifier,
    pub(crate) provider: Arc<str>,
    pub(crate) body_limit: usize,
    pub(crate) body_timeout: Option<Duration>,
    pub(crate) store: Arc<dyn DeliveryStore>,
    /// The store is the layer's own `MemoryStore`, not one given with `with_store`: it follows
    /// the layer's clock.
    pub(crate) default_store: bool,
    pub(crate) ack: Ack,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) statuses: Statuses,
    /// The `Allow` header of a 405: the delivery and handshake methods.
    pub(crate) allow: HeaderValue,
    /// The headers kept with a parked delivery: those that authenticate and identify it.
    pub(crate) kept_headers: Vec<HeaderName>,
    /// Where a delivery's id, type and signed handshake are: worked out once, not per delivery.
    pub(crate) identity: identify::Plan,
    pub(crate) backoff: Backoff,
    /// The secrets a handshake hands over (Asana), beside the verifier's own keys.
    pub(crate) hook_secret: Option<HookSecret>,
    /// Where verified deliveries are published instead of running the handler here.
    pub(crate) destination: Option<Arc<dyn Destination>>,
    /// Visits the URL of a subscription confirmation (SNS); without it, the handler gets it.
    #[cfg(feature = "fetch")]
    pub(crate) confirmer: Option<crate::keys::Fetcher>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The verifier redacts its keys.
        f.debug_struct("Config")
            .field("verifier", &self.verifier)
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .field("store", &self.store)
            .field("ack", &self.ack)
            .field("destination", &self.destination)
            .field("backoff", &self.backoff)
            .field("clock", &ClockDebug)
            .finish()
    }
}

impl Config {
    /// The settings every layer starts with, around a verifier.
    pub(crate) fn new(verifier: Verifier) -> Self {
        let scheme = verifier.scheme();
        Self {
            provider: Arc::from(scheme.provider()),
            allow: allow_header(scheme),
            kept_headers: headers_to_keep(scheme),
            identity: identify::Plan::new(scheme),
            verifier,
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: Some(DEFAULT_BODY_TIMEOUT),
            store: Arc::new(MemoryStore::new()),
            default_store: true,
            ack: Ack::default(),
            backoff: Backoff::default(),
            clock: Arc::new(SystemClock),
            statuses: Statuses::default(),
            hook_secret: None,
            destination: None,
            #[cfg(feature = "fetch")]
            confirmer: None,
        }
    }

    /// The clock of timestamps, and of the default store's retention and leases.
    pub(crate) fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        if self.default_store {
            let store = MemoryStore::new().with_clock(SharedClock(Arc::clone(&clock)));
            self.store = Arc::new(store);
        }
        self.clock = clock;
    }

    pub(crate) fn set_store(&mut self, store: Arc<dyn DeliveryStore>) {
        self.store = store;
        self.default_store = false;
    }

    pub(crate) fn scheme(&self) -> &Scheme {
        self.verifier.scheme()
    }

    /// The delivery methods changed: the `Allow` header follows.
    pub(crate) fn set_methods(&mut self, methods: Vec<Method>) {
        self.verifier.scheme_mut().methods = methods;
        self.allow = allow_header(self.verifier.scheme());
    }

    /// The response for a rejection, with the configured status; logged without request data.
    pub(crate) fn reject(&self, rejection: Rejection) -> Response {
        let kind = rejection.kind();
        let status = self.statuses.get(kind);
        if status.is_server_error() {
            tracing::error!(reason = %rejection, "webhook rejected");
        } else {
            tracing::warn!(reason = %rejection, status = status.as_u16(), "webhook rejected");
        }
        let mut response = rejection.into_response_with(status);
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, self.allow.clone());
        }
        response
    }

    /// What the handler is told about an authentic delivery, for its `attempt`.
    pub(crate) fn verified(
        &self,
        identity: Identity<'_>,
        key: DeliveryKey,
        timestamp: Option<i64>,
        raw: Bytes,
        attempt: u32,
    ) -> Verified {
        Verified::new(Facts {
            provider: Arc::clone(&self.provider),
            // Most ids are their dedup key, which the key holds already: not copied again.
            id: (identity.id != key.dedup_key()).then(|| identity.id.into_owned()),
            key,
            event_type: identity.event_type.map(Cow::into_owned),
            timestamp,
            signed: !self.verifier.is_unsigned(),
            form: identity.form,
            raw,
            attempt,
        })
    }

    /// The headers of `headers` worth keeping with a parked delivery, and its `uri`, copied in
    /// one pass (a map is built only for a delivery that is parked: [`Config::kept_map`]).
    pub(crate) fn kept_headers(&self, headers: &HeaderMap, uri: &Uri) -> KeptHeaders {
        let uri = uri.path_and_query().map_or("/", |pq| pq.as_str());
        // One pass: room for the usual few short values is reserved up front (the buffer lives
        // only as long as the delivery), where counting them first would walk the map twice.
        let mut kept = KeptHeaders {
            values: Vec::with_capacity(KEPT_BYTES + uri.len()),
            entries: SmallVec::new(),
        };
        for (name, value) in headers {
            let Some(index) = self.kept_headers.iter().position(|kept| kept == name) else {
                continue;
            };
            // At most a handful of names are kept: an index fits in a byte.
            let Ok(index) = u8::try_from(index) else {
                continue;
            };
            let start = kept.values.len();
            kept.values.extend_from_slice(value.as_bytes());
            // Header blocks are bounded far below 4 GiB by every HTTP server.
            let Ok(end) = u32::try_from(kept.values.len()) else {
                kept.values.truncate(start);
                break;
            };
            kept.entries.push((index, end));
        }
        kept.values.extend_from_slice(uri.as_bytes());
        kept
    }

    /// The map of headers and the URI (path and query) [`Config::kept_headers`] kept.
    pub(crate) fn kept_map(&self, kept: KeptHeaders) -> (HeaderMap, Uri) {
        let mut map = HeaderMap::with_capacity(kept.entries.len());
        let mut start = 0;
        for &(index, end) in &kept.entries {
            let end = end as usize;
            let (Some(name), Ok(value)) = (
                self.kept_headers.get(usize::from(index)),
                HeaderValue::from_bytes(&kept.values[start..end]),
            ) else {
                continue; // both were a header's name and value: not reached
            };
            map.append(name.clone(), value);
            start = end;
        }
        // A path and query the request had: it parses again.
        let uri = Uri::try_from(&kept.values[start..]).unwrap_or_else(|_| Uri::from_static("/"));
        (map, uri)
    }
}

/// Bytes reserved for the kept headers' values: a signature list, an id, a timestamp, a type.
const KEPT_BYTES: usize = 256;

/// Copies of the headers a parked delivery keeps and of its URI: their bytes in one buffer
/// (the URI's path and query last), the headers' names by their place in
/// [`Config::kept_headers`]. Nothing of the request is held, so keeping them costs one
/// allocation, not a handle per header.
#[derive(Debug)]
pub(crate) struct KeptHeaders {
    values: Vec<u8>,
    /// (name index, end of the value in `values`), in the request's order.
    entries: SmallVec<[(u8, u32); 6]>,
}

/// What the services and workers of one layer share while they run: how workers are woken, and
/// how many run. Not settings: a layer reconfigured with a `with_*` method keeps it.
#[derive(Debug, Default)]
pub(crate) struct Runtime {
    /// Wakes this process's workers when a delivery is parked due now.
    wake: Notify,
    /// This layer's workers running in this process.
    workers: AtomicUsize,
    /// Whether parking without a worker was warned about already.
    warned_no_worker: AtomicBool,
}

impl Runtime {
    /// A delivery was parked, due now: wake a worker.
    pub(crate) fn parked_due(&self) {
        self.wake.notify_one();
    }

    /// Resolves when a delivery is parked due now.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Counts a running worker for as long as the returned guard lives.
    pub(crate) fn worker_running(self: &Arc<Self>) -> RunningWorker {
        self.workers.fetch_add(1, Ordering::Relaxed);
        RunningWorker(Arc::clone(self))
    }

    /// Parked deliveries wait for a worker: say so once if this process runs none (another
    /// replica's may drain a shared store).
    pub(crate) fn warn_without_worker(&self) {
        if self.workers.load(Ordering::Relaxed) == 0
            && !self.warned_no_worker.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                "webhook delivery parked in the inbox, but no worker runs in this process: spawn \
                 `layer.worker(app)` so that it is processed"
            );
        }
    }
}

/// A running worker, counted until dropped.
#[derive(Debug)]
pub(crate) struct RunningWorker(Arc<Runtime>);

impl Drop for RunningWorker {
    fn drop(&mut self) {
        self.0.workers.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The headers that authenticate and identify a delivery of `scheme`, and its content type.
fn headers_to_keep(scheme: &Scheme) -> Vec<HeaderName> {
    let mut names = vec![header::CONTENT_TYPE];
    names.extend(
        scheme
            .signature()
            .into_iter()
            .flat_map(|s| s.headers().cloned()),
    );
    names.extend(scheme.timestamp_header().cloned());
    names.extend(scheme.id().header().cloned());
    for source in scheme.event_type() {
        if let Source::Header(name) = source {
            names.push(name.clone());
        }
    }
    names
}

fn allow_header(scheme: &Scheme) -> HeaderValue {
    let mut methods: Vec<&str> = scheme.methods().iter().map(Method::as_str).collect();
    if let Some(handshake) = scheme.handshake() {
        methods.push(handshake.method().as_str());
    }
    methods.sort_unstable();
    methods.dedup();
    HeaderValue::from_str(&methods.join(", ")).unwrap_or_else(|_| HeaderValue::from_static("POST"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::standard_webhooks;

    fn config() -> Config {
        Config::new(
            Verifier::new(
                standard_webhooks::scheme(),
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            )
            .unwrap(),
        )
    }

    #[test]
    fn kept_headers_come_back_as_they_were_and_only_those() {
        let config = config();
        let long = "v1,".to_owned() + &"A".repeat(2 * KEPT_BYTES);
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", HeaderValue::from_static("not kept"));
        headers.insert("webhook-id", HeaderValue::from_static("msg_1"));
        headers.append("content-type", HeaderValue::from_static("application/json"));
        headers.append("content-type", HeaderValue::from_static("text/plain"));
        headers.insert("webhook-signature", HeaderValue::from_str(&long).unwrap());
        headers.insert("webhook-timestamp", HeaderValue::from_static("1700000000"));
        let uri: Uri = "https://example.com/hooks/in?tenant=7".parse().unwrap();

        let (map, back) = config.kept_map(config.kept_headers(&headers, &uri));
        assert_eq!(back, "/hooks/in?tenant=7");
        assert_eq!(map.get("user-agent"), None);
        assert_eq!(map.len(), 5);
        for name in [
            "webhook-id",
            "content-type",
            "webhook-signature",
            "webhook-timestamp",
        ] {
            let kept: Vec<_> = map.get_all(name).iter().collect();
            let sent: Vec<_> = headers.get_all(name).iter().collect();
            assert_eq!(kept, sent, "{name}");
        }
    }

    #[test]
    fn nothing_kept_leaves_the_path() {
        let config = config();
        let (map, back) =
            config.kept_map(config.kept_headers(&HeaderMap::new(), &Uri::from_static("/")));
        assert!(map.is_empty());
        assert_eq!(back, "/");
    }
}
