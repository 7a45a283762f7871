//! The storage story: what any `Storage` backend must do, told once and run against each
//! backend (SQLite, and PostgreSQL where one is reachable: see `common/backend.rs`).

mod common;

use chrono::Utc;
use common::*;
use liaison_core::records::RumourStatus;
use liaison_core::store::Store;
use liaison_server::auth::{hash_secret, new_token};
use liaison_server::storage::{DeviceAuth, RevocationReason, Storage, StorageError};
use liaison_server::{PostgresStorage, SqliteStorage};

fn story(storage: &dyn Storage) {
    // Enrollment: a code works once, the device then authenticates by its token's hash.
    let code = hash_secret("CODE1");
    storage
        .add_enrollment_code(&code, "PC 4521", Utc::now() + chrono::Duration::hours(1))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut tablet = Store::open(dir.path().join("t.db")).unwrap();
    let lost = new_token();
    let enrolled = storage
        .redeem_enrollment_code(&code, tablet.device_id(), &lost)
        .unwrap();
    assert_eq!(enrolled.officer, "PC 4521");
    // The answer was lost: the same device asks again with the same code and gets a new
    // token; the first stops working.
    let token = new_token();
    storage
        .redeem_enrollment_code(&code, tablet.device_id(), &token)
        .unwrap();
    assert!(matches!(
        storage.authenticate(&hash_secret(&lost)),
        Err(StorageError::UnknownToken)
    ));
    // Any other device with that code, or another code for this device, is refused.
    assert!(matches!(
        storage.redeem_enrollment_code(&code, uuid::Uuid::now_v7(), &new_token()),
        Err(StorageError::BadEnrollmentCode)
    ));
    let second = hash_secret("CODE2");
    storage
        .add_enrollment_code(&second, "PCSO 1234", Utc::now() + chrono::Duration::hours(1))
        .unwrap();
    assert!(matches!(
        storage.redeem_enrollment_code(&second, tablet.device_id(), &new_token()),
        Err(StorageError::DeviceTaken(_))
    ));
    let expired = hash_secret("OLD");
    storage
        .add_enrollment_code(&expired, "PC 4521", Utc::now() - chrono::Duration::seconds(1))
        .unwrap();
    assert!(matches!(
        storage.redeem_enrollment_code(&expired, uuid::Uuid::now_v7(), &new_token()),
        Err(StorageError::BadEnrollmentCode)
    ));
    let me = storage.authenticate(&hash_secret(&token)).unwrap();
    assert_eq!(
        me,
        DeviceAuth {
            device_id: tablet.device_id(),
            officer: "PC 4521".into(),
            revoked: None,
        }
    );
    assert!(matches!(
        storage.authenticate(&hash_secret("nope")),
        Err(StorageError::UnknownToken)
    ));

    // An operation, pulled by its member; the device writes to it; the server holds it once.
    let op = create_operation(storage, "Op Story");
    storage.assign(op, "PC 4521").unwrap();
    let page = storage.pull(&me, None, 10).unwrap();
    assert_eq!(page.revisions.len(), 1);
    assert!(!page.more);
    tablet.receive(&page.revisions).unwrap();
    tablet
        .create(&officer("PC 4521"), rumour(op, RumourStatus::Reported, ""))
        .unwrap();
    let revs = tablet.outbox(10).unwrap();
    let first = storage.push(&me, &revs, Utc::now()).unwrap();
    let again = storage.push(&me, &revs, Utc::now()).unwrap();
    assert_eq!((first.acked_seq, first.stored, again.stored), (1, 1, 0));
    assert_eq!(storage.device_chain(me.device_id).unwrap(), tablet.own_chain().unwrap());
    assert!(storage.received_at(revs[0].id).unwrap().is_some());
    assert_eq!(
        storage.current_revision(revs[0].record_id).unwrap(),
        Some((revs[0].id, 1))
    );
    // Its own revision does not come back to it; the cursor moves past the page.
    let next = storage.pull(&me, Some(&page.next_cursor), 10).unwrap();
    assert!(next.revisions.is_empty());
    assert!(matches!(
        storage.pull(&me, Some("x"), 10),
        Err(StorageError::BadCursor(_))
    ));

    // Revocation.
    storage.revoke_device(me.device_id, RevocationReason::Lost).unwrap();
    assert!(matches!(
        storage.authenticate(&hash_secret(&token)),
        Err(StorageError::Revoked { .. })
    ));
    assert!(matches!(
        storage.revoke_device(uuid::Uuid::now_v7(), RevocationReason::Stolen),
        Err(StorageError::UnknownDevice(_))
    ));
    assert!(storage.verify().unwrap().problems.is_empty());
}

#[test]
fn the_sqlite_storage_tells_the_whole_story() {
    let dir = tempfile::tempdir().unwrap();
    story(&SqliteStorage::open(dir.path().join("server.db")).unwrap());
}

#[test]
fn a_server_database_from_a_newer_server_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    drop(SqliteStorage::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let err = SqliteStorage::open(&path).err().unwrap();
    assert!(matches!(err, StorageError::SchemaTooNew { found: 99, .. }));
    assert!(err.to_string().contains("upgrade the server"));
}

#[test]
fn a_server_database_from_before_merges_is_brought_up_to_date_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let op = common::create_operation(&SqliteStorage::open(&path).unwrap(), "Op Before");
    // As schema 6 left it: no merges (and none of what later versions add).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP INDEX revisions_merge; ALTER TABLE revisions DROP COLUMN merge_id; DROP TABLE debriefs;
             DROP TRIGGER revisions_name_media; DROP TABLE revision_media;
             PRAGMA user_version = 6",
        )
        .unwrap();
    let storage = SqliteStorage::open(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 9, "brought up to the current schema");
    let report = storage.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.revisions, 1);
    assert_eq!(storage.current_revision(op).unwrap().map(|(_, heads)| heads), Some(1));
}

#[test]
fn a_server_database_from_before_media_learns_which_revisions_name_which_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let storage = SqliteStorage::open(&path).unwrap();
    let code = hash_secret("CODE1");
    storage
        .add_enrollment_code(&code, "PC 4521", Utc::now() + chrono::Duration::hours(1))
        .unwrap();
    let mut tablet = Store::open(dir.path().join("t.db")).unwrap();
    let token = new_token();
    storage
        .redeem_enrollment_code(&code, tablet.device_id(), &token)
        .unwrap();
    let me = storage.authenticate(&hash_secret(&token)).unwrap();
    let sha = |c: char| c.to_string().repeat(64);
    let mut note = common::note(uuid::Uuid::nil(), "Leaflet photographed");
    note.operation_id = None;
    note.attachments = vec![liaison_core::records::Attachment {
        sha256: sha('a'),
        kind: liaison_core::records::AttachmentKind::Photo,
        media_type: liaison_core::records::MediaType::Jpeg,
        size: 5_000,
        thumbnail: Some(liaison_core::records::Thumbnail {
            sha256: sha('b'),
            size: 300,
        }),
        location_kept: false,
        caption: String::new(),
    }];
    tablet.create(&officer("PC 4521"), note).unwrap();
    storage.push(&me, &tablet.outbox(10).unwrap(), Utc::now()).unwrap();
    drop(storage);
    // As schema 8 left it: revisions naming files, and no index of them.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TRIGGER revisions_name_media; DROP TABLE revision_media; PRAGMA user_version = 8")
        .unwrap();
    let storage = SqliteStorage::open(&path).unwrap();
    assert_eq!(storage.media_named_by(me.device_id, &sha('a')).unwrap(), Some(5_000));
    assert_eq!(storage.media_named_by(me.device_id, &sha('b')).unwrap(), Some(300));
    assert_eq!(storage.media_visible_to(&me, &sha('a')).unwrap(), Some(5_000));
    assert_eq!(storage.media_named_by(me.device_id, &sha('c')).unwrap(), None);
    assert_eq!(
        storage.media_sent_by(me.device_id).unwrap(),
        vec![(sha('a'), 5_000), (sha('b'), 300)]
    );
}

#[test]
fn the_postgres_storage_tells_the_whole_story() {
    if !common::backend::postgres_reachable("the_postgres_storage_tells_the_whole_story") {
        return;
    }
    let db = PgDatabase::create();
    story(&PostgresStorage::open(&db.url).unwrap());
    // A second server process on the same database finds the schema in place and the same
    // evidence.
    let again = PostgresStorage::open(&db.url).unwrap();
    assert_eq!(again.verify().unwrap().revisions, 2);
    assert!(again.verify_audit().unwrap().problems.is_empty());
}

#[test]
fn a_postgres_database_from_a_newer_server_is_refused_untouched() {
    if !common::backend::postgres_reachable("a_postgres_database_from_a_newer_server_is_refused_untouched") {
        return;
    }
    let db = PgDatabase::create();
    drop(PostgresStorage::open(&db.url).unwrap());
    db.sql(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
         VALUES (99, 'from_a_newer_server', '2030-01-01T00:00:00Z', '0')",
    );
    let tables = || db.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    let before = tables();
    let err = PostgresStorage::open(&db.url).err().unwrap();
    assert!(matches!(err, StorageError::SchemaTooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("upgrade the server"));
    assert_eq!(tables(), before, "nothing was changed");
}

#[test]
fn an_unreachable_postgres_is_a_clear_error_naming_the_database_but_not_the_password() {
    // Port 1 on this machine: nothing listens there.
    let err = PostgresStorage::open("postgres://liaison:s3cret-pass@127.0.0.1:1/force?connect_timeout=5")
        .err()
        .unwrap();
    let message = err.to_string();
    assert!(matches!(err, StorageError::Postgres(_)), "{message}");
    assert!(
        message.contains("127.0.0.1:1/force") && message.contains("cannot be reached"),
        "{message}"
    );
    assert!(!message.contains("s3cret-pass"), "{message}");
    let err = PostgresStorage::open("postgres://[oops").err().unwrap();
    assert!(err.to_string().contains("--database"), "{err}");
}

#[test]
fn a_postgres_connection_cut_mid_push_stores_the_batch_whole_or_not_at_all() {
    if !common::backend::postgres_reachable("a_postgres_connection_cut_mid_push_stores_the_batch_whole_or_not_at_all") {
        return;
    }
    let db = PgDatabase::create();
    let storage = std::sync::Arc::new(PostgresStorage::open(&db.url).unwrap());
    let code = hash_secret("CODE");
    storage
        .add_enrollment_code(&code, "PC 4521", Utc::now() + chrono::Duration::hours(1))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut tablet = Store::open(dir.path().join("t.db")).unwrap();
    let token = new_token();
    storage
        .redeem_enrollment_code(&code, tablet.device_id(), &token)
        .unwrap();
    let me = storage.authenticate(&hash_secret(&token)).unwrap();
    let op = create_operation(storage.as_ref(), "Op Cut");
    storage.assign(op, "PC 4521").unwrap();
    tablet.receive(&storage.pull(&me, None, 10).unwrap().revisions).unwrap();
    let records = (0..3_000).map(|i| note(op, &format!("note {i}"))).collect();
    tablet.import(&officer("PC 4521"), records).unwrap();
    let revisions = tablet.outbox(10_000).unwrap();
    // Every server connection to the database is cut, again and again, while the batch goes.
    let pushing = {
        let (storage, me, revisions) = (storage.clone(), me.clone(), revisions.clone());
        std::thread::spawn(move || storage.push(&me, &revisions, Utc::now()))
    };
    let mut cuts = 0;
    while !pushing.is_finished() {
        let killed = db.sql(&format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            db.name
        ));
        cuts += killed[0][0].as_deref().unwrap().parse::<u32>().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    assert!(cuts > 0, "a connection was cut while the push ran");
    let held = storage.device_chain(me.device_id).unwrap().len();
    match pushing.join().unwrap() {
        // Retried on a new connection after the cut: all of it.
        Ok(answer) => assert_eq!((answer.stored, held), (3_000, 3_000)),
        // Or an error the device retries later: none of it, or all of it when only the
        // commit's answer was lost.
        Err(e) => {
            assert!(matches!(e, StorageError::Postgres(_)), "{e}");
            assert!(held == 0 || held == 3_000, "nothing half-written: {held} held");
        }
    }
    // Either way the next push (the device's retry) completes the chain.
    let answer = storage.push(&me, &revisions, Utc::now()).unwrap();
    assert_eq!(answer.acked_seq, 3_000);
    assert_eq!(storage.device_chain(me.device_id).unwrap(), tablet.own_chain().unwrap());
    assert!(storage.verify().unwrap().problems.is_empty());
    assert!(storage.verify_audit().unwrap().problems.is_empty());
}
