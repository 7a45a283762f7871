use super::*;
use crate::records::*;
use chrono::Utc;
use std::path::{Path, PathBuf};

fn settings(idle_ms: u64) -> LockSettings {
    LockSettings {
        idle: Duration::from_millis(idle_ms),
        max_attempts: 3,
        kdf: KdfParams::insecure_for_tests(),
    }
}

const SECRET_TEXT: &str = "organiser Aisha Rahman agreed the Bull Ring detour";

fn save_note(store: &mut Store) -> RecordId {
    let summary = crate::demo::generate(store, Utc::now(), 3).unwrap();
    let op = summary.operation_id.unwrap();
    store
        .create(
            &OfficerId::new("PC 1").unwrap(),
            Record {
                operation_id: Some(op),
                occurred_at: Utc::now(),
                location: None,
                sector: None,
                links: vec![],
                tags: vec![],
                attachments: vec![],
                body: Body::ContactNote(ContactNote {
                    spoke_with: "Organiser".into(),
                    function: PltFunction::Negotiation,
                    summary: SECRET_TEXT.into(),
                    mood: None,
                    follow_up: None,
                    monitored: vec![],
                }),
            },
        )
        .unwrap()
        .record_id
}

/// A vault set up with passcode 246810 in `dir`, holding the demo and one note; unlocked.
fn vault_with_a_note(dir: &Path, settings: LockSettings) -> (PathBuf, Vault) {
    let path = dir.join("device.db");
    let mut v = Vault::new(&path, settings);
    v.set_up("2468101214").unwrap();
    save_note(&mut v.store().unwrap().lock().unwrap());
    (path, v)
}

#[test]
fn the_vault_starts_locked_and_reads_nothing_until_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut v = Vault::new(&path, settings(60_000));
    assert_eq!(v.state(), LockState::NotSetUp);
    assert!(matches!(v.store(), Err(VaultError::Locked)));
    v.set_up("2468101214").unwrap();
    let id = save_note(&mut v.store().unwrap().lock().unwrap());
    drop(v);

    let mut v = Vault::new(&path, settings(60_000));
    assert_eq!(v.state(), LockState::Locked);
    assert!(matches!(v.store(), Err(VaultError::Locked)));
    assert!(matches!(
        v.unlock("999999"),
        Err(VaultError::Key(KeyError::WrongPasscode { remaining: 2 }))
    ));
    assert!(matches!(v.store(), Err(VaultError::Locked)));
    v.unlock("2468101214").unwrap();
    let access = crate::Access {
        officer: OfficerId::new("PC 1").unwrap(),
        purpose: String::new(),
    };
    assert!(v.store().unwrap().lock().unwrap().get(id, &access).is_ok());
    v.lock();
    assert!(matches!(v.store(), Err(VaultError::Locked)));
}

#[test]
fn the_vault_locks_itself_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::new(dir.path().join("device.db"), settings(30));
    v.set_up("2468101214").unwrap();
    assert!(v.store().is_ok());
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(v.state(), LockState::Locked);
    assert!(matches!(v.store(), Err(VaultError::Locked)));
}

#[test]
fn the_encrypted_file_gives_nothing_to_plain_sqlite_a_wrong_key_or_strings() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = vault_with_a_note(dir.path(), settings(60_000));
    v.lock();

    // Every byte of the database and its WAL: no record text, no schema text.
    for suffix in ["", "-wal"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        if let Ok(bytes) = std::fs::read(PathBuf::from(p)) {
            let text = String::from_utf8_lossy(&bytes);
            for needle in ["Aisha", "Bull Ring", "contact_note", "CREATE TABLE", "SQLite format"] {
                assert!(!text.contains(needle), "`{needle}` readable in the file{suffix}");
            }
        }
    }
    // Plain SQLite cannot read it.
    let plain = rusqlite::Connection::open(&path).unwrap();
    assert!(plain
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .is_err());
    // Nor can a wrong key.
    let wrong = DbKey::from_bytes_for_tests([9; 32]);
    assert!(matches!(
        Store::open_encrypted(&path, &wrong),
        Err(StoreError::NotADatabase { .. })
    ));
}

#[test]
fn too_many_wrong_passcodes_destroy_key_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let settings = LockSettings {
        max_attempts: 2,
        ..settings(60_000)
    };
    let (path, mut v) = vault_with_a_note(dir.path(), settings);
    v.lock();
    assert!(matches!(
        v.unlock("000000"),
        Err(VaultError::Key(KeyError::WrongPasscode { remaining: 1 }))
    ));
    let e = v.unlock("000001").unwrap_err();
    assert!(matches!(e, VaultError::Key(KeyError::Destroyed)));
    assert!(e.to_string().contains("re-enrolled"), "{e}");
    assert!(!path.exists());
    assert_eq!(v.state(), LockState::NotSetUp);
    let notice = v.wipe_notice().expect("the officer is told why");
    assert_eq!(notice.reason, WipeReason::TooManyAttempts);
    assert!(notice.message.contains("enrolment code"), "{}", notice.message);
    // Setting the device up again starts afresh and clears the notice.
    v.set_up("1357911131").unwrap();
    assert!(v.wipe_notice().is_none());
}

#[test]
fn polling_does_not_keep_an_idle_vault_open_but_the_officer_touching_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::new(dir.path().join("device.db"), settings(1_000));
    v.set_up("2468101214").unwrap();
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(200));
        v.touch();
    }
    assert!(
        matches!(v.state(), LockState::Unlocked { .. }),
        "touched within the idle time"
    );
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(200));
        let _ = v.peek();
    }
    assert_eq!(v.state(), LockState::Locked, "peeking is not activity");
}

#[test]
fn a_remote_wipe_destroys_key_and_data_and_says_what_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = vault_with_a_note(dir.path(), settings(60_000));
    v.wipe(WipeReason::Revoked, Some(3)).unwrap();
    assert!(!path.exists());
    assert!(!dir.path().join("device.db.keystore").exists());
    assert_eq!(v.state(), LockState::NotSetUp);
    let notice = Vault::new(&path, settings(60_000)).wipe_notice().unwrap();
    assert_eq!(notice.reason, WipeReason::Revoked);
    assert!(notice.message.contains("3 revisions"), "{}", notice.message);
    v.acknowledge_wipe();
    assert!(v.wipe_notice().is_none());
}

#[test]
fn a_plain_database_left_by_an_earlier_version_is_not_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    drop(Store::open(&path).unwrap());
    let before = std::fs::read(&path).unwrap();
    let mut v = Vault::new(&path, settings(60_000));
    assert!(matches!(
        v.set_up("2468101214"),
        Err(VaultError::PlainDatabaseExists(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(v.state(), LockState::NotSetUp, "no key was left behind");
}

#[test]
fn a_new_passcode_opens_the_same_database_without_reencrypting_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = vault_with_a_note(dir.path(), settings(60_000));
    v.lock();
    let before = std::fs::read(&path).unwrap();
    v.change_passcode("2468101214", "1357911131").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before, "the database file was rewritten");
    assert!(v.unlock("2468101214").is_err());
    v.unlock("1357911131").unwrap();
    assert!(v.store().unwrap().lock().unwrap().verify_chain().unwrap().is_valid());
}

#[test]
fn without_the_tpm_feature_or_a_tpm_a_new_tablet_keeps_its_key_in_software_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::open(dir.path().join("device.db"), settings(60_000));
    if cfg!(not(feature = "tpm")) {
        assert_eq!(v.key_guard(), KeyGuardKind::Software);
    }
    if v.key_guard() == KeyGuardKind::Software {
        assert!(matches!(
            v.set_up("246810"),
            Err(VaultError::Key(KeyError::WeakPasscode(PasscodeRule::Software)))
        ));
        v.set_up("2468101214").unwrap();
        assert!(dir.path().join("device.db.keystore").exists());
    }
}
