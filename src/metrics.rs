//! What the layer, its worker and its consumers record through the `metrics` facade (feature
//! `metrics`): install any recorder (`metrics-exporter-prometheus`, say) and these appear.
//!
//! | name | kind | labels | what |
//! |---|---|---|---|
//! | `webhooks_deliveries_total` | counter | `provider`, `outcome` | deliveries by how they ended: `handled`, `published`, `duplicate`, `parked`, `handshake`, `failed`, `rejected` |
//! | `webhooks_rejections_total` | counter | `provider`, `kind` | rejected deliveries by [`RejectionKind`](crate::RejectionKind) (`invalid_signature`, `stale_timestamp`, ...) |
//! | `webhooks_verification_duration_seconds` | histogram | `provider` | the signature check of authentic deliveries (keys fetched included) |
//! | `webhooks_handler_duration_seconds` | histogram | `provider` | the handler, on the request path, in the worker and in consumers |
//! | `webhooks_inbox_pending`, `webhooks_inbox_dead` | gauge | `provider` | the inbox of the layer's store, as the worker last counted it (every 5 s) |
//! | `webhooks_attempts_total` | counter | `provider`, `result` | attempts by the worker and consumers: `done`, `retry`, `dead` |
//!
//! A delivery parked for the worker, or published for a consumer, is counted again with the
//! outcome of each run of its handler (`handled`, `failed`). Labels are of low cardinality by
//! design: never an event id, a key or a path.
//!
//! ```
//! # #[cfg(feature = "metrics")] {
//! assert_eq!(tower_webhooks::metrics::DELIVERIES, "webhooks_deliveries_total");
//! # }
//! ```

#[cfg(feature = "metrics")]
use std::time::Duration;

/// Deliveries by provider and outcome.
pub const DELIVERIES: &str = "webhooks_deliveries_total";
/// Rejections by provider and kind.
pub const REJECTIONS: &str = "webhooks_rejections_total";
/// The signature check's duration.
pub const VERIFICATION_SECONDS: &str = "webhooks_verification_duration_seconds";
/// The handler's duration.
pub const HANDLER_SECONDS: &str = "webhooks_handler_duration_seconds";
/// Pending deliveries in the inbox.
pub const INBOX_PENDING: &str = "webhooks_inbox_pending";
/// Dead deliveries in the inbox.
pub const INBOX_DEAD: &str = "webhooks_inbox_dead";
/// Attempts by the worker and consumers, by result.
pub const ATTEMPTS: &str = "webhooks_attempts_total";

/// Counts a delivery that ended with `outcome`, and its rejection's kind.
#[cfg(feature = "metrics")]
pub(crate) fn delivery(provider: &str, outcome: &'static str, rejection: Option<&'static str>) {
    metrics::counter!(DELIVERIES, "provider" => provider.to_owned(), "outcome" => outcome)
        .increment(1);
    if let Some(kind) = rejection {
        metrics::counter!(REJECTIONS, "provider" => provider.to_owned(), "kind" => kind)
            .increment(1);
    }
}

/// Records how long the signature check took.
#[cfg(feature = "metrics")]
pub(crate) fn verification(provider: &str, took: Duration) {
    metrics::histogram!(VERIFICATION_SECONDS, "provider" => provider.to_owned())
        .record(took.as_secs_f64());
}

/// Records how long the handler took.
#[cfg(feature = "metrics")]
pub(crate) fn handler(provider: &str, took: Duration) {
    metrics::histogram!(HANDLER_SECONDS, "provider" => provider.to_owned())
        .record(took.as_secs_f64());
}

/// Sets the inbox gauges.
#[cfg(feature = "metrics")]
pub(crate) fn inbox(provider: &str, pending: u64, dead: u64) {
    metrics::gauge!(INBOX_PENDING, "provider" => provider.to_owned()).set(pending as f64);
    metrics::gauge!(INBOX_DEAD, "provider" => provider.to_owned()).set(dead as f64);
}

/// Counts an attempt by its result.
#[cfg(feature = "metrics")]
pub(crate) fn attempt(provider: &str, settlement: &crate::store::Settlement) {
    let result = match settlement {
        crate::store::Settlement::Done => "done",
        crate::store::Settlement::Retry { .. } => "retry",
        crate::store::Settlement::Dead { .. } => "dead",
    };
    metrics::counter!(ATTEMPTS, "provider" => provider.to_owned(), "result" => result).increment(1);
}
