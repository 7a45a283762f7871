//! Opening files the app must not touch: a database from a newer schema, and a file that is
//! not a Liaison database. Both are refused with a clear error and left byte-for-byte as they were.

use liaison_core::store::{supported_schema_version, StoreError};
use liaison_core::Store;
use sha2::{Digest, Sha256};

fn digest(path: &std::path::Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn a_database_from_a_newer_app_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    drop(Store::open(&path).unwrap());
    let newer = supported_schema_version() + 1;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, 'from_the_future', '2030-01-01', '0')",
            [newer],
        )
        .unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let before = digest(&path);
    let err = Store::open(&path).err().expect("a newer schema must be refused");
    assert!(matches!(err, StoreError::SchemaTooNew { found, supported } if found == newer && supported == newer - 1));
    assert!(err.to_string().contains("newer version of Liaison"), "{err}");
    assert!(err.to_string().contains("has not been changed"), "{err}");
    assert_eq!(digest(&path), before, "the file was modified");
}

#[test]
fn a_file_that_is_not_a_liaison_database_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database at all, just some text that is long enough",
    )
    .unwrap();
    let before = digest(&text);
    assert!(matches!(Store::open(&text), Err(StoreError::NotADatabase { .. })));
    assert_eq!(digest(&text), before);

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let before = digest(&other);
    assert!(matches!(Store::open(&other), Err(StoreError::NotADatabase { .. })));
    assert_eq!(digest(&other), before);
}

#[test]
fn reopening_keeps_the_device_identity_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let id = Store::open(&path).unwrap().device_id();
    let again = Store::open(&path).unwrap();
    assert_eq!(again.device_id(), id);
    assert_eq!(again.schema_version().unwrap(), supported_schema_version());
}
