//! When the worker attempts a failed delivery again.

use std::time::Duration;

/// The delays between a delivery's attempts; after the last one fails, the delivery is dead.
///
/// The default, 10 s, 30 s, 5 min, 30 min, 1 h, 2 h, 2 h, follows the schedules providers
/// themselves retry on: eight attempts over about six hours.
///
/// ```
/// use std::time::Duration;
/// use tower_webhooks::{Backoff, WebhookLayer};
///
/// let backoff = Backoff::default();
/// assert_eq!(backoff.after(1), Some(Duration::from_secs(10)));
/// assert_eq!(backoff.after(8), None); // the eighth attempt was the last
///
/// let layer = WebhookLayer::ycloud("whsec_...")
///     .with_backoff(Backoff::new([Duration::from_secs(1), Duration::from_secs(5)]));
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    delays: Vec<Duration>,
}

impl Default for Backoff {
    fn default() -> Self {
        const MINUTE: u64 = 60;
        Self::new(
            [
                10,
                30,
                5 * MINUTE,
                30 * MINUTE,
                60 * MINUTE,
                120 * MINUTE,
                120 * MINUTE,
            ]
            .map(Duration::from_secs),
        )
    }
}

impl Backoff {
    /// Attempts again after each of `delays` in turn; with no delays, one attempt only.
    pub fn new(delays: impl IntoIterator<Item = Duration>) -> Self {
        Self {
            delays: delays.into_iter().collect(),
        }
    }

    /// The delay before the next attempt once `attempts` attempts have failed, or `None` when
    /// that was the last one.
    pub fn after(&self, attempts: u32) -> Option<Duration> {
        let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
        self.delays.get(index).copied()
    }

    /// The delays, in order.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// How many attempts a delivery gets in all.
    pub fn attempts(&self) -> usize {
        self.delays.len() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_the_providers_own() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let expected = [
            Duration::from_secs(10),
            Duration::from_secs(30),
            minutes(5),
            minutes(30),
            minutes(60),
            minutes(120),
            minutes(120),
        ];
        let backoff = Backoff::default();
        assert_eq!(backoff.delays(), expected);
        assert_eq!(backoff.attempts(), 8);
        for (failed, delay) in (1..).zip(expected) {
            assert_eq!(backoff.after(failed), Some(delay));
        }
        assert_eq!(backoff.after(8), None);
        assert_eq!(backoff.after(0), None);
    }

    #[test]
    fn no_delays_means_one_attempt() {
        let backoff = Backoff::new([]);
        assert_eq!(backoff.attempts(), 1);
        assert_eq!(backoff.after(1), None);
    }
}
