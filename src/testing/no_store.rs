//! `NoStore`: deduplication off.

use std::time::Duration;

use crate::store::{
    Claim, ClaimToken, DeliveryStore, InboxStatus, Schedule, Settlement, StoreError,
    StoredDelivery, Taken,
};

/// A store that claims every key and remembers nothing: deduplication off, to measure the layer
/// without a store or to test a handler's own idempotency. It keeps no deliveries either, so a
/// delivery that would go to the inbox (a failed handler, [`Ack::Immediately`](crate::Ack)) is
/// answered 503.
///
/// ```
/// use tower_webhooks::{testing::NoStore, WebhookLayer};
///
/// let layer = WebhookLayer::ycloud("whsec_...").with_store(NoStore);
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoStore;

#[async_trait::async_trait]
impl DeliveryStore for NoStore {
    async fn claim(&self, _: &str) -> Result<Claim, StoreError> {
        Ok(Claim::Acquired(ClaimToken::new(1)))
    }

    async fn complete(&self, _: &str, _: ClaimToken) -> Result<(), StoreError> {
        Ok(())
    }

    async fn release(&self, _: &str, _: ClaimToken) -> Result<(), StoreError> {
        Ok(())
    }

    /// Keeps nothing, so it says so: a delivery that would be parked is answered 503.
    async fn park(&self, _: ClaimToken, _: StoredDelivery, _: Schedule) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "NoStore keeps no deliveries".into(),
        ))
    }

    async fn take_due(&self, _: usize, _: Duration) -> Result<Vec<Taken>, StoreError> {
        Ok(Vec::new())
    }

    async fn settle(&self, _: &str, _: ClaimToken, _: Settlement) -> Result<(), StoreError> {
        Ok(())
    }

    async fn inbox(&self, _: InboxStatus, _: usize) -> Result<Vec<StoredDelivery>, StoreError> {
        Ok(Vec::new())
    }

    async fn replay(&self, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }

    async fn purge(&self, _: &str) -> Result<bool, StoreError> {
        Ok(false)
    }

    /// Nothing is remembered.
    fn dedup_window(&self) -> Option<Duration> {
        Some(Duration::ZERO)
    }

    /// It holds no claim at all.
    fn outlives_process(&self) -> bool {
        false
    }
}
