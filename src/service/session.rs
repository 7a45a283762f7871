//! The device session: what a tablet holds while the app runs, and the rules of its life.
//!
//! - The vault: the encrypted store behind its lock. The store is reached only through
//!   [`Session::store`] (the officer's action, which counts against the idle lock) or
//!   [`Session::peek`] (background polling, which does not); both fail with "locked" while the
//!   vault is locked, so nothing is read then.
//! - Enrolment: a tablet belongs to the officer the force enrolled it for. Its first screen
//!   takes the enrolment string ([`Enrolment`]: server, force CA, one-time code), which is
//!   checked before anything is created; the passcode set-up then creates the encrypted
//!   database (and with it the device id) and keeps the string's contents there; only then is
//!   the server asked ([`Session::enrol`]). The officer is the one the server's answer names,
//!   never a setting of the device. If the answer is lost (no coverage, a cut connection) the
//!   same code is sent again with the same device id, which the server allows within the
//!   code's life; until it has answered, no record can be made, because there is no author.
//! - Sync: the scheduler runs only while the vault is unlocked and the device is enrolled; it
//!   holds the open store, so locking stops it. It trusts the force CA the enrolment string
//!   named, and nothing else.
//! - Wipe policy: too many wrong passcodes destroy the key (the vault does that); a device the
//!   server has said is revoked is wiped at the next [`Session::tick`], which also applies the
//!   idle lock.
//!
//! This module knows nothing of Tauri: the shell's commands call it. It never logs a passcode,
//! a code or a token.

use crate::crypto::{KeyError, KeyGuardKind, LockSettings, LockState, Vault, VaultError, WipeNotice, WipeReason};
use crate::records::OfficerId;
use crate::store::{PendingEnrolment, Store, StoreError, SyncDirection};
use crate::sync::{Enrolment, EnrolmentError, Scheduler, SchedulerOptions, SyncClient, SyncError, SyncOptions};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Everything the session can refuse. Messages are for the officer.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The enrolment string itself is wrong (typed badly, cut short, not one of ours).
    #[error(transparent)]
    Enrolment(#[from] EnrolmentError),
    /// The force server refused the enrolment or could not be reached.
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("this tablet is not enrolled with the force yet: enter the enrolment string from the force IT team")]
    NotEnrolled,
    /// A colleague's file not held here could not be fetched now: why, in words.
    #[error("{0}")]
    MediaUnavailable(String),
}

/// Where the tablet stands with its force, for the first screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EnrolmentView {
    /// Not known: the device is locked, or has no passcode yet.
    Unknown,
    /// Unlocked, but no enrolment string is held (a database from before enrolment came first):
    /// the officer must enter one.
    Needed,
    /// The string is held; the force server has not answered yet.
    Pending {
        server_url: String,
        /// An attempt is under way.
        trying: bool,
        /// Why the last attempt failed, if it did.
        problem: Option<EnrolmentProblem>,
    },
    /// The server enrolled this tablet for this officer.
    Enrolled { officer: OfficerId, server_url: String },
}

/// Why an enrolment attempt failed, in words for the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct EnrolmentProblem {
    pub message: String,
    /// No coverage or a server in trouble: trying again later can work. Otherwise the string
    /// itself was refused and a new one is needed.
    pub retry_may_help: bool,
}

impl EnrolmentProblem {
    fn of(e: &SessionError) -> EnrolmentProblem {
        EnrolmentProblem {
            message: e.to_string(),
            retry_may_help: matches!(e, SessionError::Sync(s) if s.is_transient()),
        }
    }
}

/// What the lock screen shows. Holds no record data, so it is answered while locked.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct LockView {
    pub lock: LockState,
    /// Why this device's data was destroyed, until the officer acknowledges it.
    pub wiped: Option<WipeNotice>,
    /// Shortest passcode accepted.
    pub passcode_min: u32,
    /// What keeps the database key: the passcode screen says when no hardware does.
    pub key_guard: KeyGuardKind,
    /// The passcode rule in words, shown under the new passcode's field.
    pub passcode_rule: String,
    /// The idle lock, in seconds.
    #[ts(type = "number")]
    pub idle_lock_after_s: u64,
    pub enrolment: EnrolmentView,
}

/// What a checked enrolment string will do, shown before the passcode is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct EnrolmentCheck {
    pub server_url: String,
    /// The string names a force CA, which the tablet will trust and nothing else.
    pub pins_force_ca: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while the lock was held leaves nothing half-written (every store call is one
    // transaction; the vault's state is a handle), so a poisoned lock is safe to take over.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Checks an enrolment string as typed or pasted, without touching the device.
pub fn check_enrolment(text: &str) -> Result<EnrolmentCheck, EnrolmentError> {
    let e: Enrolment = text.parse()?;
    Ok(EnrolmentCheck {
        pins_force_ca: e.ca_der.is_some(),
        server_url: e.server_url,
    })
}

fn pending(e: &Enrolment) -> PendingEnrolment {
    PendingEnrolment {
        server_url: e.server_url.clone(),
        ca_pem: e.ca_pem(),
        code: e.code.clone(),
    }
}

/// The last enrolment attempt, for the screen that waits for it.
#[derive(Debug, Clone, Default)]
struct Attempt {
    trying: bool,
    problem: Option<EnrolmentProblem>,
}

/// What the session shares with its background enrolment.
struct Shared {
    /// The enrolled officer, read from the store at unlock and set by enrolment; None while
    /// locked or not enrolled.
    officer: Mutex<Option<OfficerId>>,
    /// Runs sync in the background while unlocked and enrolled.
    sync: Mutex<Option<Scheduler>>,
    /// Bumped whenever sync is stopped, so that an enrolment finishing after a lock does not
    /// start a scheduler on a store the officer has locked.
    generation: AtomicU64,
    attempt: Mutex<Attempt>,
    /// One enrolment attempt at a time (a double tap sends the code once).
    enrolling: tokio::sync::Mutex<()>,
    /// Plain HTTP to this machine, for development and tests only; never anywhere else.
    allow_plain_loopback: bool,
    runtime: tokio::runtime::Handle,
}

impl Shared {
    /// Starts the scheduler for an enrolled device, trusting the force CA it was enrolled
    /// with, unless the officer locked the tablet since `generation`.
    fn start_sync(&self, store: Arc<Mutex<Store>>, generation: u64) -> Result<(), SessionError> {
        let Some(creds) = lock(&store).sync_credentials()? else {
            return Ok(());
        };
        let options = SchedulerOptions {
            sync: SyncOptions {
                ca_pem: creds.ca_pem,
                allow_plain_loopback: self.allow_plain_loopback,
                ..SyncOptions::default()
            },
            ..SchedulerOptions::default()
        };
        let mut slot = lock(&self.sync);
        if self.generation.load(Ordering::SeqCst) == generation && slot.is_none() {
            *slot = Some(Scheduler::start(&self.runtime, store, options));
        }
        Ok(())
    }

    /// Asks the server to enrol the device with the enrolment the store holds; on success the
    /// officer is the one the server named, and sync starts.
    async fn enrol(&self, store: Arc<Mutex<Store>>, generation: u64) -> Result<(), SessionError> {
        let _one_at_a_time = self.enrolling.lock().await;
        let pending = lock(&store).pending_enrolment()?;
        let Some(pending) = pending else {
            return match lock(&store).enrolled_officer()? {
                Some(_) => Ok(()),
                None => Err(SessionError::NotEnrolled),
            };
        };
        let options = SyncOptions {
            ca_pem: pending.ca_pem.clone(),
            allow_plain_loopback: self.allow_plain_loopback,
            ..SyncOptions::default()
        };
        let answer = SyncClient::new(&pending.server_url, options)?
            .enroll(&store, &pending.code)
            .await?;
        let officer = OfficerId::new(answer.officer)
            .map_err(|e| SyncError::BadResponse(format!("the enrolment answer names no valid officer: {e}")))?;
        tracing::info!(officer = %officer.as_str(), device = %answer.device_id, "enrolled with the force server");
        if self.generation.load(Ordering::SeqCst) == generation {
            *lock(&self.officer) = Some(officer);
            self.start_sync(store, generation)?;
        }
        Ok(())
    }
}

pub struct Session {
    vault: Mutex<Vault>,
    shared: Arc<Shared>,
}

impl Session {
    pub fn new(vault: Vault, allow_plain_loopback: bool, runtime: tokio::runtime::Handle) -> Self {
        Session {
            vault: Mutex::new(vault),
            shared: Arc::new(Shared {
                officer: Mutex::new(None),
                sync: Mutex::new(None),
                generation: AtomicU64::new(0),
                attempt: Mutex::new(Attempt::default()),
                enrolling: tokio::sync::Mutex::new(()),
                allow_plain_loopback,
                runtime,
            }),
        }
    }

    /// The open store, for something the officer did (it restarts the idle timer).
    pub fn store(&self) -> Result<Arc<Mutex<Store>>, SessionError> {
        Ok(lock(&self.vault).store()?)
    }

    /// The open store, for background polling, which must not keep an unattended tablet
    /// unlocked.
    pub fn peek(&self) -> Result<Arc<Mutex<Store>>, SessionError> {
        Ok(lock(&self.vault).peek()?)
    }

    /// The officer this tablet is enrolled for: the author of everything recorded on it.
    /// "Locked" while locked, "not enrolled" until the server has answered.
    pub fn officer(&self) -> Result<OfficerId, SessionError> {
        if let Some(o) = lock(&self.shared.officer).clone() {
            return Ok(o);
        }
        match lock(&self.vault).state() {
            LockState::NotSetUp => Err(VaultError::NotSetUp.into()),
            LockState::Locked => Err(VaultError::Locked.into()),
            LockState::Unlocked { .. } => Err(SessionError::NotEnrolled),
        }
    }

    /// Whether the vault is open now (the idle lock applied first): what the shell's window
    /// watch asks every second, without reading the store.
    pub fn is_unlocked(&self) -> bool {
        matches!(lock(&self.vault).state(), LockState::Unlocked { .. })
    }

    /// A file a record on this tablet names (an attachment or its thumbnail), checked against
    /// its name: from the tablet's encrypted store or, for a colleague's photo not opened here
    /// before, fetched from the force server first and kept (so it opens without signal after).
    /// Blocks while it fetches.
    pub fn media_file(&self, sha256: &str) -> Result<Vec<u8>, SessionError> {
        let store = self.store()?;
        let size = {
            let s = lock(&store);
            if s.media().has(sha256) {
                return Ok(crate::service::media_bytes(&s, sha256)?);
            }
            s.media_size_named(sha256)?
        };
        let Some(size) = size else {
            return Err(SessionError::MediaUnavailable(
                "no record on this tablet names this file".into(),
            ));
        };
        let creds = lock(&store).sync_credentials()?.ok_or(SessionError::NotEnrolled)?;
        let options = SyncOptions {
            ca_pem: creds.ca_pem,
            allow_plain_loopback: self.shared.allow_plain_loopback,
            ..SyncOptions::default()
        };
        let client = SyncClient::new(&creds.server_url, options)?;
        let fetch = || self.shared.runtime.block_on(client.fetch_media(&store, sha256, size));
        // A command may run on one of the runtime's own workers: it hands that worker's other
        // tasks on while it waits, or the fetch could sit queued behind it.
        let fetched = match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(fetch)
            }
            _ => fetch(),
        };
        match fetched {
            Ok(_) => {}
            Err(crate::sync::FetchError::Unavailable(why)) => {
                return Err(SessionError::MediaUnavailable(format!(
                    "This file is not on the tablet yet and the force server did not give it: {why}"
                )))
            }
            Err(crate::sync::FetchError::Sync(SyncError::Unreachable(_))) => {
                return Err(SessionError::MediaUnavailable(
                    "This file is on the force server, not on the tablet yet: it opens once the tablet has signal."
                        .into(),
                ))
            }
            Err(crate::sync::FetchError::Sync(e)) => return Err(e.into()),
        }
        let bytes = crate::service::media_bytes(&lock(&store), sha256)?;
        Ok(bytes)
    }

    /// Runs `f` on the scheduler, if sync is running.
    pub fn with_sync<T>(&self, f: impl FnOnce(&Scheduler) -> T) -> Option<T> {
        lock(&self.shared.sync).as_ref().map(f)
    }

    pub fn lock_view(&self) -> LockView {
        let (lock_state, wiped, idle, store, guard) = {
            let mut vault = lock(&self.vault);
            let state = vault.state();
            let store = match state {
                LockState::Unlocked { .. } => vault.peek().ok(),
                _ => None,
            };
            (
                state,
                vault.wipe_notice(),
                vault.settings().idle,
                store,
                vault.key_guard(),
            )
        };
        LockView {
            lock: lock_state,
            wiped,
            passcode_min: guard.passcode_rule().min_len() as u32,
            key_guard: guard,
            passcode_rule: guard.passcode_rule().describe(),
            idle_lock_after_s: idle.as_secs(),
            enrolment: match store {
                Some(store) => self.enrolment_view(&store),
                None => EnrolmentView::Unknown,
            },
        }
    }

    fn enrolment_view(&self, store: &Mutex<Store>) -> EnrolmentView {
        let store = lock(store);
        if let Some(officer) = lock(&self.shared.officer).clone() {
            let server_url = store
                .sync_credentials()
                .ok()
                .flatten()
                .map(|c| c.server_url)
                .unwrap_or_default();
            return EnrolmentView::Enrolled { officer, server_url };
        }
        match store.pending_enrolment() {
            Ok(Some(p)) => {
                let attempt = lock(&self.shared.attempt).clone();
                EnrolmentView::Pending {
                    server_url: p.server_url,
                    trying: attempt.trying,
                    problem: attempt.problem,
                }
            }
            _ => EnrolmentView::Needed,
        }
    }

    /// The officer touched or typed: restart the idle timer.
    pub fn touch(&self) -> LockView {
        lock(&self.vault).touch();
        self.lock_view()
    }

    /// First run: checks the enrolment string, sets the passcode (which creates the encrypted
    /// database and the device id) and keeps the string's contents in it. The server is asked
    /// next ([`Session::start_enrolment`]): the string is refused here, beside its field, before
    /// anything is created, while a network failure later loses nothing.
    pub fn set_up(&self, passcode: &str, enrolment: &str) -> Result<LockView, SessionError> {
        let enrolment: Enrolment = enrolment.parse()?;
        let store = {
            let mut vault = lock(&self.vault);
            vault.set_up(passcode)?;
            vault.store()?
        };
        lock(&store).save_pending_enrolment(&pending(&enrolment))?;
        *lock(&self.shared.officer) = None;
        *lock(&self.shared.attempt) = Attempt::default();
        Ok(self.lock_view())
    }

    pub fn unlock(&self, passcode: &str) -> Result<LockView, SessionError> {
        let store = {
            let mut vault = lock(&self.vault);
            vault.unlock(passcode)?;
            vault.store()?
        };
        let officer = lock(&store).enrolled_officer()?;
        *lock(&self.shared.officer) = officer.clone();
        if officer.is_some() {
            self.stop_sync(false);
            let generation = self.shared.generation.load(Ordering::SeqCst);
            self.shared.start_sync(store, generation)?;
        }
        Ok(self.lock_view())
    }

    /// Keeps a new enrolment string (when the first was refused), checked before it replaces
    /// the one held.
    fn replace_enrolment(&self, replacement: Option<&str>) -> Result<Arc<Mutex<Store>>, SessionError> {
        let store = self.store()?;
        if let Some(text) = replacement.filter(|t| !t.trim().is_empty()) {
            let e: Enrolment = text.parse()?;
            lock(&store).save_pending_enrolment(&pending(&e))?;
        }
        Ok(store)
    }

    /// Asks the force server to enrol this tablet, with the enrolment held since the set-up or
    /// with `replacement` (a new string, when the first was refused), and waits for the
    /// answer. Safe to repeat: the same code from the same device id gets a fresh answer. On
    /// success the officer is the one the server named, and sync starts.
    pub async fn enrol(&self, replacement: Option<&str>) -> Result<LockView, SessionError> {
        let store = self.replace_enrolment(replacement)?;
        let generation = self.shared.generation.load(Ordering::SeqCst);
        self.shared.enrol(store, generation).await?;
        Ok(self.lock_view())
    }

    /// [`Session::enrol`] in the background, for the screen that waits for it: a string that
    /// cannot be read is refused at once; the server's answer, or why there is none, shows in
    /// [`Session::lock_view`] when it comes.
    pub fn start_enrolment(&self, replacement: Option<&str>) -> Result<LockView, SessionError> {
        let store = self.replace_enrolment(replacement)?;
        let generation = self.shared.generation.load(Ordering::SeqCst);
        *lock(&self.shared.attempt) = Attempt {
            trying: true,
            problem: None,
        };
        let shared = self.shared.clone();
        self.shared.runtime.spawn(async move {
            let outcome = shared.enrol(store, generation).await;
            if let Err(e) = &outcome {
                tracing::warn!(error = %e, "enrolment with the force server failed");
            }
            *lock(&shared.attempt) = Attempt {
                trying: false,
                problem: outcome.err().map(|e| EnrolmentProblem::of(&e)),
            };
        });
        Ok(self.lock_view())
    }

    pub fn change_passcode(&self, current: &str, new: &str) -> Result<(), SessionError> {
        let result = lock(&self.vault).change_passcode(current, new);
        if matches!(result, Err(VaultError::Key(KeyError::Destroyed))) {
            self.stop_sync(false);
            *lock(&self.shared.officer) = None;
        }
        Ok(result?)
    }

    pub fn acknowledge_wipe(&self) -> LockView {
        lock(&self.vault).acknowledge_wipe();
        self.lock_view()
    }

    /// Locks now: nothing is returned until the passcode is entered, and sync stops (it holds
    /// the open database, and with it the key).
    pub fn lock_now(&self) -> LockView {
        lock(&self.vault).lock();
        self.stop_sync(false);
        *lock(&self.shared.officer) = None;
        self.lock_view()
    }

    /// Called every second: applies the idle lock, and wipes the device once the server has
    /// said it is revoked.
    pub fn tick(&self) {
        let unlocked = matches!(lock(&self.vault).state(), LockState::Unlocked { .. });
        if !unlocked {
            if lock(&self.shared.sync).is_some() {
                self.stop_sync(false);
            }
            *lock(&self.shared.officer) = None;
            return;
        }
        let revoked = self
            .peek()
            .ok()
            .and_then(|s| lock(&s).sync_status().ok())
            .filter(|s| s.revoked);
        if let Some(status) = revoked {
            // The sync attempt that learned of the revocation had already pushed whatever the
            // server would still accept (see the server's revocation rule); what is still
            // waiting, and what it refused, is lost with the wipe.
            let refused = status
                .quarantined
                .iter()
                .filter(|q| q.direction == SyncDirection::Push)
                .count() as u64;
            self.stop_sync(true);
            *lock(&self.shared.officer) = None;
            let result = lock(&self.vault).wipe(WipeReason::Revoked, Some(status.waiting + refused));
            match result {
                Ok(()) => tracing::warn!("this device was revoked by the force: its key and data were erased"),
                Err(e) => tracing::error!(error = %e, "this device was revoked but could not be wiped"),
            }
        }
    }

    /// Stops the scheduler at once, mid-attempt if need be (the lock must close the database
    /// now, not after a long sync); `wait` blocks until it has let go of the store, and must
    /// not be used on a runtime thread.
    fn stop_sync(&self, wait: bool) {
        let scheduler = {
            let mut slot = lock(&self.shared.sync);
            self.shared.generation.fetch_add(1, Ordering::SeqCst);
            slot.take()
        };
        let Some(scheduler) = scheduler else {
            return;
        };
        if wait {
            self.shared.runtime.block_on(scheduler.abort());
        } else {
            self.shared.runtime.spawn(scheduler.abort());
        }
    }
}

/// How the lock behaves: the force's policy, from `LIAISON_IDLE_LOCK_SECONDS` and
/// `LIAISON_PASSCODE_ATTEMPTS` when set (tests, a force's device configuration), else the
/// defaults (5 minutes, 10 attempts). Bounded so that no setting makes the lock meaningless.
pub fn lock_settings(idle: Option<String>, attempts: Option<String>) -> Result<LockSettings, String> {
    let mut s = LockSettings::default();
    if let Some(v) = idle.filter(|v| !v.trim().is_empty()) {
        let secs: u64 = v
            .trim()
            .parse()
            .map_err(|_| format!("LIAISON_IDLE_LOCK_SECONDS must be a whole number of seconds, not {v:?}"))?;
        if secs == 0 {
            return Err("LIAISON_IDLE_LOCK_SECONDS must be at least 1".into());
        }
        if secs > MAX_IDLE.as_secs() {
            return Err(format!(
                "LIAISON_IDLE_LOCK_SECONDS must be at most {} (an hour): an unattended tablet must lock",
                MAX_IDLE.as_secs()
            ));
        }
        s.idle = Duration::from_secs(secs);
    }
    if let Some(v) = attempts.filter(|v| !v.trim().is_empty()) {
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("LIAISON_PASSCODE_ATTEMPTS must be a whole number, not {v:?}"))?;
        if !(3..=100).contains(&n) {
            return Err("LIAISON_PASSCODE_ATTEMPTS must be between 3 and 100".into());
        }
        s.max_attempts = n;
    }
    Ok(s)
}

/// The longest idle lock a configuration may set.
pub const MAX_IDLE: Duration = Duration::from_secs(60 * 60);

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
