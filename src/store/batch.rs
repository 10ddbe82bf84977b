//! A batching writer: calls of concurrent deliveries queued, and written together: one statement
//! and one commit for many (the PostgreSQL store's claims and completions), or one script (the
//! Redis store's).
//!
//! A writer task takes the first call queued, waits for one of its flush slots, then takes every
//! call queued meanwhile (up to the batch size, or until the delay runs out) and flushes them in
//! a task of its own. So batches grow with load by themselves: while the slots are busy
//! committing, calls queue for the next batch; at low load a call is flushed alone, at once.
//! When the last batch was small, a batch that would go beside one under way waits until it
//! holds [`BESIDE`] calls, or until nothing else is under way: a handful of calls would pay a
//! commit of their own for little gain (PostgreSQL at 16 connections: 4.7 deliveries a commit
//! without the wait, 5.4 with it, and 14% less of PostgreSQL's CPU per delivery).
//!
//! A completion nobody awaits ([`Batcher::complete_later`]) first waits up to [`RIDE`] for
//! another call, so that it rides with the next delivery's claim: one call for both.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::{self, Either};
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};

use super::{Claim, ClaimToken, Result, StoreError};

/// A call the writers batch: a delivery's claim or its completion, with where its answer goes.
pub(crate) enum Job {
    Claim {
        key: String,
        token: ClaimToken,
        reply: oneshot::Sender<Result<Claim>>,
    },
    Complete {
        key: String,
        token: ClaimToken,
        reply: Done,
    },
}

impl Job {
    /// A completion nobody waits for: worth holding back a moment for a claim to ride with.
    fn rides(&self) -> bool {
        matches!(
            self,
            Job::Complete {
                reply: Done::Later(_),
                ..
            }
        )
    }
}

/// Where a completion's answer goes: to the caller awaiting it, or, for one queued by
/// [`Batcher::complete_later`], to the log if it failed. A later one counts as pending until it
/// is answered or dropped, for [`Batcher::flush`].
pub(crate) enum Done {
    Awaited(oneshot::Sender<Result<()>>),
    Later(Counted),
}

impl Done {
    /// Answers the completion.
    pub(crate) fn send(self, answer: Result<()>) {
        match self {
            Done::Awaited(reply) => {
                let _ = reply.send(answer);
            }
            Done::Later(_pending) => {
                if let Err(err) = answer {
                    tracing::error!(error = %err, "could not mark webhook delivery done; its key stays in flight until its lease runs out");
                }
            }
        }
    }
}

/// A count of things under way (completions queued and not yet answered, batches being
/// written), and a wake-up for when it falls to zero.
#[derive(Debug, Default)]
struct Count {
    count: AtomicUsize,
    none: Notify,
}

impl Count {
    /// Counts one more, until the returned guard is dropped.
    fn enter(self: &Arc<Self>) -> Counted {
        self.count.fetch_add(1, Ordering::AcqRel);
        Counted(Arc::clone(self))
    }

    fn is_zero(&self) -> bool {
        self.count.load(Ordering::Acquire) == 0
    }

    /// Resolves once the count is zero (at once if it is).
    async fn zero(&self) {
        loop {
            let none = self.none.notified();
            tokio::pin!(none);
            // Registered before the count is read, so that a last drop in between wakes it.
            none.as_mut().enable();
            if self.is_zero() {
                return;
            }
            none.await;
        }
    }
}

/// One thing counted; it stops counting when dropped (a completion: answered or not).
pub(crate) struct Counted(Arc<Count>);

impl Drop for Counted {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.none.notify_waiters();
        }
    }
}

/// How long a completion nobody waits for waits for a claim to ride with, by default.
pub(crate) const RIDE: Duration = Duration::from_millis(2);

/// How many calls a batch needs to go while another is under way, after a small batch; with
/// fewer, it waits for that one to end.
pub(crate) const BESIDE: usize = 16;

/// How a writer groups calls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchSettings {
    /// The most calls one flush writes.
    pub(crate) max: usize,
    /// How long a batch waits for more calls once it has a slot (zero: it takes what is queued).
    pub(crate) delay: Duration,
    /// Flushes in flight at once (a PostgreSQL one holds a pooled connection).
    pub(crate) flushes: usize,
    /// How long a completion nobody waits for waits for another call (default [`RIDE`]).
    pub(crate) ride: Duration,
}

impl BatchSettings {
    /// At least one call per batch and one batch in flight.
    pub(crate) fn new(max: usize, delay: Duration, flushes: usize) -> Self {
        Self {
            max: max.max(1),
            delay,
            flushes: flushes.max(1),
            ride: RIDE,
        }
    }
}

type Flush = dyn Fn(Vec<Job>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Queues jobs for a writer task that flushes them in batches. Each job carries its own reply;
/// `flush` answers every job it is given.
pub(crate) struct Batcher {
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    /// The completions queued by [`complete_later`](Self::complete_later), not yet answered.
    pending: Arc<Count>,
    settings: BatchSettings,
    flush: Arc<Flush>,
}

impl fmt::Debug for Batcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batcher")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Batcher {
    pub(crate) fn new<F, Fut>(settings: BatchSettings, flush: F) -> Self
    where
        F: Fn(Vec<Job>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            queue: Mutex::new(None),
            pending: Arc::default(),
            settings,
            flush: Arc::new(move |jobs| Box::pin(flush(jobs))),
        }
    }

    /// Queues `job`; the writer starts on first use, in the caller's runtime (and again if that
    /// runtime went away).
    pub(crate) fn submit(&self, job: Job) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let job = match queue.as_ref() {
            Some(sender) => match sender.send(job) {
                Ok(()) => return,
                // The writer's runtime went away: start another.
                Err(mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        // A fresh channel's receiver is alive: this send succeeds.
        let _ = sender.send(job);
        tokio::spawn(write(receiver, self.settings, Arc::clone(&self.flush)));
        *queue = Some(sender);
    }

    /// Queues a claim of `key` for `token`, and waits for its answer.
    pub(crate) async fn claim(&self, key: String, token: ClaimToken) -> Result<Claim> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Claim { key, token, reply });
        answer.await.map_err(unanswered)?
    }

    /// Queues the completion of `key` by `token`, and waits for its answer.
    pub(crate) async fn complete(&self, key: String, token: ClaimToken) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Complete {
            key,
            token,
            reply: Done::Awaited(reply),
        });
        answer.await.map_err(unanswered)?
    }

    /// Queues the completion of `key` by `token` without waiting for it: it is written with the
    /// next call queued, or alone once the ride ([`RIDE`]) has passed without one.
    pub(crate) fn complete_later(&self, key: String, token: ClaimToken) {
        let reply = Done::Later(self.pending.enter());
        self.submit(Job::Complete { key, token, reply });
    }

    /// Waits until every completion queued by [`complete_later`](Self::complete_later) so far
    /// has been written (or has failed, and been logged).
    pub(crate) async fn flush(&self) {
        self.pending.zero().await;
    }
}

/// The writer went away before it answered (its runtime shut down).
fn unanswered(err: oneshot::error::RecvError) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

async fn write(
    mut queue: mpsc::UnboundedReceiver<Job>,
    settings: BatchSettings,
    flush: Arc<Flush>,
) {
    let slots = Arc::new(Semaphore::new(settings.flushes.max(1)));
    let under_way = Arc::new(Count::default());
    // The size of the batch sent last: under load, batches are large and none waits.
    let mut last = usize::MAX;
    // What a batch beside another must hold (a full batch, if that is less).
    let enough = BESIDE.min(settings.max);
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        // A completion nobody waits for waits a moment for a claim: one commit for both.
        if batch[0].rides()
            && let Ok(Some(job)) = tokio::time::timeout(settings.ride, queue.recv()).await
        {
            batch.push(job);
        }
        // While every slot is busy committing, calls queue: the next batch takes them all.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        // Beside a batch under way, a few calls would pay for a commit (a script call) of their
        // own: they wait for that batch, unless enough queue to be worth one. Under load (the
        // last batch was large) they do not wait, which spares the writer a wake-up per call.
        let open = last >= enough || fill_beside(&mut queue, &mut batch, &under_way, enough).await;
        let deadline = tokio::time::Instant::now() + settings.delay;
        while open && batch.len() < settings.max.max(1) {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) if settings.delay.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(deadline, queue.recv()).await {
                    Ok(Some(job)) => batch.push(job),
                    _ => break,
                },
            }
        }
        last = batch.len();
        let (flush, counted) = (Arc::clone(&flush), under_way.enter());
        tokio::spawn(async move {
            flush(batch).await;
            // Counted out before its slot is freed: a writer that takes the slot sees it gone.
            drop(counted);
            drop(slot);
        });
    }
}

/// While another batch is under way, adds queued calls to `batch` until it holds `enough`
/// calls or no other batch is under way. Returns whether the queue is still open.
async fn fill_beside(
    queue: &mut mpsc::UnboundedReceiver<Job>,
    batch: &mut Vec<Job>,
    under_way: &Count,
    enough: usize,
) -> bool {
    loop {
        if batch.len() >= enough || under_way.is_zero() {
            return true;
        }
        // `future::select`, not `tokio::select!`: the stores' features leave tokio's macros out.
        let ended = std::pin::pin!(under_way.zero());
        match future::select(std::pin::pin!(queue.recv()), ended).await {
            Either::Left((Some(job), _)) => batch.push(job),
            Either::Left((None, _)) => return false,
            Either::Right(((), _)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose flush records each batch's calls (`claim k` / `complete k`) and answers
    /// them all.
    fn recording(ride: Duration) -> (Batcher, Batches) {
        let batches = Batches::default();
        let seen = Arc::clone(&batches);
        let mut settings = BatchSettings::new(256, Duration::ZERO, 16);
        settings.ride = ride;
        let batcher = Batcher::new(settings, move |jobs: Vec<Job>| {
            let mut calls = Vec::new();
            for job in jobs {
                match job {
                    Job::Claim { key, token, reply } => {
                        calls.push(format!("claim {key}"));
                        let _ = reply.send(Ok(Claim::Acquired(token)));
                    }
                    Job::Complete { key, reply, .. } => {
                        calls.push(format!("complete {key}"));
                        reply.send(Ok(()));
                    }
                }
            }
            seen.lock().unwrap().push(calls);
            async {}
        });
        (batcher, batches)
    }

    /// Each batch's calls, as a test's flush saw them.
    type Batches = Arc<Mutex<Vec<Vec<String>>>>;

    /// A writer whose flush records and answers each batch's claims, then stays under way until
    /// the test adds a permit to the returned semaphore.
    fn held(flushes: usize) -> (Arc<Batcher>, Batches, Arc<Semaphore>) {
        let batches = Batches::default();
        let hold = Arc::new(Semaphore::new(0));
        let (seen, holding) = (Arc::clone(&batches), Arc::clone(&hold));
        let settings = BatchSettings::new(256, Duration::ZERO, flushes);
        let batcher = Batcher::new(settings, move |jobs: Vec<Job>| {
            let mut keys = Vec::new();
            for job in jobs {
                if let Job::Claim { key, token, reply } = job {
                    keys.push(key);
                    let _ = reply.send(Ok(Claim::Acquired(token)));
                }
            }
            keys.sort();
            seen.lock().unwrap().push(keys);
            let hold = Arc::clone(&holding);
            async move { hold.acquire().await.unwrap().forget() }
        });
        (Arc::new(batcher), batches, hold)
    }

    /// Claims each of `keys` in a task of its own, and lets the tasks queue their calls.
    async fn claim_each(
        batcher: &Arc<Batcher>,
        keys: &[String],
    ) -> Vec<tokio::task::JoinHandle<Result<Claim>>> {
        let claims = keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let (batcher, key) = (Arc::clone(batcher), key.clone());
                tokio::spawn(
                    async move { batcher.claim(key, ClaimToken::new(2 + i as u128)).await },
                )
            })
            .collect();
        for _ in 0..64 {
            tokio::task::yield_now().await;
        }
        claims
    }

    async fn answered(claims: Vec<tokio::task::JoinHandle<Result<Claim>>>, when: &str) {
        for claim in claims {
            let answer = tokio::time::timeout(Duration::from_secs(5), claim).await;
            assert!(
                matches!(answer, Ok(Ok(Ok(Claim::Acquired(_))))),
                "not answered {when}"
            );
        }
    }

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|&name| name.to_owned()).collect()
    }

    #[tokio::test]
    async fn a_few_calls_wait_for_the_batch_under_way() {
        let (batcher, batches, hold) = held(4);
        batcher.claim("a".into(), ClaimToken::new(1)).await.unwrap();
        let claims = claim_each(&batcher, &keys(&["b", "c", "d"])).await;
        // Three slots are free, but three calls are not worth a batch beside `a`'s.
        assert_eq!(*batches.lock().unwrap(), vec![keys(&["a"])]);
        hold.add_permits(1);
        answered(claims, "once `a`'s batch ended").await;
        assert_eq!(
            *batches.lock().unwrap(),
            vec![keys(&["a"]), keys(&["b", "c", "d"])]
        );
        hold.add_permits(1);
    }

    #[tokio::test]
    async fn enough_calls_go_beside_the_batch_under_way() {
        let (batcher, batches, hold) = held(4);
        batcher.claim("a".into(), ClaimToken::new(1)).await.unwrap();
        let many: Vec<String> = (0..BESIDE).map(|i| format!("k{i:02}")).collect();
        let claims = claim_each(&batcher, &many).await;
        answered(claims, "while `a`'s batch is under way").await;
        assert_eq!(*batches.lock().unwrap(), vec![keys(&["a"]), many]);
        hold.add_permits(2);
    }

    #[tokio::test]
    async fn under_load_a_few_calls_go_beside_the_batch_under_way() {
        let (batcher, batches, hold) = held(4);
        let many: Vec<String> = (0..BESIDE).map(|i| format!("k{i:02}")).collect();
        answered(claim_each(&batcher, &many).await, "alone").await;
        // The last batch was large: the next one does not wait for it.
        let claim = batcher.claim("a".into(), ClaimToken::new(1));
        let answer = tokio::time::timeout(Duration::from_secs(5), claim).await;
        assert!(
            matches!(answer, Ok(Ok(Claim::Acquired(_)))),
            "not answered at once"
        );
        assert_eq!(*batches.lock().unwrap(), vec![many, keys(&["a"])]);
        hold.add_permits(2);
    }

    #[tokio::test]
    async fn a_completion_queued_later_rides_with_the_next_claim() {
        let (batcher, batches) = recording(Duration::from_secs(60));
        batcher.complete_later("a".into(), ClaimToken::new(1));
        // The writer takes the completion and waits; the next delivery's claim joins it.
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        let claim = batcher.claim("b".into(), ClaimToken::new(2)).await.unwrap();
        assert_eq!(claim, Claim::Acquired(ClaimToken::new(2)));
        batcher.flush().await;
        assert_eq!(
            *batches.lock().unwrap(),
            vec![vec!["complete a".to_owned(), "claim b".to_owned()]]
        );
    }

    #[tokio::test]
    async fn a_completion_alone_goes_after_the_ride_and_flush_waits_for_it() {
        let ride = Duration::from_millis(50);
        let (batcher, batches) = recording(ride);
        let started = std::time::Instant::now();
        batcher.complete_later("a".into(), ClaimToken::new(1));
        batcher.flush().await;
        assert!(started.elapsed() >= ride, "written after the ride");
        assert_eq!(
            *batches.lock().unwrap(),
            vec![vec!["complete a".to_owned()]]
        );
        // An awaited call alone is not held back.
        let started = std::time::Instant::now();
        batcher
            .complete("b".into(), ClaimToken::new(2))
            .await
            .unwrap();
        assert!(
            started.elapsed() < ride,
            "an awaited completion goes at once"
        );
    }

    #[tokio::test]
    async fn flush_with_nothing_queued_returns_at_once() {
        let (batcher, batches) = recording(Duration::from_secs(60));
        tokio::time::timeout(Duration::from_secs(5), batcher.flush())
            .await
            .expect("nothing to wait for");
        assert!(batches.lock().unwrap().is_empty());
    }
}
