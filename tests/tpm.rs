//! The database key sealed by a TPM 2.0, played against by an attacker who holds the tablet's
//! files. Each test starts its own software TPM (Debian's `swtpm`) on free local ports with its
//! own state, provisions it as force IT would (DA limits, then a lockout authorisation thrown
//! away, with `tpm2-tools`), and stops it when done.
//!
//! Needs the `tpm` feature: `cargo test -p liaison_core --features tpm --test tpm` (the test
//! command runs it). Without `swtpm` and `tpm2-tools` installed the tests say "skipped" and
//! pass, except under CI (`CI=true`), where a missing TPM simulator fails them.

use liaison_core::crypto::tpm::TpmGuard;
use liaison_core::crypto::{KdfParams, KeyError, KeyGuardKind, LockSettings, LockState, Vault, VaultError};
use std::path::{Path, PathBuf};

const PASSCODE: &str = "246810";
const SECRET: &str = "organiser Aisha Rahman agreed the Bull Ring detour";

#[path = "swtpm/mod.rs"]
mod swtpm;

use swtpm::{swtpm, Swtpm};

fn guard(tpm: &Swtpm, db: &Path) -> Box<TpmGuard> {
    Box::new(TpmGuard::beside(db, tpm.tcti()))
}

fn vault(tpm: &Swtpm, db: &Path) -> Vault {
    Vault::with_guard(db, settings(), guard(tpm, db))
}

fn settings() -> LockSettings {
    LockSettings {
        kdf: KdfParams::insecure_for_tests(),
        ..LockSettings::default()
    }
}

/// Sets up a vault on `tpm` at `dir/device.db` holding one note with [`SECRET`]; locked.
fn set_up_with_a_note(tpm: &Swtpm, dir: &Path) -> PathBuf {
    let db = dir.join("device.db");
    let mut v = vault(tpm, &db);
    assert_eq!(v.key_guard(), KeyGuardKind::Tpm);
    v.set_up(PASSCODE).unwrap();
    {
        let store = v.store().unwrap();
        let store = store.lock().unwrap();
        let officer = liaison_core::OfficerId::new("PC 1").unwrap();
        store.save_draft("note", &officer, SECRET).unwrap();
    }
    v.lock();
    db
}

fn reads_the_note(v: &mut Vault) -> bool {
    let store = v.store().unwrap();
    let store = store.lock().unwrap();
    store.draft("note").unwrap().is_some_and(|d| d.content == SECRET)
}

/// The database, its WAL and the sealed key: everything an attacker copies.
fn files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", ".tpmkey"]
        .iter()
        .map(|s| PathBuf::from(format!("{}{s}", db.display())))
        .filter(|p| p.exists())
        .collect()
}

fn copy_all(from: &[PathBuf], to: &Path) -> Vec<PathBuf> {
    from.iter()
        .map(|p| {
            let dest = to.join(p.file_name().unwrap());
            std::fs::copy(p, &dest).unwrap();
            dest
        })
        .collect()
}

#[test]
fn the_right_passcode_unlocks_and_the_sealed_file_holds_no_key() {
    let Some(tpm) = swtpm() else { return };
    tpm.provision();
    let dir = tempfile::tempdir().unwrap();
    let db = set_up_with_a_note(&tpm, dir.path());

    let mut v = vault(&tpm, &db);
    assert_eq!(v.state(), LockState::Locked);
    v.unlock(PASSCODE).unwrap();
    assert!(reads_the_note(&mut v));
    v.lock();

    // The same passcode through the software path's file format finds nothing to guess at:
    // no Argon2id-wrapped key is on disk, only the TPM's sealed object.
    let sealed = std::fs::read_to_string(format!("{}.tpmkey", db.display())).unwrap();
    assert!(!sealed.contains("wrapped") && !sealed.contains("nonce"), "{sealed}");
    assert!(!dir.path().join("device.db.keystore").exists());
}

#[test]
fn an_attacker_who_restores_copied_files_after_the_limit_is_still_refused() {
    let Some(tpm) = swtpm() else { return };
    tpm.provision();
    let dir = tempfile::tempdir().unwrap();
    let db = set_up_with_a_note(&tpm, dir.path());
    let stash = tempfile::tempdir().unwrap();
    let copies = copy_all(&files(&db), stash.path());

    let mut v = vault(&tpm, &db);
    let mut refusals = Vec::new();
    for guess in ["000000", "111111", "222222"] {
        match v.unlock(guess).unwrap_err() {
            VaultError::Key(e) => refusals.push(e),
            other => panic!("{other}"),
        }
    }
    assert_eq!(refusals[0], KeyError::WrongPasscode { remaining: 2 });
    assert_eq!(refusals[1], KeyError::WrongPasscode { remaining: 1 });
    let locked = &refusals[2];
    assert!(matches!(locked, KeyError::HardwareLockout { .. }), "{locked:?}");
    assert!(locked.to_string().contains("try again in 60 minutes"), "{locked}");

    // Put the files back as they were before the first guess: the count is in the TPM.
    for copy in &copies {
        std::fs::copy(copy, dir.path().join(copy.file_name().unwrap())).unwrap();
    }
    let mut v = vault(&tpm, &db);
    for passcode in ["333333", PASSCODE] {
        let e = v.unlock(passcode).unwrap_err();
        assert!(
            matches!(e, VaultError::Key(KeyError::HardwareLockout { .. })),
            "{passcode}: {e}"
        );
    }
    // Nothing was wiped by the lockout: the officer's data waits for the TPM to recover.
    assert!(db.exists() && files(&db).iter().any(|p| p.to_string_lossy().ends_with(".tpmkey")));
    assert_eq!(v.state(), LockState::Locked);
    assert!(v.wipe_notice().is_none());
}

#[test]
fn a_copy_of_the_files_on_another_machine_opens_nothing() {
    let (Some(home), Some(elsewhere)) = (swtpm(), swtpm()) else {
        return;
    };
    home.provision();
    elsewhere.provision();
    let dir = tempfile::tempdir().unwrap();
    let db = set_up_with_a_note(&home, dir.path());
    let other = tempfile::tempdir().unwrap();
    copy_all(&files(&db), other.path());
    let copied_db = other.path().join("device.db");

    let mut v = vault(&elsewhere, &copied_db);
    let e = v.unlock(PASSCODE).unwrap_err();
    assert!(matches!(e, VaultError::Key(KeyError::ForeignHardware)), "{e}");
    assert!(e.to_string().contains("another device's security chip"), "{e}");
    // Nothing erased there either, and the right passcode still opens it at home.
    assert!(copied_db.exists() && other.path().join("device.db.tpmkey").exists());
    let mut v = vault(&home, &db);
    v.unlock(PASSCODE).unwrap();
    assert!(reads_the_note(&mut v));
}

#[test]
fn an_absent_tpm_is_a_clear_refusal_that_erases_nothing() {
    let Some(mut tpm) = swtpm() else { return };
    tpm.provision();
    let dir = tempfile::tempdir().unwrap();
    let db = set_up_with_a_note(&tpm, dir.path());
    let before = files(&db);
    let mut v = vault(&tpm, &db);
    let _ = tpm.child.kill();
    let _ = tpm.child.wait();

    let e = v.unlock(PASSCODE).unwrap_err();
    assert!(matches!(e, VaultError::Key(KeyError::HardwareAbsent(_))), "{e}");
    assert!(
        e.to_string().contains("security chip (TPM) could not be reached"),
        "{e}"
    );
    assert_eq!(files(&db), before, "nothing erased");
    assert_eq!(v.state(), LockState::Locked);

    // Setting up a new tablet without its TPM leaves nothing behind.
    let fresh = dir.path().join("fresh.db");
    let mut v = vault(&tpm, &fresh);
    assert!(matches!(
        v.set_up(PASSCODE),
        Err(VaultError::Key(KeyError::HardwareAbsent(_)))
    ));
    assert_eq!(v.state(), LockState::NotSetUp);
    assert!(files(&fresh).is_empty());
}

#[test]
fn a_tpm_whose_lockout_nobody_protects_is_refused_before_a_key_is_sealed() {
    let Some(tpm) = swtpm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.db");
    let mut v = vault(&tpm, &db);
    let e = v.set_up(PASSCODE).unwrap_err();
    assert!(matches!(e, VaultError::Key(KeyError::HardwareNotProvisioned)), "{e}");
    assert!(e.to_string().contains("force IT must provision it"), "{e}");
    assert!(files(&db).is_empty());
}

#[test]
fn a_new_passcode_is_sealed_by_the_tpm_and_the_old_one_no_longer_opens() {
    let Some(tpm) = swtpm() else { return };
    tpm.provision();
    let dir = tempfile::tempdir().unwrap();
    let db = set_up_with_a_note(&tpm, dir.path());
    let mut v = vault(&tpm, &db);
    // Six digits are enough with the TPM counting; five are not.
    assert!(matches!(
        v.change_passcode(PASSCODE, "13579"),
        Err(VaultError::Key(KeyError::WeakPasscode(_)))
    ));
    v.change_passcode(PASSCODE, "135799").unwrap();
    assert!(matches!(
        v.unlock(PASSCODE),
        Err(VaultError::Key(KeyError::WrongPasscode { .. }))
    ));
    v.unlock("135799").unwrap();
    assert!(reads_the_note(&mut v));
}

#[test]
fn a_new_tablet_chooses_a_provisioned_tpm_and_a_set_up_one_keeps_its_guard() {
    use liaison_core::crypto::{guard_for, tpm::TCTI_ENV};
    let (Some(provisioned), Some(bare)) = (swtpm(), swtpm()) else {
        return;
    };
    provisioned.provision();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.db");
    // The environment is this process's: the one test that sets it, it sets it first.
    std::env::set_var(TCTI_ENV, bare.tcti());
    assert_eq!(
        guard_for(&db, settings()).kind(),
        KeyGuardKind::Software,
        "unprovisioned"
    );
    std::env::set_var(TCTI_ENV, provisioned.tcti());
    assert_eq!(guard_for(&db, settings()).kind(), KeyGuardKind::Tpm);
    let mut v = Vault::open(&db, settings());
    v.set_up(PASSCODE).unwrap();
    v.lock();
    // Set up on the TPM, it stays on the TPM even when the TPM is not there.
    std::env::set_var(TCTI_ENV, bare.tcti());
    assert_eq!(guard_for(&db, settings()).kind(), KeyGuardKind::Tpm);
    std::env::set_var(TCTI_ENV, provisioned.tcti());
    Vault::open(&db, settings()).unlock(PASSCODE).unwrap();
}
