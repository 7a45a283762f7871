//! What the app holds while it runs: the open store, the signed-in officer and the sync
//! scheduler, and how they are found at start.

use liaison_core::store::Store;
use liaison_core::sync::{Scheduler, SchedulerOptions, SyncClient, SyncError};
use liaison_core::{OfficerId, ValidationError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The officer when none is configured: the demo operation's first PLO.
pub const DEFAULT_OFFICER: &str = "PC 4521";

pub struct AppState {
    store: Arc<Mutex<Store>>,
    pub officer: OfficerId,
    /// Runs sync in the background once the device is enrolled with a force server.
    pub sync: Option<Scheduler>,
}

impl AppState {
    pub fn new(store: Arc<Mutex<Store>>, officer: OfficerId, sync: Option<Scheduler>) -> Self {
        AppState { store, officer, sync }
    }

    /// The store. A panic while it was held leaves nothing half-written (every store call is
    /// one transaction), so a poisoned lock is safe to take over.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
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

/// Enrols the device with the force server when it is not enrolled yet and both the server
/// (`LIAISON_SERVER_URL`) and a one-time code (`LIAISON_ENROLL_CODE`) are given; then starts
/// the sync scheduler if the device is enrolled. A server that cannot be reached is not fatal:
/// the officer works offline and the next start tries again.
///
/// Transport: the force CA is read from `LIAISON_SERVER_CA` (a PEM file) at every start, not
/// stored with the enrollment, so a renewed CA is a config change; plain HTTP to this machine
/// needs `LIAISON_ALLOW_PLAIN_LOOPBACK=1`.
pub fn start_sync(
    store: &Arc<Mutex<Store>>,
    runtime: &tokio::runtime::Handle,
    server_url: Option<String>,
    enroll_code: Option<String>,
) -> Result<Option<Scheduler>, SyncError> {
    let sync =
        liaison_core::sync::SyncOptions {
            ca_pem: match std::env::var_os("LIAISON_SERVER_CA").filter(|p| !p.is_empty()) {
                Some(path) => Some(std::fs::read(&path).map_err(|e| {
                    SyncError::BadForceCa(format!("{} cannot be read: {e}", Path::new(&path).display()))
                })?),
                None => None,
            },
            allow_plain_loopback: std::env::var("LIAISON_ALLOW_PLAIN_LOOPBACK").is_ok_and(|v| v == "1"),
            ..Default::default()
        };
    let enrolled = lock(store).sync_credentials()?.is_some();
    if !enrolled {
        let (Some(url), Some(code)) = (server_url.filter(|s| !s.trim().is_empty()), enroll_code) else {
            return Ok(None);
        };
        let client = SyncClient::new(&url, sync.clone())?;
        runtime.block_on(client.enroll(store, &code))?;
    }
    Ok(Some(Scheduler::start(
        runtime,
        store.clone(),
        SchedulerOptions {
            sync,
            ..SchedulerOptions::default()
        },
    )))
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens the store and, on a device with no operation yet, loads the demonstration operation
/// (starting five hours ago, so its records lead up to now).
pub fn open_store(path: &Path) -> Result<Store, liaison_core::StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| liaison_core::StoreError::NotADatabase {
            path: path.to_path_buf(),
            detail: format!("its folder cannot be created: {e}"),
        })?;
    }
    let mut store = Store::open(path)?;
    if liaison_core::service::operations(&store)?.is_empty() {
        let start = chrono::Utc::now() - chrono::Duration::hours(5);
        liaison_core::demo::generate(&mut store, start, 1)?;
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_new_device_opens_with_the_demo_operation_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/liaison.db");
        let first = open_store(&path).unwrap();
        let count = first.revision_count().unwrap();
        assert!(count > 100);
        drop(first);
        let again = open_store(&path).unwrap();
        assert_eq!(
            again.revision_count().unwrap(),
            count,
            "demo data is loaded only on an empty device"
        );
    }
}
