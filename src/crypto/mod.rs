//! Keys and the lock. Owns the device database key (random, wrapped under the officer's
//! passcode with Argon2id: [`keystore`]) and the [`Vault`], the only way to an open encrypted
//! [`Store`]: locked at start, locked again after an idle time or on demand, and while locked
//! nothing can be read. Never logs or prints a passcode or key; key material is zeroized on drop.

pub mod keystore;

pub use keystore::{DbKey, KdfParams, KeyError, KeyStore};

use crate::store::{Store, StoreError};
use serde::Serialize;
use std::path::{Path, PathBuf};
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
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the status strip shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LockState {
    /// First run: no passcode set.
    NotSetUp,
    Locked,
    Unlocked {
        idle_lock_in_s: u64,
    },
}

struct Open {
    store: Store,
    last_used: Instant,
}

/// The encrypted store behind its lock.
pub struct Vault {
    db_path: PathBuf,
    keystore: KeyStore,
    settings: LockSettings,
    open: Option<Open>,
}

impl Vault {
    /// The keystore lives beside the database as `<db>.keystore`.
    pub fn new(db_path: impl Into<PathBuf>, settings: LockSettings) -> Vault {
        let db_path = db_path.into();
        let mut ks = db_path.clone().into_os_string();
        ks.push(".keystore");
        Vault {
            keystore: KeyStore::new(PathBuf::from(ks), settings.max_attempts),
            db_path,
            settings,
            open: None,
        }
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// First run: makes the key, wraps it under the passcode, creates the encrypted database,
    /// and leaves the vault unlocked.
    pub fn set_up(&mut self, passcode: &str) -> Result<(), VaultError> {
        if self.keystore.exists() {
            return Err(VaultError::AlreadySetUp);
        }
        let key = self.keystore.create(passcode, self.settings.kdf)?;
        match Store::open_encrypted(&self.db_path, &key) {
            Ok(store) => {
                self.open = Some(Open {
                    store,
                    last_used: Instant::now(),
                });
                Ok(())
            }
            Err(e) => {
                // Do not leave a key for a database that was never made.
                let _ = self.keystore.destroy();
                Err(e.into())
            }
        }
    }

    pub fn unlock(&mut self, passcode: &str) -> Result<(), VaultError> {
        if !self.keystore.exists() {
            return Err(VaultError::NotSetUp);
        }
        let key = match self.keystore.unlock(passcode) {
            Ok(k) => k,
            Err(KeyError::Destroyed) => {
                self.remove_database();
                return Err(KeyError::Destroyed.into());
            }
            Err(e) => return Err(e.into()),
        };
        let store = Store::open_encrypted(&self.db_path, &key)?;
        self.open = Some(Open {
            store,
            last_used: Instant::now(),
        });
        Ok(())
    }

    /// Locks now: the open database (and with it the key SQLCipher holds) is closed.
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

    /// The open store, if unlocked and not idle too long; counts as activity.
    pub fn store(&mut self) -> Result<&mut Store, VaultError> {
        self.expire_if_idle();
        let open = self.open.as_mut().ok_or(VaultError::Locked)?;
        open.last_used = Instant::now();
        Ok(&mut open.store)
    }

    pub fn change_passcode(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        Ok(self.keystore.change_passcode(old, new)?)
    }

    /// Destroys the key and the local data (remote wipe, or the officer's choice). The caller
    /// decides what must be pushed first.
    pub fn wipe(&mut self) -> Result<(), VaultError> {
        self.open = None;
        self.keystore.destroy()?;
        self.remove_database();
        Ok(())
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
            let mut p = self.db_path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

#[cfg(test)]
mod tests;
