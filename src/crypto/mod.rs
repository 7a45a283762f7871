//! Keys and the lock. Owns the device database key (random, kept under the officer's passcode
//! by a [`KeyGuard`]: the TPM where there is one ([`tpm`]), else Argon2id and a file
//! ([`keystore`])) and the [`Vault`], the only way to an open encrypted [`Store`]: locked at
//! start, locked again after an idle time or on demand, and while locked nothing can be read.
//! Never logs or prints a passcode or key; key material is zeroized on drop.

pub mod guard;
pub mod keystore;
#[cfg(feature = "tpm")]
pub mod tpm;

pub use guard::{KeyGuard, KeyGuardKind, PasscodeRule};
pub use keystore::{DbKey, KdfParams, KeyError, KeyStore};

use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the lock behaves; from the force's device policy.
#[derive(Debug, Clone, Copy)]
pub struct LockSettings {
    /// Lock after this long without use.
    pub idle: Duration,
    /// Wrong passcodes before the key is destroyed.
    pub max_attempts: u32,
    pub kdf: KdfParams,
}

impl Default for LockSettings {
    fn default() -> Self {
        LockSettings {
            idle: Duration::from_secs(5 * 60),
            max_attempts: 10,
            kdf: KdfParams::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("Liaison is locked: enter your passcode")]
    Locked,
    #[error("this device has no passcode yet: set one to start")]
    NotSetUp,
    #[error("this device already has a passcode")]
    AlreadySetUp,
    #[error(
        "an unencrypted database from an earlier version is at {0}: move it away (it holds records in plain text) \
         and set the passcode again"
    )]
    PlainDatabaseExists(PathBuf),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the lock stands, for the lock screen and the status strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LockState {
    /// First run: no passcode set.
    NotSetUp,
    Locked,
    Unlocked {
        /// Seconds until the idle lock, if nothing is done.
        #[ts(type = "number")]
        idle_lock_in_s: u64,
    },
}

/// Why this device's data was destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum WipeReason {
    /// The passcode was got wrong too many times.
    TooManyAttempts,
    /// The force revoked the device (lost, stolen or retired).
    Revoked,
}

/// What the officer is told after a wipe, until they acknowledge it. Kept in a small file
/// beside the (now absent) database; it holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WipeNotice {
    pub reason: WipeReason,
    pub at: chrono::DateTime<chrono::Utc>,
    /// Records made here that the force server did not hold when the data was destroyed;
    /// `None` when that could not be known (the database could no longer be opened).
    #[ts(type = "number | null")]
    pub unsynced_lost: Option<u64>,
    /// The sentence the officer reads.
    pub message: String,
}

impl WipeNotice {
    pub fn new(reason: WipeReason, unsynced_lost: Option<u64>) -> WipeNotice {
        let lost = match unsynced_lost {
            Some(0) => "Everything recorded here had reached the force server.".to_string(),
            Some(n) => format!("{n} revisions made here had not reached the force server and are lost."),
            None => "Revisions that had not reached the force server are lost.".to_string(),
        };
        let why = match reason {
            WipeReason::TooManyAttempts => {
                "The passcode was entered wrongly too many times, so the key to this device's data was destroyed."
            }
            WipeReason::Revoked => "The force IT team revoked this device, so its key and records were erased from it.",
        };
        WipeNotice {
            reason,
            at: chrono::Utc::now(),
            unsynced_lost,
            message: format!("{why} {lost} Ask force IT for a new enrolment code to use this device again."),
        }
    }
}

struct Open {
    store: Arc<Mutex<Store>>,
    last_used: Instant,
}

/// The encrypted store behind its lock.
///
/// While unlocked the store is shared (`Arc<Mutex<Store>>`) with whoever needs it, such as the
/// sync scheduler; locking drops the vault's handle, and the caller must drop (stop) the
/// others for the database and its key to be closed.
pub struct Vault {
    db_path: PathBuf,
    keystore: Box<dyn KeyGuard>,
    settings: LockSettings,
    open: Option<Open>,
    /// The wipe notice, read from its file once; the file is what survives a restart.
    notice: Option<WipeNotice>,
}

/// Which guard keeps the key of the database at `db_path`.
///
/// A tablet already set up keeps its guard: the one whose file is beside the database (a TPM
/// that has stopped answering is then an error at unlock, never a reason to open another way).
/// A new tablet uses the TPM named by `LIAISON_TPM_TCTI` (default `/dev/tpmrm0`) when it answers
/// and force IT has provisioned it, and otherwise the software keystore, which the passcode
/// screen then says.
pub fn guard_for(db_path: &Path, settings: LockSettings) -> Box<dyn KeyGuard> {
    let software = KeyStore::new(with_suffix(db_path, ".keystore"), settings.max_attempts);
    #[cfg(feature = "tpm")]
    {
        let tpm = tpm::TpmGuard::beside(db_path, tpm::TpmGuard::tcti_from_env());
        if tpm.exists() {
            return Box::new(tpm);
        }
        if !software.exists() {
            match tpm.probe() {
                Ok(()) => return Box::new(tpm),
                Err(e) => tracing::warn!(error = %e, "no usable TPM: the key will be kept by the passcode alone"),
            }
        }
    }
    Box::new(software)
}

/// The wipe notice lives beside the database as `<db>.wiped`.
const NOTICE_SUFFIX: &str = ".wiped";

/// `path` with `suffix` appended to its file name (`device.db` → `device.db.keystore`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

impl Vault {
    /// The software guard: the keystore lives beside the database as `<db>.keystore`.
    pub fn new(db_path: impl Into<PathBuf>, settings: LockSettings) -> Vault {
        let db_path = db_path.into();
        let keystore = KeyStore::new(with_suffix(&db_path, ".keystore"), settings.max_attempts);
        Vault::with_guard(db_path, settings, Box::new(keystore))
    }

    /// The guard [`guard_for`] chooses: the one already holding this tablet's key, else the
    /// TPM where one answers and is provisioned (feature `tpm`), else the software keystore.
    pub fn open(db_path: impl Into<PathBuf>, settings: LockSettings) -> Vault {
        let db_path = db_path.into();
        let guard = guard_for(&db_path, settings);
        Vault::with_guard(db_path, settings, guard)
    }

    /// The key kept by `guard` (the TPM, or a mobile plugin's secure hardware).
    pub fn with_guard(db_path: impl Into<PathBuf>, settings: LockSettings, guard: Box<dyn KeyGuard>) -> Vault {
        let db_path = db_path.into();
        let notice = std::fs::read(with_suffix(&db_path, NOTICE_SUFFIX))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        Vault {
            keystore: guard,
            db_path,
            settings,
            open: None,
            notice,
        }
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub fn settings(&self) -> LockSettings {
        self.settings
    }

    /// What keeps the key: hardware, or Argon2id alone.
    pub fn key_guard(&self) -> KeyGuardKind {
        self.keystore.kind()
    }

    /// First run: makes the key, wraps it under the passcode, creates the encrypted database,
    /// and leaves the vault unlocked. A passcode set up clears any earlier wipe notice.
    pub fn set_up(&mut self, passcode: &str) -> Result<(), VaultError> {
        if self.keystore.exists() {
            return Err(VaultError::AlreadySetUp);
        }
        if std::fs::metadata(&self.db_path).is_ok_and(|m| m.len() > 0) {
            return Err(VaultError::PlainDatabaseExists(self.db_path.clone()));
        }
        let key = self.keystore.create(passcode, self.settings.kdf)?;
        match Store::open_encrypted(&self.db_path, &key) {
            Ok(store) => {
                self.opened(store);
                self.acknowledge_wipe();
                Ok(())
            }
            Err(e) => {
                // Do not leave a key for a database that was never made.
                let _ = self.keystore.destroy();
                Err(e.into())
            }
        }
    }

    /// Unwraps the key and opens the database. At the attempt limit the key and the data are
    /// destroyed and a [`WipeNotice`] is left for the officer.
    pub fn unlock(&mut self, passcode: &str) -> Result<(), VaultError> {
        if !self.keystore.exists() {
            return Err(VaultError::NotSetUp);
        }
        let key = match self.keystore.unlock(passcode) {
            Ok(k) => k,
            Err(KeyError::Destroyed) => return Err(self.key_destroyed()),
            Err(e) => return Err(e.into()),
        };
        let store = Store::open_encrypted(&self.db_path, &key)?;
        self.opened(store);
        Ok(())
    }

    fn opened(&mut self, store: Store) {
        self.open = Some(Open {
            store: Arc::new(Mutex::new(store)),
            last_used: Instant::now(),
        });
    }

    /// Locks now: the vault's handle on the open database is dropped.
    pub fn lock(&mut self) {
        self.open = None;
    }

    pub fn state(&mut self) -> LockState {
        self.expire_if_idle();
        match &self.open {
            Some(o) => LockState::Unlocked {
                idle_lock_in_s: self.settings.idle.saturating_sub(o.last_used.elapsed()).as_secs(),
            },
            None if self.keystore.exists() => LockState::Locked,
            None => LockState::NotSetUp,
        }
    }

    /// The open store, if unlocked and not idle too long; counts as the officer's activity.
    pub fn store(&mut self) -> Result<Arc<Mutex<Store>>, VaultError> {
        self.expire_if_idle();
        let open = self.open.as_mut().ok_or(VaultError::Locked)?;
        open.last_used = Instant::now();
        Ok(open.store.clone())
    }

    /// The open store without counting as activity: for background work such as the status
    /// strip's polling, which must not keep an unattended tablet unlocked.
    pub fn peek(&mut self) -> Result<Arc<Mutex<Store>>, VaultError> {
        self.expire_if_idle();
        Ok(self.open.as_ref().ok_or(VaultError::Locked)?.store.clone())
    }

    /// The officer is using the app (touching, typing): restart the idle timer.
    pub fn touch(&mut self) {
        self.expire_if_idle();
        if let Some(o) = self.open.as_mut() {
            o.last_used = Instant::now();
        }
    }

    pub fn change_passcode(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        match self.keystore.change_passcode(old, new) {
            Err(KeyError::Destroyed) => Err(self.key_destroyed()),
            other => Ok(other?),
        }
    }

    /// Destroys the key and the local data (remote wipe, or the officer's choice) and leaves
    /// a notice saying why. The caller decides what must be pushed first, and must have
    /// stopped anything else holding the store.
    pub fn wipe(&mut self, reason: WipeReason, unsynced_lost: Option<u64>) -> Result<(), VaultError> {
        self.open = None;
        self.keystore.destroy()?;
        self.remove_database();
        self.leave_notice(WipeNotice::new(reason, unsynced_lost));
        Ok(())
    }

    /// Why the data on this device was destroyed, until the officer acknowledges it.
    pub fn wipe_notice(&self) -> Option<WipeNotice> {
        self.notice.clone()
    }

    pub fn acknowledge_wipe(&mut self) {
        if self.notice.take().is_some() {
            let _ = std::fs::remove_file(self.notice_path());
        }
    }

    /// The attempt limit was reached: the keystore has destroyed the key; the data goes too.
    fn key_destroyed(&mut self) -> VaultError {
        self.remove_database();
        self.leave_notice(WipeNotice::new(WipeReason::TooManyAttempts, None));
        KeyError::Destroyed.into()
    }

    fn notice_path(&self) -> PathBuf {
        with_suffix(&self.db_path, NOTICE_SUFFIX)
    }

    fn leave_notice(&mut self, notice: WipeNotice) {
        if let Ok(json) = serde_json::to_vec_pretty(&notice) {
            let path = self.notice_path();
            let _ = crate::files::create(&path).and_then(|mut f| std::io::Write::write_all(&mut f, &json));
        }
        self.notice = Some(notice);
    }

    fn expire_if_idle(&mut self) {
        if self
            .open
            .as_ref()
            .is_some_and(|o| o.last_used.elapsed() >= self.settings.idle)
        {
            self.open = None;
        }
    }

    fn remove_database(&mut self) {
        self.open = None;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&self.db_path, suffix));
        }
    }
}

#[cfg(test)]
mod tests;
