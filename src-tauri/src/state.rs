//! What the app holds while it runs: the vault (the encrypted store behind its lock), the
//! signed-in officer and the sync scheduler, and how they are found at start.
//!
//! The store is reachable only through [`AppState::with_store`] (the officer's action, which
//! counts against the idle lock) or [`AppState::peek_store`] (background polling, which does
//! not); both fail with "locked" while the vault is locked, so no command returns data then.
//! The scheduler runs only while the vault is unlocked: it holds the open store, so locking
//! stops it. [`AppState::tick`], called every second, applies the idle lock and the remote wipe.

use crate::error::{AppError, CmdResult};
use liaison_core::crypto::{KeyError, LockSettings, LockState, Vault, VaultError, WipeNotice, WipeReason};
use liaison_core::store::Store;
use liaison_core::sync::{Scheduler, SchedulerOptions, SyncClient, SyncError, SyncOptions};
use liaison_core::{OfficerId, ValidationError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use zeroize::Zeroizing;

/// The officer when none is configured: the demo operation's first PLO.
pub const DEFAULT_OFFICER: &str = "PC 4521";

/// Where the force server is and how to trust it; from the device's configuration.
#[derive(Debug, Clone, Default)]
pub struct SyncConfig {
    pub server_url: Option<String>,
    /// One-time code from force IT, used at an unlock while the device is not enrolled;
    /// wiped from memory when the configuration is dropped.
    pub enroll_code: Option<Zeroizing<String>>,
    pub options: SyncOptions,
}

/// What the lock screen shows. Holds no record data, so it is answered while locked.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct LockView {
    pub lock: LockState,
    /// Why this device's data was destroyed, until the officer acknowledges it.
    pub wiped: Option<WipeNotice>,
    /// Shortest passcode accepted.
    pub passcode_min: u32,
    /// The idle lock, in seconds.
    #[ts(type = "number")]
    pub idle_lock_after_s: u64,
}

pub struct AppState {
    vault: Mutex<Vault>,
    pub officer: OfficerId,
    /// Runs sync in the background while unlocked, once the device is enrolled.
    sync: Arc<Mutex<Option<Scheduler>>>,
    /// Bumped whenever sync is stopped, so that an enrolment finishing after a lock does not
    /// start a scheduler on a store the officer has locked.
    sync_generation: Arc<AtomicU64>,
    sync_config: SyncConfig,
    runtime: tokio::runtime::Handle,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while the lock was held leaves nothing half-written (every store call is one
    // transaction; the vault's state is a handle), so a poisoned lock is safe to take over.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    pub fn new(vault: Vault, officer: OfficerId, sync_config: SyncConfig, runtime: tokio::runtime::Handle) -> Self {
        AppState {
            vault: Mutex::new(vault),
            officer,
            sync: Arc::new(Mutex::new(None)),
            sync_generation: Arc::new(AtomicU64::new(0)),
            sync_config,
            runtime,
        }
    }

    /// Runs `f` on the open store for something the officer did (it restarts the idle timer).
    pub fn with_store<T, E: Into<AppError>>(&self, f: impl FnOnce(&mut Store) -> Result<T, E>) -> CmdResult<T> {
        let store = lock(&self.vault).store()?;
        let mut guard = lock(&store);
        f(&mut guard).map_err(Into::into)
    }

    /// Runs `f` on the open store for background polling, which must not keep an unattended
    /// tablet unlocked.
    pub fn peek_store<T, E: Into<AppError>>(&self, f: impl FnOnce(&mut Store) -> Result<T, E>) -> CmdResult<T> {
        let store = lock(&self.vault).peek()?;
        let mut guard = lock(&store);
        f(&mut guard).map_err(Into::into)
    }

    /// Runs `f` on the scheduler, if sync is running.
    pub fn with_sync<T>(&self, f: impl FnOnce(&Scheduler) -> T) -> Option<T> {
        lock(&self.sync).as_ref().map(f)
    }

    pub fn lock_view(&self) -> LockView {
        let mut vault = lock(&self.vault);
        LockView {
            lock: vault.state(),
            wiped: vault.wipe_notice(),
            passcode_min: liaison_core::crypto::keystore::PASSCODE_MIN as u32,
            idle_lock_after_s: vault.settings().idle.as_secs(),
        }
    }

    /// The officer touched or typed: restart the idle timer.
    pub fn touch(&self) -> LockView {
        lock(&self.vault).touch();
        self.lock_view()
    }

    /// First run: sets the passcode, creates the encrypted database, loads the demo operation,
    /// and starts sync.
    pub fn set_up(&self, passcode: &str) -> CmdResult<LockView> {
        let store = {
            let mut vault = lock(&self.vault);
            vault.set_up(passcode)?;
            vault.store()?
        };
        self.opened(store)
    }

    pub fn unlock(&self, passcode: &str) -> CmdResult<LockView> {
        let store = {
            let mut vault = lock(&self.vault);
            vault.unlock(passcode)?;
            vault.store()?
        };
        self.opened(store)
    }

    fn opened(&self, store: Arc<Mutex<Store>>) -> CmdResult<LockView> {
        load_demo_if_empty(&mut lock(&store))?;
        self.start_sync(store);
        Ok(self.lock_view())
    }

    pub fn change_passcode(&self, current: &str, new: &str) -> CmdResult<()> {
        let result = lock(&self.vault).change_passcode(current, new);
        if matches!(result, Err(VaultError::Key(KeyError::Destroyed))) {
            self.stop_sync(false);
        }
        Ok(result?)
    }

    pub fn acknowledge_wipe(&self) -> LockView {
        lock(&self.vault).acknowledge_wipe();
        self.lock_view()
    }

    /// Locks now: commands fail until the passcode is entered, and sync stops (it holds the
    /// open database, and with it the key).
    pub fn lock_now(&self) -> LockView {
        lock(&self.vault).lock();
        self.stop_sync(false);
        self.lock_view()
    }

    /// Called every second: applies the idle lock, and wipes the device once the server has
    /// said it is revoked.
    pub fn tick(&self) {
        let unlocked = matches!(lock(&self.vault).state(), LockState::Unlocked { .. });
        if !unlocked {
            if lock(&self.sync).is_some() {
                self.stop_sync(false);
            }
            return;
        }
        let revoked = self.peek_store(|s| s.sync_status()).ok().filter(|s| s.revoked);
        if let Some(status) = revoked {
            // The sync attempt that learned of the revocation had already pushed whatever the
            // server would still accept (see the server's revocation rule); what is still
            // waiting, and what it refused, is lost with the wipe.
            let refused = status
                .quarantined
                .iter()
                .filter(|q| q.direction == liaison_core::store::SyncDirection::Push)
                .count() as u64;
            self.stop_sync(true);
            let result = lock(&self.vault).wipe(WipeReason::Revoked, Some(status.waiting + refused));
            match result {
                Ok(()) => tracing::warn!("this device was revoked by the force: its key and data were erased"),
                Err(e) => tracing::error!(error = %e, "this device was revoked but could not be wiped"),
            }
        }
    }

    /// Enrols (if needed) and starts the scheduler in the background: unlocking never waits
    /// for the network.
    fn start_sync(&self, store: Arc<Mutex<Store>>) {
        self.stop_sync(false);
        let generation = self.sync_generation.load(Ordering::SeqCst);
        let (slot, current) = (self.sync.clone(), self.sync_generation.clone());
        let (config, runtime) = (self.sync_config.clone(), self.runtime.clone());
        self.runtime.spawn(async move {
            match enrol_if_needed(&store, &config).await {
                Ok(true) => {
                    let mut slot = lock(&slot);
                    if current.load(Ordering::SeqCst) == generation {
                        *slot = Some(Scheduler::start(&runtime, store, scheduler_options(&config)));
                    }
                }
                Ok(false) => tracing::info!("not enrolled with a force server: working offline"),
                Err(e) => tracing::warn!(error = %e, "sync not started"),
            }
        });
    }

    /// Stops the scheduler at once, mid-attempt if need be (the lock must close the database
    /// now, not after a long sync); `wait` blocks until it has let go of the store.
    fn stop_sync(&self, wait: bool) {
        let scheduler = {
            let mut slot = lock(&self.sync);
            self.sync_generation.fetch_add(1, Ordering::SeqCst);
            slot.take()
        };
        let Some(scheduler) = scheduler else {
            return;
        };
        if wait {
            self.runtime.block_on(scheduler.abort());
        } else {
            self.runtime.spawn(scheduler.abort());
        }
    }
}

/// Where the database lives: `LIAISON_DB` when set (tests, measurements), else the app's
/// data directory.
pub fn database_path(env_override: Option<String>, app_data_dir: &Path) -> PathBuf {
    match env_override.filter(|p| !p.trim().is_empty()) {
        Some(p) => PathBuf::from(p),
        None => app_data_dir.join("liaison.db"),
    }
}

/// The officer using this device: `LIAISON_OFFICER` when set, else [`DEFAULT_OFFICER`].
pub fn officer(env_override: Option<String>) -> Result<OfficerId, ValidationError> {
    OfficerId::new(env_override.unwrap_or_else(|| DEFAULT_OFFICER.to_string()))
}

/// How the lock behaves: the force's policy, from `LIAISON_IDLE_LOCK_SECONDS` and
/// `LIAISON_PASSCODE_ATTEMPTS` when set, else the defaults (5 minutes, 10 attempts).
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

/// How sync reaches the force server: the force CA from `LIAISON_SERVER_CA` (a PEM file; the
/// client trusts that CA and nothing else), read at every start rather than stored with the
/// enrolment so a renewed CA is a configuration change; plain HTTP to this machine only with
/// `LIAISON_ALLOW_PLAIN_LOOPBACK=1`.
pub fn sync_options(ca_path: Option<String>, allow_plain_loopback: Option<String>) -> Result<SyncOptions, String> {
    let ca_pem = match ca_path.filter(|p| !p.trim().is_empty()) {
        Some(path) => Some(
            std::fs::read(&path).map_err(|e| format!("LIAISON_SERVER_CA: the force CA {path} cannot be read: {e}"))?,
        ),
        None => None,
    };
    Ok(SyncOptions {
        ca_pem,
        allow_plain_loopback: allow_plain_loopback.is_some_and(|v| v == "1"),
        ..SyncOptions::default()
    })
}

/// Enrols the device when it is not enrolled yet and both the server and a one-time code are
/// configured. True when the device is enrolled (now or before), so sync can start.
pub async fn enrol_if_needed(store: &Arc<Mutex<Store>>, config: &SyncConfig) -> Result<bool, SyncError> {
    if lock(store).sync_credentials()?.is_some() {
        return Ok(true);
    }
    let (Some(url), Some(code)) = (
        config.server_url.as_deref().filter(|s| !s.trim().is_empty()),
        config.enroll_code.as_ref().map(|c| c.as_str()),
    ) else {
        return Ok(false);
    };
    SyncClient::new(url, config.options.clone())?
        .enroll(store, code)
        .await?;
    Ok(true)
}

fn scheduler_options(config: &SyncConfig) -> SchedulerOptions {
    SchedulerOptions {
        sync: config.options.clone(),
        ..SchedulerOptions::default()
    }
}

/// On a device that has never held a revision, loads the demonstration operation (starting
/// five hours ago, so its records lead up to now). A device whose operations retention has
/// erased still holds their tombstones, so it never gets demo data in its evidence.
pub fn load_demo_if_empty(store: &mut Store) -> Result<(), liaison_core::StoreError> {
    if store.revision_count()? == 0 {
        let start = chrono::Utc::now() - chrono::Duration::hours(5);
        liaison_core::demo::generate(store, start, 1)?;
    }
    Ok(())
}

/// Makes the database's folder if it is missing.
pub fn ensure_folder(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_core::crypto::KdfParams;

    #[test]
    fn the_database_override_wins_over_the_data_dir() {
        let dir = Path::new("/data/app");
        assert_eq!(database_path(Some("/tmp/x.db".into()), dir), PathBuf::from("/tmp/x.db"));
        assert_eq!(database_path(None, dir), dir.join("liaison.db"));
        assert_eq!(database_path(Some(" ".into()), dir), dir.join("liaison.db"));
    }

    #[test]
    fn the_officer_defaults_and_refuses_nonsense() {
        assert_eq!(officer(None).unwrap().as_str(), DEFAULT_OFFICER);
        assert_eq!(officer(Some("PCSO 7781".into())).unwrap().as_str(), "PCSO 7781");
        assert!(officer(Some("  ".into())).is_err());
    }

    #[test]
    fn the_force_ca_and_plain_loopback_come_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let o = sync_options(Some(ca.display().to_string()), None).unwrap();
        assert_eq!(o.ca_pem.as_deref(), Some(&b"-----BEGIN CERTIFICATE-----\n"[..]));
        assert!(!o.allow_plain_loopback);
        assert!(sync_options(None, Some("1".into())).unwrap().allow_plain_loopback);
        let missing = sync_options(Some("/nonexistent/ca.pem".into()), None).unwrap_err();
        assert!(missing.contains("LIAISON_SERVER_CA"), "{missing}");
    }

    #[test]
    fn demo_data_goes_only_onto_a_device_that_never_held_a_revision() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("liaison.db")).unwrap();
        load_demo_if_empty(&mut store).unwrap();
        let with_demo = store.revision_count().unwrap();
        assert!(with_demo > 100);
        load_demo_if_empty(&mut store).unwrap();
        assert_eq!(store.revision_count().unwrap(), with_demo, "loaded once");

        // A device with records but no operation left (as after retention erased its
        // operations) gets no demo data in its evidence.
        let mut other = Store::open(dir.path().join("other.db")).unwrap();
        let person = liaison_core::Body::Person(liaison_core::records::Person {
            name: "Sam Organiser".into(),
            role: liaison_core::records::PersonRole::Organiser,
            phone: String::new(),
            email: String::new(),
            other_contact: String::new(),
            groups: vec![],
            notes: String::new(),
        });
        let record = liaison_core::Record {
            operation_id: None,
            occurred_at: chrono::Utc::now(),
            location: None,
            sector: None,
            links: vec![],
            tags: vec![],
            body: person,
        };
        other.create(&officer(None).unwrap(), record).unwrap();
        assert!(liaison_core::service::operations(&other).unwrap().is_empty());
        load_demo_if_empty(&mut other).unwrap();
        assert_eq!(other.revision_count().unwrap(), 1);
    }

    #[test]
    fn lock_settings_come_from_the_environment_and_refuse_nonsense() {
        let d = lock_settings(None, None).unwrap();
        assert_eq!((d.idle, d.max_attempts), (Duration::from_secs(300), 10));
        let s = lock_settings(Some("30".into()), Some("5".into())).unwrap();
        assert_eq!((s.idle, s.max_attempts), (Duration::from_secs(30), 5));
        for (idle, attempts) in [
            (Some("0"), None),
            (Some("soon"), None),
            (None, Some("1")),
            (None, Some("x")),
        ] {
            assert!(lock_settings(idle.map(Into::into), attempts.map(Into::into)).is_err());
        }
    }

    fn app(dir: &Path, idle: Duration) -> (tokio::runtime::Runtime, AppState) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let settings = LockSettings {
            idle,
            max_attempts: 3,
            kdf: KdfParams::insecure_for_tests(),
        };
        let vault = Vault::new(dir.join("liaison.db"), settings);
        let state = AppState::new(
            vault,
            officer(None).unwrap(),
            SyncConfig::default(),
            rt.handle().clone(),
        );
        (rt, state)
    }

    fn count(state: &AppState) -> CmdResult<u64> {
        state.with_store(|s| s.revision_count())
    }

    #[test]
    fn nothing_is_returned_until_the_passcode_is_set_or_entered_and_the_demo_is_loaded_once() {
        let dir = tempfile::tempdir().unwrap();
        let (_rt, state) = app(dir.path(), Duration::from_secs(60));
        assert_eq!(state.lock_view().lock, LockState::NotSetUp);
        assert_eq!(count(&state).unwrap_err().kind, crate::error::ErrorKind::Locked);
        state.set_up("246810").unwrap();
        let loaded = count(&state).unwrap();
        assert!(loaded > 100, "the demo operation is loaded on a new device");
        assert_eq!(state.lock_now().lock, LockState::Locked);
        assert_eq!(count(&state).unwrap_err().kind, crate::error::ErrorKind::Locked);
        assert_eq!(
            state.peek_store(|s| s.revision_count()).unwrap_err().kind,
            crate::error::ErrorKind::Locked
        );
        let wrong = state.unlock("000000").unwrap_err();
        assert_eq!(wrong.kind, crate::error::ErrorKind::Passcode);
        assert_eq!(wrong.field.as_deref(), Some("passcode"));
        state.unlock("246810").unwrap();
        assert_eq!(
            count(&state).unwrap(),
            loaded,
            "demo data is loaded only on an empty device"
        );
    }

    #[test]
    fn the_tick_locks_an_idle_app() {
        let dir = tempfile::tempdir().unwrap();
        let (_rt, state) = app(dir.path(), Duration::from_millis(200));
        state.set_up("246810").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        state.tick();
        assert_eq!(state.lock_view().lock, LockState::Locked);
        assert_eq!(count(&state).unwrap_err().kind, crate::error::ErrorKind::Locked);
    }

    #[test]
    fn too_many_wrong_passcodes_leave_the_officer_a_notice_and_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let (_rt, state) = app(dir.path(), Duration::from_secs(60));
        state.set_up("246810").unwrap();
        state.lock_now();
        state.unlock("000000").unwrap_err();
        state.unlock("000001").unwrap_err();
        let e = state.unlock("000002").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Wiped);
        let view = state.lock_view();
        assert_eq!(view.lock, LockState::NotSetUp);
        assert_eq!(view.wiped.unwrap().reason, WipeReason::TooManyAttempts);
        assert!(state.acknowledge_wipe().wiped.is_none());
    }

    #[test]
    fn a_device_the_server_revoked_is_wiped_at_the_next_tick_and_says_what_was_lost() {
        let dir = tempfile::tempdir().unwrap();
        let (_rt, state) = app(dir.path(), Duration::from_secs(60));
        state.set_up("246810").unwrap();
        let waiting = state.with_store(|s| s.sync_status()).unwrap().waiting;
        assert!(waiting > 0);
        // One revision the server refused: it is lost with the wipe too.
        state
            .with_store(|s| {
                let rev = s.outbox(1)?.remove(0);
                s.record_push_outcome(
                    0,
                    &[],
                    &[liaison_core::store::QuarantinedRevision {
                        revision_id: rev.id,
                        device_seq: Some(rev.device_seq),
                        direction: liaison_core::store::SyncDirection::Push,
                        reason: "revoked".into(),
                        message: "recorded after the revocation".into(),
                        at: chrono::Utc::now(),
                    }],
                )
            })
            .unwrap();
        assert_eq!(state.with_store(|s| s.sync_status()).unwrap().waiting, waiting - 1);
        state.tick();
        assert!(
            count(&state).is_ok(),
            "nothing happens while the device is in good standing"
        );
        // What the sync client records when the server answers "revoked".
        state.with_store(|s| s.record_sync_revoked()).unwrap();
        state.tick();
        let view = state.lock_view();
        assert_eq!(view.lock, LockState::NotSetUp);
        let notice = view.wiped.expect("the officer is told why");
        assert_eq!(notice.reason, WipeReason::Revoked);
        assert_eq!(notice.unsynced_lost, Some(waiting));
        assert!(!dir.path().join("liaison.db").exists());
        assert!(!dir.path().join("liaison.db.keystore").exists());
    }
}
