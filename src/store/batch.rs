//! A batching writer: calls of concurrent deliveries queued, and written together: one statement
//! and one commit for many (the PostgreSQL store's claims and completions), or one script (the
//! Redis store's).
//!
//! A writer task takes the first call queued, waits for one of its flush slots, then takes every
//! call queued meanwhile (up to the batch size, or until the delay runs out) and flushes them in
//! a task of its own. So batches grow with load by themselves: while the slots are busy
//! committing, calls queue for the next batch; at low load a call is flushed alone, at once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Semaphore};

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
        reply: oneshot::Sender<Result<()>>,
    },
}

/// How a writer groups calls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchSettings {
    /// The most calls one flush writes.
    pub(crate) max: usize,
    /// How long a batch waits for more calls once it has a slot (zero: it takes what is queued).
    pub(crate) delay: Duration,
    /// Flushes in flight at once (a PostgreSQL one holds a pooled connection).
    pub(crate) flushes: usize,
}

impl BatchSettings {
    /// At least one call per batch and one batch in flight.
    pub(crate) fn new(max: usize, delay: Duration, flushes: usize) -> Self {
        Self {
            max: max.max(1),
            delay,
            flushes: flushes.max(1),
        }
    }
}

type Flush<J> = dyn Fn(Vec<J>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Queues jobs for a writer task that flushes them in batches. Each job carries its own reply;
/// `flush` answers every job it is given.
pub(crate) struct Batcher<J> {
    queue: Mutex<Option<mpsc::UnboundedSender<J>>>,
    settings: BatchSettings,
    flush: Arc<Flush<J>>,
}

impl<J> fmt::Debug for Batcher<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batcher")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<J: Send + 'static> Batcher<J> {
    pub(crate) fn new<F, Fut>(settings: BatchSettings, flush: F) -> Self
    where
        F: Fn(Vec<J>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            queue: Mutex::new(None),
            settings,
            flush: Arc::new(move |jobs| Box::pin(flush(jobs))),
        }
    }

    /// Queues `job`; the writer starts on first use, in the caller's runtime (and again if that
    /// runtime went away).
    pub(crate) fn submit(&self, job: J) {
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
}

impl Batcher<Job> {
    /// Queues a claim of `key` for `token`, and waits for its answer.
    pub(crate) async fn claim(&self, key: String, token: ClaimToken) -> Result<Claim> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Claim { key, token, reply });
        answer.await.map_err(unanswered)?
    }

    /// Queues the completion of `key` by `token`, and waits for its answer.
    pub(crate) async fn complete(&self, key: String, token: ClaimToken) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Complete { key, token, reply });
        answer.await.map_err(unanswered)?
    }
}

/// The writer went away before it answered (its runtime shut down).
fn unanswered(err: oneshot::error::RecvError) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

async fn write<J: Send + 'static>(
    mut queue: mpsc::UnboundedReceiver<J>,
    settings: BatchSettings,
    flush: Arc<Flush<J>>,
) {
    let slots = Arc::new(Semaphore::new(settings.flushes.max(1)));
    while let Some(first) = queue.recv().await {
        // While every slot is busy committing, calls queue: the next batch takes them all.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + settings.delay;
        while batch.len() < settings.max.max(1) {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) if settings.delay.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(deadline, queue.recv()).await {
                    Ok(Some(job)) => batch.push(job),
                    _ => break,
                },
            }
        }
        let flush = Arc::clone(&flush);
        tokio::spawn(async move {
            flush(batch).await;
            drop(slot);
        });
    }
}
