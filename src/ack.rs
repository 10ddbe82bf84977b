//! What the provider is told, and when the handler runs.

/// The acknowledgement policy: what the provider hears when the handler fails, errors or panics,
/// and whether it waits for the handler at all.
///
/// Duplicates of a processed delivery answer 200. A copy that arrives while the first is in
/// flight answers 409 under [`Passthrough`](Ack::Passthrough), and under every policy with a
/// store whose claims outlive the process
/// ([`outlives_process`](crate::store::DeliveryStore::outlives_process)): the first copy may yet
/// be lost. Under every policy, a delivery is acknowledged only once it is processed or safely
/// in the store; when the store cannot take it, the answer is 503 and the provider retries.
///
/// | policy | provider hears | handler runs | when the handler fails |
/// |---|---|---|---|
/// | [`Always`](Ack::Always) (default) | 200 once the handler returned | in the request | kept in the inbox, retried by the [`Worker`](crate::Worker) with [`Backoff`](crate::Backoff), then dead |
/// | [`Immediately`](Ack::Immediately) | 200 once the delivery is stored | from the [`Worker`](crate::Worker) | retried with [`Backoff`](crate::Backoff), then dead |
/// | [`Passthrough`](Ack::Passthrough) | the handler's status (500 for a panic) | in the request | the claim is released; the provider retries |
///
/// ```
/// use tower_webhooks::{Ack, WebhookLayer};
///
/// // Let YCloud retry when our handler fails, instead of keeping the failure ourselves.
/// let layer = WebhookLayer::ycloud("whsec_...").with_ack(Ack::Passthrough);
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Ack {
    /// Run the handler in the request and answer 200 to an authentic delivery even if it fails.
    /// A failed, erroring or panicking handler's delivery is parked in the store's inbox with its
    /// raw body and verified headers, logged with `tracing::error!`, and retried by the
    /// [`Worker`](crate::Worker) on the layer's [`Backoff`](crate::Backoff); after the last attempt
    /// it is dead (listed, replayable, purgeable). A body that cannot be identified is parked
    /// dead at once. The provider is never pushed into retry floods or URL suspension.
    #[default]
    Always,
    /// Store the verified delivery and answer 200 at once; the [`Worker`](crate::Worker) runs
    /// the handler. For providers that want an answer within seconds (YCloud 6 s, Yeastar 3-10 s)
    /// when the handler may be slow. On Redis or PostgreSQL, deliveries acknowledged by a process
    /// that then crashed are run by the next worker to start.
    Immediately,
    /// Pass the handler's status through: a non-2xx answer (500 for a panic) releases the claim
    /// so that the provider's retry is processed again. A body that cannot be identified is
    /// answered 422, and a copy arriving while the same delivery is still being processed is
    /// answered 409 (the first attempt may yet fail, so that copy must not be acknowledged).
    Passthrough,
}
