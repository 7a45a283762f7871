//! What the shell holds while the app runs: the device session from the core
//! ([`liaison_core::service::Session`]: vault, lock, enrolment, sync, wipe policy), the force's
//! map tiles ([`liaison_core::tiles::Tiles`], from the maps folder beside the database), the watch
//! over the officer's window ([`Screen`], replaced at every lock), and three
//! small doors to its store for the commands, which map the core's errors to the UI's.
//!
//! [`AppState::with_store`] is the officer's action (it counts against the idle lock),
//! [`AppState::peek_store`] background polling (it does not), and [`AppState::as_officer`]
//! an action that records something, by the officer the tablet was enrolled for. All three
//! fail with "locked" while the vault is locked.

use crate::error::{AppError, CmdResult};
use crate::screen::Screen;
use liaison_core::service::Session;
use liaison_core::store::Store;
use liaison_core::tiles::Tiles;
use liaison_core::OfficerId;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use zeroize::Zeroizing;

pub struct AppState {
    pub session: Session,
    /// The force's own map tiles, if force IT put a file in the maps folder beside the database.
    pub tiles: Tiles,
    /// The officer's window, replaced at every lock so that no page that showed records
    /// outlives it.
    pub screen: Screen,
    /// An enrolment string to fill in on the first screen: `LIAISON_ENROLMENT_STRING`, for the
    /// demo (`scripts/run.sh`) and tests. It saves typing, and nothing else: the code in it is
    /// redeemed by the server like a typed one.
    enrolment_prefill: Option<Zeroizing<String>>,
}

fn lock(m: &Mutex<Store>) -> MutexGuard<'_, Store> {
    // Every store call is one transaction, so a store whose holder panicked is consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    pub fn new(session: Session, tiles: Tiles, enrolment_prefill: Option<Zeroizing<String>>) -> Self {
        AppState {
            session,
            tiles,
            screen: Screen::default(),
            enrolment_prefill: enrolment_prefill.filter(|s| !s.trim().is_empty()),
        }
    }

    /// Runs `f` on the open store for something the officer did (it restarts the idle timer).
    pub fn with_store<T, E: Into<AppError>>(&self, f: impl FnOnce(&mut Store) -> Result<T, E>) -> CmdResult<T> {
        let store = self.session.store()?;
        let mut guard = lock(&store);
        f(&mut guard).map_err(Into::into)
    }

    /// Runs `f` on the open store for background polling, which must not keep an unattended
    /// tablet unlocked.
    pub fn peek_store<T, E: Into<AppError>>(&self, f: impl FnOnce(&mut Store) -> Result<T, E>) -> CmdResult<T> {
        let store = self.session.peek()?;
        let mut guard = lock(&store);
        f(&mut guard).map_err(Into::into)
    }

    /// Runs `f` as the officer this tablet is enrolled for: refused until the server has
    /// enrolled it, since nothing may be recorded without its author.
    pub fn as_officer<T, E: Into<AppError>>(
        &self,
        f: impl FnOnce(&mut Store, &OfficerId) -> Result<T, E>,
    ) -> CmdResult<T> {
        let officer = self.session.officer()?;
        self.with_store(|s| f(s, &officer))
    }

    /// The enrolment string to fill in, only while the tablet has no passcode (the first
    /// screen): once set up, the code has been used and is not handed out again.
    pub fn enrolment_prefill(&self) -> Option<String> {
        let first_screen = matches!(self.session.lock_view().lock, liaison_core::crypto::LockState::NotSetUp);
        first_screen
            .then(|| self.enrolment_prefill.as_ref().map(|s| s.trim().to_string()))
            .flatten()
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
    use liaison_core::crypto::{KdfParams, LockSettings, Vault};
    use std::time::Duration;

    #[test]
    fn the_database_override_wins_over_the_data_dir() {
        let dir = Path::new("/data/app");
        assert_eq!(database_path(Some("/tmp/x.db".into()), dir), PathBuf::from("/tmp/x.db"));
        assert_eq!(database_path(None, dir), dir.join("liaison.db"));
        assert_eq!(database_path(Some(" ".into()), dir), dir.join("liaison.db"));
    }

    fn app(dir: &Path, prefill: Option<&str>) -> (tokio::runtime::Runtime, AppState) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let settings = LockSettings {
            idle: Duration::from_secs(60),
            max_attempts: 3,
            kdf: KdfParams::insecure_for_tests(),
        };
        let session = Session::new(Vault::new(dir.join("liaison.db"), settings), true, rt.handle().clone());
        let tiles = Tiles::new(liaison_core::tiles::folder_beside(&dir.join("liaison.db")));
        (
            rt,
            AppState::new(session, tiles, prefill.map(|s| Zeroizing::new(s.to_string()))),
        )
    }

    #[test]
    fn nothing_can_be_recorded_until_the_tablet_is_enrolled_and_the_ui_is_told_why() {
        let dir = tempfile::tempdir().unwrap();
        let (_rt, state) = app(dir.path(), None);
        let locked = state.as_officer(|s, _| s.revision_count()).unwrap_err();
        assert_eq!(locked.kind, crate::error::ErrorKind::Locked);
        state
            .session
            .set_up("2468101214", "liaison-enrol:1;code=ABCD;server=http://127.0.0.1:9")
            .unwrap();
        assert_eq!(state.with_store(|s| s.revision_count()).unwrap(), 0, "no demo data");
        let e = state.as_officer(|s, _| s.revision_count()).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::NotEnrolled);
    }

    #[test]
    fn the_prefilled_enrolment_string_is_offered_only_on_the_first_screen() {
        let dir = tempfile::tempdir().unwrap();
        let string = "liaison-enrol:1;code=ABCD;server=http://127.0.0.1:9";
        let (_rt, state) = app(dir.path(), Some(string));
        assert_eq!(state.enrolment_prefill().as_deref(), Some(string));
        state.session.set_up("2468101214", string).unwrap();
        assert_eq!(state.enrolment_prefill(), None, "the code is not handed out once used");
        let (_rt, none) = app(tempfile::tempdir().unwrap().path(), Some("  "));
        assert_eq!(none.enrolment_prefill(), None);
    }
}
