//! Where "now" comes from, so tests can pin it.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in unix seconds, used for the timestamp tolerance.
///
/// [`SystemClock`] is the default; [`FixedClock`] pins the time in tests (provider test vectors
/// give the "now" at which they were signed). Any `Fn() -> i64` closure is a clock too.
///
/// ```
/// use tower_webhooks::{Clock, FixedClock};
///
/// assert_eq!(FixedClock(1_654_084_800).now(), 1_654_084_800);
/// let clock = || 42_i64;
/// assert_eq!(clock.now(), 42);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current time in seconds since the unix epoch.
    fn now(&self) -> i64;

    /// The current time in milliseconds since the unix epoch, for what is timed finer than
    /// signatures (the [`MemoryStore`](crate::store::MemoryStore)'s leases and retention). By
    /// default `now()` in milliseconds; [`SystemClock`] gives the real milliseconds.
    ///
    /// ```
    /// use tower_webhooks::{Clock, FixedClock};
    ///
    /// assert_eq!(FixedClock(1_700_000_000).now_millis(), 1_700_000_000_000);
    /// ```
    fn now_millis(&self) -> i64 {
        self.now().saturating_mul(1000)
    }
}

/// The system's wall clock.
///
/// ```
/// use tower_webhooks::{Clock, SystemClock};
///
/// assert!(SystemClock.now() > 1_600_000_000);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    fn now_millis(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX),
            // A clock set before 1970 is broken; fail towards "stale" rather than panicking.
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// A clock stopped at the given unix time, for tests.
///
/// ```
/// use tower_webhooks::{FixedClock, WebhookLayer};
///
/// // The YCloud vectors were signed at 1654084800.
/// let layer = WebhookLayer::ycloud("whsec_...").with_clock(FixedClock(1_654_084_800));
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

impl<F> Clock for F
where
    F: Fn() -> i64 + Send + Sync + 'static,
{
    fn now(&self) -> i64 {
        self()
    }
}

/// One clock shared by a layer and its default store.
#[derive(Clone)]
pub(crate) struct SharedClock(pub(crate) std::sync::Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now(&self) -> i64 {
        self.0.now()
    }

    fn now_millis(&self) -> i64 {
        self.0.now_millis()
    }
}

/// Debug for the boxed clock inside the layer's configuration.
pub(crate) struct ClockDebug;

impl fmt::Debug for ClockDebug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
    }
}
