//! What the provider is told when the handler fails.

/// The acknowledgement policy: what the provider hears when the handler fails, errors or panics.
///
/// Authentic deliveries that the handler processed answer with the handler's own 2xx response
/// under every policy; duplicates always answer 200.
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
    /// Always answer 200 to an authentic delivery. A failed, erroring or panicking handler (or a
    /// body that cannot be identified) is recorded in the store's failed list with its raw body
    /// and verified headers, and logged with `tracing::error!`, so nothing is lost while the
    /// provider is never pushed into retry floods or URL suspension. If the failure cannot be
    /// recorded, the answer is 503 so that the provider retries.
    #[default]
    Always,
    /// Pass the handler's status through: a non-2xx answer (500 for a panic) releases the claim
    /// so that the provider's retry is processed again. A body that cannot be identified is
    /// answered 422, and a copy arriving while the same delivery is still being processed is
    /// answered 409 (the first attempt may yet fail, so that copy must not be acknowledged).
    Passthrough,
}
