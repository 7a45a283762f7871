//! When sync runs: on a timer, at once on demand or when coverage returns, after failures
//! with exponential backoff and jitter, and from where it left off after an app restart
//! (everything it needs is in the store). The Tauri shell starts one [`Scheduler`] and calls
//! [`Scheduler::trigger_now`], [`Scheduler::coverage_returned`] and [`Scheduler::status`].

use super::client::{SyncClient, SyncOptions, SyncReport};
use super::SyncError;
use crate::store::{Store, StoredSyncStatus};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// What a running sync is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Pushing,
    Pulling,
    /// Uploading attached files (done and total in bytes).
    SendingMedia,
}

/// Live progress, for the progress bar during a long sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
}

/// Everything the status strip shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    #[serde(flatten)]
    pub stored: StoredSyncStatus,
    /// Present while a sync is running.
    pub progress: Option<SyncProgress>,
}

/// The status of a store with no sync running (e.g. before the scheduler starts).
pub fn status(store: &Store) -> Result<SyncStatus, SyncError> {
    Ok(SyncStatus {
        stored: store.sync_status()?,
        progress: None,
    })
}

#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Time between syncs while all is well.
    pub interval: Duration,
    /// First retry delay after a failure; doubles with each further failure.
    pub backoff_base: Duration,
    /// Longest wait between retries.
    pub backoff_max: Duration,
    pub sync: SyncOptions,
    /// The retention job runs after a successful sync at most this often: it reads every
    /// record under a write lock, work that needs doing daily, not every minute.
    pub retention_every: Duration,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            interval: Duration::from_secs(60),
            backoff_base: Duration::from_secs(5),
            backoff_max: Duration::from_secs(15 * 60),
            sync: SyncOptions::default(),
            retention_every: Duration::from_secs(60 * 60),
        }
    }
}

/// The wait before the next attempt after `failures` consecutive failures: exponential up to
/// `max`, with "equal jitter" (half fixed, half random by `unit` in 0..1) so a fleet of
/// tablets regaining coverage together does not hit the server in lockstep, yet never
/// retries in a tight loop.
pub fn backoff_delay(failures: u32, base: Duration, max: Duration, unit: f64) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(30));
    let cap = base.saturating_mul(factor).min(max);
    let unit = unit.clamp(0.0, 1.0);
    cap / 2 + cap.mul_f64(unit) / 2
}

/// The outcome of the latest attempt, published to anyone awaiting it.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// Attempts finished since the scheduler started.
    pub number: u64,
    pub result: Option<Result<SyncReport, String>>,
}

/// Runs sync in the background on a Tokio runtime.
pub struct Scheduler {
    store: Arc<Mutex<Store>>,
    wake: Arc<Notify>,
    stop: Arc<Notify>,
    progress: Arc<Mutex<Option<SyncProgress>>>,
    attempts: watch::Receiver<Attempt>,
    task: tokio::task::JoinHandle<()>,
}

impl Scheduler {
    /// Starts syncing at once (resuming whatever an earlier run left in the outbox), then on
    /// the timer.
    pub fn start(runtime: &tokio::runtime::Handle, store: Arc<Mutex<Store>>, options: SchedulerOptions) -> Scheduler {
        let wake = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let progress = Arc::new(Mutex::new(None));
        let (tx, attempts) = watch::channel(Attempt::default());
        let task = runtime.spawn(run(
            store.clone(),
            options,
            wake.clone(),
            stop.clone(),
            progress.clone(),
            tx,
        ));
        Scheduler {
            store,
            wake,
            stop,
            progress,
            attempts,
            task,
        }
    }

    /// The officer pressed "sync now".
    pub fn trigger_now(&self) {
        self.wake.notify_one();
    }

    /// The platform reports the network is back: sync at once instead of waiting out the
    /// backoff.
    pub fn coverage_returned(&self) {
        self.wake.notify_one();
    }

    /// Waiting count, last success, last error, quarantine and live progress.
    pub fn status(&self) -> Result<SyncStatus, SyncError> {
        let stored = self.store.lock().unwrap_or_else(|e| e.into_inner()).sync_status()?;
        let progress = *self.progress.lock().unwrap_or_else(|e| e.into_inner());
        Ok(SyncStatus { stored, progress })
    }

    /// Waits until an attempt numbered above `after` has finished, and returns it.
    pub async fn attempt_after(&self, after: u64) -> Attempt {
        let mut rx = self.attempts.clone();
        let found = rx.wait_for(|a| a.number > after).await.map(|a| a.clone());
        match found {
            Ok(a) => a,
            Err(_) => rx.borrow().clone(),
        }
    }

    /// Stops after the current attempt (if any) and waits for that.
    pub async fn stop(self) {
        self.stop.notify_one();
        let _ = self.task.await;
    }

    /// Stops now, mid-attempt if need be, and waits until the task has let go of the store:
    /// for the lock, which must close the database at once. Safe at any await point, because
    /// every store call is its own transaction and none is held across one; the server
    /// answers a repeated batch idempotently.
    pub async fn abort(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

async fn run(
    store: Arc<Mutex<Store>>,
    options: SchedulerOptions,
    wake: Arc<Notify>,
    stop: Arc<Notify>,
    progress: Arc<Mutex<Option<SyncProgress>>>,
    attempts: watch::Sender<Attempt>,
) {
    let mut number = 0u64;
    let mut last_retention: Option<std::time::Instant> = None;
    loop {
        let outcome = attempt(&store, &options, &progress, &mut last_retention).await;
        *progress.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let failures = store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .sync_status()
            .map(|s| s.consecutive_failures)
            .unwrap_or(1);
        let delay = match &outcome {
            Ok(_) => options.interval,
            // The server's Retry-After is a floor: retrying sooner would only be refused again.
            Err(e) => backoff_delay(
                failures.max(1),
                options.backoff_base,
                options.backoff_max,
                fastrand::f64(),
            )
            .max(e.retry_after().unwrap_or_default()),
        };
        number += 1;
        match &outcome {
            Ok(r) => tracing::debug!(pushed = r.pushed, pulled = r.pulled, "sync attempt {number} succeeded"),
            Err(e) => tracing::info!(error = %e, retry_in = ?delay, "sync attempt {number} failed"),
        }
        attempts.send_replace(Attempt {
            number,
            result: Some(outcome.map_err(|e| e.to_string())),
        });
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wake.notified() => {}
            _ = stop.notified() => return,
        }
    }
}

async fn attempt(
    store: &Arc<Mutex<Store>>,
    options: &SchedulerOptions,
    progress: &Arc<Mutex<Option<SyncProgress>>>,
    last_retention: &mut Option<std::time::Instant>,
) -> Result<SyncReport, SyncError> {
    let client = match SyncClient::for_store(store, options.sync.clone()) {
        Ok(c) => c,
        Err(e) => {
            let _ = store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .record_sync_attempt(Some(&e.to_string()));
            return Err(e);
        }
    };
    let report = {
        let progress = progress.clone();
        let on_progress = move |phase, done, total| {
            *progress.lock().unwrap_or_else(|e| e.into_inner()) = Some(SyncProgress { phase, done, total });
        };
        client.sync(store, &on_progress).await
    };
    let mut report = report?;
    // Retention runs after a successful sync, when the acknowledgements it relies on are
    // fresh, and at most every `retention_every`. Its failure never fails the sync: records
    // simply stay until the next run.
    if last_retention.is_none_or(|t| t.elapsed() >= options.retention_every) {
        match lock_store(store).apply_retention(crate::retention::RetentionPolicy::embedded(), chrono::Utc::now()) {
            Ok(r) => {
                report.erased_by_retention = r.erased_records;
                *last_retention = Some(std::time::Instant::now());
            }
            Err(e) => tracing::warn!(error = %e, "the retention job failed; it runs again after the next sync"),
        }
    }
    Ok(report)
}

fn lock_store(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}
